"""Ground truth: the records the API holds for a kind and time range, in API shape.

Uses the very functions the endpoints use, evaluated at the simulated ``now``, so ingestion
can be compared record by record.
"""

from __future__ import annotations

from typing import List, Optional

from . import incidents
from .context import SimContext
from .representations import (
    activity_json,
    agent_json,
    alert_json,
    event_json,
    test_json,
    test_result_json,
)
from .rounds import locate, record_count, round_span

KINDS = ["test-results", "alerts", "events", "activity", "tests", "agents"]


def ground_truth(
    ctx: SimContext,
    kind: str,
    aid: str,
    start: Optional[float] = None,
    end: Optional[float] = None,
    test_id: Optional[str] = None,
    test_type: Optional[str] = None,
    state: Optional[str] = None,
    region: str = "global",
) -> List[dict]:
    world, now = ctx.world, ctx.clock.now()
    api = ctx.base_urls[region] + "/v7"
    lo = start if start is not None else now - 86400
    hi = min(end if end is not None else now, now)
    if kind == "test-results":
        if test_type is None:
            raise ValueError("test-results needs test_type (the result type, e.g. 'network')")
        tests = [world.tests[test_id]] if test_id else world.tests_in(aid)
        records = []
        for test in tests:
            if test_type not in test.result_kinds:
                continue
            first, rounds = round_span(test, lo, hi, now)
            for index in range(record_count(test, rounds)):
                records.append(
                    test_result_json(world, test, test_type, *locate(test, first, index))
                )
        return records
    if kind == "alerts":
        time_range = (lo, hi) if start is not None or end is not None else None
        return [
            alert_json(ep, now, api)
            for ep in incidents.select_alerts(world, aid, now, state, time_range)
        ]
    if kind == "events":
        return [
            event_json(ep, now, api)
            for ep in incidents.select_events(world, aid, now, (lo, hi), None)
        ]
    if kind == "activity":
        return [activity_json(e, world) for e in incidents.activity_entries(world, aid, lo, hi)]
    if kind == "tests":
        return [test_json(t, api) for t in world.tests_in(aid, test_type)]
    if kind == "agents":
        return [agent_json(a, aid, world) for a in world.agents_in(aid)]
    raise ValueError(f"kind must be one of {KINDS}")
