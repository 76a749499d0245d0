"""POST /v7/tests/{type}/instant and the results it links to, as the sources describe them.

Sources: shared/reference/thousandeyes-streams-endpoint.md section 3 (SDK instant-tests
6.0.0: every type but BGP, body = the type's fields plus ``agents``, 201 with the test
definition and ``_links.testResults``, no results in the answer, none returned until the
round is done: poll), the instant test models of the tests SDK 6.0.0 (strict, here), the
test-results models for what the links return, and the rate-limit page (24 a minute,
X-Instant-Test-Rate-Limit-*; ``test_rate_limits.py``).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
from thousandeyes_sdk.test_results import models as result_models
from thousandeyes_sdk.tests import models as test_models

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.rounds import PUBLISH_DELAY

from .helpers import api_get, device_login
from .strict_models import strict_parse

INSTANT_MODELS = {
    "agent-to-server": (test_models.AgentToServerInstantTest, {"server": "www.example.com:443"}),
    "http-server": (test_models.HttpServerInstantTest, {"url": "https://www.example.com/"}),
    "page-load": (test_models.PageLoadInstantTest, {"url": "https://www.example.com/"}),
    "dns-trace": (test_models.DnsTraceInstantTest, {"domain": "example.com"}),
    "dnssec": (test_models.DnsSecInstantTest, {"domain": "example.com"}),
}


@pytest.fixture(scope="module")
def sim():
    with ThousandEyesSimulator(seed=5, size="small") as s:
        yield s


@pytest.fixture(scope="module")
def token(sim):
    return sim.create_api_token("admin@example.com")


def post(sim, token, test_type, body, **params):
    return requests.post(
        sim.region_urls("us1")["api_base_url"] + f"/tests/{test_type}/instant",
        json=body,
        params=params or None,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def agents_of(sim, token, count=2):
    agents = api_get(sim, token, "/agents", aid="2001").json()["agents"]
    return [{"agentId": agent["agentId"]} for agent in agents[:count]]


@pytest.mark.parametrize("test_type", sorted(INSTANT_MODELS))
def test_answer_is_the_test_definition_with_result_links(sim, token, test_type):
    model, target = INSTANT_MODELS[test_type]
    agents = agents_of(sim, token)
    answer = post(sim, token, test_type, dict(target, testName="probe", agents=agents), aid="2001")
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Instant-Test-Rate-Limit-Limit"] == "24"
    body = answer.json()
    assert body["type"] == test_type and body["testName"] == "probe"
    assert [a["agentId"] for a in body["agents"]] == [a["agentId"] for a in agents]
    for agent in body["agents"]:
        strict_parse(test_models.SimpleAgent, agent)
    definition = {key: value for key, value in body.items() if key != "agents"}
    strict_parse(model, definition)  # the SDK's instant test model has no agents field
    assert "results" not in body and "roundId" not in body
    assert "labels" not in body and "tags" not in body
    links = [link["href"] for link in body["_links"]["testResults"]]
    assert links and all(f"/v7/test-results/{body['testId']}/" in href for href in links)


def test_results_appear_once_the_round_is_published(sim, token):
    agents = agents_of(sim, token, 3)
    created = post(
        sim, token, "agent-to-server", {"server": "api.example.net", "agents": agents}, aid="2001"
    ).json()
    hrefs = [link["href"] for link in created["_links"]["testResults"]]
    links = {href.rsplit("/", 1)[1]: href for href in hrefs}
    assert sorted(links) == ["network", "path-vis"]
    early = api_get(sim, token, links["network"], aid="2001")
    assert early.status_code == 200 and early.json()["results"] == []
    sim.clock.advance(PUBLISH_DELAY + 1)
    for kind, model in (("network", result_models.NetworkTestResults),
                        ("path-vis", result_models.PathVisTestResults)):  # fmt: skip
        page = api_get(sim, token, links[kind], aid="2001")
        assert page.status_code == 200
        body = page.json()
        strict_parse(model, body)
        results = body["results"]
        assert sorted(r["agent"]["agentId"] for r in results) == sorted(
            a["agentId"] for a in agents
        )
        assert {r["roundId"] for r in results} == {int(_epoch(created["createdDate"]))}
        assert body["test"]["testId"] == created["testId"]
    # still one round, minutes later; and it is not in the inventory
    sim.clock.advance(600)
    later = api_get(sim, token, links["network"], aid="2001", window="1h").json()["results"]
    assert len(later) == len(agents)
    listed = api_get(sim, token, "/tests", aid="2001").json()["tests"]
    assert created["testId"] not in {test["testId"] for test in listed}


def test_refusals(sim, token):
    agents = agents_of(sim, token, 1)
    bgp = post(sim, token, "bgp", {"prefix": "203.0.113.0/24", "agents": agents})
    assert bgp.status_code == 404
    no_agents = post(sim, token, "http-server", {"url": "https://example.com/"})
    assert no_agents.status_code == 400 and "agents" in no_agents.json()["detail"]
    no_target = post(sim, token, "http-server", {"agents": agents})
    assert no_target.status_code == 400 and "url" in no_target.json()["detail"]
    unknown_agent = [{"agentId": "x"}]
    foreign = post(sim, token, "http-server", {"url": "https://e.com/", "agents": unknown_agent})
    assert foreign.status_code == 400
    results_of_other_group = post(
        sim, token, "http-server", {"url": "https://e.com/", "agents": agents}, aid="2001"
    ).json()["_links"]["testResults"][0]["href"]
    assert api_get(sim, token, results_of_other_group, aid="2002").status_code == 404


def test_needs_the_tests_manage_scope(sim):
    read_only = device_login(sim, scope="tests:read")["access_token"]
    body = {"url": "https://example.com/", "agents": [{"agentId": "101"}]}
    refused = post(sim, read_only, "http-server", body)
    assert refused.status_code == 403
    assert "tests:manage" in refused.headers["WWW-Authenticate"]
    allowed = device_login(sim, scope="tests:read tests:manage")["access_token"]
    assert post(sim, allowed, "http-server", body).status_code == 201


def _epoch(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
