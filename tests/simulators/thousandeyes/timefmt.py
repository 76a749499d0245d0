"""ISO-8601 UTC formatting/parsing and the v7 ``window`` / ``startDate`` / ``endDate`` rules."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional, Tuple

WINDOW_PATTERN = re.compile(r"^(\d+)([smhdw]?)$")
# startDate/endDate: "Include the complete time (hours, minutes, and seconds) in UTC time zone"
# (OpenAPI alerts.yaml, /v7/alerts parameters): no date-only values, no other time zone. The
# official SDK sends "2026-05-31T20:00:00.000000+0000", so a zero offset is UTC too.
QUERY_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:?00)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class TimeParamError(ValueError):
    """Bad time parameters (the API answers 400)."""


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise TimeParamError(f"Invalid date-time '{text}': use ISO 8601, e.g. 2024-01-01T00:00:00Z")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def window_seconds(window: str) -> int:
    match = WINDOW_PATTERN.match(window)
    if not match:
        raise TimeParamError(f"Invalid window '{window}': expected a number and one of s,m,h,d,w")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def resolve_range(query: dict, now: float, required: bool = False) -> Optional[Tuple[float, float]]:
    """(start, end) from window or startDate/endDate; None when absent and not required."""
    window = query.get("window")
    start_text, end_text = query.get("startDate"), query.get("endDate")
    if window is not None and (start_text is not None or end_text is not None):
        raise TimeParamError("'window' cannot be used together with 'startDate' or 'endDate'")
    if window is not None:
        return now - window_seconds(window), now
    if start_text is None and end_text is None:
        if required:
            raise TimeParamError("Either 'window' or 'startDate' must be specified")
        return None
    if start_text is None:
        raise TimeParamError("'endDate' requires 'startDate'")
    for text in (start_text, end_text):
        if text is not None and not QUERY_DATE_PATTERN.match(text):
            raise TimeParamError(
                f"Invalid date-time '{text}': give the complete UTC time, e.g. 2022-07-17T22:00:54Z"
            )
    start = parse_iso(start_text)
    end = parse_iso(end_text) if end_text is not None else now
    if end < start:
        raise TimeParamError("'endDate' must not be before 'startDate'")
    return start, min(end, now)
