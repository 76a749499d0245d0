"""v7 behaviour: scopes, aid scoping, time parameters, pagination against ground truth."""

from __future__ import annotations

import pytest

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.timefmt import iso

from .helpers import api_get, device_login, follow_pages


@pytest.fixture
def paged_sim():
    sizes = {"test-results": 50, "alerts": 5, "events": 2, "audit-user-events": 10}
    with ThousandEyesSimulator(seed=3, size="small", page_sizes=sizes) as sim:
        yield sim


def test_scope_enforced_per_endpoint(te_sim):
    token = device_login(te_sim, scope="tests:read")["access_token"]
    assert api_get(te_sim, token, "/tests").status_code == 200
    denied = api_get(te_sim, token, "/alerts")
    assert denied.status_code == 403
    assert denied.headers["Content-Type"] == "application/problem+json"
    assert denied.json()["status"] == 403 and "alerts:read" in denied.json()["detail"]
    assert api_get(te_sim, token, "/audit-user-events").status_code == 403


def test_aid_membership_and_defaults(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    groups = api_get(te_sim, token, "/account-groups").json()["accountGroups"]
    assert [g["aid"] for g in groups] == ["2001", "2002", "2003"]
    assert api_get(te_sim, token, "/tests", aid="2004").status_code == 403
    assert api_get(te_sim, token, "/tests", aid="9999").status_code == 404
    default = api_get(te_sim, token, "/tests").json()["tests"]
    assert {t["testId"] for t in default} == {t["testId"] for t in te_sim.ground_truth("tests")}
    types = {t["type"] for t in default}
    assert len(types) == 13  # every test type in the default account group


def test_time_parameter_rules(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    both = api_get(te_sim, token, "/alerts", window="1h", startDate=iso(te_sim.clock.now() - 60))
    assert both.status_code == 400 and both.json()["title"] == "Bad Request"
    assert api_get(te_sim, token, "/events").status_code == 400  # window or startDate required
    assert api_get(te_sim, token, "/events", window="12x").status_code == 400
    assert api_get(te_sim, token, "/events", window="2d").status_code == 200


def test_test_results_types_and_latest_round(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    dns = next(t for t in te_sim.world.tests_in("2001", "dns-trace"))
    wrong = api_get(te_sim, token, f"/test-results/{dns.test_id}/network")
    assert wrong.status_code == 400
    assert api_get(te_sim, token, f"/test-results/{dns.test_id}/nonsense").status_code == 404
    assert api_get(te_sim, token, "/test-results/424242/network").status_code == 404
    latest = api_get(te_sim, token, f"/test-results/{dns.test_id}/dns-trace").json()
    round_ids = {r["roundId"] for r in latest["results"]}
    assert len(round_ids) == 1
    assert len(latest["results"]) == len(dns.agent_ids)


def test_results_pages_match_ground_truth(paged_sim):
    sim = paged_sim
    token = sim.create_api_token("admin@example.com")
    test = sim.world.tests_in("2001", "agent-to-agent")[0]
    start, end = int(sim.clock.now() - 6 * 3600), int(sim.clock.now())
    got = follow_pages(
        sim, token, f"/test-results/{test.test_id}/network", "results",
        startDate=iso(start), endDate=iso(end),
    )  # fmt: skip
    truth = sim.ground_truth(
        "test-results", aid="2001", start=start, end=end,
        test_id=test.test_id, test_type="network", region="us1",
    )  # fmt: skip
    assert got == truth and len(got) > 50
    assert {r["direction"] for r in got} == {"to-target", "from-target"}


def test_window_is_frozen_across_pages(paged_sim):
    sim = paged_sim
    token = sim.create_api_token("admin@example.com")
    test = sim.world.tests_in("2001", "agent-to-server")[0]
    first = api_get(sim, token, f"/test-results/{test.test_id}/network", window="3h").json()
    sim.clock.advance(3600)
    second = api_get(sim, token, first["_links"]["next"]["href"]).json()
    assert second["startDate"] == first["startDate"] and second["endDate"] == first["endDate"]


def test_alert_state_semantics_match_ground_truth(paged_sim):
    sim = paged_sim
    token = sim.create_api_token("admin@example.com")
    start, end = int(sim.clock.now() - 3 * 86400), int(sim.clock.now())
    window = {"startDate": iso(start), "endDate": iso(end)}
    cleared = follow_pages(sim, token, "/alerts", "alerts", state="clear", **window)
    assert cleared and all(a["alertState"] == "clear" and "endDate" in a for a in cleared)
    assert cleared == sim.ground_truth("alerts", start=start, end=end, state="clear", region="us1")
    active = follow_pages(sim, token, "/alerts", "alerts")  # default: trigger, last 90 days
    assert all(a["alertState"] == "trigger" and "endDate" not in a for a in active)
    assert active == sim.ground_truth("alerts", state="trigger", region="us1")
    capped = api_get(sim, token, "/alerts", state="clear", max="2", **window).json()
    assert len(capped["alerts"]) == 2 and "next" in capped["_links"]


def test_events_and_activity_pages(paged_sim):
    sim = paged_sim
    token = sim.create_api_token("admin@example.com")
    start, end = int(sim.clock.now() - 7 * 86400), int(sim.clock.now())
    window = {"startDate": iso(start), "endDate": iso(end)}
    events = follow_pages(sim, token, "/events", "events", **window)
    assert events and events == sim.ground_truth("events", start=start, end=end, region="us1")
    activity = follow_pages(
        sim, token, "/audit-user-events", "auditEvents", useAllPermittedAids="true", **window
    )
    assert {a["aid"] for a in activity} == {"2001", "2002", "2003"}
    only_default = follow_pages(sim, token, "/audit-user-events", "auditEvents", **window)
    assert only_default == sim.ground_truth("activity", start=start, end=end)


def test_unauthorized_bodies(te_sim):
    missing = api_get(te_sim, "", "/tests")
    assert missing.status_code == 401 and missing.json()["error"] == "invalid_token"
    bogus = api_get(te_sim, "not-a-token", "/tests")
    assert bogus.json() == {"error": "invalid_token", "error_description": "Invalid access token"}


def test_request_log_and_secrets(te_sim):
    tokens = device_login(te_sim)
    api_get(te_sim, tokens["access_token"], "/tests", aid="2002")
    record = [r for r in te_sim.request_log if r.path == "/v7/tests"][-1]
    assert record.method == "GET" and record.query == {"aid": "2002"} and record.status == 200
    assert record.client_id == te_sim.default_client_id and record.token_id.startswith("at_")
    assert record.region == "us1"
    token_calls = [r for r in te_sim.request_log if r.path == "/v7/oauth2/token"]
    assert token_calls and all(r.client_id == te_sim.default_client_id for r in token_calls)
    secrets = te_sim.issued_secrets()
    assert {tokens["access_token"], tokens["refresh_token"]} <= secrets


def test_streams_create_list_and_limit(te_sim):
    import requests

    te_sim.ctx.streams.endpoint_check = False  # hec.example does not exist
    token = device_login(te_sim)["access_token"]
    url = te_sim.region_urls("us1")["api_base_url"] + "/streams"
    headers = {"Authorization": f"Bearer {token}"}
    bad = requests.post(url, json={"type": "splunk-hec", "streamEndpointUrl": "https://h:8088"},
                        headers=headers, timeout=10)  # fmt: skip
    assert bad.status_code == 400
    body = {
        "type": "splunk-hec", "signal": "metric", "endpointType": "http",
        "streamEndpointUrl": "https://hec.example:8088/services/collector/event",
        "exporterConfig": {"splunkHec": {"token": "abc", "index": "te"}},
    }  # fmt: skip
    for _ in range(10):
        assert requests.post(url, json=body, headers=headers, timeout=10).status_code == 201
    eleventh = requests.post(url, json=body, headers=headers, timeout=10)
    assert eleventh.status_code == 412
    listed = requests.get(url, headers=headers, timeout=10).json()
    assert isinstance(listed, list) and len(listed) == 10
