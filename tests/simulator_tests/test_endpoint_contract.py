"""/v7/endpoint/...: every answer validates against the SDK 6.0.0 endpoint models made strict
(at every depth), the POST …/filter pages keep their body, agents come and go, and the
official SDK's own paginated helpers read it all.

Sources: shared/reference/thousandeyes-streams-endpoint.md section 2 (SDK endpoint-agents,
-endpoint-tests, -endpoint-test-results 6.0.0).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests
from thousandeyes_sdk.core import ApiClient, Configuration
from thousandeyes_sdk.endpoint_agents.models import ListEndpointAgentsResponse
from thousandeyes_sdk.endpoint_test_results import (
    NetworkDynamicEndpointTestResultsApi,
    NetworkEndpointScheduledTestResultsApi,
)
from thousandeyes_sdk.endpoint_test_results import models as result_models
from thousandeyes_sdk.endpoint_tests import models as test_models

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.endpoint_world import MINUTE, endpoint_world

from .helpers import api_get, device_login
from .strict_models import strict_parse

AID = "2001"
RESULT_MODELS = {  # (test kind, data, POST filter) -> model
    ("scheduled", "network", True): result_models.NetworkEndpointTestResults,
    ("dynamic", "network", True): result_models.NetworkDynamicEndpointTestResults,
    ("scheduled", "http-server", False): result_models.HttpEndpointTestResults,
    ("scheduled", "http-server", True): result_models.HttpMultiEndpointTestResults,
    ("scheduled", "path-vis", False): result_models.PathVisEndpointTestResults,
    ("dynamic", "path-vis", False): result_models.PathVisDynamicEndpointTestResults,
}
TEST_LISTS = {
    "/endpoint/tests/scheduled-tests": test_models.EndpointTests,
    "/endpoint/tests/scheduled-tests/agent-to-server": test_models.EndpointAgentToServerTests,
    "/endpoint/tests/scheduled-tests/http-server": test_models.EndpointHttpServerTests,
    "/endpoint/tests/dynamic-tests/agent-to-server": test_models.DynamicTests,
}


@pytest.fixture(scope="module")
def sim():
    with ThousandEyesSimulator(seed=9, size="small", page_sizes={"endpoint-test-results": 5},
                               rate_limit_per_minute=100000,
                               client_rate_limit_per_minute=100000) as running:  # fmt: skip
        running.token = running.create_api_token("admin@example.com")
        running.clock.set_time(running.world.origin + 2 * 3600)  # every agent change is past
        yield running


def _url(sim, path):
    return sim.region_urls("us1")["api_base_url"] + path


def _get(sim, path, **params):
    answer = api_get(sim, sim.token, path, aid=AID, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _post(sim, url, body, token=None, **params):
    return requests.post(
        url if url.startswith("http") else _url(sim, url),
        json=body, params=params or None, timeout=10,
        headers={"Authorization": f"Bearer {token or sim.token}"},
    )  # fmt: skip


def _test(sim, kind, test_type="agent-to-server"):
    return endpoint_world(sim.world).tests_in(AID, kind, test_type)[0]


def test_agents_and_test_lists(sim):
    strict_parse(ListEndpointAgentsResponse, _get(sim, "/endpoint/agents"))
    strict_parse(ListEndpointAgentsResponse, _get(sim, "/endpoint/agents", includeDeleted="true"))
    for path, model in TEST_LISTS.items():
        body = _get(sim, path)
        assert body["tests"], path
        strict_parse(model, body)
    body = _get(sim, "/endpoint/tests/real-user-tests")
    assert body["realUserTests"]
    strict_parse(test_models.EndpointRealUserTestsResponse, body)


def test_a_saved_event_is_listed_as_one():
    """isSavedEvent (SDK-ET scheduled test field; shared/reference/thousandeyes-streams-
    endpoint.md section 2): a scheduled test saved as an event is listed beside the running
    ones, flagged; the world's own tests are not saved events."""
    with ThousandEyesSimulator(seed=9, size="small") as sim:
        sim.token = sim.create_api_token("admin@example.com")
        running = _get(sim, "/endpoint/tests/scheduled-tests")["tests"]
        assert running and not any(t["isSavedEvent"] for t in running)
        saved = endpoint_world(sim.world).add_saved_event(_test(sim, "scheduled"))
        body = _get(sim, "/endpoint/tests/scheduled-tests")
        strict_parse(test_models.EndpointTests, body)
        flags = {t["testId"]: t["isSavedEvent"] for t in body["tests"]}
        assert flags == dict({t["testId"]: False for t in running}, **{saved.test_id: True})
        listed = sim.ground_truth("endpoint-tests", AID, state="scheduled")
        assert {t["testId"]: t["isSavedEvent"] for t in listed} == flags


@pytest.mark.parametrize("kind, data, post", sorted(RESULT_MODELS))
def test_results_of_every_kind(sim, kind, data, post):
    test = _test(sim, kind, "http-server" if data == "http-server" else "agent-to-server")
    path = "scheduled-tests" if kind == "scheduled" else "dynamic-tests"
    url = f"/endpoint/test-results/{path}/{test.test_id}/{data}" + ("/filter" if post else "")
    if post:
        answer = _post(sim, url, {}, aid=AID, window="1h")
    else:
        answer = api_get(sim, sim.token, url, aid=AID, window="1h")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["results"] and body["_links"]["next"]
    strict_parse(RESULT_MODELS[(kind, data, post)], body)


