"""Test results of every test type through the runner: the index holds exactly the ground truth
of what the checkpoints say is covered, across runs and after a backfill of days."""

import json

import pytest
from ta_thousandeyes.collectors import results

from .helpers import (
    assert_event_metadata,
    compare_results,
    create_input,
    events,
    kv_checkpoints,
    run_ok,
    summary_lines,
)

SCHEME = "thousandeyes_test_results"
SIM_PAGE_SIZES = {"test-results": 40}  # several pages per stream, few calls per run
AID = "2001"  # its tests cover every test type


@pytest.mark.slow
def test_every_test_type_across_runs(service, connected, runner, sim):
    stanza = create_input(service, SCHEME, "all_types", account_groups=AID, start_from="1h")
    for _ in range(3):
        result = run_ok(runner, stanza)
        assert len(summary_lines(result)) == 1
        sim.clock.advance(420)
    tests = sim.world.tests_in(AID)
    assert {t.test_type for t in tests} >= set(results.DATA_TYPES_BY_TEST_TYPE)
    missing, duplicates, covered = compare_results(
        sim, runner, kv_checkpoints(service), SCHEME, AID, tests
    )
    assert set(covered) == set(results.ALL_DATA_TYPES), covered
    assert not missing, f"{len(missing)} missing, e.g. {missing[:3]}"
    assert not duplicates, f"{len(duplicates)} duplicated, e.g. {list(duplicates)[:3]}"
    by_test = {t.test_id: t for t in tests}
    for event in events(runner, index="main"):
        record = event["json"]
        test = by_test[record["testId"]]
        assert event["_time"] == float(record["roundId"])
        assert record["testName"] and record["testType"] == test.test_type
        if "agent" in record:
            assert record["agentName"] == record["agent"]["agentName"]
        assert_event_metadata(
            event,
            results.sourcetype_for(record["dataType"]),
            f"thousandeyes:test:{AID}:{record['testId']}",
        )


@pytest.mark.slow
def test_backfill_of_days_on_python39(service, connected, make_runner, sim):
    runner = make_runner("3.9")
    # Long-interval tests keep three days small: dnssec (3600 s), api (1800 s), bgp (900 s).
    ids = "10009,10006,10013"
    stanza = create_input(
        service, SCHEME, "backfill", account_groups=AID, test_ids=ids, start_from="3d",
        index="te_results",
    )  # fmt: skip
    run_ok(runner, stanza, timeout=240)
    sim.clock.advance(900)
    run_ok(runner, stanza)
    states = kv_checkpoints(service)
    tests = [sim.world.tests[i] for i in ids.split(",")]
    missing, duplicates, covered = compare_results(
        sim, runner, states, SCHEME, AID, tests, index="te_results"
    )
    assert not missing and not duplicates
    assert set(covered) == {"dnssec", "api", "bgp"}
    # Three days: 72 hourly dnssec rounds of two agents at least.
    assert covered["dnssec"] >= 72 * 2
    oldest = min(e["_time"] for e in events(runner, index="te_results"))
    assert sim.clock.now() - oldest >= 3 * 86400 - 3600
    for state in states.values():
        assert state["start"] >= sim.clock.now() - 900 - 120


def test_props_parse_the_indexed_events(service, connected, runner, sim):
    """TIME_PREFIX/TIME_FORMAT of every sourcetype we write must find _time in _raw."""
    from .props import timestamp_from_raw

    stanza = create_input(
        service, SCHEME, "props", account_groups=AID, test_ids="10001,10012,10013",
        start_from="20m",
    )  # fmt: skip
    run_ok(runner, stanza)
    seen = set()
    for event in events(runner, index="main"):
        parsed = timestamp_from_raw(event["sourcetype"], event["_raw"])
        assert parsed == pytest.approx(event["_time"], abs=1), json.dumps(event["json"])[:200]
        seen.add(event["sourcetype"])
    assert len(seen) >= 3
