"""A credential record with a chunk missing (as a half-finished write leaves it), through
Splunk Web's proxy and the persistent REST handler: the status shows the damage, log out and
delete forget it (revoking what is left of it), a new authorization replaces it."""

import pytest
from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections, credential_store

from .test_access import BASE, web_session

SCOPES = ["organization:read", "tests:read", "offline_access"]


@pytest.fixture(autouse=True)
def _no_ambient_ca_bundle(monkeypatch):
    # The simulator's page client honours REQUESTS_CA_BUNDLE (trust_env); ours never does.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def _connect_device(service, sim, name):
    connections.create_connection(service, name, "global", connections.DEVICE_CODE, SCOPES)
    public = flows.start_device_authorization(service, name, sim.clock.now)
    sim.approve_device_via_pages(public["user_code"], region="global")
    sim.clock.advance(public["interval"])
    assert flows.poll_device_authorization(service, name, sim.clock.now)["status"] == "connected"


def _damage(service, name, last=False):
    """Delete chunk 0 (or the last) of the record; returns the record as it was, the chunk
    count and the chunk deleted."""
    key = credential_store.connection_key(name)
    record = credential_store.CredentialStore(service).read(key)
    chunks = sorted(
        entity.content["username"]
        for entity in service.storage_passwords.list(count=-1)
        if entity.content["username"].startswith(key + "#")
    )
    assert len(chunks) >= 2  # tokens span several chunks
    index = len(chunks) - 1 if last else 0
    doomed = next(u for u in chunks if u.endswith(f"#{index}"))
    entities = service.storage_passwords.list(count=-1)
    next(e for e in entities if e.content["username"] == doomed).delete()
    return record, len(chunks), index


def _stored(service, name):
    key = credential_store.connection_key(name)
    return [
        entity.content["username"]
        for entity in service.storage_passwords.list(count=-1)
        if entity.content["username"].split("#")[0] == key
    ]


def test_damaged_record_is_shown_and_logged_out(splunk, sim, service):
    _connect_device(service, sim, "prod")
    record, count, index = _damage(service, "prod", last=True)
    session, headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections"
    listing = session.get(url + "?output_mode=json")
    assert listing.status_code == 200, listing.text
    (item,) = listing.json()["connections"]
    assert item["state"] == "error" and item["credentials_damaged"] is True
    assert f"missing chunk {index} of {count}" in item["error"]
    logout = session.post(url + "/prod/logout?output_mode=json", headers=headers, data={})
    assert logout.status_code == 200, logout.text
    assert logout.json()["connection"]["state"] == "disconnected"
    assert _stored(service, "prod") == []
    # The tokens sat in the first chunk, still there: revoked at ThousandEyes (the revocation
    # URL was in the lost chunk: the region's is used).
    store = sim.ctx.store
    grant = store.grants[store.refresh_tokens[record["refresh_token"]].grant_id]
    assert grant.revoked
    assert connections.get_connection(service, "prod").state == connections.DISCONNECTED


def test_damaged_record_is_replaced_by_a_new_flow_and_deleted(splunk, sim, service):
    _connect_device(service, sim, "prod")
    _damage(service, "prod")
    session, headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections/prod"
    started = session.post(url + "/device?output_mode=json", headers=headers, data={})
    assert started.status_code == 200, started.text
    record = credential_store.CredentialStore(service).read("connection:prod")
    assert set(record) == {"pending"}  # a whole new record
    sim.approve_device_via_pages(started.json()["user_code"], region="global")
    sim.clock.advance(started.json()["interval"])
    flows.poll_device_authorization(service, "prod", sim.clock.now)
    _damage(service, "prod")
    deleted = session.delete(url + "?output_mode=json", headers=headers)
    assert deleted.status_code == 200, deleted.text
    assert _stored(service, "prod") == []
    assert [c.name for c in connections.list_connections(service)] == []
