"""Endpoint results and inventory collectors against the simulator's endpoint world."""

import json
from collections import Counter
from urllib.parse import urlsplit

import pytest
from ta_thousandeyes.collectors import endpoint_inventory, endpoint_results

from tests.simulators.thousandeyes.endpoint_world import MINUTE, endpoint_world
from tests.unit.collectors.helpers import Harness
from tests.unit.collectors.sim_api import AID, START, SimApi

SCHEME = "thousandeyes_endpoint_results"
DAY_START = START - START % 86400  # the world's origin: its endpoint agents' plan starts here


@pytest.fixture
def api():
    """22 minutes into the world's day: one endpoint agent is uninstalled at 50, one
    installed at 25 (endpoint_world.AGENT_PLAN)."""
    api = SimApi(page_size=4, start_time=DAY_START + 22 * MINUTE)
    yield api
    api.stop()


@pytest.fixture
def clock(api):
    return api.clock


def make(api, clock, tmp_path, back=600):
    return api, Harness(api, clock, tmp_path, clock.now - back, scheme=SCHEME)


def calls(api):
    """(method, path under /v7, body) of every request the add-on sent."""
    return [(m, urlsplit(u).path[len("/v7") :], b) for m, u, b in api.sent]


def endpoint(api):
    """The simulator's endpoint world: agents (in plan order) and tests of the group, the
    last scheduled one a saved event (of the first)."""
    world = endpoint_world(api.world)
    if not any(t.saved_event for t in world.tests_in(AID, "scheduled")):
        world.add_saved_event(world.tests_in(AID, "scheduled")[0])
    agents = [a for a in world.agents.values() if a.aid == AID]
    tests = {k: world.tests_in(AID, k) for k in ("scheduled", "dynamic")}
    return agents, tests


def identities(harness):
    return Counter(
        (e[3]["testId"], e[3]["dataType"], e[3]["agentId"], e[3]["roundId"])
        for e in harness.events
        if e[1].startswith("cisco:thousandeyes:endpoint:")
    )


def test_every_result_once_across_runs_while_agents_come_and_go(api, clock, tmp_path):
    api, harness = make(api, clock, tmp_path)
    agents, tests = endpoint(api)
    carol, bob = agents[4], agents[3]  # installed, uninstalled between the runs
    assert clock.now < carol.created < bob.deleted < clock.now + 1800
    run = lambda ctx: endpoint_results.collect(ctx, [AID])  # noqa: E731
    harness.run(run)
    clock.now += 1800
    harness.run(run)
    seen = identities(harness)
    assert seen and max(seen.values()) == 1
    streams = {(t, d) for t, d, _, _ in seen}
    assert streams == {(t.test_id, kind) for kind_tests in tests.values() for t in kind_tests
                       for kind in t.result_kinds if not t.saved_event}  # fmt: skip
    assert tests["scheduled"][-1].saved_event  # not the saved event
    network = [e for e in harness.events if e[3]["dataType"] == "network"]
    bobs = [e[3] for e in network if e[3]["agentId"] == bob.agent_id]
    assert bobs and {e["agentName"] for e in bobs} == {bob.name}  # named after he left
    # installed after the cached list was read: the run read the list again, once
    assert {e[3]["agentName"] for e in network if e[3]["agentId"] == carol.agent_id} == {carol.name}
    listings = [
        u  # first pages: the list is paged
        for _, u, _ in api.sent
        if urlsplit(u).path.endswith("/endpoint/agents") and "cursor=" not in u
    ]
    assert len(listings) == 2
    first = network[0]
    assert list(first[3])[:6] == ["roundId", "testName", "testType", "testKind", "dataType",
                                  "agentName"]  # fmt: skip
    assert first[0] == first[3]["roundId"] and first[1] == "cisco:thousandeyes:endpoint:network"
    kinds = {e[3]["testId"]: e[3]["testKind"] for e in network}
    assert kinds == {t.test_id: k for k, kind_tests in tests.items() for t in kind_tests
                     if not t.saved_event}  # fmt: skip
    dynamic = tests["dynamic"][0].test_id
    assert {e[3]["testType"] for e in network if e[3]["testId"] == dynamic} == {"agent-to-server"}


def test_network_filter_pages_carry_one_body_and_others_are_gets(api, clock, tmp_path):
    api, harness = make(api, clock, tmp_path)
    first = endpoint(api)[1]["scheduled"][0].test_id
    harness.run(lambda ctx: endpoint_results.collect(ctx, [AID], test_ids=[first]))
    filters = [(m, b) for m, p, b in calls(api) if p.endswith("/network/filter")]
    assert len(filters) > 2  # several pages
    assert {m for m, _ in filters} == {"POST"}
    assert {b for _, b in filters} == {b'{"searchSort":[{"sort":"round-id","order":"asc"}]}'}
    path_vis = [m for m, p, _ in calls(api) if p.endswith("/path-vis")]
    assert path_vis and set(path_vis) == {"GET"}


def test_filters_choose_kinds_and_data_types(api, clock, tmp_path):
    api, harness = make(api, clock, tmp_path)
    harness.run(lambda ctx: endpoint_results.collect(ctx, [AID], test_kinds=["dynamic"],
                                                     data_types=["network"]))  # fmt: skip
    dynamic = endpoint(api)[1]["dynamic"]
    assert {(t, d) for t, d, _, _ in identities(harness)} == {
        (t.test_id, "network") for t in dynamic
    }


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


def test_endpoint_inventory_snapshot(api, clock, tmp_path):
    api, harness = make(api, clock, tmp_path)
    agents, tests = endpoint(api)
    clock.now = agents[3].deleted + 10  # uninstalled: not in the snapshot
    harness.run(lambda ctx: endpoint_inventory.collect(ctx, [AID], float(int(clock.now))))
    kinds = Counter(e[1].rsplit(":", 1)[1] for e in harness.events)
    listed = api.truth("endpoint-agents")
    assert agents[3].agent_id not in {a["id"] for a in listed}
    assert kinds == {"agents": len(listed), "scheduled-tests": len(tests["scheduled"]),
                     "dynamic-tests": len(tests["dynamic"]),
                     "real-user-tests": len(api.truth("real-user-tests"))}  # fmt: skip
    agent = next(e[3] for e in harness.events if e[1].endswith(":agents"))
    assert list(agent)[:2] == ["snapshotTime", "aid"] and agent["name"] == listed[0]["name"]
