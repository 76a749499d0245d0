"""Each flow end to end: the add-on's code in the Splunk stand-in, the ThousandEyes simulator."""

from urllib.parse import parse_qs, urlsplit

import pytest
from ta_thousandeyes import assembly, connections, credential_store
from ta_thousandeyes import authorization as flows
from ta_thousandeyes.oauth import errors

SCOPES = ["organization:read", "tests:read", "offline_access"]
# Simulator modes (ThousandEyesSimulator keyword arguments) for an indirect ``sim``.
HOSTS = [pytest.param({"hosts": h}, id=f"hosts-{h}") for h in ("single", "split", "separate")]
REFRESH = [
    pytest.param({"refresh_rotation": m}, id=f"refresh-{m}")
    for m in ("strict", "grace", "reuse", "omit")
]


def _connect_device(service, sim, lock_dir, name="prod", region="us1"):
    connections.create_connection(service, name, region, "device_code", SCOPES)
    public = flows.start_device_authorization(service, name, sim.clock.now, lock_dir)
    assert "device_code" not in public
    sim.approve_device_via_pages(public["user_code"], region=region)
    sim.clock.advance(public["interval"])
    result = flows.poll_device_authorization(service, name, sim.clock.now, lock_dir)
    assert result["status"] == "connected", result
    return public


@pytest.mark.parametrize("sim", HOSTS, indirect=True)
def test_device_flow_end_to_end(service, sim, lock_dir):
    public = _connect_device(service, sim, lock_dir)
    # the verification page is on the sign-in host, wherever that is
    assert public["verification_uri"] == sim.region_urls("us1")["approval_url"]
    config = connections.get_connection(service, "prod")
    assert config.state == "connected"
    assert config.user_email == "admin@example.com"
    assert {g["aid"] for g in config.account_groups} >= {"2001", "2002", "2003"}
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    token = conn.token_source.access_token()
    response = conn.session.get(
        conn.api_base_url + "/users/current", headers={"Authorization": "Bearer " + token}
    )
    assert response.status_code == 200


def test_device_flow_pending_then_denied(service, sim, lock_dir):
    connections.create_connection(service, "prod", "us1", "device_code", SCOPES)
    public = flows.start_device_authorization(service, "prod", sim.clock.now, lock_dir)
    sim.clock.advance(public["interval"])
    assert flows.poll_device_authorization(service, "prod", sim.clock.now, lock_dir)["status"] in (
        "pending",
        "slow_down",
    )
    sim.approve_device_via_pages(public["user_code"], region="us1", confirm=False)
    sim.clock.advance(public["interval"] + 5)
    with pytest.raises(errors.DeniedError):
        flows.poll_device_authorization(service, "prod", sim.clock.now, lock_dir)
    assert connections.get_connection(service, "prod").state == "disconnected"


def test_device_flow_expired(service, sim, lock_dir):
    connections.create_connection(service, "prod", "us1", "device_code", SCOPES)
    public = flows.start_device_authorization(service, "prod", sim.clock.now, lock_dir)
    sim.clock.advance(public["expires_in"] + 1)
    with pytest.raises(errors.ExpiredError):
        flows.poll_device_authorization(service, "prod", sim.clock.now, lock_dir)


@pytest.mark.parametrize("sim", HOSTS, indirect=True)
def test_pkce_flow_and_state_check(service, sim, lock_dir):
    redirect = "https://splunk.example.com/en-US/app/TA-thousandeyes/oauth_callback"
    client = sim.register_client(redirect_uris=[redirect])
    connections.create_connection(service, "web", "eu", "authorization_code", SCOPES)
    connections.update_connection(service, "web", client_id=client.client_id)
    url = flows.start_authorization_code(service, "web", redirect, sim.clock.now, lock_dir)
    # discovered (the metadata names it) on the sign-in host, not the API or token host
    assert url.startswith(sim.region_urls("eu")["authorize_url"] + "?")
    location = sim.authorize_via_pages(url)
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    with pytest.raises(errors.StateMismatchError):
        flows.complete_authorization_code(
            service, "web", dict(params, state="x"), sim.clock.now, lock_dir
        )
    config = flows.complete_authorization_code(service, "web", params, sim.clock.now, lock_dir)
    assert config.state == "connected" and config.user_email == "admin@example.com"


