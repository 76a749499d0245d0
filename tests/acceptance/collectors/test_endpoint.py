"""Endpoint agent data through the Splunk stand-in's runner: the results of every scheduled and
dynamic endpoint test are exactly the ground truth of what the checkpoints cover (0 missing,
0 duplicates) over the first simulated hour, while one agent is uninstalled, one installed
and one disabled for half an hour; the inventory snapshots follow them; a backfill of two
days on Python 3.9; no secret anywhere."""

import os
from collections import Counter

import pytest
from splunklib.binding import HTTPError
from ta_thousandeyes.checkpoints import checkpoint_key, owner_of
from ta_thousandeyes.collectors import endpoint_results

from tests import verification
from tests.acceptance.wiring import secrets_sent_outside_regions
from tests.simulators.thousandeyes.endpoint_world import MINUTE, endpoint_world

from .conftest import APP, SCOPES, connect_device
from .helpers import (
    CONNECTION,
    assert_event_metadata,
    create_input,
    events,
    grep_secrets,
    kv_checkpoints,
    run_ok,
    summary_lines,
)
from .props import timestamp_from_raw

SCHEME = "thousandeyes_endpoint_results"
AID = "2001"
SIM_PAGE_SIZES = {"endpoint-test-results": 40, "endpoint-agents": 3}  # every list pages


@pytest.fixture
def connected(service, sim, splunk):
    """A connection granted endpoint-tests:read, as an admin adds it to [oauth] scopes."""
    return connect_device(service, sim, splunk, scopes=SCOPES + ["endpoint-tests:read"])


def _identity(record):
    return (record["testId"], record["dataType"], record["agentId"], record["roundId"])


def compare(sim, runner, service, tests, index="main", input_index="default", data_types=None):
    """(missing, duplicated, covered per data type) of the endpoint results in index (of
    data_types only, when given)."""
    have = Counter(
        _identity(e["json"]) for e in events(runner, index=index)
        if e["sourcetype"] in {endpoint_results.sourcetype_for(d)
                               for d in endpoint_results.DATA_TYPES}
    )  # fmt: skip
    states, missing, covered = kv_checkpoints(service), [], Counter()
    owner = owner_of(SCHEME, CONNECTION, input_index)
    for test in tests:
        for data_type in [d for d in test.result_kinds if d in (data_types or test.result_kinds)]:
            key = checkpoint_key(owner, AID, "endpoint", test.kind, test.test_id, data_type)
            state = states.get(key)
            assert state is not None, f"no checkpoint for {test.test_id} {data_type}"
            truth = sim.ground_truth("endpoint-results", aid=AID, start=state["floor"],
                                     end=state["start"], test_id=test.test_id,
                                     test_type=data_type)  # fmt: skip
            for record in truth:
                if record["roundId"] >= state["floor"]:
                    covered[data_type] += 1
                    identity = _identity(dict(record, dataType=data_type))
                    if not have[identity]:
                        missing.append(identity)
    return missing, verification.duplicates(have), covered


