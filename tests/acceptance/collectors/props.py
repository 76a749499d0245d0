"""Timestamp extraction as Splunk does it from default/props.conf: TIME_PREFIX (a regex) locates
the timestamp, at most MAX_TIMESTAMP_LOOKAHEAD characters after it are read with TIME_FORMAT
(strptime with Splunk's %s for epoch seconds), in TZ."""

import calendar
import configparser
import os
import re
import time

from .conftest import ROOT

_FIELD_PATTERNS = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%H": r"\d{2}",
                   "%M": r"\d{2}", "%S": r"\d{2}", "%s": r"\d{1,10}"}  # fmt: skip


def load_props(path=None):
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # Splunk's keys are case-sensitive
    parser.read(path or os.path.join(ROOT, "default", "props.conf"), encoding="utf-8")
    return {name: dict(parser[name]) for name in parser.sections()}


def _format_regex(time_format):
    pattern = ""
    index = 0
    while index < len(time_format):
        token = time_format[index : index + 2]
        if token in _FIELD_PATTERNS:
            pattern += _FIELD_PATTERNS[token]
            index += 2
        else:
            pattern += re.escape(time_format[index])
            index += 1
    return re.compile(pattern)


def timestamp_from_raw(sourcetype, raw, props=None):
    """Epoch seconds Splunk would extract from raw for sourcetype, or None."""
    stanza = (props or load_props())[sourcetype]
    prefix = re.search(stanza["TIME_PREFIX"], raw)
    if prefix is None:
        return None
    lookahead = int(stanza.get("MAX_TIMESTAMP_LOOKAHEAD", "128"))
    window = raw[prefix.end() : prefix.end() + lookahead]
    time_format = stanza["TIME_FORMAT"]
    match = _format_regex(time_format).match(window)
    if match is None:
        return None
    text = match.group(0)
    if time_format == "%s":
        return float(text)
    assert stanza.get("TZ") == "UTC", f"{sourcetype}: timestamps are UTC, TZ must say so"
    return float(calendar.timegm(time.strptime(text, time_format)))