def test_pkce_code_reuse_is_invalid_grant(service, sim, lock_dir):
    redirect = "https://splunk.example.com/cb"
    client = sim.register_client(redirect_uris=[redirect])
    connections.create_connection(service, "web", "eu", "authorization_code", SCOPES)
    connections.update_connection(service, "web", client_id=client.client_id)
    url = flows.start_authorization_code(service, "web", redirect, sim.clock.now, lock_dir)
    params = {k: v[0] for k, v in parse_qs(urlsplit(sim.authorize_via_pages(url)).query).items()}
    store = credential_store.CredentialStore(service)
    pending = store.read("connection:web")["pending"]
    flows.complete_authorization_code(service, "web", params, sim.clock.now, lock_dir)
    store.write("connection:web", {"pending": pending})  # replay the same redirect
    with pytest.raises(errors.InvalidGrantError):
        flows.complete_authorization_code(service, "web", params, sim.clock.now, lock_dir)


def test_api_token_flow(service, sim, lock_dir):
    connections.create_connection(service, "tok", "us2", "api_token")
    with pytest.raises(errors.ApiTokenRejectedError):
        flows.connect_api_token(service, "tok", "not-a-real-token", sim.clock.now, lock_dir)
    token = sim.create_api_token("admin@example.com")
    config = flows.connect_api_token(service, "tok", token, sim.clock.now, lock_dir)
    assert config.state == "connected" and config.user_email == "admin@example.com"


@pytest.mark.parametrize("sim", REFRESH + HOSTS[1:], indirect=True)
def test_refresh_rotation_and_logout(service, sim, lock_dir):
    _connect_device(service, sim, lock_dir)
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    store = credential_store.CredentialStore(service)
    first = conn.token_source.access_token()
    first_refresh = store.read("connection:prod")["refresh_token"]
    for _ in range(2):
        sim.clock.advance(600)
        second = conn.token_source.access_token()
        assert second != first
    stored = store.read("connection:prod")["refresh_token"]
    rotates = sim.ctx.store.refresh_rotation in ("strict", "grace")
    # a server that did not rotate: the one refresh token is kept (and keeps working)
    assert (stored != first_refresh) == rotates
    result = flows.logout(service, "prod", lock_dir)
    assert result["revocation_offered"] and result["revoked"]
    assert credential_store.CredentialStore(service).read("connection:prod") is None
    assert connections.get_connection(service, "prod").state == "disconnected"
    response = conn.session.get(
        conn.api_base_url + "/users/current", headers={"Authorization": "Bearer " + second}
    )
    assert response.status_code == 401  # revoked at the server


def _refresh_answer(service, sim, refresh_token):
    """The token endpoint's status for a refresh with this token (200: the grant is live)."""
    conn = assembly.open_connection(service, "prod", sim.clock.now)
    record = credential_store.CredentialStore(service).read("connection:prod")
    response = conn.session.post(
        record["token_url"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": record["client_id"],
        },
    )
    return response.status_code


@pytest.mark.parametrize("reconnect", ["device", "api_token"])
def test_a_reconnect_revokes_the_grant_it_replaces(service, sim, lock_dir, reconnect):
    _connect_device(service, sim, lock_dir)
    store = credential_store.CredentialStore(service)
    old = store.read("connection:prod")
    if reconnect == "device":
        public = flows.start_device_authorization(service, "prod", sim.clock.now, lock_dir)
        sim.approve_device_via_pages(public["user_code"], region="us1")
        sim.clock.advance(public["interval"])
        assert (
            flows.poll_device_authorization(service, "prod", sim.clock.now, lock_dir)["status"]
            == "connected"
        )
    else:
        token = sim.create_api_token(sim.demo_email)
        flows.connect_api_token(service, "prod", token, sim.clock.now, lock_dir)
    new = store.read("connection:prod")
    assert new.get("refresh_token") != old["refresh_token"]
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    users = conn.api_base_url + "/users/current"
    answer = conn.session.get(users, headers={"Authorization": "Bearer " + old["access_token"]})
    assert answer.status_code == 401  # the replaced grant is revoked at the server
    assert conn.token_source.access_token()  # and the new one works
    if reconnect == "device":
        assert _refresh_answer(service, sim, old["refresh_token"]) == 400
        assert _refresh_answer(service, sim, new["refresh_token"]) == 200
