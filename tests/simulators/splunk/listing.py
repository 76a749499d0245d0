"""How splunkd pages, filters and sorts a GET of an EAI collection: count, offset, search,
sort_key, sort_dir, sort_mode.

Source: REST API reference, "REST API reference and user guide", Common GET request
parameters (docs.splunk.com/Documentation/Splunk/latest/RESTAPI/RESTintro): count 30 ("Set
value to zero to get all available entries"), offset 0, search=foo matches any field
containing foo, search=field%3Dvalue one field, sort_dir asc, sort_key name, sort_mode auto
(numeric when every value is numeric, else alphabetical), alpha (not case-sensitive),
alpha_case, num. The 9.4 reference says the same of configs/conf-{file}.

A negative count also lists everything: splunklib (Splunk's own SDK, client.py) lists every
collection with count=-1 (``ReadOnlyCollection.null_count = -1``) and says of search jobs
that "The count value to say list all the contents of this Collection is 0, not -1 as it is
on most". The docs name only -1; the stand-in treats every negative count like it.
"""

import fnmatch
import re
from typing import Any, List, Optional, Tuple

from . import atom
from .request import SplunkdRequest

DEFAULT_COUNT = 30


def _integer(value: "Optional[str]", default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default  # the docs say nothing of a malformed value; the default applies


def _fields(entry: atom.Entry) -> "List[Tuple[str, str]]":
    """(field, text) pairs an entry offers to search: its name and its scalar content."""
    pairs = [("name", entry.name)]
    if isinstance(entry.content, dict):
        for key, value in entry.content.items():
            if isinstance(value, (list, tuple)):
                pairs.extend((key, _text(item)) for item in value)
            elif not isinstance(value, dict):
                pairs.append((key, _text(value)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _matcher(term: str) -> "re.Pattern":
    # "containing": the term may sit anywhere in the value; `*` is a wildcard (splunklib's
    # Inputs.list sends search=*). Case is ignored, as Splunk's search language does.
    pattern = fnmatch.translate("*" + term + "*") if term else ".*"
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


def _matches(entry: atom.Entry, search: str) -> bool:
    field, separator, term = search.partition("=")
    if separator and field.strip():
        matcher = _matcher(term)
        return any(matcher.match(text) for key, text in _fields(entry) if key == field.strip())
    matcher = _matcher(search)
    return any(matcher.match(text) for _, text in _fields(entry))


def _sort_value(entry: atom.Entry, key: str) -> str:
    if key == "name":
        return entry.name
    content = entry.content if isinstance(entry.content, dict) else {}
    return _text(content.get(key))


def _number(text: str) -> "Optional[float]":
    try:
        return float(text)
    except ValueError:
        return None


def _sorted(entries: "List[atom.Entry]", key: str, direction: str, mode: str) -> list:
    values = [_sort_value(entry, key) for entry in entries]
    numeric = [_number(v) for v in values]
    if mode == "num" or (mode == "auto" and values and all(n is not None for n in numeric)):
        order = [(n if n is not None else float("-inf"), v) for n, v in zip(numeric, values)]
    elif mode == "alpha_case":
        order = [(0, v) for v in values]
    else:
        order = [(0, v.lower()) for v in values]
    ranked = sorted(zip(order, range(len(entries))), reverse=direction == "desc")
    return [entries[index] for _, index in ranked]


class Page:
    """The entries one GET returns, with the paging splunkd reports beside them."""

    def __init__(self, entries: "List[atom.Entry]", total: int, offset: int, per_page: int):
        self.entries = entries
        self.total = total
        self.offset = offset
        self.per_page = per_page


def select(request: SplunkdRequest, entries: "List[atom.Entry]") -> Page:
    count = _integer(request.query_value("count"), DEFAULT_COUNT)
    offset = max(0, _integer(request.query_value("offset"), 0))
    search = request.query_value("search")
    if search:
        entries = [entry for entry in entries if _matches(entry, search)]
    sort_key = request.query_value("sort_key") or "name"
    sort_dir = (request.query_value("sort_dir") or "asc").lower()
    sort_mode = (request.query_value("sort_mode") or "auto").lower()
    entries = _sorted(entries, sort_key, sort_dir, sort_mode)
    chosen = entries[offset:] if count <= 0 else entries[offset : offset + count]
    return Page(chosen, len(entries), offset, count)


def feed(
    request: SplunkdRequest,
    title: str,
    collection_path: str,
    entries: "List[atom.Entry]",
    status: int = 200,
) -> atom.Body:
    """A collection listing as splunkd answers it: one page, with its paging."""
    page = select(request, entries)
    return atom.feed(
        request.output_mode,
        request.base_url,
        title,
        collection_path,
        page.entries,
        status=status,
        offset=page.offset,
        total=page.total,
        per_page=page.per_page,
    )
