"""The `interval` setting of a modular input: seconds or a cron schedule (inputs.conf.spec).

A number is the time between launches; a 5-field cron expression (minute hour day-of-month
month day-of-week, each `*`, `*/n`, `a`, `a-b`, `a-b/n` or a comma list) launches at the
matching minutes, local time. No interval means splunkd runs the script once.
"""

import time
from typing import List, Optional, Sequence, Set

_FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


class Schedule:
    def __init__(self, seconds: Optional[float] = None, cron: "Optional[List[Set[int]]]" = None):
        self.seconds = seconds
        self.cron = cron

    @property
    def run_once(self) -> bool:
        return self.seconds is None and self.cron is None

    def next_after(self, last_start: float) -> Optional[float]:
        """When to launch again after a launch at `last_start`; None for run-once inputs."""
        if self.seconds is not None:
            return last_start + self.seconds
        if self.cron is not None:
            return _next_cron_time(self.cron, last_start)
        return None


def parse_interval(value: Optional[str]) -> Schedule:
    """Parse an interval value; raises ValueError as splunkd refuses a bad one."""
    if value is None or not value.strip():
        return Schedule()
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return Schedule(cron=_parse_cron(text))
    if seconds < 0:
        return Schedule()  # a negative interval means "run once at startup"
    return Schedule(seconds=seconds)


def _parse_cron(text: str) -> "List[Set[int]]":
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"interval {text!r} is neither a number nor a cron schedule")
    return [_parse_field(field, low, high) for field, (low, high) in zip(fields, _FIELD_RANGES)]


def _parse_field(field: str, low: int, high: int) -> "Set[int]":
    values = set()  # type: Set[int]
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad cron step in {field!r}")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start_text, end_text = base.split("-", 1)
            start, end = int(start_text), int(end_text)
        else:
            start = int(base)
            end = high if step_text else start
        if not (low <= start <= end <= high):
            raise ValueError(f"cron field {field!r} out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _next_cron_time(fields: "Sequence[Set[int]]", after: float) -> float:
    minutes, hours, days, months, weekdays = fields
    candidate = (int(after) // 60 + 1) * 60
    for _ in range(366 * 24 * 60):  # a year of minutes bounds the search
        moment = time.localtime(candidate)
        weekday = (moment.tm_wday + 1) % 7  # cron counts Sunday as 0
        if (
            moment.tm_min in minutes
            and moment.tm_hour in hours
            and moment.tm_mday in days
            and moment.tm_mon in months
            and weekday in weekdays
        ):
            return float(candidate)
        candidate += 60
    raise ValueError("cron schedule never fires")
