"""Authorization code + PKCE (S256 only), exact redirect URI, state, single-use codes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from .helpers import api_get

REDIRECT = "http://127.0.0.1:8000/en-US/app/TA-thousandeyes/oauth_callback"


def _pkce() -> tuple:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _authorize_url(sim, client_id, challenge, method="S256", redirect=REDIRECT, state="st-1"):
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect,
        "scope": "organization:read tests:read offline_access",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": method,
    }
    return sim.region_urls("us1")["authorize_url"] + "?" + urlencode(params)


def _exchange(sim, client_id, code, verifier, redirect=REDIRECT):
    return requests.post(
        sim.region_urls("us1")["token_url"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": client_id,
            "code_verifier": verifier,
        },
        timeout=10,
    )


def test_code_flow_with_pkce_state_and_single_use(te_sim):
    client = te_sim.register_client([REDIRECT])
    verifier, challenge = _pkce()
    location = te_sim.authorize_via_pages(_authorize_url(te_sim, client.client_id, challenge))
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-1"]
    code = query["code"][0]
    tokens = _exchange(te_sim, client.client_id, code, verifier)
    assert tokens.status_code == 200, tokens.text
    access = tokens.json()["access_token"]
    assert api_get(te_sim, access, "/users/current").status_code == 200
    replay = _exchange(te_sim, client.client_id, code, verifier)
    assert replay.json()["error"] == "invalid_grant"
    # replaying a code revokes what it issued
    assert api_get(te_sim, access, "/users/current").status_code == 401


def test_wrong_verifier_and_redirect_mismatch(te_sim):
    client = te_sim.register_client([REDIRECT])
    verifier, challenge = _pkce()
    location = te_sim.authorize_via_pages(_authorize_url(te_sim, client.client_id, challenge))
    code = parse_qs(urlsplit(location).query)["code"][0]
    other = _exchange(te_sim, client.client_id, code, verifier, redirect=REDIRECT + "/x")
    assert other.json()["error"] == "invalid_grant"
    wrong = _exchange(te_sim, client.client_id, code, "x" * 50)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"


def test_plain_method_and_missing_challenge_rejected(te_sim):
    client = te_sim.register_client([REDIRECT])
    plain = requests.get(
        _authorize_url(te_sim, client.client_id, "abc", method="plain"),
        allow_redirects=False,
        timeout=10,
    )
    assert plain.status_code == 303
    query = parse_qs(urlsplit(plain.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["st-1"]
    missing = requests.get(
        _authorize_url(te_sim, client.client_id, ""), allow_redirects=False, timeout=10
    )
    assert parse_qs(urlsplit(missing.headers["Location"]).query)["error"] == ["invalid_request"]


def test_unregistered_redirect_is_never_followed(te_sim):
    client = te_sim.register_client([REDIRECT])
    _, challenge = _pkce()
    url = _authorize_url(te_sim, client.client_id, challenge, redirect="https://evil.example/cb")
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "Location" not in answer.headers


def test_logout_redirects_access_denied(te_sim):
    client = te_sim.register_client([REDIRECT])
    _, challenge = _pkce()
    location = te_sim.authorize_via_pages(
        _authorize_url(te_sim, client.client_id, challenge, state="s&2"), confirm=False
    )
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["s&2"]
