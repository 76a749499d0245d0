from collections import Counter

import pytest
from ta_thousandeyes.checkpoints import KVStoreCheckpointStore
from ta_thousandeyes.collectors import test_results

from tests.unit.collectors.fake_api import FakeApi
from tests.unit.collectors.helpers import Harness


def keys_of(events):
    return [(e[3]["testId"], e[3]["dataType"], test_results.result_key(e[3])) for e in events]


def expected(api, start, end, wanted=None):
    out = []
    for test in api.tests:
        for data_type in test_results.data_types_for(test, wanted):
            for r in api.ground_truth_results(test["testId"], data_type, start, end):
                out.append((test["testId"], data_type, test_results.result_key(r)))
    return out


@pytest.fixture
def api(clock):
    clock.now = 1_700_000_000.0
    return FakeApi(clock)


def collect_all(ctx):
    test_results.collect(ctx, ["100"])


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
    assert all(e[0] >= start - api.interval for e in harness.events)


def test_event_fields_time_and_enrichment(api, clock, tmp_path):
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    harness.run(collect_all)
    ev = next(e for e in harness.events if e[3]["testId"] == "1" and e[3]["dataType"] == "network")
    time, sourcetype, source, data, index, host = ev
    assert time == data["roundId"]
    assert sourcetype == "cisco:thousandeyes:test:network"
    assert source == "thousandeyes:test:100:1"
    assert (index, host) == ("te", "sh1")
    assert data["testName"] == "web" and data["testType"] == "agent-to-server"
    assert data["agentName"] in ("Tokyo", "Paris")
    pv = [e for e in harness.events if e[3]["dataType"] == "path-vis"]
    assert pv and all(e[1] == "cisco:thousandeyes:path-vis" for e in pv)
    bgp = [e for e in harness.events if e[3]["testType"] == "bgp"]
    assert bgp and all(e[1] == "cisco:thousandeyes:test:bgp" for e in bgp)


def test_dedup_distinguishes_direction_server_and_prefix(api, clock, tmp_path):
    harness = Harness(api, clock, tmp_path, clock.now - 300)
    harness.run(collect_all)
    a2a = [e for e in harness.events if e[3]["testId"] == "2" and e[3]["dataType"] == "network"]
    assert {e[3]["direction"] for e in a2a} == {"to-target", "from-target"}
    dns = [e for e in harness.events if e[3]["testId"] == "4"]
    assert {e[3]["server"] for e in dns} == {"ns1:53", "ns2:53"}
    assert {e[3]["dataType"] for e in dns} == {"dns-server"}  # networkMeasurements false


@pytest.mark.parametrize("max_window, windows_expected", [(None, 1), (6 * 3600.0, 8)])
def test_backfill_of_days_in_windows(api, clock, tmp_path, max_window, windows_expected):
    """By default one window spans the whole backlog (pagination bounds each response);
    a configured max_window_seconds still splits it."""
    start = clock.now - 2 * 86400
    api.page_size = 500
    harness = Harness(api, clock, tmp_path, start)
    harness.run(
        lambda ctx: test_results.collect(ctx, ["100"], test_ids=["1"], data_types=["network"]),
        max_window_seconds=max_window,
    )
    got = Counter(keys_of(harness.events))
    assert max(got.values()) == 1
    want = set(expected(api, start, clock.now - 60, ["network"])) & {
        k for k in expected(api, start, clock.now - 60) if k[0] == "1"
    }
    assert want <= set(got)
    windows = [u for u in api.requests if "/test-results/1/network" in u and "cursor" not in u]
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
        import json

        if not name.name.endswith(".json"):
            continue
        state = json.loads(name.read_text())["state"]
        if "keys" not in state:
            continue  # the cached inventory
        # only the overlap plus one test interval of rounds is remembered
        assert all(ref >= state["start"] - 300 - 60 for ref in state["keys"].values())


