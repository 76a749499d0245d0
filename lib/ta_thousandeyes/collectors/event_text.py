"""Event text: a few enrichment members and a record's own members as one JSON object.

``event_text`` is the one builder every collector uses. Given the record's original JSON
text it splices the enrichment in with a few C-level string operations (replace, count,
find, slices), never a loop in Python over the text: re-encoding the parsed record costs
more than parsing it, floats above all (docs/design.md, "Measured speed-ups"). When there is
no original text, or it is not in the plain form the edits handle safely (multi-line, spaced
``"name": value``, a member name that appears more than once, a member the enrichment also
has), the parsed record is encoded instead. Either way the event is the same JSON object.
"""

from typing import Any, Dict, Optional

from ..event_xml import to_json


def event_text(
    head: Dict[str, Any],
    record: Dict[str, Any],
    raw: Optional[str] = None,
    head_text: Optional[str] = None,
    lead: Optional[str] = None,
) -> str:
    """``{lead: record.get(lead), **head, **record}`` as JSON text (without lead: ``{**head,
    **record}``); a member of both keeps its first place and takes the record's value.

    raw: the record's JSON text as the API sent it, or None; head_text: ``to_json(head)``
    without its braces, for a caller that builds it once for many records. head may be empty
    only with a lead.
    """
    if raw is not None and record.keys().isdisjoint(head) and (lead is None or lead in record):
        if head_text is None:
            head_text = to_json(head)[1:-1]
        if lead is None:
            text = splice(head_text, raw)
        else:
            value = record[lead]
            # An int's JSON text is its str: 0.1-0.3 us against 2.7-2.9 for to_json (timeit)
            value_text = str(value) if type(value) is int else to_json(value)
            text = member_first(raw, lead, value_text, head_text)
        if text is not None:
            return text
    event = {lead: record.get(lead)} if lead is not None else {}
    event.update(head)
    event.update(record)
    return to_json(event)


def splice(head: str, raw: Optional[str]) -> Optional[str]:
    """``{head,<raw's members>}``; head is members text such as ``"aid":"1","x":2``, not empty."""
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
    front = member + "," + head if head else member
    before = raw[1:at]  # the members ahead of it, each followed by a comma
    if raw[end] == ",":
        return "{" + front + "," + before + raw[end + 1 :]
    if before:  # it was the last member: drop the comma ahead of it
        return "{" + front + "," + before[:-1] + "}"
    return "{" + front + "}"
