"""splunklib.client against the splunkd stand-in: login, passwords, confs, apps, KV store."""

import json
import os

import pytest
import requests
from splunklib import binding, client

from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.fixtures import TINY_APP


def test_login_and_server_info(splunk_emulator):
    service = splunk_emulator.service("admin")
    info = service.info
    assert info["version"].startswith("9.4")
    assert info["kvStoreStatus"] == "ready"


def test_bad_password_and_missing_session_are_refused(splunk_emulator):
    with pytest.raises(binding.AuthenticationError):
        splunk_emulator.service("admin", password="wrong")
    response = requests.get(
        splunk_emulator.splunkd_uri + "/services/server/info",
        verify=splunk_emulator.ca_bundle_path,
    )
    assert response.status_code == 401
    assert "call not properly authenticated" in response.text
    bogus = requests.get(
        splunk_emulator.splunkd_uri + "/services/server/info",
        headers={"Authorization": "Splunk not-a-session"},
        verify=splunk_emulator.ca_bundle_path,
    )
    assert bogus.status_code == 401


def test_sessions_expire(tmp_path):
    now = [1_000_000.0]
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk",
        apps={"tiny_app": TINY_APP},
        session_lifetime=60,
        clock=lambda: now[0],
    )
    with emulator:
        key = emulator.login("admin", "changeme")
        url = emulator.splunkd_uri + "/services/server/info?output_mode=json"
        headers = {"Authorization": "Splunk " + key}
        ok = requests.get(url, headers=headers, verify=emulator.ca_bundle_path)
        assert ok.status_code == 200
        now[0] += 61
        expired = requests.get(url, headers=headers, verify=emulator.ca_bundle_path)
        assert expired.status_code == 401


