"""Secrets go only to the region's hosts (issue 15, point 1), seen in the simulator's request log.

A hostile metadata document, or a record saved by an older version from one, names endpoints
such as ``https://<eu host>\\@<us1 host>/v7/oauth2/token``: ``urlsplit`` reads the us1 host,
requests connects to the eu host. Every request's issued secrets (headers, query, body) are
counted in the request log whatever its path, so a refresh token POSTed to the eu host's
``/%5C@...`` path is seen there.
"""

import requests
from ta_thousandeyes import assembly, credential_store
from ta_thousandeyes import authorization as flows

from .test_flows_against_simulator import _connect_device


def _hostile(sim, path, shown="us1", real="eu"):
    """A URL urlsplit places on ``shown``'s host and urllib3 sends to ``real``'s."""
    return sim.base_url(real) + "\\" + "@" + sim.base_url(shown).split("://", 1)[1] + path


def _record(service):
    return credential_store.CredentialStore(service).read("connection:prod")


def test_the_request_log_sees_a_secret_sent_to_another_region(sim):
    """The check below can fail: a refresh token sent to the eu host is counted there."""
    token = next(iter(sim.issued_secrets()), None) or sim.create_api_token(sim.demo_email)
    response = requests.post(
        _hostile(sim, "/v7/oauth2/token"),
        data={"grant_type": "refresh_token", "refresh_token": token},
        verify=sim.ca_bundle_path,
    )
    assert response.status_code == 404  # the eu host got it, on a path it does not know
    leaked = sim.secrets_sent_outside(["us1"])
    assert [(r.region, r.secrets) for r in leaked] == [("eu", 1)]


def test_poisoned_metadata_sends_no_secret_to_another_host(service, sim, lock_dir):
    sim.ctx.metadata_overrides["us1"] = {
        "token_endpoint": _hostile(sim, "/v7/oauth2/token"),
        "revocation_endpoint": _hostile(sim, "/v7/oauth2/revoke"),
    }
    _connect_device(service, sim, lock_dir)  # device code and tokens on the token endpoint
    configured = sim.region_urls("us1")
    record = _record(service)
    assert (record["token_url"], record["revocation_url"]) == (
        configured["token_url"],
        configured["revocation_url"],
    )  # the configured endpoints, not the document's, are saved with the tokens
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    first = conn.token_source.access_token()
    sim.clock.advance(600)
    assert conn.token_source.access_token() != first  # refreshed
    assert flows.logout(service, "prod", lock_dir)["revoked"]
    token_calls = [r for r in sim.request_log if r.path == "/v7/oauth2/token" and r.secrets]
    assert token_calls and all(r.region == "us1" for r in token_calls)
    assert sim.secrets_sent_outside(["us1"]) == []


def test_a_poisoned_stored_record_is_not_followed(service, sim, lock_dir):
    """A record an older version saved from a bad metadata answer heals on the next refresh."""
    _connect_device(service, sim, lock_dir)
    record = _record(service)
    record["token_url"] = _hostile(sim, "/v7/oauth2/token")
    record["revocation_url"] = _hostile(sim, "/v7/oauth2/revoke")
    credential_store.CredentialStore(service).write("connection:prod", record)
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    sim.clock.advance(600)
    conn.token_source.access_token()
    assert _record(service)["token_url"] == sim.region_urls("us1")["token_url"]
    assert flows.logout(service, "prod", lock_dir)["revoked"]
    assert sim.secrets_sent_outside(["us1"]) == []
