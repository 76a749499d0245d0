"""Ground truth: the records the API holds for a kind and time range, in API shape.

Uses the very functions the endpoints use, evaluated at the simulated ``now``, so ingestion
can be compared record by record.
"""

from __future__ import annotations

from typing import List, Optional

from . import endpoint_representations as endpoint_json
from . import incidents
from .context import SimContext
from .endpoint_world import endpoint_world
from .representations import (
    activity_json,
    agent_json,
    alert_json,
    event_json,
    test_json,
    test_result_json,
)
from .rounds import locate, record_count, round_span

KINDS = ["test-results", "alerts", "events", "activity", "tests", "agents",
         "endpoint-results", "endpoint-agents", "endpoint-tests", "real-user-tests"]  # fmt: skip


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
    if kind.startswith("endpoint-") or kind == "real-user-tests":
        return _endpoint(ctx, kind, aid, lo, hi, test_id, test_type, state, api)
    raise ValueError(f"kind must be one of {KINDS}")


def _endpoint(
    ctx: SimContext, kind: str, aid: str, lo: float, hi: float, test_id: Optional[str],
    test_type: Optional[str], state: Optional[str], api: str,
) -> List[dict]:  # fmt: skip
    """Endpoint data: results of one test and data type (test_type: network, http-server or
    path-vis) in [lo, hi]; agents (state "all": deleted ones too); tests (state: scheduled or
    dynamic, None both); real-user tests."""
    world, now = endpoint_world(ctx.world), ctx.clock.now()
    if kind == "endpoint-results":
        test = world.tests[test_id]
        if test_type not in test.result_kinds:
            return []
        first, count = round_span(test, lo, hi, now)
        rounds = [first + i * test.interval for i in range(count)]
        return [
            endpoint_json.result_json(world, test, test_type, agent, round_id)
            for round_id, agent in endpoint_json.measured(world, test, rounds)
        ]
    if kind == "endpoint-agents":
        agents = world.agents_in(aid, now, include_deleted=state == "all")
        return [endpoint_json.agent_json(a, now, api) for a in agents]
    if kind == "endpoint-tests":
        kinds = [state] if state else ["scheduled", "dynamic"]
        return [endpoint_json.test_json(t, api) for k in kinds for t in world.tests_in(aid, k)]
    return [endpoint_json.real_user_test_json(t) for t in world.real_user_tests if t.aid == aid]
