"""Alerts, events, activity log and inventory through the runner against the ground truth."""

import json
from collections import Counter

import pytest
from ta_thousandeyes.checkpoints import checkpoint_key, owner_of
from ta_thousandeyes.collectors.base import parse_iso

from .conftest import sim_modes
from .helpers import (
    CONNECTION,
    assert_event_metadata,
    create_input,
    events,
    kv_checkpoints,
    run_ok,
)

AIDS = ("2001", "2002")


def _state(service, scheme, *parts):
    key = checkpoint_key(owner_of(scheme, CONNECTION, "default"), *parts)
    return kv_checkpoints(service)[key]


def _alert_truth(sim, service, aid, state):
    """Alerts of one state the API returns for what the checkpoint says is covered."""
    covered = _state(service, "thousandeyes_alerts", aid, "alerts", state)
    truth = sim.ground_truth(
        "alerts", aid=aid, start=covered["floor"], end=covered["start"], state=state
    )
    field = "startDate" if state == "trigger" else "endDate"
    return {(aid, a["id"], state) for a in truth if parse_iso(a[field]) >= covered["floor"]}


@pytest.mark.slow
@pytest.mark.parametrize(
    "sim",
    [pytest.param({}, id="default")] + sim_modes("refresh-grace", "refresh-omit", "hosts-split"),
    indirect=True,
)
def test_alerts_trigger_and_clear_each_once(service, connected, runner, sim):
    stanza = create_input(
        service, "thousandeyes_alerts", "alerts", account_groups=",".join(AIDS), start_from="1d"
    )
    # state=trigger lists alerts active now, so what was triggered is known only at each poll;
    # state=clear lists every alert cleared in the range, so the last poll's truth covers all.
    want = set()
    for _ in range(4):
        run_ok(runner, stanza)
        for aid in AIDS:
            want |= _alert_truth(sim, service, aid, "trigger")
        sim.clock.advance(2 * 3600)
    for aid in AIDS:
        want |= _alert_truth(sim, service, aid, "clear")
    got = Counter()
    for event in events(runner, sourcetype="cisco:thousandeyes:alerts"):
        alert = event["json"]
        got[(alert["aid"], alert["id"], alert["eventState"])] += 1
        field = "startDate" if alert["eventState"] == "trigger" else "endDate"
        assert event["_time"] == parse_iso(alert[field]) == parse_iso(alert["eventTime"])
        source = f"thousandeyes:alerts:{alert['aid']}"
        assert_event_metadata(event, "cisco:thousandeyes:alerts", source)
    assert got and max(got.values()) == 1, [k for k, n in got.items() if n > 1]
    assert want == set(got), (want - set(got), set(got) - want)
    triggered = {(a, i) for a, i, s in got if s == "trigger"}
    cleared = {(a, i) for a, i, s in got if s == "clear"}
    assert triggered and cleared
    assert triggered & cleared, "no alert was seen active and then cleared"


@pytest.mark.slow
def test_events_new_and_ended_each_once(service, connected, runner, sim):
    stanza = create_input(service, "thousandeyes_events", "events", account_groups="2002",
                          start_from="1d")  # fmt: skip
    # Poll every three hours until an event was seen ongoing and later ended (12 h slots).
    for _ in range(12):
        run_ok(runner, stanza)
        states = Counter()
        for event in events(runner, sourcetype="cisco:thousandeyes:event"):
            states[event["json"]["id"]] += 1
        if 2 in states.values():
            break
        sim.clock.advance(3 * 3600)
    got = Counter()
    for event in events(runner, sourcetype="cisco:thousandeyes:event"):
        record = event["json"]
        got[(record["id"], record["eventState"])] += 1
        when = record["endDate"] if record["eventState"] == "ended" else record["startDate"]
        assert event["_time"] == parse_iso(when)
        assert_event_metadata(event, "cisco:thousandeyes:event", "thousandeyes:events:2002")
    assert got and max(got.values()) == 1
    ids = Counter(event_id for event_id, _ in got)
    assert any(n == 2 for n in ids.values()), "no event was seen ongoing and then ended"
    covered = _state(service, "thousandeyes_events", "2002", "events")
    truth = sim.ground_truth("events", aid="2002", start=covered["floor"], end=covered["start"])
    ended = {e["id"] for e in truth if e.get("endDate")}
    ended = {i for i in ended if parse_iso(next(e for e in truth if e["id"] == i)["endDate"])
             <= covered["start"]}  # fmt: skip
    assert ended <= {i for i, s in got if s == "ended"}
    assert {i for i, _ in got} <= {e["id"] for e in truth}


@pytest.mark.slow
def test_activity_log_spans_all_permitted_groups(service, connected, runner, sim):
    stanza = create_input(service, "thousandeyes_activity", "activity", start_from="6h",
                          interval="600")  # fmt: skip
    for _ in range(3):
        run_ok(runner, stanza)
        sim.clock.advance(1800)
    calls = [r for r in sim.request_log if r.path.endswith("/audit-user-events")]
    assert calls and all(r.query.get("useAllPermittedAids") == "true" for r in calls)
    covered = _state(service, "thousandeyes_activity", "all", "activity")
    want = Counter()
    for aid in ("2001", "2002", "2003"):
        for entry in sim.ground_truth(
            "activity", aid=aid, start=covered["floor"], end=covered["start"]
        ):
            want[(entry["aid"], entry["date"], entry["event"], entry["uid"])] += 1
    got = Counter()
    for event in events(runner, sourcetype="cisco:thousandeyes:activity"):
        entry = event["json"]
        got[(entry["aid"], entry["date"], entry["event"], entry["uid"])] += 1
        assert event["_time"] == parse_iso(entry["date"])
        assert_event_metadata(event, "cisco:thousandeyes:activity", "thousandeyes:activity")
    assert {aid for aid, *_ in got} == {"2001", "2002", "2003"}
    assert got == want


def test_inventory_events_and_lookups(service, connected, runner, sim):
    stanza = create_input(service, "thousandeyes_inventory", "inventory", account_groups="*",
                          interval="3600")  # fmt: skip
    run_ok(runner, stanza)
    sim.clock.advance(3600)
    run_ok(runner, stanza)
    found = events(runner, sourcetype="cisco:thousandeyes:inventory:tests")
    snapshots = sorted({e["_time"] for e in found})
    assert len(snapshots) == 2
    for aid in ("2001", "2002", "2003"):
        want_tests = {t["testId"] for t in sim.ground_truth("tests", aid=aid)}
        got = [e["json"]["testId"] for e in found if e["_time"] == snapshots[-1]
               and e["json"]["aid"] == aid]  # fmt: skip
        assert sorted(got) == sorted(want_tests)
        want_agents = {a["agentId"] for a in sim.ground_truth("agents", aid=aid)}
        rows = service.kvstore["ta_thousandeyes_agents"].data.query(query=json.dumps({"aid": aid}))
        assert {r["agentId"] for r in rows} == want_agents
        rows = service.kvstore["ta_thousandeyes_tests"].data.query(query=json.dumps({"aid": aid}))
        assert {r["testId"] for r in rows} == want_tests
        # The older snapshot's rows are gone (the index keeps _time to the millisecond).
        assert {round(r["snapshot"], 3) for r in rows} == {snapshots[-1]}
    groups = service.kvstore["ta_thousandeyes_account_groups"].data.query()
    assert {"2001", "2002", "2003"} <= {g["aid"] for g in groups}
    for event in found:
        assert event["_time"] == parse_iso(event["json"]["snapshotTime"])
        assert_event_metadata(
            event, "cisco:thousandeyes:inventory:tests", "thousandeyes:inventory:tests"
        )
