"""Issue 19 point 5, through both stand-ins: tests a ThousandEyes stream delivers are not polled
for the data the stream pushes into HEC; what only polling gives still is; a connection
without streams:manage polls everything.

The stream is created in the simulator through its API with the body the setup page sends
(``ta_thousandeyes.streams.create_body``); the simulator pushes its data points to the Splunk
stand-in's HEC on its clock (``tests/simulators/thousandeyes/stream_push.py``). Which data
types a stream delivers: ``results.STREAMED_DATA_TYPES`` (from the reference, DOC-V2).
"""

import json

import pytest
import requests
from ta_thousandeyes import streams
from ta_thousandeyes.collectors import results

from tests.simulators.faketime import faketime_env
from tests.simulators.splunk import SplunkEmulator

from .conftest import APP, SCOPES, connect_device
from .helpers import create_input, run_ok, summary_lines

SCHEME = "thousandeyes_test_results"
AID = "2001"
COVERED = ("10001", "10003", "10006", "10007", "10013")  # a2s, http, api, dns-server, bgp
UNCOVERED = ("10002", "10008")  # a2a, dns-trace
SIM_PAGE_SIZES = {"test-results": 40}


@pytest.fixture
def splunk(tmp_path, sim, built_app):
    """The conftest's stand-in with HEC switched on (Splunk ships it off)."""
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk",
        apps={APP: built_app},
        extra_env=faketime_env(sim.clock.offset_file),
        hec_enabled=True,
    )
    with emulator:
        yield emulator


def _create_stream(sim, splunk):
    """A metric stream of COVERED, as the setup page creates it (POST /v7/streams)."""
    sim.streams.trust(splunk.ca_bundle_path)
    hec_token = splunk.create_hec_token("te-stream", index="main")
    body = streams.create_body("coverage", splunk.hec_event_url, hec_token, tests=COVERED)
    answer = requests.post(
        sim.region_urls("global")["api_base_url"] + "/streams",
        params={"aid": AID},
        json=body,
        headers={"Authorization": "Bearer " + sim.create_api_token(sim.demo_email)},
        timeout=30,
        verify=sim.ca_bundle_path,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _polled(sim, since):
    """(test id, data type) of every test-results request since the given log position."""
    asked = set()
    for record in sim.request_log[since:]:
        parts = record.path.split("/")
        if len(parts) >= 5 and parts[2] == "test-results":
            asked.add((parts[3], parts[4]))
    return asked


def _stream_calls(sim, since):
    return [r for r in sim.request_log[since:] if r.path.rstrip("/").endswith("/streams")]


def _run_twice(service, runner, sim):
    ids = ",".join(COVERED + UNCOVERED)
    stanza = create_input(
        service, SCHEME, "covered", account_groups=AID, test_ids=ids, start_from="20m"
    )
    mark = len(sim.request_log)
    summaries = [run_ok(runner, stanza)]
    sim.clock.advance(420)
    summaries.append(run_ok(runner, stanza))
    return mark, summaries


def _summary_value(result, name):
    (line,) = summary_lines(result)
    return line.split(f'{name}="', 1)[1].split('"', 1)[0]


def test_streamed_tests_are_polled_only_for_what_the_stream_lacks(service, sim, splunk, runner):
    connect_device(service, sim, splunk, scopes=SCOPES + ["streams:manage"])
    stream_id = _create_stream(sim, splunk)
    # The stream is older than the input's start plus the hand-over margin: nothing of the
    # streamed data types of COVERED is polled at all.
    sim.clock.advance(1800)
    mark, summaries = _run_twice(service, runner, sim)
    assert len(_stream_calls(sim, mark)) == 2  # coverage read once per run and group
    assert [_summary_value(r, "streamed_tests") for r in summaries] == ["3", "3"]  # not api, bgp

    by_test = {t.test_id: t for t in sim.world.tests_in(AID)}
    asked = _polled(sim, mark)
    for test_id in COVERED:
        kinds = set(by_test[test_id].result_kinds)
        streamed = kinds & results.STREAMED_DATA_TYPES
        assert not {(test_id, k) for k in streamed} & asked, test_id
        assert {(test_id, k) for k in kinds - streamed} <= asked, test_id
    assert ("10001", "path-vis") in asked and ("10003", "path-vis") in asked
    assert ("10013", "bgp") in asked and ("10006", "api") in asked  # not streamed (or sparse)
    for test_id in UNCOVERED:
        assert {(test_id, k) for k in by_test[test_id].result_kinds} <= asked, test_id

    pushed = splunk.indexed_events(sourcetype="cisco:thousandeyes:metric")
    assert sim.streams.delivered(stream_id), "the stream pushed nothing"
    pushed_rounds = {
        (e["fields"]["thousandeyes.test.id"], e["fields"].get("thousandeyes.source.agent.id"),
         int(float(e["_time"])))
        for e in pushed if e["fields"].get("thousandeyes.source.agent.id")
    }  # fmt: skip
    assert {t for t, _, _ in pushed_rounds} >= {"10001", "10003", "10007"}
    polled = [
        json.loads(e["_raw"]) for e in splunk.indexed_events(index="main")
        if e["sourcetype"] != "cisco:thousandeyes:metric"
    ]  # fmt: skip
    assert polled and all("dataType" in r for r in polled)
    assert {r["testId"] for r in polled} >= set(UNCOVERED) | {"10001", "10006", "10013"}
    doubled = [
        r for r in polled
        if r["dataType"] in results.STREAMED_DATA_TYPES
        and (r["testId"], (r.get("agent") or {}).get("agentId"), r["roundId"]) in pushed_rounds
    ]  # fmt: skip
    assert not doubled, f"{len(doubled)} polled rounds the stream pushed, e.g. {doubled[:1]}"
    # The comparison can see a double: the polled path-vis rounds of a covered test are rounds
    # the stream pushed metrics of (same test, agent and round).
    path_vis = [
        (r["testId"], r["agent"]["agentId"], r["roundId"]) for r in polled
        if r["dataType"] == "path-vis" and r["testId"] == "10001"
    ]  # fmt: skip
    assert path_vis and set(path_vis) & pushed_rounds
    assert not [r for r in polled if r["testId"] in COVERED and r["dataType"] == "network"]


def test_a_connection_without_streams_manage_polls_everything(service, sim, splunk, runner):
    connect_device(service, sim, splunk, scopes=SCOPES)  # no streams:manage
    _create_stream(sim, splunk)  # made by someone else; this connection cannot see it
    sim.clock.advance(1800)
    mark, summaries = _run_twice(service, runner, sim)
    assert not _stream_calls(sim, mark)
    assert [_summary_value(r, "streamed_tests") for r in summaries] == ["0", "0"]
    asked = _polled(sim, mark)
    by_test = {t.test_id: t for t in sim.world.tests_in(AID)}
    for test_id in COVERED + UNCOVERED:
        assert {(test_id, k) for k in by_test[test_id].result_kinds} <= asked, test_id
