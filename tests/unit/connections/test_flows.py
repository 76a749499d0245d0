"""Each flow end to end over real HTTPS against the ThousandEyes simulator's authorization
server (sim_oauth.py), on its frozen clock."""

import pytest
from ta_thousandeyes import (
    assembly,
    connections,
    credential_store,
    redaction,
    regions,
    settings,
    splunk_service,
)
from ta_thousandeyes import authorization as flows
from ta_thousandeyes.oauth import errors


def _record(service, name):
    return credential_store.CredentialStore(service).read("connection:" + name)


def _new(service, name="prod", method="device_code"):
    connections.create_connection(service, name, "global", method, ["tests:read", "offline_access"])


def test_device_flow_pending_slow_down_then_connected(wired):
    service, te, lock_dir = wired
    # organization:read: the simulator, like ThousandEyes, answers /users/current only with it
    scopes = "organization:read tests:read offline_access"
    splunk_service.write_stanza(service, settings.CONF_NAME, "oauth", {"scopes": scopes})
    _new(service)
    public = flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    assert set(public) == {
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert "device_code" not in repr(public)
    pending = _record(service, "prod")["pending"]
    assert pending["device_code"] in te.sim.issued_secrets()  # the server's device code
    # too early: no request at all
    assert (
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)["status"] == "pending"
    )
    assert te.count("token") == 0
    te.clock.advance(5)
    assert (
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)["status"] == "pending"
    )
    assert te.count("token") == 1
    # a poll that ignores our own schedule (forced by moving next_poll_at) gets slow_down
    record = _record(service, "prod")
    record["pending"]["next_poll_at"] = 0
    credential_store.CredentialStore(service).write("connection:prod", record)
    te.clock.advance(1)
    result = flows.poll_device_authorization(service, "prod", te.clock, lock_dir)
    assert result == {"status": "slow_down", "interval": 10}
    te.approve_device(public["user_code"])
    te.clock.advance(9)
    assert (
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)["status"] == "pending"
    )
    te.clock.advance(1)
    result = flows.poll_device_authorization(service, "prod", te.clock, lock_dir)
    assert result["status"] == "connected"
    config = connections.get_connection(service, "prod")
    assert config.state == "connected"
    assert config.user_email == te.email
    assert config.account_groups == te.account_groups()
    assert config.client_id == te.client_id
    assert config.token_expiry > te.clock()
    record = _record(service, "prod")
    assert "pending" not in record and record["refresh_token"] in te.store.refresh_tokens
    assert record["revocation_url"].endswith("/oauth2/revoke")  # discovered
    [form] = te.requests("device/authorization")
    assert form == {"client_id": te.client_id, "scope": scopes}


def _device_connect(service, te, lock_dir, name="prod"):
    """One approved device flow; returns the scope its device authorization request asked."""
    public = flows.start_device_authorization(service, name, te.clock, lock_dir)
    asked = te.requests("device/authorization")[-1]["scope"]
    te.approve_device(public["user_code"])
    te.clock.advance(public["interval"])
    assert flows.poll_device_authorization(service, name, te.clock, lock_dir)["status"] == (
        "connected"
    )
    return asked.split()


def test_reconnect_asks_for_base_plus_features_not_the_last_grant(wired):
    """The scopes asked for are [oauth] scopes plus the connection's features, each time: a
    feature turned on after connecting is asked for on reconnect, one turned off is given up,
    and a scope added to [oauth] scopes later is asked for too."""
    service, te, lock_dir = wired
    connections.create_connection(service, "prod", "global", "device_code")
    base = list(settings.DEFAULT_SCOPES)
    assert _device_connect(service, te, lock_dir) == base
    assert sorted(connections.get_connection(service, "prod").scopes) == sorted(base)

    connections.update_connection(service, "prod", features=["streams"])
    assert _device_connect(service, te, lock_dir) == base + ["streams:manage"]
    assert "streams:manage" in connections.get_connection(service, "prod").scopes

    connections.update_connection(service, "prod", features=[])
    splunk_service.write_stanza(
        service, settings.CONF_NAME, "oauth", {"scopes": " ".join(base + ["tags:read"])}
    )
    assert _device_connect(service, te, lock_dir) == base + ["tags:read"]
    assert "streams:manage" not in connections.get_connection(service, "prod").scopes


