"""A first run killed or stopped by its deadline before it saved moves nothing: every input kind
collects from the start the admin asked for (start_from at the first run), not from where
the next run happens to start. Compared with the simulator's ground truth from that start."""

import time

import pytest
from ta_thousandeyes.checkpoints import checkpoint_key, owner_of
from ta_thousandeyes.collectors.base import parse_iso

from .helpers import (
    CONNECTION,
    asked_start,
    compare_results,
    create_input,
    events,
    file_checkpoints,
    kv_checkpoints,
    run_ok,
)

RESULTS = "thousandeyes_test_results"
AID = "2001"
TEST_IDS = "10009,10006,10013"  # dnssec (3600 s), api (1800 s), bgp (900 s): a few rounds
# kind -> (scheme, the input's settings, the path its data comes from)
KINDS = {
    "test results": (
        RESULTS,
        {"account_groups": AID, "test_ids": TEST_IDS, "start_from": "6h"},
        "/v7/test-results/",
    ),
    "alerts": (
        "thousandeyes_alerts",
        {"account_groups": "2001,2002", "start_from": "1d"},
        "/v7/alerts",
    ),
    "events": ("thousandeyes_events", {"account_groups": "2002", "start_from": "1d"}, "/v7/events"),
    "activity": ("thousandeyes_activity", {"start_from": "6h"}, "/v7/audit-user-events"),
}
GAP = 3 * 3600  # between the killed first run and the next: how far a moved start would move


def _kill_first_run(point, runner, sim, stanza, data_path):
    """The first run, ended at one point before it could save what it collected."""
    if point == "before its first save":
        # The first data request hangs; the process dies waiting for it.
        sim.faults.add("slow", path=data_path, delay=20, count=1)
        future = runner.run_in_background(stanza)
        give_up = time.monotonic() + 60
        while not any(f.hits for f in sim.faults.list()) and time.monotonic() < give_up:
            time.sleep(0.05)
        assert runner.kill(stanza), "the first run ended before its first data request"
        result = future.result(timeout=60)
        assert result.killed and result.events_written == 0
    elif point == "between flush and save":
        # SIGKILL as the first event arrives: the page is written, its save may not be.
        result = runner.run_once(stanza, kill_after_events=1)
        assert result.killed and result.events_written >= 1
    else:  # at its deadline: the API asks to wait past it, so the run stops unsaved
        sim.faults.add("rate_limit", path=data_path, count=1, retry_after=3600)
        result = runner.run_once(stanza)
        assert result.exit_code == 0 and not result.killed, result.stderr_lines
        assert any('status="incomplete"' in line for line in result.stderr_lines)
        sim.clock.advance(70)  # past the 429's block, which every process of the connection obeys
    sim.faults.clear()


def _states(service, runner, backend):
    """Every stream checkpoint, wherever the inputs kept them."""
    if backend == "kvstore":
        return kv_checkpoints(service)
    found = {}
    for scheme, _, _ in KINDS.values():
        found.update(file_checkpoints(runner.checkpoint_dir(scheme)))
    return found


def _state(states, scheme, *parts):
    return states[checkpoint_key(owner_of(scheme, CONNECTION, "default"), *parts)]


def _missing_results(sim, runner, states, asked):
    tests = [sim.world.tests[i] for i in TEST_IDS.split(",")]
    missing, duplicates, covered = compare_results(
        sim, runner, states, RESULTS, AID, tests, asked=asked
    )
    assert sum(covered.values()) > 0
    return [f"result {m}" for m in missing]


def _missing_clears(sim, runner, states, asked):
    """Every alert cleared from the admin's start to the clear streams' positions."""
    got = {(e["json"]["aid"], e["json"]["id"]) for e in events(runner, sourcetype=ALERTS)
           if e["json"]["eventState"] == "clear"}  # fmt: skip
    missing = []
    for aid in ("2001", "2002"):
        covered = _state(states, "thousandeyes_alerts", aid, "alerts", "clear")
        floor = min(covered["floor"], asked)
        for alert in sim.ground_truth(
            "alerts", aid=aid, start=floor, end=covered["start"], state="clear"
        ):
            if parse_iso(alert["endDate"]) >= asked and (aid, alert["id"]) not in got:
                missing.append(f"clear of alert {alert['id']} ({alert['endDate']})")
    return missing


