import pytest
from ta_thousandeyes import (
    assembly,
    connections,
    credential_store,
    regions,
    settings,
    splunk_service,
)
from ta_thousandeyes.connections import ConnectionConfigError
from urllib3.util import make_headers


def test_default_regions_are_the_four_keys_on_public_hosts(standin_service):
    loaded = regions.load_regions(standin_service)
    assert list(loaded) == ["global", "us1", "us2", "eu"]
    assert loaded["global"].label == "Default"
    for region in loaded.values():
        assert region.api_base_url == "https://api.thousandeyes.com/v7"
        assert region.revocation_url == ""
        assert region.owns("https://api.thousandeyes.com/v7/tests")
        assert not region.owns("https://evil.example.com/v7/tests")
        assert not region.owns("http://api.thousandeyes.com/v7/tests")  # other origin


def test_local_override_of_a_region(standin_service):
    splunk_service.write_stanza(
        standin_service, regions.CONF_NAME, "eu", {"api_base_url": "https://eu.example.net/v7/"}
    )
    region = regions.get_region(standin_service, "eu")
    assert region.api_base_url == "https://eu.example.net/v7"
    assert region.token_url == "https://api.thousandeyes.com/v7/oauth2/token"


@pytest.mark.parametrize("key", ["default", "EU", "mars", ""])
def test_unknown_region_keys_are_refused(standin_service, key):
    with pytest.raises(regions.RegionError):
        regions.get_region(standin_service, key)


def test_settings_defaults_and_proxy(standin_service):
    current = settings.load_settings(standin_service)
    assert current.scopes == ["organization:read", "tests:read", "alerts:read", "offline_access"]
    assert current.proxy("x") is None
    current.proxy_enabled, current.proxy_host, current.proxy_port = True, "proxy.local", 3128
    current.proxy_username = "svc user"
    proxy = current.proxy("p@ss:word")
    assert proxy.url == "http://proxy.local:3128"  # no credentials in any URL
    assert proxy.headers() == make_headers(proxy_basic_auth="svc user:p@ss:word")
    assert "p@ss:word" not in repr(proxy)
    settings.save_settings(standin_service, current)
    again = settings.load_settings(standin_service)
    assert again.proxy_enabled and again.proxy_port == 3128 and again.proxy_username == "svc user"


@pytest.mark.parametrize(
    "change",
    [
        {"log_level": "LOUD"},
        {"proxy_enabled": True, "proxy_host": "bad host", "proxy_port": 80},
        {"proxy_enabled": True, "proxy_host": "ok", "proxy_port": 70000},
        {"ca_bundle": "relative.pem"},
        {"refresh_margin_seconds": -1},
    ],
)
def test_invalid_settings_are_refused(standin_service, change):
    current = settings.load_settings(standin_service)
    for key, value in change.items():
        setattr(current, key, value)
    with pytest.raises(settings.SettingsError):
        settings.save_settings(standin_service, current)


@pytest.mark.parametrize("name", ["prod", "Org_2.eu-1", "a" * 64])
def test_valid_names(name):
    assert connections.validate_name(name) == name


@pytest.mark.parametrize("name", ["", "-x", "a" * 65, "a b", "a/b", "a#b", "default", "é"])
def test_invalid_names(name):
    with pytest.raises(ConnectionConfigError):
        connections.validate_name(name)