def test_device_flow_denied(wired):
    service, te, lock_dir = wired
    _new(service)
    public = flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    te.approve_device(public["user_code"], deny=True)
    te.clock.advance(5)
    with pytest.raises(errors.DeniedError, match="denied"):
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)
    assert "pending" not in (_record(service, "prod") or {})
    config = connections.get_connection(service, "prod")
    assert config.state == "disconnected" and "denied" in config.error
    with pytest.raises(errors.NoPendingFlowError):
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)


def test_device_flow_expired_locally_and_at_server(wired):
    service, te, lock_dir = wired
    _new(service)
    flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    te.clock.advance(901)
    with pytest.raises(errors.ExpiredError, match="expired"):
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)
    assert te.count("token") == 0  # known expired: not even asked
    # the server's own expired_token answer maps to the same error
    flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    for device in te.store.devices.values():
        device.expires_at = 0
    te.clock.advance(5)
    with pytest.raises(errors.ExpiredError):
        flows.poll_device_authorization(service, "prod", te.clock, lock_dir)


def test_unknown_client_is_a_clear_error(wired):
    service, te, lock_dir = wired
    splunk_service.write_stanza(service, "ta_thousandeyes_settings", "oauth", {"client_id": "nope"})
    _new(service)
    with pytest.raises(errors.InvalidClientError, match="client id"):
        flows.start_device_authorization(service, "prod", te.clock, lock_dir)


def test_registration_when_no_client_id(wired):
    service, te, lock_dir = wired
    splunk_service.write_stanza(service, "ta_thousandeyes_settings", "oauth", {"client_id": ""})
    _new(service)
    public = flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    registered = te.requests("clients")
    assert registered and registered[0]["token_endpoint_auth_method"] == "none"
    te.approve_device(public["user_code"])
    te.clock.advance(5)
    flows.poll_device_authorization(service, "prod", te.clock, lock_dir)
    client_id = connections.get_connection(service, "prod").client_id
    assert client_id in te.store.clients and client_id != te.client_id  # the registered one


def test_no_client_id_and_no_registration(wired):
    service, te, lock_dir = wired
    te.omit_metadata("registration_endpoint")
    splunk_service.write_stanza(service, "ta_thousandeyes_settings", "oauth", {"client_id": ""})
    splunk_service.write_stanza(service, regions.CONF_NAME, "global", {"registration_url": ""})
    _new(service)
    with pytest.raises(errors.InvalidClientError, match="client_id"):
        flows.start_device_authorization(service, "prod", te.clock, lock_dir)


def test_pkce_flow(wired):
    service, te, lock_dir = wired
    _new(service, method="authorization_code")
    redirect = "https://splunk.example.com/en-US/app/TA-thousandeyes/oauth_callback"
    url = flows.start_authorization_code(service, "prod", redirect, te.clock, lock_dir)
    assert url.startswith(te.region_stanza()["authorize_url"] + "?")
    assert "code_challenge_method=S256" in url and "code_verifier" not in url
    params = te.authorize(url)
    config = flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)
    assert config.state == "connected" and config.user_email == te.email
    [exchange] = te.requests("token", grant_type="authorization_code")
    assert exchange["redirect_uri"] == redirect and len(exchange["code_verifier"]) == 64


def test_pkce_state_mismatch_keeps_flow_and_sends_nothing(wired):
    service, te, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", te.clock, lock_dir)
    params = te.authorize(url)
    forged = dict(params, state="forged")
    with pytest.raises(errors.StateMismatchError):
        flows.complete_authorization_code(service, "prod", forged, te.clock, lock_dir)
    assert te.count("token") == 0
    # the genuine redirect still completes
    flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)
    assert connections.get_connection(service, "prod").state == "connected"


def test_pkce_wrong_verifier_is_refused_by_the_server(wired):
    service, te, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", te.clock, lock_dir)
    params = te.authorize(url)
    record = _record(service, "prod")
    record["pending"]["code_verifier"] = "x" * 64
    credential_store.CredentialStore(service).write("connection:prod", record)
    with pytest.raises(errors.InvalidGrantError, match="PKCE"):
        flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)


def test_pkce_denied_and_expired(wired):
    service, te, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", te.clock, lock_dir)
    with pytest.raises(errors.DeniedError):
        flows.complete_authorization_code(
            service, "prod", te.authorize(url, deny=True), te.clock, lock_dir
        )
    url = flows.start_authorization_code(service, "prod", "https://s/cb", te.clock, lock_dir)
    params = te.authorize(url)
    te.clock.advance(601)
    with pytest.raises(errors.ExpiredError):
        flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)


