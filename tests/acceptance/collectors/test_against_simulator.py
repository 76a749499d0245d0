"""Collectors against the ThousandEyes simulator: index == ground truth, no duplicates."""

from collections import Counter

import pytest
import requests
from ta_thousandeyes.api_client import ApiClient
from ta_thousandeyes.collectors import alerts, test_results

from tests.unit.collectors.helpers import Harness

pytest.importorskip("tests.simulators.thousandeyes.simulator")
from tests.simulators.thousandeyes.fixtures import te_sim  # noqa: E402,F401,F811


class ApiTokenSource:
    def __init__(self, token):
        self.token = token

    def access_token(self):
        return self.token

    def refresh_after_unauthorized(self, rejected):
        raise AssertionError("API token rejected")


class SimHarness(Harness):
    def __init__(self, sim, tmp_path, start, scheme):
        clock = type("C", (), {"__call__": lambda s: sim.clock.now(), "sleep": lambda s, x: None})()
        super().__init__(None, clock, tmp_path, start, scheme)
        self.sim = sim
        self.token = sim.create_api_token("admin@example.com")

    def run(self, collect, **kw):
        session = requests.Session()
        self.api = type(
            "A",
            (),
            {
                "base_url": self.sim.region_urls("global")["api_base_url"],
                "session": lambda s: session,
            },
        )()
        original = ApiClient.__init__

        token = ApiTokenSource(self.token)

        def init(client, base_url, _session, _tokens, **kwargs):
            original(client, base_url, session, token, **kwargs)

        ApiClient.__init__ = init
        try:
            return super().run(collect, **kw)
        finally:
            ApiClient.__init__ = original


def default_aid(sim):
    return sim.world.user_by_email("admin@example.com").default_aid


@pytest.mark.slow
def test_network_results_match_ground_truth_across_runs(te_sim, tmp_path):  # noqa: F811
    aid = default_aid(te_sim)
    start = te_sim.clock.now() - 1800
    harness = SimHarness(te_sim, tmp_path, start, "thousandeyes_test_results")
    ends = []
    for _ in range(3):
        ctx = harness.run(lambda c: test_results.collect(c, [aid], data_types=["network"]))
        assert not ctx.errors, ctx.errors
        ends.append(te_sim.clock.now() - ctx.settle_seconds)
        te_sim.clock.advance(420)
    got = Counter((e[3]["testId"], test_results.result_key(e[3])) for e in harness.events)
    assert got and max(got.values()) == 1
    records = te_sim.ground_truth(
        "test-results", aid=aid, start=start, end=ends[-1], test_type="network"
    )
    want = Counter(test_results.result_key(r) for r in records if start <= r["roundId"] <= ends[-1])
    have = Counter(k for _, k in got)
    missing = want - have
    assert not missing, f"{sum(missing.values())} missing"


@pytest.mark.slow
def test_alerts_match_ground_truth(te_sim, tmp_path):  # noqa: F811
    aid = default_aid(te_sim)
    start = te_sim.clock.now() - 86400
    harness = SimHarness(te_sim, tmp_path, start, "thousandeyes_alerts")
    for _ in range(3):
        ctx = harness.run(lambda c: alerts.collect(c, [aid]))
        assert not ctx.errors, ctx.errors
        end = te_sim.clock.now() - ctx.settle_seconds
        te_sim.clock.advance(600)
    got = Counter((e[3]["id"], e[3]["eventState"]) for e in harness.events)
    assert max(got.values(), default=1) == 1
    want = set()
    for state in ("trigger", "clear"):
        for a in te_sim.ground_truth("alerts", aid=aid, start=start, end=end, state=state):
            want.add((a["id"], state))
    assert want <= set(got), f"missing {want - set(got)}"
