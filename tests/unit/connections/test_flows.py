"""Each flow end to end over real HTTPS against the stub authorization server."""

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
from ta_thousandeyes.oauth import errors, flows


def _record(service, name):
    return credential_store.CredentialStore(service).read("connection:" + name)


def _new(service, name="prod", method="device_code"):
    connections.create_connection(service, name, "global", method, ["tests:read", "offline_access"])


def test_device_flow_pending_slow_down_then_connected(wired):
    service, stub, lock_dir = wired
    splunk_service.write_stanza(
        service, settings.CONF_NAME, "oauth", {"scopes": "tests:read offline_access"}
    )
    _new(service)
    public = flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    assert set(public) == {
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert "device_code" not in repr(public)
    pending = _record(service, "prod")["pending"]
    assert pending["device_code"].startswith("dc-")
    # too early: no request at all
    assert (
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)["status"]
        == "pending"
    )
    assert stub.count("/oauth2/token") == 0
    stub.clock.advance(5)
    assert (
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)["status"]
        == "pending"
    )
    assert stub.count("/oauth2/token") == 1
    # a poll that ignores our own schedule (forced by moving next_poll_at) gets slow_down
    record = _record(service, "prod")
    record["pending"]["next_poll_at"] = 0
    credential_store.CredentialStore(service).write("connection:prod", record)
    stub.clock.advance(1)
    result = flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)
    assert result == {"status": "slow_down", "interval": 10}
    stub.approve_device(public["user_code"])
    stub.clock.advance(9)
    assert (
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)["status"]
        == "pending"
    )
    stub.clock.advance(1)
    result = flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)
    assert result["status"] == "connected"
    config = connections.get_connection(service, "prod")
    assert config.state == "connected"
    assert config.user_email == "admin@example.com"
    assert config.account_groups == [{"aid": "1234", "name": "Main"}]
    assert config.client_id == "configured-client"
    assert config.token_expiry > stub.clock()
    record = _record(service, "prod")
    assert "pending" not in record and record["refresh_token"].startswith("rt-")
    assert record["revocation_url"].endswith("/oauth2/revoke")  # discovered
    form = [f for m, p, f in stub.log if p == "/oauth2/device/authorization"][0]
    assert form == {"client_id": "configured-client", "scope": "tests:read offline_access"}


def _device_connect(service, stub, lock_dir, name="prod"):
    """One approved device flow; returns the scope its device authorization request asked."""
    public = flows.start_device_authorization(service, name, stub.clock, lock_dir)
    asked = [f for m, p, f in stub.log if p == "/oauth2/device/authorization"][-1]["scope"]
    stub.approve_device(public["user_code"])
    stub.clock.advance(public["interval"])
    assert flows.poll_device_authorization(service, name, stub.clock, lock_dir)["status"] == (
        "connected"
    )
    return asked.split()


def test_reconnect_asks_for_base_plus_features_not_the_last_grant(wired):
    """The scopes asked for are [oauth] scopes plus the connection's features, each time: a
    feature turned on after connecting is asked for on reconnect, one turned off is given up,
    and a scope added to [oauth] scopes later is asked for too."""
    service, stub, lock_dir = wired
    connections.create_connection(service, "prod", "global", "device_code")
    base = list(settings.DEFAULT_SCOPES)
    assert _device_connect(service, stub, lock_dir) == base
    assert sorted(connections.get_connection(service, "prod").scopes) == sorted(base)

    connections.update_connection(service, "prod", features=["streams"])
    assert _device_connect(service, stub, lock_dir) == base + ["streams:manage"]
    assert "streams:manage" in connections.get_connection(service, "prod").scopes

    connections.update_connection(service, "prod", features=[])
    splunk_service.write_stanza(
        service, settings.CONF_NAME, "oauth", {"scopes": " ".join(base + ["tags:read"])}
    )
    assert _device_connect(service, stub, lock_dir) == base + ["tags:read"]
    assert "streams:manage" not in connections.get_connection(service, "prod").scopes


def test_device_flow_denied(wired):
    service, stub, lock_dir = wired
    _new(service)
    public = flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    stub.approve_device(public["user_code"], deny=True)
    stub.clock.advance(5)
    with pytest.raises(errors.DeniedError, match="denied"):
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)
    assert "pending" not in (_record(service, "prod") or {})
    config = connections.get_connection(service, "prod")
    assert config.state == "disconnected" and "denied" in config.error
    with pytest.raises(errors.NoPendingFlowError):
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)


