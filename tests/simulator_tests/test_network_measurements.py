"""Network measurements as ThousandEyes lists them (shared/thousandeyes-openapi/tests.yaml).

- The typed schemas of HTTP server, page load, transaction, DNS server, FTP server and SIP
  server tests carry ``networkMeasurements`` (``TestNetworkMeasurements``: "Enable or disable
  network measurements", default true): with it off, a test measures no network layer, so it
  has no network or path-vis results. Agent-to-server tests carry a field of the same name
  with another meaning (1-second packet loss, default false); their network is their data.
- ``GET /v7/tests/{type}`` lists the typed schema; ``GET /v7/tests`` lists ``SimpleTest``
  (UnexpandedTest + UnexpandedInstantTest), which names none of a type's own fields.
- Sources silent, chosen here: results of a kind the test does not measure answer 400 (as
  for any kind outside the test's type), and a generated world has every test's network
  measurements on (the default); a test turns them off with ``network_measurements``.
"""

from __future__ import annotations

import pytest

from tests.simulators.thousandeyes.world import NETWORK_MEASUREMENT_TYPES

from .helpers import api_get, schema_properties
from .test_scopes import SPEC, needs_spec

TYPED_SCHEMAS = {
    "AgentToServerInstantTest": "agent-to-server", "AgentToAgentInstantTest": "agent-to-agent",
    "DnsServerInstantTest": "dns-server", "DnsTraceInstantTest": "dns-trace",
    "DnsSecInstantTest": "dnssec", "HttpServerInstantTest": "http-server",
    "PageLoadInstantTest": "page-load", "WebTransactionInstantTest": "web-transactions",
    "FtpServerInstantTest": "ftp-server", "SipServerInstantTest": "sip-server",
    "VoiceInstantTest": "voice",
}  # fmt: skip
AID = "2001"


@pytest.fixture(scope="module")
def sim(small_sim):
    return small_sim


@needs_spec
def test_the_spec_names_the_types_whose_network_measurements_can_be_off():
    spec = (SPEC / "tests.yaml").read_text(encoding="utf-8")
    carrying = {
        test_type
        for schema, test_type in TYPED_SCHEMAS.items()
        if "networkMeasurements" in schema_properties(spec, schema)
    }
    assert carrying == set(NETWORK_MEASUREMENT_TYPES) | {"agent-to-server"}
    block = spec[spec.index("    TestNetworkMeasurements:\n") :].split("\n")[1:6]
    toggle = " ".join(line.strip() for line in block)
    assert "default: true" in toggle and "disable network measurements" in toggle
    simple = schema_properties(spec, "UnexpandedTest") + schema_properties(
        spec, "UnexpandedInstantTest"
    )
    assert "networkMeasurements" not in simple


def _typed(sim, test_type):
    answer = api_get(sim, sim.token, f"/tests/{test_type}", aid=AID)
    assert answer.status_code == 200, answer.text
    return answer.json()["tests"]


def test_typed_lists_carry_the_setting_and_the_test_list_does_not(sim):
    listed = api_get(sim, sim.token, "/tests", aid=AID).json()["tests"]
    assert listed and all("networkMeasurements" not in t for t in listed)
    for test_type in sorted({t["type"] for t in listed}):
        typed = _typed(sim, test_type)
        if test_type in NETWORK_MEASUREMENT_TYPES:
            assert typed and all(t["networkMeasurements"] is True for t in typed)
        elif test_type == "agent-to-server":
            assert typed and all(t["networkMeasurements"] is False for t in typed)
        else:
            assert all("networkMeasurements" not in t for t in typed)


def test_a_test_without_network_measurements_has_no_network_results(sim):
    test = next(t for t in sim.world.tests_in(AID, "http-server"))
    window = {"aid": AID, "window": "1h"}
    for kind in ("network", "path-vis", "http-server"):
        assert api_get(sim, sim.token, f"/test-results/{test.test_id}/{kind}", **window).ok
    test.network_measurements = False
    try:
        typed = {t["testId"]: t for t in _typed(sim, "http-server")}
        assert typed[test.test_id]["networkMeasurements"] is False
        for kind in ("network", "path-vis"):
            answer = api_get(sim, sim.token, f"/test-results/{test.test_id}/{kind}", **window)
            assert answer.status_code == 400, answer.text
        own = api_get(sim, sim.token, f"/test-results/{test.test_id}/http-server", **window)
        assert own.status_code == 200 and own.json()["results"]
    finally:
        test.network_measurements = True