def test_create_list_get_and_state_transitions(standin_service):
    connections.create_connection(standin_service, "prod", "eu", "device_code", ["tests:read"])
    with pytest.raises(ConnectionConfigError, match="already exists"):
        connections.create_connection(standin_service, "prod", "eu", "device_code")
    with pytest.raises(ConnectionConfigError):
        connections.create_connection(standin_service, "other", "eu", "password")
    config = connections.get_connection(standin_service, "prod")
    assert (config.region, config.state, config.scopes) == ("eu", "disconnected", ["tests:read"])
    # a disconnected connection is connected only by an authorization
    with pytest.raises(ConnectionConfigError, match="cannot go from"):
        connections.update_connection(standin_service, "prod", state="needs_reauthorization")
    connections.update_connection(
        standin_service,
        "prod",
        allow_from_disconnected=True,
        state="connected",
        account_groups=[{"aid": "1", "name": "Main"}],
        token_expiry=123.0,
    )
    connections.update_connection(standin_service, "prod", state="needs_reauthorization")
    config = connections.get_connection(standin_service, "prod")
    assert config.state == "needs_reauthorization"
    assert config.account_groups == [{"aid": "1", "name": "Main"}]
    assert config.token_expiry == 123.0
    assert [c.name for c in connections.list_connections(standin_service)] == ["prod"]
    with pytest.raises(connections.UnknownConnectionError):
        connections.get_connection(standin_service, "missing")


def test_error_text_is_redacted_in_the_conf(standin_service, splunk_standin):
    connections.create_connection(standin_service, "c1", "global", "device_code")
    connections.update_connection(
        standin_service, "c1", error="refresh failed: refresh_token=abcdef123456 rejected"
    )
    stanza = splunk_standin.stored()["confs"]["ta_thousandeyes_connections"]["c1"]
    assert "abcdef123456" not in stanza["error"]


def test_delete_removes_conf_and_secrets(standin_service):
    connections.create_connection(standin_service, "gone", "us1", "api_token")
    store = credential_store.CredentialStore(standin_service)
    store.write("connection:gone", {"api_token": "secret-api-token"})
    connections.delete_connection(standin_service, "gone")
    assert store.read("connection:gone") is None
    with pytest.raises(connections.UnknownConnectionError):
        connections.get_connection(standin_service, "gone")


def test_open_connection_refuses_logged_out_connection(standin_service):
    from ta_thousandeyes.tokens import ReauthorizationRequired

    connections.create_connection(standin_service, "idle", "global", "device_code")
    with pytest.raises(ReauthorizationRequired, match="logged out"):
        assembly.open_connection(standin_service, "idle")


def test_features_are_validated_stored_and_add_their_scopes(standin_service):
    """Features are keys of features.FEATURES: a scope or anything else is refused; each adds
    its scope to what the next authorization asks for, after the base scopes."""
    connections.create_connection(standin_service, "prod", "eu", "device_code")
    for bad in (["streams:manage"], ["admin"], ["streams", "tests:manage"]):
        with pytest.raises(ConnectionConfigError, match="Unknown feature"):
            connections.update_connection(standin_service, "prod", features=bad)
    config = connections.update_connection(
        standin_service, "prod", features=["endpoint_agents", "streams", "streams"]
    )
    assert config.features == ["streams", "endpoint_agents"]  # the map's order, no repeats
    stanza = splunk_service.read_stanza(standin_service, connections.CONF_NAME, "prod")
    assert stanza["features"] == "streams,endpoint_agents"
    base = list(settings.DEFAULT_SCOPES)
    assert connections.get_connection(standin_service, "prod").requested_scopes(base) == base + [
        "streams:manage",
        "endpoint-tests:read",
    ]
    parts = assembly.parts(standin_service, "prod")
    try:
        assert parts.scopes == base + ["streams:manage", "endpoint-tests:read"]
    finally:
        parts.close()
    # a hand-edited conf with an unknown feature keeps the connection usable
    splunk_service.write_stanza(
        standin_service, connections.CONF_NAME, "prod", {"features": "streams, bogus"}
    )
    assert connections.get_connection(standin_service, "prod").features == ["streams"]
    # scopes given at creation (callers that name what the connection is to hold) turn on
    # the features they cover
    connections.create_connection(
        standin_service, "lab", "eu", "device_code", base + ["tests:manage"]
    )
    assert connections.get_connection(standin_service, "lab").features == ["instant_tests"]