def _missing_ends(sim, runner, states, asked):
    """Every event that ended from the admin's start to the stream's position, as ended."""
    got = {e["json"]["id"] for e in events(runner, sourcetype="cisco:thousandeyes:event")
           if e["json"]["eventState"] == "ended"}  # fmt: skip
    covered = _state(states, "thousandeyes_events", "2002", "events")
    floor = min(covered["floor"], asked)
    missing = []
    for record in sim.ground_truth("events", aid="2002", start=floor, end=covered["start"]):
        ended = parse_iso(record.get("endDate"))
        if ended is not None and asked <= ended <= covered["start"] and record["id"] not in got:
            missing.append(f"end of event {record['id']} ({record['endDate']})")
    return missing


def _missing_activity(sim, runner, states, asked):
    got = {
        (e["json"]["aid"], e["json"]["date"], e["json"]["event"], e["json"]["uid"])
        for e in events(runner, sourcetype="cisco:thousandeyes:activity")
    }
    covered = _state(states, "thousandeyes_activity", "all", "activity")
    floor = min(covered["floor"], asked)
    missing = []
    for aid in ("2001", "2002", "2003"):
        for entry in sim.ground_truth("activity", aid=aid, start=floor, end=covered["start"]):
            key = (entry["aid"], entry["date"], entry["event"], entry["uid"])
            if parse_iso(entry["date"]) >= asked and key not in got:
                missing.append(f"activity {key}")
    return missing


ALERTS = "cisco:thousandeyes:alerts"
CHECKS = {
    "test results": _missing_results,
    "alerts": _missing_clears,
    "events": _missing_ends,
    "activity": _missing_activity,
}
# Records from the admin's start to where a moved start would be: each kind must have some,
# or a moved start could not show.
TIMES = {
    "test results": lambda sim, a, b: [
        r
        for i in TEST_IDS.split(",")
        for kind in sim.world.tests[i].result_kinds
        for r in sim.ground_truth(
            "test-results", aid=AID, start=a, end=b, test_id=i, test_type=kind
        )  # fmt: skip
        if a <= r["roundId"] < b
    ],
    "alerts": lambda sim, a, b: [
        r
        for aid in ("2001", "2002")
        for r in sim.ground_truth("alerts", aid=aid, start=a, end=b, state="clear")
        if a <= parse_iso(r["endDate"]) < b
    ],
    "events": lambda sim, a, b: [
        r
        for r in sim.ground_truth("events", aid="2002", start=a, end=b)
        if r.get("endDate") and a <= parse_iso(r["endDate"]) < b
    ],
    "activity": lambda sim, a, b: [
        r
        for aid in ("2001", "2002", "2003")
        for r in sim.ground_truth("activity", aid=aid, start=a, end=b)
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["kvstore", "file"])
@pytest.mark.parametrize("point", ["before its first save", "between flush and save",
                                   "at its deadline"])  # fmt: skip
def test_a_killed_first_run_loses_nothing(service, connected, runner, sim, splunk, point, backend):
    splunk.set_kvstore_enabled(backend == "kvstore")
    asked = {}
    stanzas = {}
    for kind, (scheme, params, data_path) in KINDS.items():
        name = kind.replace(" ", "_")
        # A deadline of 54 s (0.9 x 60), before the 429's wait of up to 65 s ends.
        interval = "60" if point == "at its deadline" else "300"
        stanzas[kind] = create_input(service, scheme, name, interval=interval, **params)
        launched_at = sim.clock.now()
        _kill_first_run(point, runner, sim, stanzas[kind], data_path)
        asked[kind] = asked_start(sim, params["start_from"], launched_at)
    sim.clock.advance(GAP)
    for _ in range(2):
        for kind in KINDS:
            run_ok(runner, stanzas[kind])
        sim.clock.advance(900)
    states = _states(service, runner, backend)
    problems = []
    for kind, (_, params, _) in KINDS.items():
        moved = asked[kind] + GAP
        assert TIMES[kind](sim, asked[kind], moved), f"{kind}: nothing a moved start would skip"
        missing = CHECKS[kind](sim, runner, states, asked[kind])
        if missing:
            problems.append(f"{kind}: {len(missing)} missing, e.g. {missing[:2]}")
    assert not problems, "\n".join(problems)
