"""Rounds of a test: epoch-aligned on its interval, addressed by index so pages cost O(page).

A round is published (visible through the API) ``PUBLISH_DELAY`` seconds after it starts.
A time range [start, end] selects every round whose measurement interval overlaps it, so a
round that started just before ``start`` is included (as the real API does).

An instant test has one round, started when the test was created (its ``roundId``), and
published ``PUBLISH_DELAY`` later like any round: until then its results are empty, and a
client polls (the create response has no results and no completion signal; SDK
instant-tests 6.0.0 docstring: "Use the Test Results endpoints to get test results after
creating and executing an instant test").
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from .world import Test

PUBLISH_DELAY = 30
BGP_MONITORS = [
    ("mon-1", "Seattle-1", "US"), ("mon-2", "London-2", "GB"), ("mon-3", "Tokyo-3", "JP"),
]  # fmt: skip


def units(test: Test) -> List[Tuple[str, Optional[str]]]:
    """(agent or monitor id, direction) pairs measured in each round, in output order."""
    if test.test_type == "bgp":
        return [(monitor_id, None) for monitor_id, _, _ in BGP_MONITORS]
    return [(agent_id, d) for agent_id in test.agent_ids for d in test.directions]


def latest_published_round(test: Test, now: float) -> Optional[int]:
    if test.instant:
        return test.created if now - PUBLISH_DELAY >= test.created else None
    newest = int(now) - PUBLISH_DELAY
    newest -= newest % test.interval
    return newest if newest >= first_round(test) else None


def first_round(test: Test) -> int:
    if test.instant:
        return test.created
    return test.created + (-test.created) % test.interval


def round_span(test: Test, start: float, end: float, now: float) -> Tuple[int, int]:
    """(first round, count) of published rounds overlapping [start, end]."""
    latest = latest_published_round(test, now)
    if latest is None:
        return 0, 0
    if test.instant:  # its one round measures for (at most) a minute
        return latest, int(start < latest + test.interval and end >= latest)
    lo = int(start) - int(start) % test.interval  # the round in progress at ``start``
    lo = max(lo, first_round(test))
    hi = min(int(end) - int(end) % test.interval, latest)
    if hi < lo:
        return lo, 0
    return lo, (hi - lo) // test.interval + 1


def record_count(test: Test, round_count: int) -> int:
    return round_count * len(units(test))


def locate(test: Test, first: int, index: int) -> Tuple[int, str, Optional[str]]:
    """The (round id, unit id, direction) of the index-th record after ``first``."""
    unit_list = units(test)
    round_id = first + (index // len(unit_list)) * test.interval
    unit_id, direction = unit_list[index % len(unit_list)]
    return round_id, unit_id, direction