def test_filters():
    tests = [
        {"testId": "1", "type": "agent-to-server", "labels": [{"labelId": "9", "name": "Prod"}]},
        {"testId": "2", "type": "voice"},
        {"testId": "3", "type": "http-server", "savedEvent": True},
    ]
    assert [t["testId"] for t in test_results.select_tests(tests, ["network"])] == ["1"]
    assert [t["testId"] for t in test_results.select_tests(tests, ["rtp-server"])] == ["2"]
    assert [t["testId"] for t in test_results.select_tests(tests, labels=["prod"])] == ["1"]
    assert [t["testId"] for t in test_results.select_tests(tests, test_ids=["2"])] == ["2"]
    assert test_results.data_types_for({"type": "voice"}) == ["rtp-server"]
    assert test_results.data_types_for({"type": "page-load", "networkMeasurements": False}) == [
        "page-load",
        "http-server",
    ]


def test_unknown_test_is_logged_and_others_continue(api, clock, tmp_path):
    api.tests.append({"testId": "99", "testName": "gone", "type": "api", "interval": 60})
    original = api.route

    def route(path, query):
        if path.startswith("/test-results/99/"):
            return None
        return original(path, query)

    api.route = route
    harness = Harness(api, clock, tmp_path, clock.now - 300)
    ctx = harness.run(collect_all)
    assert any("404" in e for e in ctx.errors)
    assert any(e[3]["testId"] == "4" for e in harness.events)


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
    api.tests = [dict(api.tests[0], testId="1/../../users?aid=9#x")]
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    harness.run(collect_all)
    paths = [u.split("/v7", 1)[1] for u in api.requests if "/test-results/" in u]
    assert paths and all(
        p.startswith("/test-results/1%2F..%2F..%2Fusers%3Faid%3D9%23x/") for p in paths
    )
    assert not any("/users" in u.split("?")[0] for u in api.requests)


def test_tests_a_stream_covers_keep_only_what_polling_alone_gives(api, clock, tmp_path):
    """Issue 19 point 5: a stream's tests are not polled for their metric data types; path
    visualization (not streamed) still is, and tests no stream names are polled in full."""
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    asked = []

    def coverage(aid):
        asked.append(aid)
        return {"1", "3"}, False

    harness.run(lambda ctx: test_results.collect(ctx, ["100"], coverage=coverage))
    types_by_test = {}
    for event in harness.events:
        types_by_test.setdefault(event[3]["testId"], set()).add(event[3]["dataType"])
    assert asked == ["100"]
    assert types_by_test["1"] == {"path-vis"}  # network comes by the stream
    assert "3" not in types_by_test  # bgp: all of it is streamed
    assert types_by_test["2"] == {"network", "path-vis"}  # no stream: polled as before


def test_streamed_data_types_and_coverage_from_streams():
    a2s = {"testId": "1", "type": "agent-to-server"}
    http = {"testId": "4", "type": "http-server"}
    assert test_results.data_types_for(a2s, streamed=True) == ["path-vis"]
    assert test_results.data_types_for(http, streamed=True) == ["path-vis"]
    assert test_results.data_types_for({"type": "api"}, streamed=True) == ["api"]
    assert test_results.data_types_for({"type": "voice"}, streamed=True) == ["rtp-server"]

    class Client:
        def __init__(self, answer):
            self.answer = answer

        def send(self, method, path, body=None, aid=None):
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    stream = {"type": "splunk-hec", "signal": "metric", "dataModelVersion": "v2",
              "testMatch": [{"id": "1", "domain": "cea"}]}  # fmt: skip
    ctx = type("Ctx", (), {"client": Client([stream, dict(stream, testMatch=[])])})()
    assert test_results.stream_coverage(ctx)("100") == ({"1"}, False)  # no-test stream: polled
    from ta_thousandeyes.api_client import ApiError

    ctx.client = Client(ApiError(403, "Insufficient scope"))
    assert test_results.stream_coverage(ctx)("100") == (set(), False)
