"""Index-time props.conf as splunkd applies it to what a modular input streams.

Sources: props.conf.spec (livehybrid/splunk-spec-files at dff5abf, Splunk 9.4.3), lines
267-273 (`TRUNCATE`: bytes, default 10000, "rounded down when this would otherwise land
mid-character for multi-byte characters", 0 = never), 275-299 (`LINE_BREAKER`: the start of
the first capturing group ends an event, its end starts the next, its text is discarded;
default `([\\r\\n]+)`), 324-331 (branched breakers: the leftmost participating group, else a
zero-length break before the match), 369 (`SHOULD_LINEMERGE`, default true), 415
(`MAX_EVENTS`, 256 lines), 502-527 (`DATETIME_CONFIG`: CURRENT and NONE switch the extractor
off, NONE keeps "whatever time was selected by the input layer"), 529-565 (`TIME_PREFIX`,
`MAX_TIMESTAMP_LOOKAHEAD` default 128, `TIME_FORMAT`) and 580 (`TZ`). The props of the event's
sourcetype are merged like every global conf (global_conf). Modular-input sourcetypes are
truncated too, with the warning "Truncating line because limit of 10000 bytes has been
exceeded" (splunk/splunk-add-on-microsoft-azure issues #64 and #105).

What the stand-in does with one event the script streamed (an <event>, or unbroken chunks up
to <done/>): the data is broken with LINE_BREAKER (event boundaries of the stream stay
boundaries), every line longer than TRUNCATE bytes is cut at a character boundary and the
truncation is logged by LineBreakingProcessor. With SHOULD_LINEMERGE true the lines of one
streamed event are merged back (at most MAX_EVENTS lines each); the date-driven merging rules
(BREAK_ONLY_BEFORE_DATE, ...) are not modelled. The timestamp: the extractor reads TIME_FORMAT
after TIME_PREFIX within MAX_TIMESTAMP_LOOKAHEAD characters; what it finds wins; where it finds
nothing the input layer's time stays (the event's <time>, else the time it was read), and
DateParserVerbose logs a warning. Timestamp recognition without TIME_FORMAT (datetime.xml) is
not modelled: such events keep the input layer's time. Source and host stanzas are not read.
"""

import calendar
import re
import time
from typing import Callable, Dict, List, Optional, Tuple

from tests.simulators.splunk import global_conf

DEFAULTS = {
    "TRUNCATE": "10000",
    "LINE_BREAKER": r"([\r\n]+)",
    "SHOULD_LINEMERGE": "true",
    "MAX_EVENTS": "256",
    "MAX_TIMESTAMP_LOOKAHEAD": "128",
    "TIME_PREFIX": "",
    "TIME_FORMAT": "",
    "TZ": "",
    "DATETIME_CONFIG": "/etc/datetime.xml",
}
TRUE_WORDS = ("1", "true", "t", "yes", "y")

# strptime directives the stand-in reads, as regexes; %s is Splunk's epoch seconds.
_DIRECTIVES = {
    "Y": r"\d{4}", "m": r"\d{1,2}", "d": r"\d{1,2}", "H": r"\d{1,2}", "M": r"\d{1,2}",
    "S": r"\d{1,2}", "y": r"\d{2}", "j": r"\d{1,3}", "b": r"[A-Za-z]{3}", "a": r"[A-Za-z]{3}",
    "z": r"[+-]\d{4}", "s": r"\d{1,10}(?:\.\d+)?", "%": "%",
}  # fmt: skip

Log = Callable[[str, str, str], None]  # (level, component, message)


