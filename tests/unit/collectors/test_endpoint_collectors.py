"""Endpoint results and inventory collectors against a small in-memory endpoint API."""

import json
from collections import Counter
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

from ta_thousandeyes.collectors import endpoint_inventory, endpoint_results

from tests.unit.collectors.fake_api import epoch_of
from tests.unit.collectors.helpers import Harness

SCHEME = "thousandeyes_endpoint_results"


class FakeEndpointApi:
    """Rounds every 60 s per (test, agent present at that round); pages of page_size."""

    base_url = "https://api.example.test/v7"

    def __init__(self, clock, page_size=4):
        self.clock, self.page_size = clock, page_size
        self.tests = [
            {"testId": "7", "testName": "a2s", "type": "agent-to-server", "interval": 60},
            {"testId": "8", "testName": "web", "type": "http-server", "interval": 60},
            {"testId": "9", "testName": "old", "type": "http-server", "isSavedEvent": True},
        ]
        self.dynamic = [{"testId": "20", "testName": "webex", "interval": 60}]
        # id -> (name, installed at, uninstalled at or None)
        self.agents = {"a1": ("alice", 0, None), "a2": ("bob", 0, None)}
        self.requests = []  # (method, path, body)

    def session(self):
        return SimpleNamespace(get=self.get, post=self.post, close=lambda: None)

    def get(self, url, headers=None):
        return self.post(url, None, headers)

    def post(self, url, body, headers=None):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path[len("/v7") :]
        self.requests.append(("GET" if body is None else "POST", path, body))
        if path == "/endpoint/tests/scheduled-tests":
            return self.reply({"tests": self.tests})
        if path == "/endpoint/tests/dynamic-tests/agent-to-server":
            return self.reply({"tests": self.dynamic})
        if path == "/endpoint/agents":
            gone = query.get("includeDeleted") == "true"
            agents = [
                {"id": i, "name": n} for i, (n, start, end) in self.agents.items()
                if start <= self.clock.now and (gone or end is None or end > self.clock.now)
            ]  # fmt: skip
            return self.reply({"agents": agents})
        if path == "/endpoint/tests/real-user-tests":
            return self.reply({"realUserTests": [{"profileId": "p1", "name": "Office"}]})
        test_id = path.split("/")[4]
        start, end = epoch_of(query["startDate"]), epoch_of(query["endDate"])
        records = [
            {"aid": "100", "testId": test_id, "agentId": agent, "roundId": r, "loss": 0}
            for r in range(int(start // 60) * 60, int(min(end, self.clock.now)) + 1, 60)
            for agent, (_, installed, gone) in sorted(self.agents.items())
            if installed <= r and (gone is None or r < gone)
        ]
        offset = int(query.get("cursor", "0"))
        page = {"results": records[offset : offset + self.page_size], "_links": {}}
        if offset + self.page_size < len(records):
            nxt = dict(query, cursor=str(offset + self.page_size))
            page["_links"]["next"] = {"href": f"{self.base_url}{path}?{urlencode(nxt)}"}
        return self.reply(page)

    def reply(self, body):
        return SimpleNamespace(status_code=200, content=json.dumps(body).encode(), reason="",
                               headers={})  # fmt: skip


def make(clock, tmp_path, back=600):
    api = FakeEndpointApi(clock)
    return api, Harness(api, clock, tmp_path, clock.now - back, scheme=SCHEME)


def identities(harness):
    return Counter(
        (e[3]["testId"], e[3]["dataType"], e[3]["agentId"], e[3]["roundId"])
        for e in harness.events
        if e[1].startswith("cisco:thousandeyes:endpoint:")
    )


def test_every_result_once_across_runs_while_agents_come_and_go(clock, tmp_path):
    api, harness = make(clock, tmp_path)
    api.agents["a3"] = ("carol", clock.now + 200, None)  # installed between the runs
    api.agents["a2"] = ("bob", 0, clock.now + 100)  # uninstalled between the runs
    run = lambda ctx: endpoint_results.collect(ctx, ["100"])  # noqa: E731
    harness.run(run)
    clock.now += 400
    harness.run(run)
    seen = identities(harness)
    assert seen and max(seen.values()) == 1
    streams = {(t, d) for t, d, _, _ in seen}
    assert streams == {("7", "network"), ("7", "path-vis"), ("8", "http-server"),
                       ("8", "network"), ("8", "path-vis"), ("20", "network"),
                       ("20", "path-vis")}  # fmt: skip  # not the saved event 9
    network = [e for e in harness.events if e[3]["dataType"] == "network"]
    bob = [e[3] for e in network if e[3]["agentId"] == "a2"]
    assert bob and {e["agentName"] for e in bob} == {"bob"}  # named after he left
    # installed after the cached list was read: the run read the list again, once
    assert {e[3]["agentName"] for e in network if e[3]["agentId"] == "a3"} == {"carol"}
    listings = [p for m, p, _ in api.requests if p == "/endpoint/agents"]
    assert len(listings) == 2
    first = network[0]
    assert list(first[3])[:6] == ["roundId", "testName", "testType", "testKind", "dataType",
                                  "agentName"]  # fmt: skip
    assert first[0] == first[3]["roundId"] and first[1] == "cisco:thousandeyes:endpoint:network"
    kinds = {e[3]["testId"]: e[3]["testKind"] for e in network}
    assert kinds == {"7": "scheduled", "8": "scheduled", "20": "dynamic"}
    assert {e[3]["testType"] for e in network if e[3]["testId"] == "20"} == {"agent-to-server"}


def test_network_filter_pages_carry_one_body_and_others_are_gets(clock, tmp_path):
    api, harness = make(clock, tmp_path)
    harness.run(lambda ctx: endpoint_results.collect(ctx, ["100"], test_ids=["7"]))
    filters = [(m, b) for m, p, b in api.requests if p.endswith("/network/filter")]
    assert len(filters) > 2  # several pages
    assert {m for m, _ in filters} == {"POST"}
    assert {b for _, b in filters} == {b'{"searchSort":[{"sort":"round-id","order":"asc"}]}'}
    path_vis = [m for m, p, _ in api.requests if p.endswith("/path-vis")]
    assert path_vis and set(path_vis) == {"GET"}


def test_filters_choose_kinds_and_data_types(clock, tmp_path):
    api, harness = make(clock, tmp_path)
    harness.run(lambda ctx: endpoint_results.collect(ctx, ["100"], test_kinds=["dynamic"],
                                                     data_types=["network"]))  # fmt: skip
    assert {(t, d) for t, d, _, _ in identities(harness)} == {("20", "network")}


def test_converter_without_raw_text_and_a_record_missing_ids():
    test = {"testId": "7", "testName": "a2s", "type": "agent-to-server", "testKind": "scheduled"}
    convert = endpoint_results.EndpointConverter(test, "network", "100", {"a1": "alice"})
    [(key, ref, epoch, text)] = convert({"agentId": "a1", "roundId": 120, "loss": 1})
    event = json.loads(text)
    assert key == "7|a1|120" and ref == epoch == 120
    assert event["testId"] == "7" and event["aid"] == "100" and event["agentName"] == "alice"
    assert convert({"agentId": "a1", "roundId": "120"}) == []  # no round id: no event
    assert endpoint_results.data_types_for({"type": "http-server", "networkMeasurements": False}) \
        == ["http-server"]  # fmt: skip


def test_endpoint_inventory_snapshot(clock, tmp_path):
    api, harness = make(clock, tmp_path)
    api.agents["a2"] = ("bob", 0, clock.now - 10)  # uninstalled: not in the snapshot
    harness.run(lambda ctx: endpoint_inventory.collect(ctx, ["100"], float(int(clock.now))))
    kinds = Counter(e[1].rsplit(":", 1)[1] for e in harness.events)
    assert kinds == {"agents": 1, "scheduled-tests": 3, "dynamic-tests": 1, "real-user-tests": 1}
    agent = next(e[3] for e in harness.events if e[1].endswith(":agents"))
    assert list(agent)[:2] == ["snapshotTime", "aid"] and agent["name"] == "alice"
