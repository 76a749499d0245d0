"""A record the API sent as bytes strict JSON refuses (a raw control character, bytes that are
not UTF-8) neither stalls its stream nor costs the page's good records."""

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from ta_thousandeyes.api_client import ApiUnavailable
from ta_thousandeyes.collectors import results
from ta_thousandeyes.json_spans import salvage_body

from tests.unit.collectors.helpers import Harness
from tests.unit.collectors.sim_api import AID, SimApi
from tests.unit.collectors.stub_server import Reply
from tests.unit.collectors.test_api_client import make_client

BAD_PAGE = (
    b'{"results":[{"n":1,"name":"ok"},{"n":2,"name":"tab\x09bell\x07"},'
    b'{"n":3,"name":"caf\xe9"},{"n":4,"name":tru},{"n":5}],'
    b'"_links":{"next":{"href":"/v7/x?cursor=p2"}}}'
)


def test_salvage_keeps_repairs_and_leaves_out_records():
    body, raw, damage = salvage_body(BAD_PAGE, "results")
    assert [r["n"] for r in body["results"]] == [1, 2, 3, 5]
    assert body["results"][1]["name"] == "tab\tbell\x07"
    assert body["results"][2]["name"] == "caf\ufffd"
    assert [json.loads(text, strict=False) for text in raw] == body["results"]
    assert [p for p, _ in damage.repaired] == [1, 2]
    assert damage.unreadable == [(3, "not valid JSON")]
    assert body["_links"]["next"]["href"] == "/v7/x?cursor=p2"


@pytest.mark.parametrize(
    "content",
    [
        BAD_PAGE[:-30],  # cut off: the next link is unknown
        b'{"results":[{"n":1}],"_links":{"next":tru}}',  # broken outside the records
        b'{"results":[{"n":"\x01"}]} trailing',
    ],
)
def test_bodies_that_cannot_be_salvaged_raise(content):
    with pytest.raises(ValueError):
        salvage_body(content, "results")


def test_the_same_refused_body_twice_is_salvaged(stub, session, tokens, clock):
    stub.replies = [Reply(body=BAD_PAGE), Reply(body=BAD_PAGE)]
    stub.fallback = lambda path: Reply(body={"results": [{"n": 6}]})
    client = make_client(stub, session, tokens, clock)
    pages = list(client.pages("/x", items_key="results"))
    assert [[r["n"] for r in p.items] for p in pages] == [[1, 2, 3, 5], [6]]
    assert len(stub.seen) == 3  # one retry, in case the body was damaged on the way
    assert pages[0].damage is not None and pages[1].damage is None
    stats = client.stats.as_dict()
    assert (stats["records_repaired"], stats["records_unreadable"]) == (2, 1)
    assert stats["records"] == 5


def test_retries_running_out_salvage_what_they_got(stub, session, tokens, clock):
    bodies = iter([BAD_PAGE.replace(b"tab", b"t%d" % i) for i in range(10)])
    stub.fallback = lambda path: Reply(body=next(bodies))
    client = make_client(stub, session, tokens, clock, max_attempts=3)
    first = next(client.pages("/x", items_key="results"))
    assert [r["n"] for r in first.items] == [1, 2, 3, 5]
    assert len(stub.seen) == 3


def test_a_body_cut_off_every_time_still_stops_the_stream(stub, session, tokens, clock):
    stub.fallback = lambda path: Reply(body=BAD_PAGE[:-30])
    client = make_client(stub, session, tokens, clock, max_attempts=3)
    with pytest.raises(ApiUnavailable):
        list(client.pages("/x", items_key="results"))


def test_collector_moves_past_a_bad_record_and_says_where(tmp_path, caplog):
    api = SimApi()
    (web,) = api.shape_tests("agent-to-server", interval=60)
    clock = api.clock
    damaged = []

    def damage_second_page(method, url):
        if f"/test-results/{web}/network" in url and "cursor=" in url and not damaged:
            # the page's second record carries a raw escape character (JSON forbids it), in
            # the answer and in the answer to the client's retry: the API's data, not damage
            # on the way
            damaged.append(parse_qs(urlsplit(url).query)["cursor"][0])
            api.sim.faults.add("bad_record", path=f"/test-results/{web}/network", count=2,
                               bad="control", record=1)  # fmt: skip

    api.before_send.append(damage_second_page)
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    run_at = clock.now
    try:
        with caplog.at_level(logging.WARNING, logger="ta_thousandeyes"):
            ctx = harness.run(lambda ctx: results.collect(ctx, [AID], ["network"]))
        truth = [r for r in api.truth("test-results", clock.now - 600, clock.now - 60,
                                      test_id=web, test_type="network")
                 if r["roundId"] >= clock.now - 600]  # fmt: skip
    finally:
        api.stop()
    network = [e[3] for e in harness.events if e[3]["dataType"] == "network"]
    assert sorted(r["roundId"] for r in network) == sorted(r["roundId"] for r in truth)
    assert damaged and any(r["date"].startswith("\x1b") for r in network)
    assert ctx.client.stats.records_repaired == 1
    lines = [r.getMessage() for r in caplog.records if "not valid JSON" in r.getMessage()]
    assert len(lines) == 1, lines
    assert f"test {web} (network) of account group {AID}" in lines[0]
    assert f"cursor {damaged[0][:200]}" in lines[0]
    assert "window 2023-11-14T22:03:20Z to " in lines[0]
    # the next run starts after this window: the stream did not stall on the page
    states = [harness.store.load(key) for key in harness.store.owners()]
    streams = [state for state in states if "start" in state]  # not the cached inventory
    assert streams and all(state["start"] >= run_at - 60 for state in streams)
