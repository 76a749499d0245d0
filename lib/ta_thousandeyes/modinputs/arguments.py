"""Parsing and validating the parameters of the add-on's inputs, with admin-readable errors."""

import calendar
import re
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?Z?$")
_CRON_FIELD = re.compile(r"^[\d*/,\-]+$")
MIN_INTERVAL_SECONDS = 60
MAX_BACKFILL_SECONDS = 90 * 86400  # ThousandEyes keeps alerts 90 days; results less


class ArgumentError(ValueError):
    """A parameter an admin must correct; the message says how."""


def split_list(value: Optional[str]) -> List[str]:
    """'a, b,,c' -> ['a', 'b', 'c']."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_duration(value: str, name: str) -> int:
    """'90s', '15m', '12h', '7d', '2w' or plain seconds."""
    match = _DURATION.match(value or "")
    if not match:
        raise ArgumentError(
            f"{name} must be a number of seconds or a duration such as 30m, 12h, 7d or 2w "
            f"(got {value!r})"
        )
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


def validate_interval(value: Optional[str]) -> None:
    """Splunk's interval: seconds (at least 60 here) or a five-field cron expression."""
    text = (value or "").strip()
    if not text:
        return
    if text.isdigit() or _DURATION.match(text):
        seconds = parse_duration(text, "Interval")
        if seconds < MIN_INTERVAL_SECONDS:
            raise ArgumentError(
                f"Interval must be at least {MIN_INTERVAL_SECONDS} seconds so inputs stay "
                f"within ThousandEyes' rate limit (got {value!r})"
            )
        return
    fields = text.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ArgumentError(
            "Interval must be a number of seconds (60 or more) or a cron expression with five "
            f"fields, such as */5 * * * * (got {value!r})"
        )


def interval_seconds(value: Optional[str], default: int = 300) -> int:
    """The interval in seconds, or default for cron schedules and empty values."""
    text = (value or "").strip()
    if text and _DURATION.match(text):
        return parse_duration(text, "Interval")
    return default


def parse_start(value: Optional[str], now: float, default: str = "1h") -> float:
    """The first run's start: a duration back from now ('7d') or a UTC date."""
    text = (value or "").strip() or default
    if _DATE.match(text):
        normalized = text.replace(" ", "T").rstrip("Z")
        for pattern in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
            try:
                start = float(calendar.timegm(time.strptime(normalized, pattern)))
                break
            except ValueError:
                continue
        else:
            raise ArgumentError(f"Start date {value!r} is not a valid date")
        if start > now:
            raise ArgumentError(f"Start date {value!r} is in the future")
    else:
        seconds = parse_duration(text, "Start from")
        start = now - seconds
    if now - start > MAX_BACKFILL_SECONDS:
        raise ArgumentError(
            "Start from reaches back more than 90 days; ThousandEyes keeps no older data"
        )
    return start


def resolve_account_groups(value: Optional[str], known: Sequence[Dict[str, Any]]) -> List[str]:
    """Account group ids from '*' or a comma list of ids or names.

    known: the connection's account groups ({aid, name}); empty means not yet known, in which
    case ids are taken as given and '*' is returned as [] (the caller asks the API).
    """
    wanted = split_list(value) or ["*"]
    if "*" in wanted:
        if len(wanted) > 1:
            raise ArgumentError("Account groups: use * alone or a list of groups, not both")
        return [str(group.get("aid")) for group in known if group.get("aid")]
    if not known:
        return wanted
    by_id = {str(g.get("aid")): str(g.get("aid")) for g in known}
    by_name = {str(g.get("name", "")).lower(): str(g.get("aid")) for g in known}
    resolved = []
    unknown = []
    for item in wanted:
        aid = by_id.get(item) or by_name.get(item.lower())
        if aid is None:
            unknown.append(item)
        elif aid not in resolved:
            resolved.append(aid)
    if unknown:
        names = ", ".join("{} ({})".format(g.get("name"), g.get("aid")) for g in known)
        raise ArgumentError(
            "Unknown account group(s) {}; this connection can see: {}".format(
                ", ".join(repr(u) for u in unknown), names or "none"
            )
        )
    return resolved


def parse_flag(value: Optional[str], name: str) -> bool:
    """Splunk's boolean spellings (1/0, true/false, yes/no, t/f, y/n); empty is false."""
    text = (value or "").strip().lower()
    if text in ("", "0", "false", "f", "no", "n"):
        return False
    if text in ("1", "true", "t", "yes", "y"):
        return True
    raise ArgumentError(f"{name} must be 1 or 0 (got {value!r})")


def validate_choices(values: Sequence[str], allowed: Sequence[str], name: str) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ArgumentError(
            "{}: unknown value(s) {}; choose from {}".format(
                name, ", ".join(repr(u) for u in unknown), ", ".join(allowed)
            )
        )


class ListArgument(NamedTuple):
    """A comma-separated input parameter: its name, the title an admin sees, and what each
    value must be (one of choices, when given; digits only, when numbers)."""

    name: str
    title: str
    choices: Sequence[str] = ()
    numbers: bool = False


def validate_lists(params: Dict[str, Any], specs: Sequence[ListArgument]) -> None:
    """Check every list parameter of an input against its spec (empty lists pass)."""
    for spec in specs:
        values = split_list(params.get(spec.name))
        if spec.choices:
            validate_choices(values, spec.choices, spec.title)
        if spec.numbers:
            for value in values:
                if not value.isdigit():
                    raise ArgumentError(f"{spec.title} are numbers (got {value!r})")
