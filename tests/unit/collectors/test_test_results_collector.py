import dataclasses
import json
import logging
from collections import Counter
from urllib.parse import urlsplit

import pytest
from ta_thousandeyes.checkpoints import KVStoreCheckpointStore
from ta_thousandeyes.collectors import results

from tests.unit.collectors.helpers import Harness
from tests.unit.collectors.sim_api import AID, START, SimApi

INTERVAL = 60  # the shaped tests' (BGP keeps its own 15 minutes)


def keys_of(events):
    return [(e[3]["testId"], e[3]["dataType"], results.result_key(e[3])) for e in events]


def truth_results(api, test_id, data_type, start, end):
    """The simulator's records of rounds that start in [start, end]."""
    found = api.truth("test-results", start, end, test_id=test_id, test_type=data_type)
    return [r for r in found if start <= r["roundId"] <= end]


def expected(api, start, end, wanted=None):
    out = []
    for test in api.truth("tests"):
        for data_type in results.data_types_for(test, wanted):
            for r in truth_results(api, test["testId"], data_type, start, end):
                out.append((test["testId"], data_type, results.result_key(r)))
    return out


@pytest.fixture
def api():
    """The simulator's account group with one agent-to-server, agent-to-agent, BGP and
    DNS server test (ids WEB, A2A, BGP, DNS), every 60 s but BGP."""
    api = SimApi()
    ids = api.shape_tests("agent-to-server", "agent-to-agent", "bgp", "dns-server",
                          interval=INTERVAL)  # fmt: skip
    api.ids = dict(zip(("web", "a2a", "bgp", "dns"), ids))
    api.clock.now = START + 220  # a BGP round (every 900 s) began two minutes ago
    yield api
    api.stop()


@pytest.fixture
def clock(api):
    return api.clock


def collect_all(ctx):
    results.collect(ctx, [AID])


def test_several_runs_no_missing_no_duplicates(api, clock, tmp_path):
    start = clock.now - 1800
    harness = Harness(api, clock, tmp_path, start)
    for _ in range(5):
        harness.run(collect_all)
        clock.now += 437  # runs at odd times so windows cut rounds anywhere
    covered_end = clock.now - 437 - 60  # last run's end minus the settle lag
    got = Counter(keys_of(harness.events))
    assert max(got.values()) == 1, "duplicates"
    want = set(expected(api, start, covered_end))
    assert want <= set(got), f"missing {len(want - set(got))}"
    # nothing from before the start point except the round that straddles it
    assert all(e[0] >= start - INTERVAL for e in harness.events)


def test_event_fields_time_and_enrichment(api, clock, tmp_path):
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    harness.run(collect_all)
    web = api.world.tests[api.ids["web"]]
    ev = next(e for e in harness.events
              if e[3]["testId"] == web.test_id and e[3]["dataType"] == "network")  # fmt: skip
    time, sourcetype, source, data, index, host = ev
    assert time == data["roundId"]
    assert sourcetype == "cisco:thousandeyes:test:network"
    assert source == f"thousandeyes:test:{AID}:{web.test_id}"
    assert (index, host) == ("te", "sh1")
    assert data["testName"] == web.name and data["testType"] == "agent-to-server"
    assert data["agentName"] in {api.world.agents[a].name for a in web.agent_ids}
    pv = [e for e in harness.events if e[3]["dataType"] == "path-vis"]
    assert pv and all(e[1] == "cisco:thousandeyes:path-vis" for e in pv)
    bgp = [e for e in harness.events if e[3]["testType"] == "bgp"]
    assert bgp and all(e[1] == "cisco:thousandeyes:test:bgp" for e in bgp)


def test_typed_lists_are_read_only_for_the_network_extras_an_input_polls(api, clock, tmp_path):
    def typed_lists():
        return {urlsplit(u).path.rsplit("/", 1)[1] for u in api.requests if "/tests/" in u}

    Harness(api, clock, tmp_path / "a", clock.now - 300).run(
        lambda ctx: results.collect(ctx, [AID], test_types=["network", "bgp"])
    )
    Harness(api, clock, tmp_path / "b", clock.now - 300).run(
        lambda ctx: results.collect(ctx, [AID], data_types=["dns-server"])
    )
    assert typed_lists() == set()  # neither polls a network extra
    Harness(api, clock, tmp_path / "c", clock.now - 300).run(collect_all)
    assert typed_lists() == {"dns-server"}  # the one type with extras among the shaped tests
    assert results.extras_types(["network", "http-server"], None) == ["http-server"]
    assert results.extras_types(None, ["path-vis"]) == [
        "dns-server", "ftp-server", "http-server", "page-load", "sip-server", "web-transactions"
    ]  # fmt: skip


