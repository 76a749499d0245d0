"""Refresh token modes of the simulator's authorization server (``refresh_rotation``).

Sources: RFC 6749 §6 ("The authorization server MAY issue a new refresh token, in which
case the client MUST discard the old refresh token") and §5.1 (refresh_token OPTIONAL);
RFC 9700 §4.14.2 (refresh token rotation; reuse of an invalidated token revokes the active
one). Grace period: Okta's "grace period for token reuse" (default 30 s), AWS Cognito
RefreshTokenRotationType.RetryGracePeriodSeconds ("the original refresh token that you're
rotating out can remain valid for a period of time of up to 60 seconds"). ThousandEyes
publishes none of these; /work/shared/reference/thousandeyes.md: public integrations
"treat refresh tokens as rotating".
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.simulators.thousandeyes import ThousandEyesSimulator

from .helpers import api_get, device_login, refresh


def _sim(mode: str, **options) -> ThousandEyesSimulator:
    return ThousandEyesSimulator(seed=7, size="tiny", refresh_rotation=mode, **options)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        _sim("sometimes")


def test_grace_lets_the_rotated_out_token_work_again_within_the_period():
    with _sim("grace") as sim:
        first = device_login(sim)
        second = refresh(sim, first["refresh_token"]).json()
        assert second["refresh_token"] != first["refresh_token"]
        sim.clock.advance(29)
        retried = refresh(sim, first["refresh_token"])
        assert retried.status_code == 200, retried.text
        again = retried.json()
        # a new access token and the successor that the first refresh already issued
        assert again["refresh_token"] == second["refresh_token"]
        assert again["access_token"] != second["access_token"]
        for token in (second["access_token"], again["access_token"]):
            assert api_get(sim, token, "/users/current").status_code == 200
        third = refresh(sim, second["refresh_token"])
        assert third.status_code == 200


def test_grace_period_over_is_reuse_and_revokes_the_family():
    with _sim("grace", refresh_grace_seconds=30) as sim:
        first = device_login(sim)
        second = refresh(sim, first["refresh_token"]).json()
        sim.clock.advance(31)
        late = refresh(sim, first["refresh_token"])
        assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
        assert refresh(sim, second["refresh_token"]).json()["error"] == "invalid_grant"
        assert api_get(sim, second["access_token"], "/users/current").status_code == 401


def test_grace_never_accepts_an_older_generation():
    with _sim("grace") as sim:
        first = device_login(sim)
        second = refresh(sim, first["refresh_token"]).json()
        refresh(sim, second["refresh_token"]).json()
        stale = refresh(sim, first["refresh_token"])  # two generations back, within 30 s
        assert stale.json()["error"] == "invalid_grant"


def test_reuse_returns_the_same_refresh_token_every_time():
    with _sim("reuse") as sim:
        first = device_login(sim)
        answers = [refresh(sim, first["refresh_token"]).json() for _ in range(3)]
        assert {a["refresh_token"] for a in answers} == {first["refresh_token"]}
        assert len({a["access_token"] for a in answers}) == 3
        assert api_get(sim, answers[-1]["access_token"], "/users/current").status_code == 200


def test_reuse_idle_lifetime_counts_from_the_last_use():
    with _sim("reuse", refresh_idle_lifetime=100) as sim:
        first = device_login(sim)
        for _ in range(3):
            sim.clock.advance(80)
            assert refresh(sim, first["refresh_token"]).status_code == 200
        sim.clock.advance(101)
        assert refresh(sim, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_omit_answers_without_a_refresh_token_and_the_old_one_keeps_working():
    with _sim("omit") as sim:
        first = device_login(sim)
        assert "refresh_token" in first  # the initial grant still issues one
        for _ in range(2):
            answer = refresh(sim, first["refresh_token"])
            assert answer.status_code == 200 and "refresh_token" not in answer.json()


def test_strict_stays_the_default():
    with ThousandEyesSimulator(seed=7, size="tiny") as sim:
        first = device_login(sim)
        refresh(sim, first["refresh_token"])
        sim.clock.advance(1)
        assert refresh(sim, first["refresh_token"]).json()["error"] == "invalid_grant"


# A token answer lost after the server acted: the Connect2id server 14.2 notes (connect2id.com
# /blog/connect2id-server-14-2) describe a server that "has successfully processed the token
# request" while the client cannot read the answer "due to an HTTP timeout or an interrupted
# connection"; Asgardeo's graceful rotation and Airlock IAM's grace period exist for the same
# dropped answers. So ``drop`` and ``slow`` act after the endpoint has handled the request.
@pytest.mark.parametrize("mode", ["strict", "grace", "reuse", "omit"])
def test_dropped_token_answer_was_acted_on(mode):
    with _sim(mode) as sim:
        first = device_login(sim)
        sim.faults.add("drop", path="/oauth2/token$", count=1)
        with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
            refresh(sim, first["refresh_token"])
        assert [r.status for r in sim.request_log if r.path.endswith("/token")][-1] == 200
        rotated_out = sim.ctx.store.refresh_tokens[first["refresh_token"]].spent
        assert rotated_out is (mode in ("strict", "grace"))
        again = refresh(sim, first["refresh_token"])  # the same token, asked again at once
        if mode == "strict":
            assert again.json()["error"] == "invalid_grant"
        else:
            assert again.status_code == 200, again.text


def test_slow_token_answer_is_delayed_after_the_refresh_happened():
    with _sim("strict") as sim:
        first = device_login(sim)
        sim.faults.add("slow", path="/oauth2/token$", delay=1.0, count=1)
        waiting = threading.Thread(target=refresh, args=(sim, first["refresh_token"]))
        waiting.start()
        deadline = time.monotonic() + 10
        while not sim.ctx.store.refresh_tokens[first["refresh_token"]].spent:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert waiting.is_alive()  # rotated, and the client still waits for the answer
        waiting.join()
