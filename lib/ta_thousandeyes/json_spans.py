"""Parse an API list body and keep each record's JSON text as sent.

Encoding a parsed record back to JSON costs more than parsing it (floats above all), so the
collectors build event text from the record's original text instead (docs/design.md,
"Measured speed-ups"). This walks the top-level object with the C scanner ``json`` itself
uses (``JSONDecoder.scan_once``, undocumented: tests/unit/test_json_spans_scanner.py pins
what this module relies on, on Python 3.9 and 3.13): every value is parsed exactly as
``json.loads`` would parse it, and for the one list named ``items_key`` the text span of
each element is kept as well. Anything unexpected (a BOM, a non-object body, trailing data)
falls back to ``json.loads`` without raw texts.

``salvage_body`` reads a complete body that strict JSON refuses because of a few records (raw
control characters in strings, bytes that are not UTF-8): such a record is kept with the
control characters as the characters they are and each undecodable byte as U+FFFD; a record
that still does not parse is left out. Both are reported, so one bad record cannot stall a
stream. A body whose structure is broken (cut off) is not salvaged: its next link is unknown.
"""

import json
import re
from typing import Any, Dict, List, Optional, Tuple

_SCAN = json.JSONDecoder().scan_once
_LENIENT_SCAN = json.JSONDecoder(strict=False).scan_once  # raw controls allowed in strings
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]")  # what decode("surrogateescape") makes of them
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SPACE_CHARS = " \t\n\r"


def parse_body(
    content: bytes, items_key: Optional[str] = None
) -> Tuple[Dict[str, Any], Optional[List[str]]]:
    """(body, raw texts of body[items_key] or None); raises ValueError on invalid JSON."""
    if items_key:
        try:
            text = content.decode("utf-8")
            return _walk(text, items_key)
        except (ValueError, StopIteration, IndexError):
            pass  # not the plain shape this walker reads: let json.loads decide
    body = json.loads(content)
    if not isinstance(body, dict):
        raise ValueError("the response body is not a JSON object")
    return body, None


def _skip(text: str, index: int) -> int:
    if text[index] in _SPACE_CHARS:
        return _WHITESPACE.match(text, index).end()
    return index


class Damage:
    """What salvage_body did to a page: record positions (in the list as sent) with a reason."""

    def __init__(self) -> None:
        self.repaired = []  # type: List[Tuple[int, str]]
        self.unreadable = []  # type: List[Tuple[int, str]]


def salvage_body(
    content: bytes, items_key: Optional[str] = None
) -> Tuple[Dict[str, Any], Optional[List[str]], Damage]:
    """parse_body for a body it refused; raises ValueError when the structure is broken."""
    damage = Damage()
    text = content.decode("utf-8", "surrogateescape")

    def member(text: str, index: int) -> Tuple[Any, int]:
        value, end, _, reason = _salvage_value(text, index)
        if value is _UNREADABLE:  # outside the records (links, counts): nothing to go on
            raise ValueError("a member outside the records does not parse")
        return value, end

    def records(text: str, index: int) -> Tuple[List[Any], List[str], int]:
        return _salvage_array(text, index, damage)

    try:
        body, raw = _walk(text, items_key or "", member, records)
    except (StopIteration, IndexError):
        raise ValueError("the body is cut off") from None
    return body, raw, damage


_UNREADABLE = object()


def _salvage_value(text: str, index: int) -> Tuple[Any, int, Optional[str], Optional[str]]:
    """(value or _UNREADABLE, end, the value's text as kept, what was wrong or None)."""
    try:
        _, end = _LENIENT_SCAN(text, index)
    except (ValueError, StopIteration):
        return _UNREADABLE, _value_end(text, index), None, "not valid JSON"
    raw = text[index:end]
    reasons = []
    if _ESCAPED_BYTES.search(raw) is not None:
        raw = _ESCAPED_BYTES.sub("\ufffd", raw)
        reasons.append("bytes that are not UTF-8 replaced by U+FFFD")
    try:
        value = _SCAN(raw, 0)[0]
    except (ValueError, StopIteration):
        value = _LENIENT_SCAN(raw, 0)[0]
        reasons.append("raw control characters in a string")
    return value, end, raw, "; ".join(reasons) or None


def _value_end(text: str, index: int) -> int:
    """Where the value starting at index ends, by brackets and quotes alone."""
    depth = 0
    in_string = False
    length = len(text)
    while index < length:
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
                if depth == 0:
                    return index + 1
        elif char == '"':
            in_string = True
        elif depth == 0 and char in ",]}":
            return index
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError("the body is cut off")


def _salvage_array(text: str, index: int, damage: Damage) -> Tuple[List[Any], List[str], int]:
    items = []  # type: List[Any]
    raw = []  # type: List[str]
    index = _skip(text, index + 1)
    if text[index] == "]":
        return items, raw, index + 1
    position = 0
    while True:
        value, end, kept, reason = _salvage_value(text, index)
        if value is _UNREADABLE:
            damage.unreadable.append((position, reason or ""))
        else:
            if reason:
                damage.repaired.append((position, reason))
            items.append(value)
            raw.append(kept or "")
        position += 1
        end = _skip(text, end)
        if text[end] == ",":
            index = _skip(text, end + 1)
            continue
        if text[end] == "]":
            return items, raw, end + 1
        raise ValueError("expected , or ]")


def _walk(
    text: str, items_key: str, scan: Any = _SCAN, walk_array: Any = None
) -> Tuple[Dict[str, Any], Optional[List[str]]]:
    index = _skip(text, 0)
    if text[index] != "{":
        raise ValueError("not an object")
    body = {}  # type: Dict[str, Any]
    raw = None  # type: Optional[List[str]]
    index = _skip(text, index + 1)
    if text[index] == "}":
        return body, raw
    while True:
        if text[index] != '"':
            raise ValueError("expected a member name")
        name, index = scan(text, index)
        index = _skip(text, index)
        if text[index] != ":":
            raise ValueError("expected a colon")
        index = _skip(text, index + 1)
        if name == items_key and text[index] == "[":
            body[name], raw, index = (walk_array or _walk_array)(text, index)
        else:
            body[name], index = scan(text, index)
        index = _skip(text, index)
        if text[index] == ",":
            index = _skip(text, index + 1)
            continue
        if text[index] != "}":
            raise ValueError("expected , or }")
        break
    if index + 1 < len(text) and _WHITESPACE.match(text, index + 1).end() != len(text):
        raise ValueError("extra data after the object")
    return body, raw


def _walk_array(text: str, index: int) -> Tuple[List[Any], List[str], int]:
    items = []  # type: List[Any]
    raw = []  # type: List[str]
    index = _skip(text, index + 1)
    if text[index] == "]":
        return items, raw, index + 1
    scan, add, add_raw = _SCAN, items.append, raw.append
    while True:
        value, end = scan(text, index)
        add(value)
        add_raw(text[index:end])
        char = text[end]
        if char == ",":
            index = end + 1
            if text[index] in _SPACE_CHARS:
                index = _WHITESPACE.match(text, index).end()
            continue
        if char in _SPACE_CHARS:
            end = _WHITESPACE.match(text, end).end()
            char = text[end]
            if char == ",":
                index = _skip(text, end + 1)
                continue
        if char == "]":
            return items, raw, end + 1
        raise ValueError("expected , or ]")