def test_an_unreadable_typed_list_leaves_the_network_extras_polled(api, clock, tmp_path):
    dns_id = api.ids["dns"]
    api.world.tests[dns_id].network_measurements = False
    api.sim.faults.add("status", path="/tests/dns-server", status=403)
    harness = Harness(api, clock, tmp_path, clock.now - 300)
    # on the collector's own logger: the add-on's logging may not propagate (redaction)
    logger, seen = logging.getLogger(results.__name__), []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        assert not harness.run(collect_all).errors
    finally:
        logger.removeHandler(handler)
    assert any("dns-server tests' settings not readable" in line for line in seen), seen
    # asked, and answered 400 (no such results), as before the typed list was read
    assert [u for u in api.requests if f"/test-results/{dns_id}/network" in u]
    assert {e[3]["dataType"] for e in harness.events if e[3]["testId"] == dns_id} == {"dns-server"}


def test_dedup_distinguishes_direction_server_and_prefix(api, clock, tmp_path):
    dns_id = api.ids["dns"]
    # the DNS test's network measurements are off: /v7/tests/dns-server says so, /v7/tests not
    api.world.tests[dns_id].network_measurements = False
    harness = Harness(api, clock, tmp_path, clock.now - 300)
    assert not harness.run(collect_all).errors
    assert not [u for u in api.requests if f"/test-results/{dns_id}/network" in u
                or f"/test-results/{dns_id}/path-vis" in u]  # fmt: skip
    ids = api.ids
    a2a = [e for e in harness.events
           if e[3]["testId"] == ids["a2a"] and e[3]["dataType"] == "network"]  # fmt: skip
    assert {e[3]["direction"] for e in a2a} == {"to-target", "from-target"}
    # every (agent, direction) of every round once: the direction tells the records apart
    want = {results.result_key(r) for r in
            api.truth("test-results", clock.now - 300, test_id=ids["a2a"], test_type="network")
            if r["roundId"] >= clock.now - 300}  # fmt: skip
    assert want and want <= {results.result_key(e[3]) for e in a2a}
    dns = [e for e in harness.events if e[3]["testId"] == dns_id]
    truth = api.truth("test-results", clock.now - 300, test_id=dns_id, test_type="dns-server")
    assert {e[3]["server"] for e in dns} == {r["server"] for r in truth}
    assert {e[3]["dataType"] for e in dns} == {"dns-server"}  # networkMeasurements false
    bgp = [e[3] for e in harness.events if e[3]["testId"] == ids["bgp"]]
    assert {(r["monitor"]["monitorId"], r["prefixId"]) for r in bgp} == {
        (r["monitor"]["monitorId"], r["prefixId"])
        for r in api.truth("test-results", clock.now - 300, clock.now - 60, test_id=ids["bgp"],
                           test_type="bgp") if r["roundId"] >= clock.now - 300
    }  # fmt: skip
    # The simulator's DNS tests query one server and its BGP tests watch one prefix (the real
    # API sends a record per server and per prefix): records differing only there are told
    # apart by their keys.
    for record, field, other in ((dns[0][3], "server", "ns2.example.com."),
                                 (bgp[0], "prefixId", "2")):  # fmt: skip
        assert results.result_key(dict(record, **{field: other})) != results.result_key(record)


@pytest.mark.parametrize("max_window, windows_expected", [(None, 1), (6 * 3600.0, 8)])
def test_backfill_of_days_in_windows(api, clock, tmp_path, max_window, windows_expected):
    """By default one window spans the whole backlog (pagination bounds each response);
    a configured max_window_seconds still splits it."""
    start = clock.now - 2 * 86400
    api.page_size = 500
    harness = Harness(api, clock, tmp_path, start)
    harness.run(
        lambda ctx: results.collect(ctx, [AID], test_ids=[api.ids["web"]], data_types=["network"]),
        max_window_seconds=max_window,
    )
    got = Counter(keys_of(harness.events))
    assert max(got.values()) == 1
    want = set(expected(api, start, clock.now - 60, ["network"])) & {
        k for k in expected(api, start, clock.now - 60) if k[0] == api.ids["web"]
    }
    assert want <= set(got)
    windows = [
        u
        for u in api.requests
        if f"/test-results/{api.ids['web']}/network" in u and "cursor" not in u
    ]
    assert len(windows) == windows_expected


