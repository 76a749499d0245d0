"""splunkd stand-in: default.meta/local.meta permissions, export, owner namespaces and /acl.

Sources (SPEC94 = repo livehybrid/splunk-spec-files at dff5abf; S804 = repo vncloudsco/splunk):
- SPEC94 default.meta.spec:8-14: to read an object a user needs read on the app ([]), on the
  category ([<conf file>], [passwords], [collections]) and on the object ([<category>/<name>]).
- SPEC94 default.meta.spec:16-28: changing an object needs write on it; adding or removing
  objects needs write on the app.
- SPEC94 default.meta.spec:30-37: objects are visible only in their own app unless
  `export = system`; an export does not change who may read them.
- SPEC94 authorize.conf.spec:447-451: admin_all_objects bypasses ACLs; 696-697, 853-856:
  edit_storage_passwords allows GET and POST, list_storage_passwords GET only.
- S804 etc/system/default/authorize.conf:210,232: power imports user, admin imports power;user.
- splunk/terraform-provider-splunk issues #165, #156: a non-admin asking another user's
  namespace (GET servicesNS/admin/launcher/saved/searches) gets 403.
- community.splunk.com "Is it possible to set app permissions via the REST API?": every EAI
  entity has an /acl sub-endpoint to POST to (sharing, owner, perms.read, perms.write); solnlib
  acl.py sends `sharing` on every update.
"""

import os

import requests

APP = "tiny_app"
LOCKED = """[]
access = read : [ * ], write : [ admin ]
export = system

[tiny]
access = read : [ admin ], write : [ admin ]

[tiny/other]
access = read : [ * ], write : [ power ]

[passwords]
access = read : [ admin ], write : [ admin ]

[collections/tiny_checkpoints]
access = read : [ admin ], write : [ admin ]
"""