class SourcetypeProps:
    """The index-time settings of one sourcetype."""

    def __init__(self, sourcetype: str, settings: "Dict[str, str]") -> None:
        self.sourcetype = sourcetype
        merged = dict(DEFAULTS)
        merged.update(settings)
        self.truncate = max(0, int(merged["TRUNCATE"] or 0))
        self.breaker = re.compile(merged["LINE_BREAKER"] or DEFAULTS["LINE_BREAKER"])
        self.line_merge = merged["SHOULD_LINEMERGE"].strip().lower() in TRUE_WORDS
        self.max_events = max(1, int(merged["MAX_EVENTS"] or 256))
        self.lookahead = int(merged["MAX_TIMESTAMP_LOOKAHEAD"] or 0)
        self.time_prefix = re.compile(merged["TIME_PREFIX"]) if merged["TIME_PREFIX"] else None
        self.time_format = merged["TIME_FORMAT"]
        self.tz = merged["TZ"].strip()
        self.extract_time = merged["DATETIME_CONFIG"].strip().upper() not in ("CURRENT", "NONE")
        self.current_time = merged["DATETIME_CONFIG"].strip().upper() == "CURRENT"
        self._format_regex = _format_regex(self.time_format) if self.time_format else None

    # --- line breaking and truncation ------------------------------------------------------
    def lines(self, data: str) -> "List[str]":
        """The data broken at LINE_BREAKER; empty lines are no events."""
        pieces = []
        position = 0
        for match in self.breaker.finditer(data):
            start, end = _break_span(match)
            if end <= position and start == end:
                continue
            pieces.append(data[position:start])
            position = end
        pieces.append(data[position:])
        return [piece for piece in pieces if piece.strip()]

    def truncated(self, line: str) -> "Tuple[str, int]":
        """(the line cut to TRUNCATE bytes at a character boundary, its length in bytes)."""
        if not self.truncate or len(line) * 4 <= self.truncate:
            return line, -1
        encoded = line.encode("utf-8", "surrogatepass")
        if len(encoded) <= self.truncate:
            return line, len(encoded)
        # A cut inside a multi-byte character drops that character's leading bytes too.
        return encoded[: self.truncate].decode("utf-8", "ignore"), len(encoded)

    def events(self, data: str, log: Log, where: str) -> "List[str]":
        """The _raw of every event one streamed event becomes."""
        lines = []
        for line in self.lines(data):
            cut, size = self.truncated(line)
            if cut is not line:
                log(
                    "WARN",
                    "LineBreakingProcessor",
                    f"Truncating line because limit of {self.truncate} bytes has been exceeded"
                    f" with a line length >= {size} - {where}",
                )
            lines.append(cut)
        if not self.line_merge:
            return lines
        return [
            "\n".join(lines[start : start + self.max_events])
            for start in range(0, len(lines), self.max_events)
        ]

    # --- timestamps --------------------------------------------------------------------------
    def timestamp(self, raw: str) -> "Optional[float]":
        """What the extractor reads from raw, or None (no TIME_FORMAT, no prefix, no match)."""
        if not self.extract_time or self._format_regex is None:
            return None
        start = 0
        if self.time_prefix is not None:
            prefix = self.time_prefix.search(raw)
            if prefix is None:
                return None
            start = prefix.end()
        window = raw[start : start + self.lookahead] if self.lookahead > 0 else raw[start:]
        match = self._format_regex.match(window)
        if match is None:
            return None
        text = match.group(0)
        if self.time_format == "%s":
            return float(text)
        try:
            parsed = time.strptime(text, self.time_format)
        except ValueError:
            return None
        if "%z" in self.time_format or self.tz.upper() in ("UTC", "GMT", "ETC/UTC", "Z"):
            epoch = float(calendar.timegm(parsed))
            if "%z" in self.time_format and parsed.tm_gmtoff:
                epoch -= parsed.tm_gmtoff
            return epoch
        return time.mktime(parsed)  # the stand-in's own zone, as splunkd's without TZ

    def event_time(
        self, raw: str, input_time: "Optional[float]", read_time: float, log: Log, where: str
    ) -> float:
        if self.current_time:
            return read_time
        found = self.timestamp(raw)
        if found is not None:
            return found
        if self.extract_time and self._format_regex is not None:
            log(
                "WARN",
                "DateParserVerbose",
                "Failed to parse timestamp in first MAX_TIMESTAMP_LOOKAHEAD "
                f"({self.lookahead}) characters of event. Defaulting to the input's time. {where}",
            )
        return read_time if input_time is None else input_time


class IndexTimeProps:
    """props.conf of an installation, per sourcetype (cached for one launch)."""

    def __init__(self, stanzas: "Dict[str, Dict[str, str]]") -> None:
        self.stanzas = stanzas
        self._cache = {}  # type: Dict[str, SourcetypeProps]

    @classmethod
    def load(cls, app_dir: str) -> "IndexTimeProps":
        return cls(global_conf.merged(app_dir, "props")[0])

    def for_sourcetype(self, sourcetype: str) -> SourcetypeProps:
        found = self._cache.get(sourcetype)
        if found is None:
            settings = dict(self.stanzas.get("default", {}))
            settings.update(self.stanzas.get(sourcetype, {}))
            found = self._cache[sourcetype] = SourcetypeProps(sourcetype, settings)
        return found


def _break_span(match: "re.Match") -> "Tuple[int, int]":
    """The text a LINE_BREAKER match discards (spec rules 1-3 for branched expressions)."""
    for group in range(1, (match.re.groups or 0) + 1):
        if match.start(group) != -1:
            return match.start(group), match.end(group)
    return match.start(), match.start()


def _format_regex(time_format: str) -> "Optional[re.Pattern]":
    pattern = ""
    index = 0
    while index < len(time_format):
        char = time_format[index]
        if char == "%" and index + 1 < len(time_format):
            directive = _DIRECTIVES.get(time_format[index + 1])
            if directive is None:
                return None  # a directive the stand-in cannot read: no extraction
            pattern += directive
            index += 2
            continue
        pattern += re.escape(char)
        index += 1
    return re.compile(pattern)