def test_kill_mid_page_then_restart(api, clock, tmp_path):
    start = clock.now - 3600
    harness = Harness(api, clock, tmp_path, start)
    api.fail_after = 25  # dies in the middle of a window, after some pages were written
    with pytest.raises(KeyboardInterrupt):
        harness.run(collect_all)
    written_before = len(harness.events)
    assert written_before > 0
    api.fail_after = None
    harness.run(collect_all)
    got = Counter(keys_of(harness.events))
    duplicates = sum(n - 1 for n in got.values())
    assert duplicates <= api.page_size  # at most the page in flight
    assert set(expected(api, start, clock.now - 60)) <= set(got)


@pytest.mark.parametrize("backend", ["file", "kvstore"])
def test_kill_mid_backfill_then_restart_with_either_store(api, clock, tmp_path, backend, request):
    """A backlog far longer than the overlap, so keys leave memory once journalled: the
    restart still skips every page written before the crash."""
    start = clock.now - 6 * 3600
    api.page_size = 20
    harness = Harness(api, clock, tmp_path, start)
    if backend == "kvstore":
        harness.store = KVStoreCheckpointStore(request.getfixturevalue("kv_service"))
    api.fail_after = 60  # a request for a next page, deep into the backfill
    with pytest.raises(KeyboardInterrupt):
        harness.run(collect_all)
    assert len(harness.events) > 10 * api.page_size
    api.fail_after = None
    harness.run(collect_all)
    got = Counter(keys_of(harness.events))
    assert max(got.values()) == 1  # the crash fell between pages: nothing repeats
    assert set(expected(api, start, clock.now - 60)) <= set(got)


def test_checkpoint_keys_are_bounded(api, clock, tmp_path):
    api.page_size = 100
    harness = Harness(api, clock, tmp_path, clock.now - 4 * 3600)
    harness.run(collect_all)
    for name in (tmp_path / "ta_thousandeyes").iterdir():
        if not name.name.endswith(".json"):
            continue
        state = json.loads(name.read_text())["state"]
        if "keys" not in state:
            continue  # the cached inventory
        # only the overlap plus one test interval of rounds is remembered
        interval = api.world.tests[name.name.split(".")[-3]].interval
        assert all(ref >= state["start"] - 300 - interval for ref in state["keys"].values())


def test_filters():
    tests = [
        {"testId": "1", "type": "agent-to-server", "labels": [{"labelId": "9", "name": "Prod"}]},
        {"testId": "2", "type": "voice"},
        {"testId": "3", "type": "http-server", "savedEvent": True},
    ]
    assert [t["testId"] for t in results.select_tests(tests, ["network"])] == ["1"]
    assert [t["testId"] for t in results.select_tests(tests, ["rtp-server"])] == ["2"]
    assert [t["testId"] for t in results.select_tests(tests, labels=["prod"])] == ["1"]
    assert [t["testId"] for t in results.select_tests(tests, test_ids=["2"])] == ["2"]
    assert results.data_types_for({"type": "voice"}) == ["rtp-server"]
    assert results.data_types_for({"type": "page-load", "networkMeasurements": False}) == [
        "page-load",
        "http-server",
    ]


def test_unknown_test_is_logged_and_others_continue(api, clock, tmp_path):
    gone = dataclasses.replace(api.world.tests[api.ids["web"]], test_id="99", name="gone",
                               test_type="api")  # fmt: skip
    api.world.tests["99"] = gone  # listed, but its results answer 404
    api.sim.faults.add("status", path="/test-results/99/", status=404)
    harness = Harness(api, clock, tmp_path, clock.now - 300)
    ctx = harness.run(collect_all)
    assert any("404" in e for e in ctx.errors)
    assert any(e[3]["testId"] == api.ids["dns"] for e in harness.events)


def test_an_upgrade_resumes_from_checkpoints_under_legacy_keys(api, clock, tmp_path):
    from ta_thousandeyes.checkpoints import legacy_checkpoint_key

    start = clock.now - 1800
    harness = Harness(api, clock, tmp_path, start)
    harness.run(collect_all)
    store = harness.store
    for key, owner in store.owners().items():  # as the release before wrote them
        state = store.load(key)
        store.delete(key)
        store.save(legacy_checkpoint_key(key), owner, state)
    clock.now += 600
    harness.run(collect_all)
    got = Counter(keys_of(harness.events))
    assert max(got.values()) == 1, "re-collected from the start point"
    assert set(expected(api, start, clock.now - 60)) <= set(got)
    assert all(legacy_checkpoint_key(key) for key in store.owners())  # all new keys again