def test_device_flow_expired_locally_and_at_server(wired):
    service, stub, lock_dir = wired
    _new(service)
    flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    stub.clock.advance(901)
    with pytest.raises(errors.ExpiredError, match="expired"):
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)
    assert stub.count("/oauth2/token") == 0  # known expired: not even asked
    # the server's own expired_token answer maps to the same error
    flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    for device in stub.devices.values():
        device["expires_at"] = 0
    stub.clock.advance(5)
    with pytest.raises(errors.ExpiredError):
        flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)


def test_unknown_client_is_a_clear_error(wired):
    service, stub, lock_dir = wired
    splunk_service.write_stanza(service, "ta_thousandeyes_settings", "oauth", {"client_id": "nope"})
    _new(service)
    with pytest.raises(errors.InvalidClientError, match="client id"):
        flows.start_device_authorization(service, "prod", stub.clock, lock_dir)


def test_registration_when_no_client_id(wired):
    service, stub, lock_dir = wired
    splunk_service.write_stanza(service, "ta_thousandeyes_settings", "oauth", {"client_id": ""})
    _new(service)
    public = flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    registered = [f for m, p, f in stub.log if p == "/oauth2/clients"]
    assert registered and registered[0]["token_endpoint_auth_method"] == "none"
    stub.approve_device(public["user_code"])
    stub.clock.advance(5)
    flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)
    assert connections.get_connection(service, "prod").client_id.startswith("registered-")


def test_no_client_id_and_no_registration(wired):
    service, stub, lock_dir = wired
    stub.offer_registration = False
    splunk_service.write_stanza(service, "ta_thousandeyes_settings", "oauth", {"client_id": ""})
    splunk_service.write_stanza(service, regions.CONF_NAME, "global", {"registration_url": ""})
    _new(service)
    with pytest.raises(errors.InvalidClientError, match="client_id"):
        flows.start_device_authorization(service, "prod", stub.clock, lock_dir)


def test_pkce_flow(wired):
    service, stub, lock_dir = wired
    _new(service, method="authorization_code")
    redirect = "https://splunk.example.com/en-US/app/TA-thousandeyes/oauth_callback"
    url = flows.start_authorization_code(service, "prod", redirect, stub.clock, lock_dir)
    assert url.startswith(stub.base + "/oauth2/authorize?")
    assert "code_challenge_method=S256" in url and "code_verifier" not in url
    params = stub.authorize(url)
    config = flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)
    assert config.state == "connected" and config.user_email == "admin@example.com"
    exchange = [f for m, p, f in stub.log if f.get("grant_type") == "authorization_code"][0]
    assert exchange["redirect_uri"] == redirect and len(exchange["code_verifier"]) == 64


def test_pkce_state_mismatch_keeps_flow_and_sends_nothing(wired):
    service, stub, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", stub.clock, lock_dir)
    params = stub.authorize(url)
    forged = dict(params, state="forged")
    with pytest.raises(errors.StateMismatchError):
        flows.complete_authorization_code(service, "prod", forged, stub.clock, lock_dir)
    assert stub.count("/oauth2/token") == 0
    # the genuine redirect still completes
    flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)
    assert connections.get_connection(service, "prod").state == "connected"


def test_pkce_wrong_verifier_is_refused_by_the_server(wired):
    service, stub, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", stub.clock, lock_dir)
    params = stub.authorize(url)
    record = _record(service, "prod")
    record["pending"]["code_verifier"] = "x" * 64
    credential_store.CredentialStore(service).write("connection:prod", record)
    with pytest.raises(errors.InvalidGrantError, match="PKCE"):
        flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)


def test_pkce_denied_and_expired(wired):
    service, stub, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", stub.clock, lock_dir)
    with pytest.raises(errors.DeniedError):
        flows.complete_authorization_code(
            service, "prod", stub.authorize(url, deny=True), stub.clock, lock_dir
        )
    url = flows.start_authorization_code(service, "prod", "https://s/cb", stub.clock, lock_dir)
    params = stub.authorize(url)
    stub.clock.advance(601)
    with pytest.raises(errors.ExpiredError):
        flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)