def test_storage_passwords_round_trip(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    passwords = service.storage_passwords
    created = passwords.create("s3cret-value", "connection:main", "TA-thousandeyes")
    assert created.name == "TA-thousandeyes:connection\\:main:"
    assert created.clear_password == "s3cret-value"
    listed = {p.name: p for p in passwords.list()}
    assert listed["TA-thousandeyes:connection\\:main:"].username == "connection:main"
    assert listed["TA-thousandeyes:connection\\:main:"].realm == "TA-thousandeyes"
    assert listed["TA-thousandeyes:connection\\:main:"].encrypted_password.startswith("$7$")

    with pytest.raises(binding.HTTPError) as conflict:
        passwords.create("other", "connection:main", "TA-thousandeyes")
    assert conflict.value.status == 409

    created.update(password="rotated")
    created.refresh()
    assert created.clear_password == "rotated"

    store = os.path.join(splunk_emulator.home, "etc", "passwords-store.json")
    with open(store, encoding="utf-8") as handle:
        at_rest = handle.read()
    assert "rotated" not in at_rest and "s3cret-value" not in at_rest
    for root, _, files in os.walk(splunk_emulator.app_dir("tiny_app")):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert b"rotated" not in handle.read()

    created.delete()
    assert "TA-thousandeyes:connection\\:main:" not in [p.name for p in passwords.list()]


def test_storage_passwords_simple_names_delete_by_username_and_realm(splunk_emulator):
    passwords = splunk_emulator.service("admin", app="tiny_app").storage_passwords
    passwords.create("x", "alice", "realm1")
    assert "realm1:alice" in passwords  # found with or without the trailing colon
    passwords.delete("alice", "realm1")
    assert "realm1:alice:" not in passwords


def test_plain_user_cannot_read_or_write_secrets(splunk_emulator):
    admin = splunk_emulator.service("admin", app="tiny_app")
    admin.storage_passwords.create("x", "bob", "r")
    user = splunk_emulator.service("user", app="tiny_app")
    with pytest.raises(binding.HTTPError) as listing:
        user.storage_passwords.list()
    assert listing.value.status == 403
    assert "list_storage_passwords" in str(listing.value)
    with pytest.raises(binding.HTTPError) as creating:
        user.storage_passwords.create("y", "eve", "r")
    assert creating.value.status == 403


def test_confs_layering_and_writes_to_local(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    tiny = service.confs["tiny"]
    assert tiny["main"]["color"] == "blue"
    tiny["main"].update(color="red")
    assert service.confs["tiny"]["main"]["color"] == "red"
    assert service.confs["tiny"]["main"]["size"] == "1"  # still from default/
    app_dir = splunk_emulator.app_dir("tiny_app")
    with open(os.path.join(app_dir, "local", "tiny.conf"), encoding="utf-8") as handle:
        local = handle.read()
    assert "color = red" in local and "size" not in local
    with open(os.path.join(app_dir, "default", "tiny.conf"), encoding="utf-8") as handle:
        assert "color = blue" in handle.read()

    tiny.create("added", shape="round")
    assert service.confs["tiny"]["added"]["shape"] == "round"
    tiny.delete("added")
    assert "added" not in [s.name for s in service.confs["tiny"].list()]
    with pytest.raises(KeyError):
        service.confs["no_such_conf"]


def test_plain_user_cannot_write_confs(splunk_emulator):
    user = splunk_emulator.service("user", app="tiny_app")
    assert user.confs["tiny"]["main"]["color"] == "blue"
    with pytest.raises(binding.HTTPError) as refused:
        user.confs["tiny"]["main"].update(color="red")
    assert refused.value.status == 403


def test_properties_endpoint(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    value = service.get("properties/tiny/main/color").body.read().decode()
    assert value == "blue"
    service.post("properties/tiny/main", color="purple")
    assert service.get("properties/tiny/main/color").body.read().decode() == "purple"


def test_apps_local_configured_flag(splunk_emulator):
    service = splunk_emulator.service("admin")
    app = service.apps["tiny_app"]
    assert app["configured"] == "0"
    app.update(configured="1")
    assert service.apps["tiny_app"]["configured"] == "1"
    local = os.path.join(splunk_emulator.app_dir("tiny_app"), "local", "app.conf")
    with open(local, encoding="utf-8") as handle:
        assert "is_configured = 1" in handle.read()
    app.reload()
    with pytest.raises(binding.HTTPError) as refused:
        splunk_emulator.service("user").apps["tiny_app"].update(configured="0")
    assert refused.value.status == 403


def test_json_output_mode(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    body = json.loads(service.get("configs/conf-tiny/main", output_mode="json").body.read())
    assert body["entry"][0]["name"] == "main"
    assert body["entry"][0]["content"]["color"] == "blue"
    assert body["entry"][0]["acl"]["app"] == "tiny_app"


def test_kvstore_crud_and_queries(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    assert "tiny_checkpoints" in [c.name for c in service.kvstore.list()]
    data = service.kvstore["tiny_checkpoints"].data
    key = data.insert({"value": "a", "count": 1})["_key"]
    data.insert(json.dumps({"_key": "fixed", "value": "b", "count": 5}))
    keys = data.batch_save({"_key": "fixed", "value": "b2", "count": 6}, {"value": "c", "count": 9})
    assert keys[0] == "fixed" and len(keys) == 2
    assert data.query_by_id("fixed")["value"] == "b2"
    over_five = data.query(query={"count": {"$gt": 5}}, sort="count:-1")
    assert [d["count"] for d in over_five] == [9, 6]
    either = data.query(query={"$or": [{"value": "a"}, {"value": "c"}]}, sort="value", limit=1)
    assert [d["value"] for d in either] == ["a"]
    only_value = data.query(query={"_key": key}, fields="value")
    assert only_value == [{"value": "a", "_key": key}]
    data.update("fixed", {"value": "replaced"})
    assert "count" not in data.query_by_id("fixed")
    data.delete_by_id(key)
    with pytest.raises(binding.HTTPError) as missing:
        data.query_by_id(key)
    assert missing.value.status == 404
    data.delete(query=json.dumps({"value": "c"}))
    assert [d["_key"] for d in data.query()] == ["fixed"]
    data.delete()
    assert data.query() == []


def test_kvstore_persists_and_collections_can_be_created(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    service.kvstore.create("made_at_runtime")
    service.kvstore["made_at_runtime"].data.insert({"x": 1})
    folder = os.path.join(splunk_emulator.home, "var", "kvstore", "tiny_app")
    assert os.path.exists(os.path.join(folder, "made_at_runtime.json"))
    service.kvstore.delete("made_at_runtime")
    assert "made_at_runtime" not in [c.name for c in service.kvstore.list()]


def test_kvstore_can_be_switched_off(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    splunk_emulator.set_kvstore_enabled(False)
    with pytest.raises(binding.HTTPError) as down:
        service.kvstore.list()
    assert down.value.status == 503
    assert service.info["kvStoreStatus"] == "disabled"


def test_client_connect_with_plain_arguments(splunk_emulator):
    service = client.connect(
        host="127.0.0.1",
        port=splunk_emulator.splunkd_port,
        username="admin",
        password="changeme",
        app="tiny_app",
        owner="nobody",
    )
    assert service.confs["tiny"]["other"]["color"] == "green"
