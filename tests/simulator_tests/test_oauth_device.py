"""RFC 8628 device flow, refresh rotation with reuse detection, revocation, token errors."""

from __future__ import annotations

import requests

from .helpers import api_get, device_login, poll, refresh, start_device


def test_device_flow_errors_pending_then_slow_down_interval_grows(te_sim):
    device = start_device(te_sim)
    assert device["interval"] == 5
    assert device["verification_uri_complete"].endswith(device["user_code"])
    first = poll(te_sim, device["device_code"])
    assert first.status_code == 400
    assert first.json()["error"] == "authorization_pending"
    assert first.headers["Cache-Control"] == "no-store"
    fast = poll(te_sim, device["device_code"])  # no time passed
    assert fast.json()["error"] == "slow_down"
    te_sim.clock.advance(6)  # the interval is now 10 s: 6 s is still too fast
    assert poll(te_sim, device["device_code"]).json()["error"] == "slow_down"
    te_sim.clock.advance(16)  # interval 15 s now
    assert poll(te_sim, device["device_code"]).json()["error"] == "authorization_pending"


def test_device_flow_approve_issues_tokens_once(te_sim):
    device = start_device(te_sim)
    html = te_sim.approve_device_via_pages(device["user_code"], "admin@example.com", "thousandeyes")
    assert "id='approved'" in html
    tokens = poll(te_sim, device["device_code"]).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    assert tokens["refresh_token"] and tokens["access_token"] in te_sim.issued_secrets()
    te_sim.clock.advance(30)
    again = poll(te_sim, device["device_code"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    me = api_get(te_sim, tokens["access_token"], "/users/current")
    assert me.status_code == 200 and me.json()["email"] == "admin@example.com"


def test_logout_on_confirmation_denies(te_sim):
    device = start_device(te_sim)
    html = te_sim.approve_device_via_pages(device["user_code"], confirm=False)
    assert "id='denied'" in html
    assert poll(te_sim, device["device_code"]).json()["error"] == "access_denied"


def test_expired_device_code(te_sim):
    device = start_device(te_sim)
    te_sim.clock.advance(device["expires_in"] + 1)
    answer = poll(te_sim, device["device_code"])
    assert answer.status_code == 400 and answer.json()["error"] == "expired_token"


def test_unknown_device_code_and_client(te_sim):
    assert poll(te_sim, "nope").json()["error"] == "invalid_grant"
    answer = requests.post(
        te_sim.region_urls("us1")["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": "who"},
        timeout=10,
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    bad_scope = requests.post(
        te_sim.region_urls("us1")["device_authorization_url"],
        data={"client_id": te_sim.default_client_id, "scope": "tests:read root:all"},
        timeout=10,
    )
    assert bad_scope.status_code == 400 and bad_scope.json()["error"] == "invalid_scope"
    grant_type = requests.post(
        te_sim.region_urls("us1")["token_url"],
        data={"grant_type": "password", "client_id": te_sim.default_client_id},
        timeout=10,
    )
    assert grant_type.json()["error"] == "unsupported_grant_type"


def test_refresh_rotates_and_reuse_revokes_the_family(te_sim):
    first = device_login(te_sim)
    second = refresh(te_sim, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    reuse = refresh(te_sim, first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    # the whole grant is gone: the newest refresh and access tokens too
    assert refresh(te_sim, second["refresh_token"]).json()["error"] == "invalid_grant"
    answer = api_get(te_sim, second["access_token"], "/users/current")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"


def test_no_refresh_token_without_offline_access(te_sim):
    tokens = device_login(te_sim, scope="tests:read")
    assert "refresh_token" not in tokens


def test_access_token_expiry_and_refresh_idle_expiry(te_sim):
    tokens = device_login(te_sim)
    te_sim.clock.advance(601)
    expired = api_get(te_sim, tokens["access_token"], "/users/current")
    assert expired.status_code == 401
    assert expired.json() == {"error": "invalid_token", "error_description": "Access token expired"}
    te_sim.clock.advance(24 * 3600)
    assert refresh(te_sim, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation_always_200_and_kills_grant(te_sim):
    tokens = device_login(te_sim)
    url = te_sim.region_urls("us1")["revocation_url"]
    data = {"token": tokens["refresh_token"], "client_id": te_sim.default_client_id}
    assert requests.post(url, data=data, timeout=10).status_code == 200
    assert requests.post(url, data=data, timeout=10).status_code == 200  # idempotent
    data_unknown = {"token": "never-issued", "client_id": te_sim.default_client_id}
    assert requests.post(url, data=data_unknown, timeout=10).status_code == 200
    assert refresh(te_sim, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert api_get(te_sim, tokens["access_token"], "/users/current").status_code == 401


def test_tokens_are_bound_to_the_chosen_region(te_sim):
    device = start_device(te_sim, region="us1")
    te_sim.approve_device_via_pages(device["user_code"], region="us1", chosen_region="eu")
    tokens = poll(te_sim, device["device_code"]).json()
    assert api_get(te_sim, tokens["access_token"], "/users/current", region="eu").status_code == 200
    wrong = api_get(te_sim, tokens["access_token"], "/users/current", region="us1")
    assert wrong.status_code == 401


def test_sso_button_logs_in_demo_user(te_sim):
    device = start_device(te_sim)
    te_sim.approve_device_via_pages(device["user_code"], email="", password="", sso=True)
    tokens = poll(te_sim, device["device_code"]).json()
    me = api_get(te_sim, tokens["access_token"], "/users/current").json()
    assert me["email"] == "admin@example.com"


def test_metadata_and_registration(te_sim):
    urls = te_sim.region_urls("us2")
    meta = requests.get(urls["metadata_url"], timeout=10).json()
    assert meta["issuer"] == te_sim.base_url("us2")
    assert meta["device_authorization_endpoint"] == urls["device_authorization_url"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "none" in meta["token_endpoint_auth_methods_supported"]
    created = requests.post(
        urls["registration_url"],
        json={
            "client_name": "Splunk",
            "token_endpoint_auth_method": "none",
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        },
        timeout=10,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["client_id"] and "client_secret" not in body
    device = requests.post(
        urls["device_authorization_url"],
        data={"client_id": body["client_id"], "scope": "tests:read"},
        timeout=10,
    )
    assert device.status_code == 200
    bad = requests.post(
        urls["registration_url"], json={"token_endpoint_auth_method": "private_key_jwt"}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client_metadata"


def test_confidential_client_secret_post(te_sim):
    urls = te_sim.region_urls("us1")
    created = requests.post(
        urls["registration_url"],
        json={"token_endpoint_auth_method": "client_secret_post", "grant_types": ["refresh_token"]},
        timeout=10,
    ).json()
    data = {"client_id": created["client_id"], "scope": "tests:read"}
    no_secret = requests.post(urls["device_authorization_url"], data=data, timeout=10)
    assert no_secret.status_code == 401 and no_secret.json()["error"] == "invalid_client"
    data["client_secret"] = created["client_secret"]
    assert requests.post(urls["device_authorization_url"], data=data, timeout=10).ok
