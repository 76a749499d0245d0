"""The add-on under splunkd's rules for stopping inputs and indexing their events (issue 21,
point 6): a SIGTERM mid-run loses nothing and repeats nothing, a wait for the rate limit ends
at once, and events over 10000 bytes are indexed as default/props.conf says (whole)."""

import json
import os
import time

import pytest

from tests.simulators.splunk import modinput_log

from .helpers import compare_results, create_input, events, kv_checkpoints, run_ok, summary_lines

RESULTS = "thousandeyes_test_results"
SIM_PAGE_SIZES = {"test-results": 25}
AID = "2001"
TYPES = "agent-to-agent,http-server"


def _tests_of(sim, aid, types):
    wanted = set(types.split(","))
    return [t for t in sim.world.tests_in(aid) if t.test_type in wanted]


def _assert_exact(sim, runner, service):
    missing, duplicates, covered = compare_results(
        sim, runner, kv_checkpoints(service), RESULTS, AID, _tests_of(sim, AID, TYPES)
    )
    assert not missing, f"{len(missing)} missing, e.g. {missing[:3]}"
    assert not duplicates, f"{len(duplicates)} duplicated, e.g. {list(duplicates)[:3]}"
    return sum(covered.values())


def _stopped_line(result):
    return [line for line in result.stderr_lines if "stopped by splunkd (SIGTERM)" in line]


@pytest.mark.slow
@pytest.mark.parametrize("version", ["3.9", "3.13"])
def test_sigterm_mid_run_loses_nothing_and_repeats_nothing(
    service, connected, make_runner, sim, version
):
    runner = make_runner(version)
    stanza = create_input(service, RESULTS, "stopped", account_groups=AID, test_types=TYPES,
                          start_from="2h")  # fmt: skip
    stopped = runner.run_once(stanza, stop_after_events=60)
    assert stopped.stopped and not stopped.forced and not stopped.killed
    assert stopped.exit_code == 0, stopped.stderr_lines
    assert _stopped_line(stopped), stopped.stderr_lines
    assert 'status="stopped"' in summary_lines(stopped)[0]
    run_ok(runner, stanza)
    covered = _assert_exact(sim, runner, service)
    assert covered > stopped.events_written >= 60


@pytest.mark.slow
def test_sigterm_during_a_rate_limit_wait_exits_at_once(service, connected, runner, sim):
    stanza = create_input(service, RESULTS, "waiting", account_groups=AID, test_types=TYPES,
                          start_from="2h")  # fmt: skip
    sim.faults.add("rate_limit", path="/v7/test-results/", count=1, retry_after=40)
    future = runner.run_in_background(stanza)
    deadline = time.monotonic() + 60
    while not any(r.status == 429 for r in sim.request_log) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(r.status == 429 for r in sim.request_log)
    time.sleep(0.5)  # well inside the 40 s wait
    calls = len(sim.request_log)
    asked = time.monotonic()
    runner.stop(stanza)
    result = future.result(timeout=60)
    assert time.monotonic() - asked < 5.0, "the rate-limit wait did not end on SIGTERM"
    assert result.stopped and not result.forced and result.exit_code == 0, result.stderr_lines
    assert len(sim.request_log) == calls  # no request after the signal
    sim.faults.clear()
    run_ok(runner, stanza)
    _assert_exact(sim, runner, service)


WEB_AID, WEB_TEST = "2002", "10017"  # its failed rounds carry long script errors


def _web_input(service, name, **params):
    return create_input(service, RESULTS, name, account_groups=WEB_AID, test_ids=WEB_TEST,
                        data_types="web-transactions", start_from="6h", **params)  # fmt: skip


@pytest.mark.slow
def test_events_over_10000_bytes_are_indexed_whole(service, connected, runner, sim, splunk):
    run_ok(runner, _web_input(service, "web"))
    indexed = events(runner, index="main")
    big = [e for e in indexed if len(e["_raw"].encode("utf-8")) > 10000]
    assert len(big) >= 3, "the simulator's failed transactions should give events over 10 kB"
    truth = {
        (record["roundId"], record["agent"]["agentId"]): record
        for record in sim.ground_truth("test-results", aid=WEB_AID, test_id=WEB_TEST,
                                       test_type="web-transactions", start=0, end=sim.clock.now())
    }  # fmt: skip
    for event in big:
        record = event["json"]  # whole JSON: nothing cut
        expected = truth[record["roundId"], record["agent"]["agentId"]]
        assert record["errorDetails"] == expected["errorDetails"]
        assert event["_time"] == float(record["roundId"])  # TIME_PREFIX/TIME_FORMAT read it
    assert not modinput_log.read_entries(splunk.home, "LineBreakingProcessor")
    assert not modinput_log.read_entries(splunk.home, "DateParserVerbose")


@pytest.mark.slow
def test_without_the_add_ons_truncate_those_events_would_be_cut(
    service, connected, runner, sim, splunk
):
    """The control: an admin's etc/system/local/props.conf beats the app's default/ (global
    precedence); with TRUNCATE = 10000 there, the same events are cut and are not JSON any more."""
    path = os.path.join(splunk.home, "etc", "system", "local", "props.conf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[cisco:thousandeyes:test:web-transactions]\nTRUNCATE = 10000\n")
    run_ok(runner, _web_input(service, "web_cut"))
    raws = [e["_raw"] for e in runner.index_store.search(index="main")]
    cut = [raw for raw in raws if 10000 - 4 < len(raw.encode("utf-8")) <= 10000]
    assert len(cut) >= 3
    for raw in cut:
        with pytest.raises(json.JSONDecodeError):
            json.loads(raw)
    warnings = modinput_log.read_entries(splunk.home, "LineBreakingProcessor")
    assert len(warnings) == len(cut)