def test_filter_pages_keep_the_body_and_match_ground_truth(sim):
    test = _test(sim, "scheduled")
    now = sim.clock.now()
    url = f"/endpoint/test-results/scheduled-tests/{test.test_id}/network/filter"
    start = datetime.fromtimestamp(now - 3600, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"searchSort": [{"sort": "round-id", "order": "asc"}]}
    answer, records = _post(sim, url, body, aid=AID, startDate=start), []
    while True:
        assert answer.status_code == 200, answer.text
        page = answer.json()
        records.extend(page["results"])
        nxt = page["_links"].get("next")
        if not nxt:
            break
        assert "startDate" not in nxt["href"]  # the cursor holds the range
        answer = _post(sim, nxt["href"], body)
    truth = sim.ground_truth("endpoint-results", aid=AID, start=now - 3600, end=now,
                             test_id=test.test_id, test_type="network", region="us1")  # fmt: skip
    assert records == truth and len(records) > 5
    assert len({(r["agentId"], r["roundId"]) for r in records}) == len(records)
    first = _post(sim, url, body, aid=AID, startDate=start).json()
    changed = _post(sim, first["_links"]["next"]["href"], {"searchFilters": {"agentId": ["x"]}})
    assert changed.status_code == 400 and "same body" in changed.json()["detail"]


def test_agent_filter_and_refusals(sim):
    test = _test(sim, "scheduled")
    agent = endpoint_world(sim.world).agents_in(AID, sim.clock.now())[0].agent_id
    url = f"/endpoint/test-results/scheduled-tests/{test.test_id}/network/filter"
    only = _post(sim, url, {"searchFilters": {"agentId": [agent]}}, aid=AID, window="1h").json()
    assert only["results"] and {r["agentId"] for r in only["results"]} == {agent}
    assert _post(sim, url, {"bogus": 1}, aid=AID).status_code == 400
    assert api_get(sim, sim.token, url, aid=AID).status_code == 405  # network has no GET
    narrow = device_login(sim, scope="tests:read offline_access")["access_token"]
    refused = _post(sim, url, {}, token=narrow, aid=AID)
    assert refused.status_code == 403 and "endpoint-tests:read" in refused.text


def test_agents_come_and_go():
    with ThousandEyesSimulator(seed=9, size="tiny", page_sizes={"endpoint-agents": 2}) as sim:
        token, world = sim.create_api_token("admin@example.com"), endpoint_world(sim.world)
        origin = sim.world.origin
        leaving, joining, disabled = [a for a in world.agents.values() if a.aid == AID][3:6]

        def listed(include_deleted="false"):
            records, url = [], "/endpoint/agents"
            params = {"aid": AID, "includeDeleted": include_deleted}
            while url:
                page = api_get(sim, token, url, **params).json()
                strict_parse(ListEndpointAgentsResponse, page)
                records.extend(page["agents"])
                url, params = page["_links"].get("next", {}).get("href"), {}
            return {a["id"]: a for a in records}

        sim.clock.set_time(origin + 20 * MINUTE)
        now = listed()
        assert leaving.agent_id in now and joining.agent_id not in now
        assert now[disabled.agent_id]["status"] == "disabled"
        sim.clock.set_time(origin + 55 * MINUTE)
        now, everyone = listed(), listed("true")
        assert leaving.agent_id not in now and joining.agent_id in now
        assert everyone[leaving.agent_id]["deleted"] is True
        assert now[disabled.agent_id]["status"] == "enabled"
        test = world.tests_in(AID, "scheduled")[0]
        truth = sim.ground_truth("endpoint-results", aid=AID, start=origin, end=origin + 3000,
                                 test_id=test.test_id, test_type="network")  # fmt: skip
        by_agent = {}
        for record in truth:
            by_agent.setdefault(record["agentId"], []).append(record["roundId"])
        assert max(by_agent[leaving.agent_id]) < leaving.deleted
        assert min(by_agent[joining.agent_id]) >= joining.created
        assert not [r for r in by_agent[disabled.agent_id] if disabled.disabled[0] <= r <
                    disabled.disabled[1]]  # fmt: skip


def test_the_official_sdk_pages_the_filter_endpoints(sim):
    config = Configuration(host=_url(sim, ""), access_token=sim.token)
    end = datetime.fromtimestamp(int(sim.clock.now()), tz=timezone.utc)
    start = end - timedelta(hours=1)
    with ApiClient(config) as client:
        for kind, api_cls, method in (
            ("scheduled", NetworkEndpointScheduledTestResultsApi,
             "filter_scheduled_test_network_results_paginated"),
            ("dynamic", NetworkDynamicEndpointTestResultsApi,
             "filter_dynamic_test_network_results_paginated"),
        ):  # fmt: skip
            test = _test(sim, kind)
            records = list(getattr(api_cls(client), method)(
                test.test_id, aid=AID, start_date=start, end_date=end))  # fmt: skip
            truth = sim.ground_truth("endpoint-results", aid=AID, start=start.timestamp(),
                                     end=end.timestamp(), test_id=test.test_id,
                                     test_type="network", region="us1")  # fmt: skip
            assert [(r.agent_id, r.round_id) for r in records] == [
                (t["agentId"], t["roundId"]) for t in truth
            ] and len(truth) > 5
