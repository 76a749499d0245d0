"""The official SDK, used as a client against the running simulator (HTTPS, custom CA),
reads every endpoint, its paginated iterators included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from thousandeyes_sdk.administrative import AccountGroupsApi, UserEventsApi, UsersApi
from thousandeyes_sdk.agents import CloudAndEnterpriseAgentsApi
from thousandeyes_sdk.alerts import AlertsApi
from thousandeyes_sdk.core import ApiClient, Configuration
from thousandeyes_sdk.event_detection import EventsApi
from thousandeyes_sdk.streaming import StreamingApi
from thousandeyes_sdk.test_results import (
    APITestResultsApi,
    DNSSECTestResultsApi,
    DNSServerTestResultsApi,
    DNSTraceTestResultsApi,
    NetworkBGPTestResultsApi,
    NetworkTestResultsApi,
    VoiceRTPServerTestResultsApi,
    VoiceSIPServerTestResultsApi,
    WebFTPServerTestResultsApi,
    WebHTTPServerTestResultsApi,
    WebPageLoadTestResultsApi,
    WebTransactionsTestResultsApi,
)
from thousandeyes_sdk.tests import TestsApi

from tests.simulators.thousandeyes import ThousandEyesSimulator

from .helpers import device_login

PAGED_RESULTS = {
    "network": (NetworkTestResultsApi, "get_test_network_results_paginated"),
    "path-vis": (NetworkTestResultsApi, "get_test_path_vis_results_paginated"),
    "http-server": (WebHTTPServerTestResultsApi, "get_test_http_server_results_paginated"),
    "page-load": (WebPageLoadTestResultsApi, "get_test_page_load_results_paginated"),
    "web-transactions": (
        WebTransactionsTestResultsApi, "get_test_web_transaction_results_paginated",
    ),
    "api": (APITestResultsApi, "get_test_api_results_paginated"),
    "ftp-server": (WebFTPServerTestResultsApi, "get_test_ftp_server_results_paginated"),
    "dns-trace": (DNSTraceTestResultsApi, "get_test_dns_trace_results_paginated"),
    "dns-server": (DNSServerTestResultsApi, "get_test_dns_servers_results_paginated"),
    "dnssec": (DNSSECTestResultsApi, "get_test_dns_sec_results_paginated"),
    "sip-server": (VoiceSIPServerTestResultsApi, "get_test_sip_server_results_paginated"),
    "rtp-server": (VoiceRTPServerTestResultsApi, "get_test_rtp_server_results_paginated"),
    "bgp": (NetworkBGPTestResultsApi, "get_test_bgp_results_paginated"),
}  # fmt: skip


@pytest.fixture(scope="module")
def sdk():
    sizes = {"test-results": 40, "alerts": 3, "events": 2, "audit-user-events": 5}
    with ThousandEyesSimulator(seed=4, size="small", https=True, page_sizes=sizes,
                               rate_limit_per_minute=100000,
                               client_rate_limit_per_minute=100000) as sim:  # fmt: skip
        tokens = device_login_https(sim)
        config = Configuration(
            host=sim.region_urls("us1")["api_base_url"],
            access_token=tokens["access_token"],
            ssl_ca_cert=sim.ca_bundle_path,
        )
        with ApiClient(config) as client:
            yield sim, client


def device_login_https(sim):
    import requests

    old = requests.Session.merge_environment_settings

    def with_ca(self, url, proxies, stream, verify, cert):
        return old(self, url, proxies, stream, sim.ca_bundle_path, cert)

    requests.Session.merge_environment_settings = with_ca
    try:
        return device_login(sim)
    finally:
        requests.Session.merge_environment_settings = old


def test_inventory_through_sdk(sdk):
    sim, client = sdk
    me = UsersApi(client).get_current_user()
    assert me.email == "admin@example.com"
    groups = AccountGroupsApi(client).get_account_groups().account_groups
    assert {g.aid for g in groups} == {"2001", "2002", "2003"}
    tests = TestsApi(client).get_tests(aid="2002").tests
    assert {t.test_id for t in tests} == {t.test_id for t in sim.world.tests_in("2002")}
    agents = CloudAndEnterpriseAgentsApi(client).get_agents().agents
    assert len(agents) == len(sim.world.agents_in("2001"))
    assert StreamingApi(client).get_streams() == []


@pytest.mark.parametrize("kind", sorted(PAGED_RESULTS))
def test_paginated_results_through_sdk(sdk, kind):
    sim, client = sdk
    api_cls, method = PAGED_RESULTS[kind]
    test = next(t for t in sim.world.tests_in("2001") if kind in t.result_kinds)
    end = datetime.fromtimestamp(int(sim.clock.now()), tz=timezone.utc)
    start = end - timedelta(hours=4)
    records = list(getattr(api_cls(client), method)(test.test_id, start_date=start, end_date=end))
    truth = sim.ground_truth("test-results", aid="2001", start=start.timestamp(),
                             end=end.timestamp(), test_id=test.test_id, test_type=kind,
                             region="us1")  # fmt: skip
    assert len(records) == len(truth) > 0
    assert [r.round_id for r in records] == [t["roundId"] for t in truth]


def test_alerts_events_activity_through_sdk(sdk):
    sim, client = sdk
    cleared = list(AlertsApi(client).get_alerts_paginated(window="3d", state="clear"))
    truth = sim.ground_truth("alerts", start=sim.clock.now() - 3 * 86400,
                             end=sim.clock.now(), state="clear")  # fmt: skip
    assert [a.id for a in cleared] == [a["id"] for a in truth] and len(cleared) > 3
    events = list(EventsApi(client).get_events_paginated(window="7d"))
    assert len(events) > 2
    activity = list(UserEventsApi(client).get_user_events_paginated(window="2d"))
    assert len(activity) > 5 and all(e.aid == "2001" for e in activity)