def test_test_id_is_encoded_into_the_path(api, clock, tmp_path):
    """Issue 15 point 10: a testId from the API went into the URL path as it was."""
    web = api.world.tests[api.ids["web"]]
    api.world.tests.clear()
    api.world.tests[web.test_id] = dataclasses.replace(web, test_id="1/../../users?aid=9#x")
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    harness.run(collect_all)
    paths = [u.split("/v7", 1)[1] for u in api.requests if "/test-results/" in u]
    assert paths and all(
        p.startswith("/test-results/1%2F..%2F..%2Fusers%3Faid%3D9%23x/") for p in paths
    )
    assert not any("/users" in u.split("?")[0] for u in api.requests)


def _types_by_test(events, after=None):
    found = {}
    for event in events:
        if after is None or event[0] >= after:
            found.setdefault(event[3]["testId"], set()).add(event[3]["dataType"])
    return found


def test_tests_a_stream_covers_keep_only_what_polling_alone_gives(api, clock, tmp_path):
    """Issue 19 point 5: a stream's tests are not polled for their metric data types; path
    visualization and BGP (event-driven in the stream) still are, and tests no stream names
    are polled in full. Coverage is read once per account group and run."""
    web, a2a, bgp = api.ids["web"], api.ids["a2a"], api.ids["bgp"]
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    since = clock.now - 7200  # the stream is older than the input's start
    asked = []

    def coverage(aid):
        asked.append(aid)
        return {web: since, bgp: since}

    ctx = harness.run(lambda ctx: results.collect(ctx, [AID, AID], coverage=coverage))
    assert asked == [AID, AID]
    types_by_test = _types_by_test(harness.events)
    assert types_by_test[web] == {"path-vis"}  # network comes by the stream
    assert types_by_test[bgp] == {"bgp"}  # not streamed between announcements: polled
    assert types_by_test[a2a] == {"network", "path-vis"}  # no stream: polled as before
    assert not [u for u in api.requests if f"/test-results/{web}/network" in u]
    assert ctx.streamed_tests == 2  # test 1, in each of the two account group passes
    # The handed-over stream's checkpoint moved on without a request, to now - settle.
    key = results.checkpoint_key(ctx.owner, AID, web, "network")
    assert harness.store.load(key)["start"] == clock.now - 60


def test_hand_over_polls_up_to_the_stream_then_stops_then_resumes(api, clock, tmp_path):
    """The stream begins while the input runs: polling goes on to its change plus the margin
    (no gap: where its data begin is not documented), then stops; when the stream ends,
    polling resumes from the last covered run, reaching back by the overlap."""
    harness = Harness(api, clock, tmp_path, clock.now - 1800)
    harness.run(collect_all)  # polled as before the stream
    since = clock.now + 100  # the stream is created after this run
    handover = since + results.HANDOVER_MARGIN_SECONDS
    web = api.ids["web"]
    coverage = lambda aid: {web: since}  # noqa: E731
    for _ in range(4):
        clock.now += 300
        harness.run(lambda ctx: results.collect(ctx, [AID], coverage=coverage))
    network = sorted(e[0] for e in harness.events
                     if e[3]["testId"] == web and e[3]["dataType"] == "network")  # fmt: skip
    covered_end = handover  # polled up to the hand-over, nothing after it
    assert network and max(network) <= covered_end
    want = {results.result_key(r)
            for r in truth_results(api, web, "network", clock.now - 3000, handover)
            if r["roundId"] < handover - 60}  # fmt: skip
    got = {results.result_key(e[3]) for e in harness.events
           if e[3]["testId"] == web and e[3]["dataType"] == "network"}  # fmt: skip
    assert want <= got
    stopped = len(api.requests)
    clock.now += 300
    harness.run(lambda ctx: results.collect(ctx, [AID], coverage=coverage))
    assert not [u for u in api.requests[stopped:] if f"/test-results/{web}/network" in u]
    last_covered, before = clock.now - 60, len(harness.events)
    clock.now += 300
    harness.run(collect_all)  # the stream is gone
    resumed = [e[0] for e in harness.events[before:]
               if e[3]["testId"] == web and e[3]["dataType"] == "network"]  # fmt: skip
    assert resumed and min(resumed) >= last_covered - 300 - INTERVAL


