"""Rate limits as ThousandEyes documents them, and the switches back to the kinder old ones.

Source: https://developer.cisco.com/docs/thousandeyes/rate-limits ("240 request per minute
(per organization) limit. The limit rolls over one minute from the first request in a
batch"; X-Organization-Rate-Limit-Limit/-Remaining/-Reset, Reset "the UTC timestamp of the
next rate limit rollover"; instant tests "allow up to 24 calls per minute" with
X-Instant-Test-Rate-Limit-*). The page promises no Retry-After; a third-party summary of it
(api-evangelist/thousandeyes rate-limits.yml: "does not send Retry-After") says none is sent.
Per-client limit: /work/shared/reference/thousandeyes.md (ThousandEyes MCP server docs).
"""

from __future__ import annotations

import math

import pytest
import requests

from tests.simulators.thousandeyes import ThousandEyesSimulator

from .helpers import api_get, device_login

RESET = "X-Organization-Rate-Limit-Reset"
REMAINING = "X-Organization-Rate-Limit-Remaining"


def _sim(**modes) -> ThousandEyesSimulator:
    return ThousandEyesSimulator(
        seed=5, size="tiny", rate_limit_per_minute=5, client_rate_limit_per_minute=3, **modes
    )


@pytest.fixture
def rolling():
    with _sim() as sim:
        yield sim


def _mid_minute(sim: ThousandEyesSimulator, second: float = 17.25) -> float:
    """Move the clock into the middle of a clock minute; returns that time."""
    target = sim.clock.now() - sim.clock.now() % 60 + 60 + second
    sim.clock.set_time(target)
    return target


def test_rolling_window_starts_at_the_first_request_and_sends_no_retry_after(rolling):
    sim = rolling
    token = sim.create_api_token("admin@example.com")  # API tokens: organization budget only
    start = _mid_minute(sim)
    answers = [api_get(sim, token, "/tests") for _ in range(6)]
    assert [int(a.headers[REMAINING]) for a in answers[:5]] == [4, 3, 2, 1, 0]
    assert all(a.headers["X-Organization-Rate-Limit-Limit"] == "5" for a in answers)
    resets = {int(a.headers[RESET]) for a in answers}
    assert len(resets) == 1
    reset = resets.pop()
    # one minute from the first request, not the end of the clock minute
    assert reset % 60 != 0 and 0 <= reset - (start + 60) < 2
    refused = answers[5]
    assert refused.status_code == 429
    assert refused.json()["detail"] == "Exhausted rate limit for the organization"
    assert "Retry-After" not in refused.headers
    sim.clock.set_time(reset - 1.5)  # the clock minute has rolled over; the window has not
    assert math.floor(sim.clock.now() / 60) > math.floor(start / 60)
    assert api_get(sim, token, "/tests").status_code == 429
    sim.clock.set_time(reset)  # waiting for the reset header alone suffices
    again = api_get(sim, token, "/tests")
    assert again.status_code == 200 and again.headers[REMAINING] == "4"
    new_reset = int(again.headers[RESET])
    assert 0 <= new_reset - (reset + 60) < 2  # the next batch starts at its first request


def test_aligned_window_and_retry_after_are_switches():
    with _sim(rate_limit_window="aligned", retry_after=True) as sim:
        token = sim.create_api_token("admin@example.com")
        _mid_minute(sim)
        answers = [api_get(sim, token, "/tests") for _ in range(6)]
        reset = int(answers[5].headers[RESET])
        assert reset % 60 == 0
        assert answers[5].status_code == 429
        assert 0 < int(answers[5].headers["Retry-After"]) <= 60
        assert abs(sim.clock.now() + int(answers[5].headers["Retry-After"]) - reset) <= 1


def test_client_budget_is_separate_and_named(rolling):
    sim = rolling
    _mid_minute(sim)
    token = device_login(sim, scope="tests:read")["access_token"]
    answers = [api_get(sim, token, "/tests") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["detail"] == "Exhausted rate limit for the client"
    assert "Retry-After" not in answers[3].headers
    # the organization headers keep describing the organization's budget (2 of 5 left)
    assert answers[3].headers[REMAINING] == "2"
    other = sim.create_api_token("admin@example.com")  # same org, no client id
    assert api_get(sim, other, "/tests").status_code == 200


def test_client_429_retry_after_names_the_client_window():
    with _sim(retry_after=True) as sim:
        token = device_login(sim, scope="tests:read")["access_token"]
        first_at = sim.clock.now()
        codes = [api_get(sim, token, "/tests") for _ in range(4)]
        assert codes[3].status_code == 429
        wait = int(codes[3].headers["Retry-After"])
        assert abs(sim.clock.now() + wait - (first_at + 60)) <= 2


def _instant(sim, token, name="probe"):
    return requests.post(
        sim.region_urls("us1")["api_base_url"] + "/tests/http-server/instant",
        json={"testName": name, "url": "https://example.com", "agents": [{"agentId": "101"}]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_instant_tests_have_their_own_24_per_minute():
    with ThousandEyesSimulator(seed=5, size="tiny") as sim:  # the documented defaults
        token = sim.create_api_token("admin@example.com")
        before = api_get(sim, token, "/tests")
        answers = [_instant(sim, token, f"t{i}") for i in range(25)]
        assert [a.status_code for a in answers] == [201] * 24 + [429]
        assert answers[0].headers["X-Instant-Test-Rate-Limit-Limit"] == "24"
        assert [int(a.headers["X-Instant-Test-Rate-Limit-Remaining"]) for a in answers[:3]] == [
            23,
            22,
            21,
        ]
        assert answers[24].headers["X-Instant-Test-Rate-Limit-Remaining"] == "0"
        assert "Retry-After" not in answers[24].headers
        assert int(answers[24].headers["X-Instant-Test-Rate-Limit-Reset"]) >= sim.clock.now()
        assert answers[0].json()["type"] == "http-server"
        # a separate set of throttling controls: the organization's budget is untouched
        after = api_get(sim, token, "/tests")
        assert int(after.headers[REMAINING]) == int(before.headers[REMAINING]) - 1
        assert "X-Instant-Test-Rate-Limit-Limit" not in after.headers


def test_organization_exhaustion_does_not_stop_instant_tests(rolling):
    sim = rolling
    token = sim.create_api_token("admin@example.com")
    codes = [api_get(sim, token, "/tests").status_code for _ in range(6)]
    assert codes[-1] == 429
    assert _instant(sim, token).status_code == 201