@pytest.mark.slow
def test_results_and_inventory_while_agents_come_and_go(service, connected, runner, sim, splunk):
    world = endpoint_world(sim.world)
    leaving, joining, disabled = [a for a in world.agents.values() if a.aid == AID][3:6]
    # The simulator starts at its world's origin: these three change in the first hour.
    assert sim.world.origin <= sim.clock.now() < joining.created < leaving.deleted
    results = create_input(service, SCHEME, "endpoint", account_groups=AID, start_from="3h")
    inventory = create_input(service, "thousandeyes_inventory", "inventory",
                             account_groups=AID, endpoint="1")  # fmt: skip
    snapshots = []
    for _ in range(4):  # runs at +0, +20, +40 and +60 minutes
        for stanza in (results, inventory):
            result = run_ok(runner, stanza)
            assert len(summary_lines(result)) == 1 and 'status="ok"' in summary_lines(result)[0]
        snapshots.append(sim.clock.now())
        sim.clock.advance(20 * MINUTE)
    assert sim.clock.now() > leaving.deleted and sim.clock.now() > joining.created

    tests = world.tests_in(AID, "scheduled") + world.tests_in(AID, "dynamic")
    missing, duplicates, covered = compare(sim, runner, service, tests)
    assert set(covered) == {"network", "http-server", "path-vis"}, covered
    assert not missing, f"{len(missing)} missing, e.g. {missing[:3]}"
    assert not duplicates, f"{len(duplicates)} duplicated, e.g. {list(duplicates)[:3]}"

    found = events(runner, index="main")
    network = [e["json"] for e in found if e["sourcetype"].endswith("endpoint:network")]
    rounds = {}
    for record in network:
        rounds.setdefault(record["agentId"], set()).add(record["roundId"])
        assert record["agentName"] == world.agents[record["agentId"]].name  # gone ones too
    assert max(rounds[leaving.agent_id]) < leaving.deleted
    assert min(rounds[joining.agent_id]) >= joining.created
    assert not {r for r in rounds[disabled.agent_id] if disabled.disabled[0] <= r <
                disabled.disabled[1]}  # fmt: skip
    for event in found:
        record = event["json"]
        if event["sourcetype"].startswith("cisco:thousandeyes:endpoint:"):
            assert timestamp_from_raw(event["sourcetype"], event["_raw"]) == pytest.approx(
                event["_time"], abs=1
            )
        if "dataType" in record and "testKind" in record:
            assert_event_metadata(event, endpoint_results.sourcetype_for(record["dataType"]),
                                  f"thousandeyes:endpoint:{AID}:{record['testId']}")  # fmt: skip

    agents = Counter()
    for event in found:
        if event["sourcetype"] == "cisco:thousandeyes:endpoint:agents":
            agents[(event["json"]["id"], event["_time"], event["json"]["status"])] += 1
    assert max(agents.values()) == 1  # one event per agent and snapshot

    def listed(agent, when):
        return {status for (i, t, status) in agents if i == agent.agent_id and abs(t - when) < 60}

    assert listed(joining, snapshots[0]) == set() and listed(joining, snapshots[2]) == {"enabled"}
    assert listed(leaving, snapshots[2]) == {"enabled"} and listed(leaving, snapshots[3]) == set()
    assert listed(disabled, snapshots[1]) == {"disabled"}
    assert listed(disabled, snapshots[3]) == {"enabled"}
    kinds = Counter(e["sourcetype"] for e in found)
    for kind in ("scheduled-tests", "dynamic-tests", "real-user-tests"):
        assert kinds["cisco:thousandeyes:endpoint:" + kind] > 0, kind

    secrets = sim.issued_secrets()
    assert secrets
    places = [splunk.logs_dir, runner.index_store.directory,
              os.path.join(splunk.home, "var", "kvstore"),
              os.path.join(splunk.app_dir(APP), "local")]  # fmt: skip
    assert grep_secrets(secrets, places) == []
    assert secrets_sent_outside_regions(sim, service) == []


@pytest.mark.slow
def test_backfill_of_two_days_on_python39(service, connected, make_runner, sim):
    runner = make_runner("3.9")
    test = endpoint_world(sim.world).tests_in(AID, "scheduled")[1]  # 600 s, three agents
    stanza = create_input(
        service, SCHEME, "backfill", account_groups=AID, test_ids=test.test_id,
        data_types="network", start_from="2d", index="te_endpoint",
    )  # fmt: skip
    run_ok(runner, stanza, timeout=240)
    sim.clock.advance(900)
    run_ok(runner, stanza)
    missing, duplicates, covered = compare(
        sim, runner, service, [test], index="te_endpoint", input_index="te_endpoint",
        data_types=["network"],
    )  # fmt: skip
    assert not missing and not duplicates
    assert covered["network"] >= 2 * 144 * 2  # two days of rounds, at least two agents each
    filters = [r for r in sim.request_log if r.path.endswith("/network/filter")]
    assert filters and {r.method for r in filters} == {"POST"}


def test_validation_and_the_scope_message(service, connected, runner, sim, splunk):
    with pytest.raises(HTTPError) as refusal:
        create_input(service, SCHEME, "bad", data_types="bgp")
    assert refusal.value.status == 400 and "Data types: unknown value(s) 'bgp'" in str(
        refusal.value
    )
    with pytest.raises(HTTPError) as refusal:
        create_input(service, "thousandeyes_inventory", "bad", endpoint="maybe")
    assert "Endpoint agents and tests must be 1 or 0" in str(refusal.value)
    narrow = connect_device(service, sim, splunk, name="narrow")  # without endpoint-tests:read
    assert narrow is not None
    stanza = create_input(service, SCHEME, "narrow", connection="narrow", account_groups=AID)
    result = runner.run_once(stanza)
    assert result.exit_code == 0
    errors = [line for line in result.stderr_lines if line.startswith("ERROR")]
    assert errors and all("endpoint-tests:read" in line for line in errors)
    assert 'status="partial"' in summary_lines(result)[0]