def _meta(emulator, text, name="default.meta"):
    path = os.path.join(emulator.app_dir(APP), "metadata", name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _call(emulator, user, method, path, **kwargs):
    key = emulator.login(user, "changeme")
    headers = {"Authorization": "Splunk " + key}
    params = dict(kwargs.pop("params", {}), output_mode="json")
    return requests.request(
        method,
        emulator.splunkd_uri + path,
        headers=headers,
        params=params,
        verify=emulator.ca_bundle_path,
        **kwargs,
    )


def _names(response):
    assert response.status_code == 200, response.text
    return [entry["name"] for entry in response.json()["entry"]]


def test_read_needs_the_app_the_category_and_the_object(splunk_emulator):
    _meta(splunk_emulator, LOCKED)
    conf = f"/servicesNS/nobody/{APP}/configs/conf-tiny"
    assert _names(_call(splunk_emulator, "admin", "GET", conf)) == ["main", "other"]
    # [tiny] denies read to user: [tiny/other] alone cannot open it (every layer must allow).
    assert _names(_call(splunk_emulator, "user", "GET", conf)) == []
    assert _call(splunk_emulator, "user", "GET", conf + "/main").status_code == 404
    props = f"/servicesNS/nobody/{APP}/properties/tiny"
    assert _names(_call(splunk_emulator, "user", "GET", props)) == []
    assert _call(splunk_emulator, "user", "GET", props + "/main").status_code == 404
    assert _call(splunk_emulator, "user", "GET", props + "/main/color").status_code == 404
    assert _call(splunk_emulator, "admin", "GET", props + "/main/color").text == "blue"


def test_a_readable_category_shows_only_readable_objects(splunk_emulator):
    opened = LOCKED.replace("[tiny]\naccess = read : [ admin ]", "[tiny]\naccess = read : [ * ]")
    _meta(splunk_emulator, opened + "[tiny/main]\naccess = read : [ admin ], write : [ admin ]\n")
    splunk_emulator.add_user("pat", "changeme", roles=("power",))
    conf = f"/servicesNS/nobody/{APP}/configs/conf-tiny"
    assert _names(_call(splunk_emulator, "user", "GET", conf)) == ["other"]
    entry = _call(splunk_emulator, "user", "GET", conf + "/other").json()["entry"][0]
    assert entry["acl"]["perms"] == {"read": ["*"], "write": ["power"]}
    assert entry["acl"]["can_write"] is False and entry["acl"]["sharing"] == "global"
    # Writing needs write on the object: user has none, power has it on [tiny/other] only.
    denied = _call(splunk_emulator, "user", "POST", conf + "/other", data={"color": "red"})
    assert denied.status_code == 403
    changed = _call(splunk_emulator, "pat", "POST", conf + "/other", data={"color": "red"})
    assert changed.status_code == 200, changed.text
    assert _call(splunk_emulator, "pat", "POST", conf + "/main", data={"a": "b"}).status_code == 404
    # Adding a stanza needs write on the app ([] write: admin).
    new = _call(splunk_emulator, "pat", "POST", conf, data={"name": "third"})
    assert new.status_code == 403
    admin_new = _call(splunk_emulator, "admin", "POST", conf, data={"name": "third"})
    assert admin_new.status_code == 201


def test_imported_roles_count(splunk_emulator):
    """admin imports power and user: `read : [ user ]` lets an admin without
    admin_all_objects read, as authorize.conf's importRoles does."""
    _meta(splunk_emulator, "[]\naccess = read : [ user ], write : [ admin ]\n")
    splunk_emulator.add_user("ops", "changeme", roles=("admin",))
    splunk_emulator.auth.user("ops").capabilities.discard("admin_all_objects")
    conf = f"/servicesNS/nobody/{APP}/configs/conf-tiny"
    assert _names(_call(splunk_emulator, "ops", "GET", conf)) == ["main", "other"]
    _meta(splunk_emulator, "[]\naccess = read : [ power ], write : [ admin ]\n")
    assert _names(_call(splunk_emulator, "user", "GET", conf)) == []


def test_export_decides_visibility_from_other_namespaces(splunk_emulator):
    _meta(splunk_emulator, "[]\naccess = read : [ * ], write : [ admin ]\nexport = none\n")
    elsewhere = "/servicesNS/nobody/search/configs/conf-tiny"
    every_app = "/servicesNS/-/-/configs/conf-tiny"
    assert _names(_call(splunk_emulator, "user", "GET", elsewhere)) == []
    assert _names(_call(splunk_emulator, "user", "GET", every_app)) == ["main", "other"]
    _meta(splunk_emulator, "[tiny/other]\nexport = system\n", name="local.meta")
    entries = _call(splunk_emulator, "user", "GET", elsewhere).json()["entry"]
    assert [(e["name"], e["acl"]["app"]) for e in entries] == [("other", APP)]
    assert _names(_call(splunk_emulator, "user", "GET", "/services/configs/conf-tiny")) == ["other"]


def test_post_acl_sets_the_objects_permissions(splunk_emulator):
    conf = f"/servicesNS/nobody/{APP}/configs/conf-tiny"
    assert "main" in _names(_call(splunk_emulator, "user", "GET", conf))
    missing = _call(
        splunk_emulator, "admin", "POST", conf + "/main/acl", data={"perms.read": "admin"}
    )
    assert missing.status_code == 400
    user_post = _call(
        splunk_emulator,
        "user",
        "POST",
        conf + "/main/acl",
        data={"sharing": "app", "perms.read": "*"},
    )
    assert user_post.status_code == 403
    done = _call(
        splunk_emulator,
        "admin",
        "POST",
        conf + "/main/acl",
        data={"sharing": "app", "perms.read": "admin", "perms.write": "admin"},
    )
    assert done.status_code == 200, done.text
    acl = done.json()["entry"][0]["acl"]
    assert acl["perms"] == {"read": ["admin"], "write": ["admin"]} and acl["sharing"] == "app"
    content = done.json()["entry"][0]["content"]
    assert "sharing" not in content and "perms.read" not in content  # not written as settings
    assert _names(_call(splunk_emulator, "user", "GET", conf)) == ["other"]
    local = os.path.join(splunk_emulator.app_dir(APP), "metadata", "local.meta")
    with open(local, encoding="utf-8") as handle:
        assert "[tiny/main]" in handle.read()
    settings = os.path.join(splunk_emulator.app_dir(APP), "local", "tiny.conf")
    assert not os.path.exists(settings)  # the ACL went to local.meta, not into the stanza
    read_back = _call(splunk_emulator, "admin", "GET", conf + "/main/acl").json()
    assert read_back["entry"][0]["acl"]["perms"]["read"] == ["admin"]


def test_owner_namespace_objects_are_private(splunk_emulator):
    bob = f"/servicesNS/user/{APP}/configs/conf-tiny"
    _meta(splunk_emulator, "[]\naccess = read : [ * ], write : [ * ]\n")
    created = _call(splunk_emulator, "user", "POST", bob, data={"name": "mine", "color": "black"})
    assert created.status_code == 201, created.text
    acl = created.json()["entry"][0]["acl"]
    assert acl["owner"] == "user" and acl["sharing"] == "user"
    private_file = os.path.join(
        splunk_emulator.home, "etc", "users", "user", APP, "local", "tiny.conf"
    )
    assert os.path.exists(private_file)
    assert "mine" in _names(_call(splunk_emulator, "user", "GET", bob))
    assert "mine" not in _names(
        _call(splunk_emulator, "user", "GET", f"/servicesNS/nobody/{APP}/configs/conf-tiny")
    )
    splunk_emulator.add_user("eve", "changeme", roles=("user",))
    assert "mine" not in _names(
        _call(splunk_emulator, "eve", "GET", f"/servicesNS/eve/{APP}/configs/conf-tiny")
    )
    # Another user's namespace is for admin_all_objects only (terraform-provider-splunk #165).
    assert _call(splunk_emulator, "eve", "GET", bob).status_code == 403
    assert "mine" in _names(_call(splunk_emulator, "admin", "GET", bob))


def test_secrets_made_in_an_owner_namespace_are_private(splunk_emulator):
    splunk_emulator.add_user(
        "keeper", "changeme", roles=("user",), capabilities=["edit_storage_passwords"]
    )
    splunk_emulator.add_user(
        "other", "changeme", roles=("user",), capabilities=["edit_storage_passwords"]
    )
    _meta(splunk_emulator, "[]\naccess = read : [ * ], write : [ * ]\n")
    mine = f"/servicesNS/keeper/{APP}/storage/passwords"
    made = _call(splunk_emulator, "keeper", "POST", mine, data={"name": "k", "password": "p"})
    assert made.status_code == 201, made.text
    acl = made.json()["entry"][0]["acl"]
    assert acl["owner"] == "keeper" and acl["sharing"] == "user"
    assert _names(_call(splunk_emulator, "keeper", "GET", mine)) == [":k:"]
    theirs = f"/servicesNS/other/{APP}/storage/passwords"
    assert _names(_call(splunk_emulator, "other", "GET", theirs)) == []
    assert _names(_call(splunk_emulator, "admin", "GET", mine)) == [":k:"]


def test_passwords_follow_the_passwords_category(splunk_emulator):
    base = f"/servicesNS/nobody/{APP}/storage/passwords"
    created = _call(
        splunk_emulator, "admin", "POST", base, data={"name": "u", "realm": "r", "password": "s3"}
    )
    assert created.status_code == 201
    splunk_emulator.add_user(
        "keeper", "changeme", roles=("user",), capabilities=["edit_storage_passwords"]
    )
    assert _names(_call(splunk_emulator, "keeper", "GET", base)) == ["r:u:"]  # edit allows GET
    _meta(splunk_emulator, LOCKED)
    assert _names(_call(splunk_emulator, "keeper", "GET", base)) == []
    assert _call(splunk_emulator, "keeper", "GET", base + "/r:u:").status_code == 404
    assert (
        _call(splunk_emulator, "keeper", "POST", base + "/r:u:", data={"password": "x"}).status_code
        == 404
    )
    assert (
        _call(
            splunk_emulator, "keeper", "POST", base, data={"name": "v", "password": "p"}
        ).status_code
        == 403
    )
    opened = _call(
        splunk_emulator,
        "admin",
        "POST",
        base + "/r:u:/acl",
        data={"sharing": "app", "perms.read": "*"},
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["entry"][0]["acl"]["perms"]["read"] == ["*"]
    # The object now allows everyone, but its category [passwords] still does not.
    assert _names(_call(splunk_emulator, "keeper", "GET", base)) == []
    # Opening the category (local.meta over default.meta) opens the secret.
    _meta(splunk_emulator, "[passwords]\naccess = read : [ * ], write : [ admin ]\n", "local.meta")
    assert _names(_call(splunk_emulator, "keeper", "GET", base)) == ["r:u:"]


def test_kv_collections_follow_their_acl(splunk_emulator):
    config = f"/servicesNS/nobody/{APP}/storage/collections/config"
    data = f"/servicesNS/nobody/{APP}/storage/collections/data/tiny_checkpoints"
    assert _call(splunk_emulator, "admin", "POST", data, json={"value": "x"}).status_code == 201
    assert _call(splunk_emulator, "user", "GET", data).status_code == 200
    assert _call(splunk_emulator, "user", "POST", data, json={"value": "y"}).status_code == 403
    _meta(splunk_emulator, LOCKED)
    assert _names(_call(splunk_emulator, "user", "GET", config)) == []
    assert _call(splunk_emulator, "user", "GET", config + "/tiny_checkpoints").status_code == 404
    assert _call(splunk_emulator, "user", "GET", data).status_code == 404
    batch = _call(splunk_emulator, "user", "POST", data + "/batch_find", json=[{}])
    assert batch.status_code == 404
    assert _call(splunk_emulator, "admin", "GET", data).json()[0]["value"] == "x"
    assert _names(_call(splunk_emulator, "admin", "GET", config)) == ["tiny_checkpoints"]
    # /acl sets the collection's ACL in local.meta; the collection's settings stay as they were.
    acl_path = config + "/tiny_checkpoints/acl"
    form = {"sharing": "app", "perms.read": "*", "perms.write": "admin"}
    assert _call(splunk_emulator, "user", "POST", acl_path, data=form).status_code == 404
    done = _call(splunk_emulator, "admin", "POST", acl_path, data=form)
    assert done.status_code == 200, done.text
    assert done.json()["entry"][0]["acl"]["perms"] == {"read": ["*"], "write": ["admin"]}
    assert "sharing" not in done.json()["entry"][0]["content"]
    assert _call(splunk_emulator, "user", "GET", data).json()[0]["value"] == "x"
