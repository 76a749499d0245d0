"""The input's anchor: start_from is resolved at the first run, saved before any request, and
every later run (after a kill, a deadline, an edit) starts its new streams from it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from ta_thousandeyes.checkpoints import FileCheckpointStore, checkpoint_key, owner_of
from ta_thousandeyes.modinputs import arguments, start_anchor

from tests.simulators.thousandeyes.timefmt import iso
from tests.unit.collectors.sim_api import AID, SimApi
from tests.unit.collectors.test_modinputs import run_input

OWNER = owner_of("thousandeyes_alerts", "prod", "te")
T0 = 1_700_000_000.0


def _store(tmp_path):
    return FileCheckpointStore(str(tmp_path / "cp"))


def test_decided_once_and_saved(tmp_path):
    store = _store(tmp_path)
    assert start_anchor.input_start(store, OWNER, "s://a", "1h", T0) == T0 - 3600
    saved = store.load(start_anchor.anchor_key(OWNER, "s://a"))
    assert saved["anchor"] == T0 - 3600 and saved["start_from"] == "1h"
    assert "start" not in saved  # never read as a stream
    # Later runs (the first one killed or stopped by its deadline) keep it.
    assert start_anchor.input_start(_store(tmp_path), OWNER, "s://a", "1h", T0 + 900) == T0 - 3600
    # Empty and missing mean the default, 1h: the same anchor.
    assert start_anchor.input_start(store, OWNER, "s://a", None, T0 + 1800) == T0 - 3600


def test_an_edit_decides_a_new_anchor_and_each_input_has_its_own(tmp_path):
    store = _store(tmp_path)
    start_anchor.input_start(store, OWNER, "s://a", "1h", T0)
    assert start_anchor.input_start(store, OWNER, "s://a", "2h", T0 + 600) == T0 + 600 - 7200
    assert start_anchor.input_start(store, OWNER, "s://a", "2h", T0 + 1200) == T0 + 600 - 7200
    # Another input with the same owner (same connection and index) decides its own.
    assert start_anchor.input_start(store, OWNER, "s://b", "1h", T0 + 600) == T0 + 600 - 3600


def test_a_date_keeps_working_after_ninety_days_but_never_reaches_past_them(tmp_path):
    store = _store(tmp_path)
    day = 86400
    assert start_anchor.input_start(store, OWNER, "s://a", "2023-11-01", T0) == 1698796800.0
    with pytest.raises(arguments.ArgumentError):
        arguments.parse_start("2023-11-01", T0 + 100 * day)  # what every run used to do
    later = start_anchor.input_start(store, OWNER, "s://a", "2023-11-01", T0 + 100 * day)
    assert later == T0 + 100 * day - arguments.MAX_BACKFILL_SECONDS


def test_the_anchor_key_is_no_stream_key_and_is_pruned_with_its_input(tmp_path):
    store = _store(tmp_path)
    start_anchor.input_start(store, OWNER, "s://a", "1h", T0)
    key = start_anchor.anchor_key(OWNER, "s://a")
    assert key not in {checkpoint_key(OWNER, "anchor", "s://a"), checkpoint_key(OWNER, "s://a")}
    assert store.owners() == {key: OWNER}
    assert store.prune([owner_of("thousandeyes_alerts", "other", "te")]) == [key]


def _start_dates(api, path):
    found = []
    for url in api.requests:
        parts = urlsplit(url)
        if parts.path.endswith(path):
            found.append(parse_qs(parts.query)["startDate"][0])
    return found


@pytest.fixture
def api():
    api = SimApi()
    yield api
    api.stop()


@pytest.fixture
def clock(api):
    return api.clock


def test_a_killed_first_run_does_not_move_where_streams_start(monkeypatch, tmp_path, api, clock):
    """The first run dies at its first request (nothing saved); the next run, ten minutes
    later, still asks from the first run's start - 1h."""
    first_run = clock.now
    api.fail_after = 0
    with pytest.raises(KeyboardInterrupt):
        run_input(monkeypatch, tmp_path, clock, api)
    assert len(api.requests) == 1
    clock.now += 600
    api.fail_after = None
    code, _ = run_input(monkeypatch, tmp_path, clock, api)
    assert code == 0
    assert set(_start_dates(api, "/alerts")) == {iso(first_run - 3600)}


def test_a_test_created_after_the_anchor_starts_at_its_creation(api, clock, tmp_path):
    import json

    from ta_thousandeyes.collectors import results

    from tests.unit.collectors.helpers import Harness

    api.page_size = 1000
    anchor = T0 - 3 * 3600  # an input that has run for hours
    created = T0 - 1800 + 17
    (dns,) = api.shape_tests("dns-server")
    api.world.tests[dns].created = int(created)
    Harness(api, clock, tmp_path, anchor).run(lambda ctx: results.collect(ctx, [AID]))
    assert set(_start_dates(api, f"/test-results/{dns}/dns-server")) == {iso(created)}

    # Without a creation date the stream starts at the anchor. createdDate is optional in
    # the v7 schema, but the simulator (like the real API) always sends it: the listing
    # loses it on the client's side.
    def without_created_dates(url, response):
        if urlsplit(url).path.endswith("/tests") and response.status_code == 200:
            answer = json.loads(response.content)
            for test in answer.get("tests", []):
                test.pop("createdDate", None)
            response._content = json.dumps(answer).encode("utf-8")

    api.after_receive.append(without_created_dates)
    api.sent.clear()
    Harness(api, clock, tmp_path / "other", anchor).run(lambda ctx: results.collect(ctx, [AID]))
    assert set(_start_dates(api, f"/test-results/{dns}/dns-server")) == {iso(anchor)}
