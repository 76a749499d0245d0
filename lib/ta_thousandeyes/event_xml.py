"""Writing events to splunkd in the modular input XML streaming protocol, fast.

The format is exactly what ``splunklib.modularinput.EventWriter`` produces
(``<stream><event stanza=".." unbroken="1"><time>..</time><source>..</source>
<sourcetype>..</sourcetype><index>..</index><host>..</host><data>..</data><done /></event>
...</stream>``, elements in splunklib's order),
but built as strings directly: no per-record Event objects or ElementTree, one escape pass
over the JSON text, one write and flush per page of records. Splunk only reads what the
process has flushed, so callers flush before they save a checkpoint.
"""

import json
import re
import sys
from typing import Any, BinaryIO, Dict, Iterable, Optional, Tuple

from splunklib.modularinput import EventWriter

# Characters XML 1.0 cannot carry, raw or as references (its Char production, section 2.2):
# C0 controls but tab, LF and CR, surrogates, U+FFFE and U+FFFF. One of them makes splunkd's
# parse of the whole stream fail, so the events after it are lost.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# One encoder each, built once: json.dumps builds a new encoder per call when given options.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def escape_text(text: str) -> str:
    """XML character data for JSON text: & < > as entities, characters XML cannot carry as
    JSON ``\\uXXXX`` escapes.

    In JSON text such a character can only stand inside a string (outside, only ASCII
    punctuation and whitespace are allowed), where its escape is the same string: the event
    stays the same JSON value.
    """
    if _NOT_XML.search(text) is not None:
        text = _NOT_XML.sub(_json_escape, text)
    # Chained str.replace runs in C and beats str.translate with a mapping by far.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _json_escape(match: "re.Match") -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_attribute(text: str) -> str:
    # Names and sources come from admins and APIs: what XML cannot carry is dropped.
    return _NOT_XML.sub("", text).translate(_ESCAPE_ATTR)


def to_json(record: Dict[str, Any]) -> str:
    """Compact JSON, non-ASCII kept as is (falls back to \\u escapes for lone surrogates)."""
    text = _ENCODE(record)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _ENCODE_ASCII(record)
    return text


class XmlEventWriter(EventWriter):
    """An EventWriter (so splunklib's Script.run_script can drive it) with a fast batch path.

    output: a binary stream (default ``sys.stdout.buffer``); error: a text stream for logs.
    """

    def __init__(self, output: Optional[BinaryIO] = None, error: Any = None) -> None:
        super().__init__(output=sys.stdout, error=error or sys.stderr)
        self._binary = output if output is not None else sys.stdout.buffer
        self._parts = []  # type: list
        self.events_written = 0

    def event_prefix(
        self, stanza: str, sourcetype: str, index: str, source: str, host: str
    ) -> Tuple[str, str]:
        """The constant parts around time and data for one stream of events (build once)."""
        stanza_attr = escape_attribute(stanza)
        tail = "".join(
            (
                f"<source>{escape_attribute(source)}</source>" if source else "",
                f"<sourcetype>{escape_attribute(sourcetype)}</sourcetype>" if sourcetype else "",
                f"<index>{escape_attribute(index)}</index>" if index else "",
                f"<host>{escape_attribute(host)}</host>" if host else "",
            )
        )
        return f'<event stanza="{stanza_attr}" unbroken="1"><time>', "</time>" + tail

    def add(self, prefix: Tuple[str, str], epoch: float, data: str) -> None:
        """Queue one event; data is the raw event text (usually compact JSON)."""
        self._parts.append(
            f"{prefix[0]}{epoch:.3f}{prefix[1]}<data>{escape_text(data)}</data><done /></event>"
        )

    def add_many(self, prefix: Tuple[str, str], events: Iterable[Tuple[float, str]]) -> None:
        head, tail = prefix
        tail += "<data>"
        append = self._parts.append
        for epoch, data in events:
            append(f"{head}{epoch:.3f}{tail}{escape_text(data)}</data><done /></event>")

    def flush(self) -> int:
        """Write everything queued and flush it to splunkd; returns the events written."""
        count = len(self._parts)
        if not count:
            return 0
        if not self.header_written:
            self._binary.write(b"<stream>")
            self.header_written = True
        self._binary.write("".join(self._parts).encode("utf-8"))
        self._binary.flush()
        self._parts = []
        self.events_written += count
        return count

    # splunklib compatibility ------------------------------------------------------------
    def write_event(self, event: Any) -> None:
        """Write a splunklib Event (slow path, kept for compatibility)."""
        import io

        buffer = io.StringIO()
        event.write_to(buffer)
        self.flush()
        if not self.header_written:
            self._binary.write(b"<stream>")
            self.header_written = True
        # splunklib's ElementTree writes any character as is; XML cannot carry some of them.
        self._binary.write(_NOT_XML.sub("\ufffd", buffer.getvalue()).encode("utf-8"))
        self._binary.flush()

    def write_xml_document(self, document: Any) -> None:
        from xml.etree import ElementTree

        self._binary.write(ElementTree.tostring(document))
        self._binary.flush()

    def close(self) -> None:
        self.flush()
        if self.header_written:
            self._binary.write(b"</stream>")
        self._binary.flush()
