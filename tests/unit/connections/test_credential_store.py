import json

import pytest
from splunklib import client
from ta_thousandeyes import credential_store, redaction
from ta_thousandeyes.credential_store import CorruptRecordError, CredentialStore


def _usernames(standin):
    return sorted(r["username"] for r in standin.stored()["passwords"].values())


def test_round_trip_short_and_long_values(standin_service, splunk_standin):
    store = CredentialStore(standin_service)
    long_token = "eyJ" + "x" * 5000 + ".sig"
    record = {"access_token": long_token, "refresh_token": "rt-ü-" + "y" * 300, "expires_at": 5}
    store.write("connection:prod", record)
    assert store.read("connection:prod") == record
    # chunks never exceed the chunk size; the head is small
    for entry in splunk_standin.stored()["passwords"].values():
        assert len(entry["password"]) <= credential_store.CHUNK_SIZE
        assert entry["realm"] == "TA-thousandeyes"


def test_missing_record_is_none(standin_service):
    assert CredentialStore(standin_service).read("connection:nope") is None


def test_rewrite_replaces_generation_and_removes_old_chunks(standin_service, splunk_standin):
    store = CredentialStore(standin_service, chunk_size=32)
    store.write("connection:a", {"access_token": "a" * 200})
    first = _usernames(splunk_standin)
    store.write("connection:a", {"access_token": "b" * 100})
    second = _usernames(splunk_standin)
    assert store.read("connection:a") == {"access_token": "b" * 100}
    assert not set(first[1:]) & set(second[1:])  # chunk names all changed
    assert len(second) == 1 + 4  # head + ceil(len(json)/32)


def test_records_do_not_collide_by_prefix(standin_service, splunk_standin):
    store = CredentialStore(standin_service)
    store.write("connection:a", {"api_token": "token-of-a"})
    store.write("connection:ab", {"api_token": "token-of-ab"})
    store.write("connection:a", {"api_token": "token-of-a2"})
    assert store.read("connection:ab") == {"api_token": "token-of-ab"}
    assert store.delete("connection:a") is True
    assert store.read("connection:a") is None
    assert store.read("connection:ab") == {"api_token": "token-of-ab"}
    assert all(not u.startswith("connection:a#") for u in _usernames(splunk_standin))


def test_crash_after_new_chunks_keeps_old_record(standin_service, monkeypatch, splunk_standin):
    store = CredentialStore(standin_service, chunk_size=20)
    store.write("connection:c", {"refresh_token": "old-refresh-token"})
    # the head switch fails: the new chunks exist, the head still names the old generation
    original = client.StoragePasswords.create  # splunklib's, as the add-on calls it

    def create(self, password, username, realm=None):
        if username == "connection:c":
            raise RuntimeError("crash")
        return original(self, password, username, realm)

    monkeypatch.setattr(client.StoragePasswords, "create", create)
    head = {e["username"]: e for e in splunk_standin.stored()["passwords"].values()}["connection:c"]
    monkeypatch.setattr(
        client.StoragePassword,
        "update",
        lambda self, **kw: (_ for _ in ()).throw(RuntimeError("crash")),
    )
    with pytest.raises(RuntimeError):
        store.write("connection:c", {"refresh_token": "new-refresh-token"})
    assert head["password"]
    assert store.read("connection:c") == {"refresh_token": "old-refresh-token"}


def test_missing_chunk_is_reported_not_half_read(standin_service, splunk_standin):
    store = CredentialStore(standin_service, chunk_size=20)
    store.write("connection:d", {"access_token": "z" * 100})
    with splunk_standin.edit_passwords() as passwords:
        victim = next(n for n, r in passwords.items() if r["username"].endswith("#2"))
        del passwords[victim]
    with pytest.raises(CorruptRecordError, match="missing chunk"):
        store.read("connection:d")


def test_tampered_chunk_fails_digest(standin_service, splunk_standin):
    store = CredentialStore(standin_service, chunk_size=20)
    store.write("connection:e", {"access_token": "q" * 60})
    with splunk_standin.edit_passwords() as passwords:
        name = next(n for n, r in passwords.items() if r["username"].endswith("#0"))
        passwords[name]["password"] = "X" + passwords[name]["password"][1:]
    with pytest.raises(CorruptRecordError, match="digest"):
        store.read("connection:e")


def test_other_realms_are_ignored(standin_service):
    standin_service.storage_passwords.create("other", "connection:f", realm="other-app")
    assert CredentialStore(standin_service).read("connection:f") is None


def test_read_registers_secrets_for_redaction(standin_service):
    standin_service.storage_passwords.create(
        json.dumps(
            {
                "generation": "g",
                "chunks": 1,
                "sha256": __import__("hashlib")
                .sha256(json.dumps({"refresh_token": "never-seen-before-rt-123"}).encode())
                .hexdigest(),
            }
        ),
        "connection:g",
        realm="TA-thousandeyes",
    )
    standin_service.storage_passwords.create(
        json.dumps({"refresh_token": "never-seen-before-rt-123"}),
        "connection:g#g#0",
        realm="TA-thousandeyes",
    )
    assert CredentialStore(standin_service).read("connection:g")["refresh_token"]
    assert "never-seen-before-rt-123" not in redaction.redact("x never-seen-before-rt-123 y")


def test_token_type_is_not_treated_as_secret():
    credential_store.register_record_secrets({"token_type": "Bearer-ish-value"})
    assert "Bearer-ish-value" in redaction.redact("Bearer-ish-value")


def _drop_chunk(splunk_standin, key, index):
    with splunk_standin.edit_passwords() as passwords:
        victim = next(
            n
            for n, r in passwords.items()
            if r["username"].startswith(key + "#") and r["username"].endswith(f"#{index}")
        )
        del passwords[victim]


def test_salvage_reads_what_the_remaining_chunks_hold(standin_service, splunk_standin):
    store = CredentialStore(standin_service, chunk_size=40)
    record = {
        "access_token": "a" * 30,  # begins in chunk 0, ends in chunk 1
        "client_id": "cid-1",
        "refresh_token": "r" * 10,
        "revocation_url": "https://api.example/revoke",
        "token_type": "Bearer",
    }
    store.write("connection:s", record)
    store.write("connection:t", {"access_token": "t" * 50})
    _drop_chunk(splunk_standin, "connection:s", 0)
    damaged = store.damaged()
    assert list(damaged) == ["connection:s"]
    assert "missing chunk 0 of" in damaged["connection:s"]
    salvaged = store.salvage("connection:s")
    assert salvaged == {
        "client_id": "cid-1",
        "refresh_token": "r" * 10,
        "revocation_url": record["revocation_url"],
    }
    assert redaction.redact("x" + "r" * 10) != "x" + "r" * 10  # registered as a secret
    assert store.salvage("connection:t") == {"access_token": "t" * 50}  # intact: all of it
    assert store.delete("connection:s") and store.read("connection:s") is None
    assert store.damaged() == {}


def test_every_record_has_one_lock_and_connection_records_share_the_refresh_lock(tmp_path):
    from ta_thousandeyes import locks

    directory = str(tmp_path)
    prod = credential_store.record_lock("connection:prod", directory)
    assert prod.path == locks.ConnectionLock("prod", directory=directory).path
    proxy = credential_store.record_lock("settings:proxy", directory)
    # no connection name can map to the proxy's lock (names start with a letter or digit)
    assert proxy.path != credential_store.record_lock("connection:settings_proxy", directory).path