def test_api_token_flow(wired):
    service, stub, lock_dir = wired
    _new(service, method="api_token")
    with pytest.raises(errors.ApiTokenRejectedError):
        flows.connect_api_token(service, "prod", "wrong-token-123456", stub.clock, lock_dir)
    assert _record(service, "prod") is None
    config = flows.connect_api_token(
        service, "prod", " te-api-token-0123456789 ", stub.clock, lock_dir
    )
    assert config.state == "connected" and config.user_email == "api-user@example.com"
    conn = assembly.open_connection(service, "prod", stub.clock, lock_dir)
    assert conn.token_source.access_token() == "te-api-token-0123456789"


def test_logout_revokes_deletes_and_disconnects(wired):
    service, stub, lock_dir = wired
    _new(service)
    public = flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    stub.approve_device(public["user_code"])
    stub.clock.advance(5)
    flows.poll_device_authorization(service, "prod", stub.clock, lock_dir)
    tokens = _record(service, "prod")
    result = flows.logout(service, "prod", lock_dir)
    assert result == {"revoked": True, "revocation_offered": True}
    assert set(stub.revoked) == {tokens["refresh_token"], tokens["access_token"]}
    assert _record(service, "prod") is None
    assert connections.get_connection(service, "prod").state == "disconnected"


def test_logout_without_revocation_endpoint(wired):
    service, stub, lock_dir = wired
    stub.offer_revocation = False
    _new(service, method="api_token")
    flows.connect_api_token(service, "prod", "te-api-token-0123456789", stub.clock, lock_dir)
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
def test_metadata_with_a_foreign_endpoint_is_not_used(wired, monkeypatch, field, hostile):
    from ta_thousandeyes.oauth import discovery

    service, stub, lock_dir = wired
    region = regions.get_region(service, "global")
    original = stub._route
    host = region.token_url.split("/")[2]

    def route(method, path, form, headers):
        status, body = original(method, path, form, headers)
        if path.startswith("/.well-known"):
            body[field] = hostile.format(host=host)
        return status, body

    monkeypatch.setattr(stub, "_route", route)
    session = assembly.http_session(
        __import__("ta_thousandeyes.settings").settings.load_settings(service), region, None
    )
    endpoints = discovery.discover(session, region)
    assert endpoints == discovery.configured_endpoints(region)  # the whole document refused


def test_flow_errors_never_show_secrets(wired):
    service, stub, lock_dir = wired
    _new(service)
    flows.start_device_authorization(service, "prod", stub.clock, lock_dir)
    device_code = _record(service, "prod")["pending"]["device_code"]
    assert device_code not in redaction.redact("poll with " + device_code)


def _pkce_redirect(wired):
    service, stub, lock_dir = wired
    _new(service, method="authorization_code")
    url = flows.start_authorization_code(service, "prod", "https://s/cb", stub.clock, lock_dir)
    return stub.authorize(url)


def test_pkce_iss_naming_the_server_is_accepted(wired):
    service, stub, lock_dir = wired
    params = dict(_pkce_redirect(wired), iss=stub.base)
    config = flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)
    assert config.state == "connected"


@pytest.mark.parametrize("iss", ["https://other.example", "{base}/", "{base_upper}", ""])
def test_pkce_iss_naming_another_server_is_refused(wired, iss):
    """Issue 15 point 10: RFC 9207 section 2.4, the iss of the response was ignored."""
    service, stub, lock_dir = wired
    iss = iss.format(base=stub.base, base_upper=stub.base.upper())
    params = dict(_pkce_redirect(wired), iss=iss)
    with pytest.raises(errors.IssuerMismatchError):
        flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)
    assert stub.count("/oauth2/token") == 0  # the code was not exchanged
    assert "pending" not in (_record(service, "prod") or {})  # the flow is over


def test_pkce_iss_promised_by_metadata_must_be_present(wired, monkeypatch):
    service, stub, lock_dir = wired
    original = stub._route

    def route(method, path, form, headers):
        status, body = original(method, path, form, headers)
        if path.startswith("/.well-known"):
            body["authorization_response_iss_parameter_supported"] = True
        return status, body

    monkeypatch.setattr(stub, "_route", route)
    params = _pkce_redirect(wired)
    assert "iss" not in params
    with pytest.raises(errors.IssuerMismatchError):
        flows.complete_authorization_code(service, "prod", params, stub.clock, lock_dir)
