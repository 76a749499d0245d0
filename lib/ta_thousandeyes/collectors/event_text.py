"""Event text from a record's original JSON text plus a few enrichment members, no re-encoding.

Each function returns None when the raw text is not in the plain form it can edit safely
(multi-line, spaced ``"name": value``, a member name that appears more than once); the
caller then builds the event the slow way, from the parsed record. Either way the event is
the same JSON object: enrichment members first, then the record's own members.
Edits are single ``str.replace`` calls: one pass in C and one copy per edit.
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


def without_member(raw: Optional[str], name: str, value_text: str) -> Optional[str]:
    """raw with its top-level member ``"name":value_text`` taken out.

    The caller knows the parsed record has that member at top level. If ``"name":`` occurs
    exactly once in the text, it is that member: inside a string a quote is escaped, so a
    string value cannot contain the sequence. The member matches only when the value text
    is followed by ``,`` or ``}``, so a longer value with the same beginning never does.
    """
    if raw is None:
        return None
    label = '"' + name + '":'
    if raw.count(label) != 1:
        return None
    member = label + value_text
    for old, new in ((member + ",", ""), ("," + member + "}", "}"), ("{" + member + "}", "{}")):
        edited = raw.replace(old, new, 1)
        if len(edited) != len(raw):
            return edited
    return None
