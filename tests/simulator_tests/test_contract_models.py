"""Every endpoint's response validates against the official SDK 6.0.0 models made strict."""

from __future__ import annotations

import pytest
from thousandeyes_sdk.administrative.models import AccountGroups, AuditUserEvents, UserDetail
from thousandeyes_sdk.agents.models import CloudEnterpriseAgents
from thousandeyes_sdk.alerts.models import Alerts
from thousandeyes_sdk.event_detection.models import Events
from thousandeyes_sdk.streaming.models import GetStreamResponse
from thousandeyes_sdk.test_results import models as result_models
from thousandeyes_sdk.tests import models as test_models

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.incidents import alert_episodes
from tests.simulators.thousandeyes.world import RESULT_KINDS

from .helpers import api_get
from .strict_models import strict_parse

RESULT_MODELS = {
    "network": result_models.NetworkTestResults,
    "path-vis": result_models.PathVisTestResults,
    "http-server": result_models.HttpTestResults,
    "page-load": result_models.PageLoadTestResults,
    "web-transactions": result_models.WebTransactionTestResults,
    "api": result_models.ApiTestResults,
    "ftp-server": result_models.FtpServerTestResults,
    "dns-trace": result_models.DnsTraceTestResults,
    "dns-server": result_models.DnsServerTestResults,
    "dnssec": result_models.DnssecTestResults,
    "sip-server": result_models.SipServerTestResults,
    "rtp-server": result_models.RtpStreamTestResults,
    "bgp": result_models.BgpTestResults,
}
TYPED_TEST_LISTS = {
    "agent-to-server": test_models.AgentToServerTests,
    "agent-to-agent": test_models.AgentToAgentTests,
    "http-server": test_models.HttpServerTests,
    "page-load": test_models.PageLoadTests,
    "web-transactions": test_models.WebTransactionTests,
    "api": test_models.ApiTests,
    "dns-server": test_models.DnsServerTests,
    "dns-trace": test_models.DnsTraceTests,
    "dnssec": test_models.DnsSecTests,
    "ftp-server": test_models.FtpServerTests,
    "sip-server": test_models.SipServerTests,
    "voice": test_models.VoiceTests,
    "bgp": test_models.BgpTests,
}


@pytest.fixture(scope="module")
def sim():
    with ThousandEyesSimulator(seed=9, size="small", rate_limit_per_minute=100000,
                               client_rate_limit_per_minute=100000) as running:  # fmt: skip
        running.token = running.create_api_token("admin@example.com")
        running.clock.set_time(_first_active_alert_start(running, "2001") + 60)
        yield running


def _first_active_alert_start(sim, aid):
    """The start of the first alert after the simulator's fixed start that is still active a
    minute later: the moment every alert state has something to show, decided by the seed."""
    now = sim.clock.now()
    starts = (
        episode.start
        for test in sim.world.tests_in(aid)
        for episode in alert_episodes(sim.world, test, now, now + 7 * 86400)
        if episode.start >= now and episode.end > episode.start + 60
    )
    return min(starts)


def _get(sim, path, **params):
    answer = api_get(sim, sim.token, path, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_inventory_endpoints(sim):
    strict_parse(UserDetail, _get(sim, "/users/current"))
    strict_parse(AccountGroups, _get(sim, "/account-groups"))
    strict_parse(test_models.Tests, _get(sim, "/tests"))
    strict_parse(CloudEnterpriseAgents, _get(sim, "/agents"))


@pytest.mark.parametrize("test_type", sorted(TYPED_TEST_LISTS))
def test_typed_test_lists(sim, test_type):
    body = _get(sim, f"/tests/{test_type}")
    assert body["tests"]
    strict_parse(TYPED_TEST_LISTS[test_type], body)


@pytest.mark.parametrize("kind", RESULT_KINDS)
def test_results_of_every_type(sim, kind):
    test = next(t for t in sim.world.tests_in("2001") if kind in t.result_kinds)
    body = _get(sim, f"/test-results/{test.test_id}/{kind}", window="2h")
    assert body["results"]
    strict_parse(RESULT_MODELS[kind], body)


def test_alerts_events_activity(sim):
    for state in ("trigger", "clear"):
        body = _get(sim, "/alerts", state=state, window="3d")
        assert body["alerts"]
        strict_parse(Alerts, body)
    body = _get(sim, "/events", window="7d")
    assert body["events"]
    strict_parse(Events, body)
    body = _get(sim, "/audit-user-events", useAllPermittedAids="true")
    assert body["auditEvents"]
    strict_parse(AuditUserEvents, body)


def test_error_bodies(sim):
    from thousandeyes_sdk.alerts.models import Error, UnauthorizedError

    strict_parse(UnauthorizedError, api_get(sim, "bad", "/alerts").json())
    strict_parse(Error, api_get(sim, sim.token, "/alerts", state="both").json())


def test_streams(sim):
    import requests

    sim.ctx.streams.endpoint_check = False  # otel.example does not exist
    url = sim.region_urls("us1")["api_base_url"] + "/streams"
    body = {
        "type": "opentelemetry", "signal": "trace", "endpointType": "grpc",
        "streamEndpointUrl": "https://otel.example:4317",
    }  # fmt: skip
    headers = {"Authorization": f"Bearer {sim.token}"}
    created = requests.post(url, json=body, headers=headers, timeout=10)
    assert created.status_code == 201
    strict_parse(GetStreamResponse, created.json())
    for item in requests.get(url, headers=headers, timeout=10).json():
        strict_parse(GetStreamResponse, item)