def test_api_token_flow(wired):
    service, te, lock_dir = wired
    _new(service, method="api_token")
    with pytest.raises(errors.ApiTokenRejectedError):
        flows.connect_api_token(service, "prod", "wrong-token-123456", te.clock, lock_dir)
    assert _record(service, "prod") is None
    config = flows.connect_api_token(service, "prod", " " + te.api_token + " ", te.clock, lock_dir)
    assert config.state == "connected" and config.user_email == te.email
    conn = assembly.open_connection(service, "prod", te.clock, lock_dir)
    assert conn.token_source.access_token() == te.api_token


def test_logout_revokes_deletes_and_disconnects(wired):
    service, te, lock_dir = wired
    _new(service)
    public = flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    te.approve_device(public["user_code"])
    te.clock.advance(5)
    flows.poll_device_authorization(service, "prod", te.clock, lock_dir)
    tokens = _record(service, "prod")
    result = flows.logout(service, "prod", lock_dir)
    assert result == {"revoked": True, "revocation_offered": True}
    assert {f["token"] for f in te.requests("revoke")} == {
        tokens["refresh_token"],
        tokens["access_token"],
    }
    assert te.store.access_tokens[tokens["access_token"]].revoked  # the server took them back
    assert te.store.refresh_tokens[tokens["refresh_token"]].spent
    assert _record(service, "prod") is None
    assert connections.get_connection(service, "prod").state == "disconnected"


def test_logout_without_revocation_endpoint(wired):
    service, te, lock_dir = wired
    te.omit_metadata("revocation_endpoint")
    _new(service, method="api_token")
    flows.connect_api_token(service, "prod", te.api_token, te.clock, lock_dir)
    assert flows.logout(service, "prod", lock_dir) == {
        "revoked": False,
        "revocation_offered": False,
    }
    assert _record(service, "prod") is None


@pytest.mark.parametrize(
    "field, hostile",
    [
        ("token_endpoint", "https://evil.example.com/token"),
        ("token_endpoint", "https://evil.example.com\\@{host}/oauth2/token"),
        ("revocation_endpoint", "https://evil.example.com\\@{host}/oauth2/revoke"),
        ("authorization_endpoint", "https://user@{host}/oauth2/authorize"),
    ],
)
def test_metadata_with_a_foreign_endpoint_is_not_used(wired, field, hostile):
    from ta_thousandeyes.oauth import discovery

    service, te, lock_dir = wired
    region = regions.get_region(service, "global")
    host = region.token_url.split("/")[2]
    te.override_metadata(**{field: hostile.format(host=host)})
    session = assembly.http_session(
        __import__("ta_thousandeyes.settings").settings.load_settings(service), region, None
    )
    endpoints = discovery.discover(session, region)
    assert endpoints == discovery.configured_endpoints(region)  # the whole document refused


def test_flow_errors_never_show_secrets(wired):
    service, te, lock_dir = wired
    _new(service)
    flows.start_device_authorization(service, "prod", te.clock, lock_dir)
    device_code = _record(service, "prod")["pending"]["device_code"]
    assert device_code not in redaction.redact("poll with " + device_code)


def _pkce_redirect(wired):
    service, te, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", te.clock, lock_dir)
    return te.authorize(url)


def test_pkce_iss_naming_the_server_is_accepted(wired):
    service, te, lock_dir = wired
    params = dict(_pkce_redirect(wired), iss=te.base)
    config = flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)
    assert config.state == "connected"


@pytest.mark.parametrize("iss", ["https://other.example", "{base}/", "{base_upper}", ""])
def test_pkce_iss_naming_another_server_is_refused(wired, iss):
    """Issue 15 point 10: RFC 9207 section 2.4, the iss of the response was ignored."""
    service, te, lock_dir = wired
    iss = iss.format(base=te.base, base_upper=te.base.upper())
    params = dict(_pkce_redirect(wired), iss=iss)
    with pytest.raises(errors.IssuerMismatchError):
        flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)
    assert te.count("token") == 0  # the code was not exchanged
    assert "pending" not in (_record(service, "prod") or {})  # the flow is over


def test_pkce_iss_promised_by_metadata_must_be_present(wired):
    service, te, lock_dir = wired
    te.override_metadata(authorization_response_iss_parameter_supported=True)
    params = _pkce_redirect(wired)
    assert "iss" not in params
    with pytest.raises(errors.IssuerMismatchError):
        flows.complete_authorization_code(service, "prod", params, te.clock, lock_dir)
