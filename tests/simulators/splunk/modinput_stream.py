"""A modular input's stdout turned into events, incrementally and in flat memory.

XML mode ("Set up streaming" in Splunk's developer docs): `<stream>` holding `<event>`s with
an optional `stanza` attribute and `unbroken="1"`, and children <time>, <source>,
<sourcetype>, <index>, <host>, <data>, <done/>. An unbroken event may arrive as several
<event> chunks of one stanza; they are joined until the chunk that carries <done/>. Several
<stream> documents one after another are accepted. Simple mode: plain text, one event per
line (Splunk's default line breaking, without timestamp-driven line merging).
"""

import xml.etree.ElementTree as ET
from typing import Dict, Iterator, List, Optional

RawEvent = Dict[str, Optional[str]]
_FIELDS = ("time", "source", "sourcetype", "index", "host")


class StreamFormatError(ValueError):
    """The script wrote something that is not an XML event stream."""


class XmlEventStream:
    """Feed stdout bytes in; get complete events (dicts of the XML fields plus `data`) out."""

    def __init__(self) -> None:
        self._parser = ET.XMLPullParser(events=("start", "end"))
        # A wrapper root lets several <stream> documents follow one another.
        self._parser.feed(b"<modinput_stdout>")
        self._depth = 0
        self._stream = None  # type: Optional[ET.Element]
        self._root = None  # type: Optional[ET.Element]
        self._finished = None  # type: Optional[ET.Element]
        self._pending = {}  # type: Dict[Optional[str], List[RawEvent]]

    def feed(self, data: bytes) -> "Iterator[RawEvent]":
        try:
            self._parser.feed(data)
            yield from self._drain()
        except ET.ParseError as error:
            raise StreamFormatError(str(error))

    def close(self) -> "Iterator[RawEvent]":
        """End of stdout: an unfinished unbroken event is still indexed, as splunkd does."""
        try:
            self._parser.feed(b"</modinput_stdout>")
            events = list(self._drain())
        except ET.ParseError:
            events = []  # a stream cut short (killed process): keep what was complete
        yield from events
        for stanza, chunks in list(self._pending.items()):
            del self._pending[stanza]
            yield _join(chunks)

    def _drain(self) -> "Iterator[RawEvent]":
        for kind, element in self._parser.read_events():
            if kind == "start":
                self._depth += 1
                if self._depth == 1:
                    self._root = element
                elif self._depth == 2:
                    if element.tag != "stream":
                        raise StreamFormatError(f"expected <stream>, got <{element.tag}>")
                    self._check_stray_text()
                    self._stream = element
                continue
            self._depth -= 1
            if self._depth == 2 and element.tag == "event":
                event = self._chunk(element)
                if self._stream is not None:
                    self._stream.remove(element)
                if event is not None:
                    yield event
            elif self._depth == 2:
                raise StreamFormatError(f"unexpected <{element.tag}> in <stream>")
            elif self._depth == 1:
                self._stream = None
                self._finished = element  # its tail (text after </stream>) is checked later
            elif self._depth == 0:
                self._check_stray_text()

    def _check_stray_text(self) -> None:
        """Text outside <stream> is not an event stream (whitespace between is fine)."""
        root, finished = self._root, self._finished
        stray = (root.text if root is not None else None) or ""
        if finished is not None:
            stray += finished.tail or ""
            if root is not None:
                root.remove(finished)
            self._finished = None
        if root is not None:
            root.text = None
        if stray.strip():
            raise StreamFormatError(f"text outside <stream>: {stray.strip()[:80]!r}")

    def _chunk(self, element: ET.Element) -> "Optional[RawEvent]":
        stanza = element.get("stanza")
        chunk = {name: element.findtext(name) for name in _FIELDS}  # type: RawEvent
        chunk["stanza"] = stanza
        chunk["data"] = element.findtext("data") or ""
        done = element.find("done") is not None
        if element.get("unbroken", "0") not in ("1", "true"):
            return chunk  # a broken event stands alone
        chunks = self._pending.setdefault(stanza, [])
        chunks.append(chunk)
        if not done:
            return None
        del self._pending[stanza]
        return _join(chunks)


def _join(chunks: "List[RawEvent]") -> RawEvent:
    event = dict(chunks[0])
    event["data"] = "".join(chunk["data"] or "" for chunk in chunks)
    for chunk in chunks[1:]:
        for name in _FIELDS:
            if event.get(name) is None:
                event[name] = chunk.get(name)
    return event


class SimpleLineStream:
    """Simple streaming mode: each non-empty line of stdout is an event."""

    def __init__(self) -> None:
        self._partial = b""

    def feed(self, data: bytes) -> "Iterator[RawEvent]":
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            event = _line_event(line)
            if event is not None:
                yield event

    def close(self) -> "Iterator[RawEvent]":
        event = _line_event(self._partial)
        self._partial = b""
        if event is not None:
            yield event


def _line_event(line: bytes) -> "Optional[RawEvent]":
    text = line.decode("utf-8", "replace").rstrip("\r")
    if not text.strip():
        return None
    event = {name: None for name in _FIELDS}  # type: RawEvent
    event.update(stanza=None, data=text)
    return event
