"""RFC points of the token and revocation endpoints beyond the happy paths.

RFC 7009 §2.1: ``token`` is REQUIRED; the server "verifies whether the token was issued to
the client making the revocation request. If this validation fails, the request is refused";
§2.2: an invalid token still answers 200. RFC 6749 §6: the requested scope "MUST NOT include
any scope not originally granted" and may be narrower. RFC 7636 §4.1: a code_verifier has
43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
"""

from __future__ import annotations

import requests

from .helpers import api_get, device_login, refresh
from .test_oauth_pkce import REDIRECT, _authorize_url, _exchange, _pkce


def _revoke(sim, data):
    return requests.post(sim.region_urls("us1")["revocation_url"], data=data, timeout=10)


def test_revocation_without_token_is_invalid_request(te_sim):
    answer = _revoke(te_sim, {"client_id": te_sim.default_client_id})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_revoking_another_clients_token_is_refused(te_sim):
    tokens = device_login(te_sim)
    other = te_sim.register_client([REDIRECT])
    answer = _revoke(te_sim, {"token": tokens["refresh_token"], "client_id": other.client_id})
    assert answer.status_code == 400 and answer.json()["error"] == "unauthorized_client"
    assert refresh(te_sim, tokens["refresh_token"]).status_code == 200  # still alive


def test_refresh_with_a_narrower_scope_narrows_the_access_token(te_sim):
    tokens = device_login(te_sim)  # organization:read tests:read alerts:read ...
    answer = requests.post(
        te_sim.region_urls("us1")["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
              "client_id": te_sim.default_client_id, "scope": "tests:read offline_access"},
        timeout=10,
    ).json()  # fmt: skip
    assert answer["scope"] == "tests:read offline_access"
    assert api_get(te_sim, answer["access_token"], "/tests").status_code == 200
    assert api_get(te_sim, answer["access_token"], "/alerts").status_code == 403
    wider = refresh(te_sim, answer["refresh_token"]).json()  # the grant keeps its scope
    assert "alerts:read" in wider["scope"].split()
    assert api_get(te_sim, wider["access_token"], "/alerts", window="1h").status_code == 200


def test_short_pkce_verifier_is_refused(te_sim):
    import base64
    import hashlib

    client = te_sim.register_client([REDIRECT])
    verifier = "a" * 42  # one short of RFC 7636's minimum
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    url = _authorize_url(te_sim, client.client_id, challenge.decode().rstrip("="))
    code = requests.utils.urlparse(te_sim.authorize_via_pages(url)).query
    code = dict(p.split("=", 1) for p in code.split("&"))["code"]
    answer = _exchange(te_sim, client.client_id, code, verifier)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    good_verifier, good_challenge = _pkce()
    url = _authorize_url(te_sim, client.client_id, good_challenge)
    query = requests.utils.urlparse(te_sim.authorize_via_pages(url)).query
    code = dict(p.split("=", 1) for p in query.split("&"))["code"]
    assert _exchange(te_sim, client.client_id, code, good_verifier).status_code == 200