def test_hand_over_when_no_round_can_start_before_it(api, clock, tmp_path):
    """A checkpoint just short of the hand-over with no round starting in between is handed
    over: polling up to the hand-over would ask for nothing, so it would never get there."""
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    first = harness.run(collect_all)
    web = api.ids["web"]
    key = results.checkpoint_key(first.owner, AID, web, "network")
    position = harness.store.load(key)["start"]
    assert (position // INTERVAL + 1) * INTERVAL > position + 10  # no round in between
    since = position + 10 - results.HANDOVER_MARGIN_SECONDS
    clock.now += 300
    ctx = harness.run(lambda c: results.collect(c, [AID], coverage=lambda aid: {web: since}))
    assert ctx.streamed_tests == 1
    assert harness.store.load(key)["start"] == clock.now - 60


def test_streamed_data_types_and_coverage_from_streams():
    assert results.STREAMED_DATA_TYPES == {
        "network", "http-server", "page-load", "web-transactions", "ftp-server", "dns-server",
        "dns-trace", "dnssec", "sip-server",
    }  # fmt: skip

    class Client:
        def __init__(self, answer):
            self.answer = answer
            self.calls = 0

        def send(self, method, path, body=None, aid=None):
            self.calls += 1
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    stream = {"type": "splunk-hec", "signal": "metric", "dataModelVersion": "v2",
              "testMatch": [{"id": "1", "domain": "cea"}],
              "auditOperation": {"createdDate": 1_700_000_000_000}}  # fmt: skip
    ctx = type("Ctx", (), {"client": Client([stream, dict(stream, testMatch=[])])})()
    covered = results.stream_coverage(ctx)
    assert covered("100") == {"1": 1_700_000_000.0}  # no-test stream: polled
    assert covered("100") == {"1": 1_700_000_000.0} and ctx.client.calls == 1  # cached
    from ta_thousandeyes.api_client import ApiError

    ctx.client = Client(ApiError(403, "Insufficient scope"))
    assert results.stream_coverage(ctx)("100") == {}


def test_a_run_out_of_time_resumes_where_it_stopped(api, clock, tmp_path):
    """Past the budget a run reaches only the head of the test list; the next run starts at
    the test the last one stopped on, so the tail is not left unpolled for ever."""
    harness = Harness(api, clock, tmp_path, clock.now - 600)

    def tests_polled(stop_after=None):
        first = len(api.requests)
        stop = (lambda: len(api.requests) - first >= stop_after) if stop_after else (lambda: False)
        harness.run(collect_all, stop_requested=stop)
        ids = [url.split("/test-results/")[1].split("/")[0] for url in api.requests[first:]
               if "/test-results/" in url]  # fmt: skip
        return list(dict.fromkeys(ids))

    head = tests_polled(stop_after=25)
    assert 0 < len(head) < 4, head
    stopped_on = head[-1]
    clock.now += 300
    second = tests_polled()
    assert second[0] == stopped_on, second
    assert set(second) == set(api.ids.values())  # a whole pass, wrapping round to the top
    clock.now += 300
    assert (
        tests_polled()[0] == api.truth("tests")[0]["testId"]
    )  # a completed pass starts the next at the top again


def test_label_filter_selects_the_tests_the_labels_endpoint_names(tmp_path):
    """/v7/tests names no labels (tests.yaml SimpleTest): a label filter is matched against
    /v7/labels, reading the details of the filter's labels only, and a changed filter is not
    answered from an inventory cached for another."""
    api = SimApi()
    try:
        clock = api.clock
        labels = {x.name: x for x in api.world.labels_in(AID)}
        production, edge = labels["Production"], labels["Edge"]
        assert production.ids and set(production.ids) != {t.test_id for t in api.tests()}
        harness = Harness(api, clock, tmp_path, clock.now - 300)

        def polled_tests():
            return {urlsplit(u).path.split("/")[3] for u in api.requests if "/test-results/" in u}

        harness.run(lambda ctx: results.collect(ctx, [AID], labels=["production"]))
        assert polled_tests() == set(production.ids)
        label_reads = [urlsplit(u).path for u in api.requests if "/labels" in u]
        assert label_reads == ["/v7/labels", f"/v7/labels/test/{production.label_id}"]
        assert {e[3]["testId"] for e in harness.events} <= set(production.ids)

        api.sent.clear()
        harness.run(lambda ctx: results.collect(ctx, [AID], labels=[edge.label_id]))
        assert polled_tests() == set(edge.ids)  # by id too, and not the cached Production set
        api.sent.clear()
        harness.run(lambda ctx: results.collect(ctx, [AID], labels=["Datacenter"]))
        assert polled_tests() == set()  # an agent label names no test
        assert {e[3]["testId"] for e in harness.events} <= set(production.ids + edge.ids)
    finally:
        api.stop()
