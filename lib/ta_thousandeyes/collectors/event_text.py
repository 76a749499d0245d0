"""Event text from a record's original JSON text plus a few enrichment members, no re-encoding.

Each function returns None when the raw text is not in the plain form it can edit safely
(multi-line, spaced ``"name": value``, a member name that appears more than once); the
caller then builds the event the slow way, from the parsed record. Either way the event is
the same JSON object: enrichment members first, then the record's own members.
Edits are a few C-level string operations (replace, count, find, slices), never a loop in
Python over the text.
"""

from typing import Optional


def splice(head: str, raw: Optional[str]) -> Optional[str]:
    """``{head,<raw's members>}``; head is members text such as ``"aid":"1","x":2``."""
    if raw is None or raw[:1] != "{" or "\n" in raw or "\r" in raw:
        return None
    if raw[1:2] == '"':  # the API's compact form: a member follows the brace
        return raw.replace("{", "{" + head + ",", 1)
    inner = raw[1:].lstrip()
    if inner[:1] == "}":
        return "{" + head + "}"
    return "{" + head + "," + inner


def member_first(raw: Optional[str], name: str, value_text: str, head: str) -> Optional[str]:
    """``{"name":value_text,head,<raw's other members>}``: raw's top-level member moved to the
    front with head after it, in one pass.

    The caller knows the parsed record has that member at top level. If ``"name":`` occurs
    exactly once in the text, it is that member: inside a string a quote is escaped, so a
    string value cannot contain the sequence. The member matches only when the value text
    is followed by ``,`` or ``}``, so a longer value with the same beginning never does.
    """
    if raw is None or raw[:2] != '{"' or "\n" in raw or "\r" in raw:
        return None
    label = '"' + name + '":'
    if raw.count(label) != 1:
        return None
    member = label + value_text
    at = raw.find(member)
    end = at + len(member)
    if at < 1 or raw[at - 1] not in "{," or raw[end : end + 1] not in (",", "}"):
        return None
    before = raw[1:at]  # the members ahead of it, each followed by a comma
    if raw[end] == ",":
        return "{" + member + "," + head + "," + before + raw[end + 1 :]
    if before:  # it was the last member: drop the comma ahead of it
        return "{" + member + "," + head + "," + before[:-1] + "}"
    return "{" + member + "," + head + "}"
