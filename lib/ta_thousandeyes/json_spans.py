"""Parse an API list body and keep each record's JSON text as sent.

Encoding a parsed record back to JSON costs twice as much as parsing it (floats above all),
so the collectors build event text from the record's original text instead. This walks the
top-level object with the C scanner ``json`` itself uses (``JSONDecoder.scan_once``): every
value is parsed exactly as ``json.loads`` would parse it, and for the one list named
``items_key`` the text span of each element is kept as well. Anything unexpected (a BOM, a
non-object body, trailing data) falls back to ``json.loads`` without raw texts.
"""

import json
import re
from typing import Any, Dict, List, Optional, Tuple

_SCAN = json.JSONDecoder().scan_once
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


def _walk(text: str, items_key: str) -> Tuple[Dict[str, Any], Optional[List[str]]]:
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
        name, index = _SCAN(text, index)
        index = _skip(text, index)
        if text[index] != ":":
            raise ValueError("expected a colon")
        index = _skip(text, index + 1)
        if name == items_key and text[index] == "[":
            body[name], raw, index = _walk_array(text, index)
        else:
            body[name], index = _SCAN(text, index)
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
