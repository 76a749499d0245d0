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


def test_a_token_request_that_is_not_a_form_is_refused(te_sim):
    """RFC 6749 §4.1.3 and §6: parameters "using the application/x-www-form-urlencoded
    format"; RFC 8628 §3.1 and RFC 7009 §2.1 likewise."""
    urls = te_sim.region_urls("us1")
    body = f"grant_type=refresh_token&refresh_token=x&client_id={te_sim.default_client_id}"
    for key in ("token_url", "device_authorization_url", "revocation_url"):
        answer = requests.post(
            urls[key], data=body, headers={"Content-Type": "text/plain"}, timeout=10
        )
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", key
    as_form = requests.post(urls["token_url"], data=body, timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})  # fmt: skip
    assert as_form.json()["error"] == "invalid_grant"  # understood, the token is just unknown


def test_dates_must_be_complete_utc_times(te_sim):
    """OpenAPI alerts.yaml, startDate/endDate: "Include the complete time (hours, minutes, and
    seconds) in UTC time zone"."""
    token = te_sim.create_api_token("admin@example.com")
    for start in ("2026-05-31", "2026-05-31T22:00:00+02:00", "2026-05-31T22:00Z"):
        answer = api_get(te_sim, token, "/alerts", startDate=start)
        assert answer.status_code == 400, start
    # what the add-on and the official SDK (a zero offset, microseconds) send
    for start in ("2026-05-31T22:00:54Z", "2026-05-31T22:00:54.000000+0000"):
        assert api_get(te_sim, token, "/alerts", startDate=start).status_code == 200, start
