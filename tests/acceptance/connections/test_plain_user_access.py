"""A plain Splunk user (role `user`) reads nothing of a connection by any route.

With a connected connection (email, account groups, token expiry, client id in
ta_thousandeyes_connections.conf; tokens in storage/passwords; account groups in the KV store),
a user of role `user` asks splunkd directly and through Splunk Web's __raw proxy, in the app's
namespace, their own, every app's (`-`) and another app's: conf endpoints, properties, secrets,
KV collections, ACLs and the add-on's own endpoints. The add-on's metadata/default.meta is what
keeps them out (the stand-in applies it as splunkd does: tests/splunk_tests/test_acl.py).
"""

import json

import requests
from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections

APP = "TA-thousandeyes"
CONFS = ("ta_thousandeyes_connections", "ta_thousandeyes_settings", "ta_thousandeyes_regions")
COLLECTIONS = (
    "ta_thousandeyes_checkpoints",
    "ta_thousandeyes_tests",
    "ta_thousandeyes_agents",
    "ta_thousandeyes_account_groups",
    "ta_thousandeyes_runs",
)
NAMESPACES = (f"/servicesNS/nobody/{APP}", f"/servicesNS/bob/{APP}", "/servicesNS/-/-")
NAMESPACES += (f"/servicesNS/admin/{APP}", "/servicesNS/nobody/search", "/services")
CUSTOM = ("connections", "connections/prod", "connections/prod/device", "settings")
CUSTOM += ("regions", "inputs-status", "catalog?connection=prod")


def _connect(service, sim, lock_dir):
    connections.create_connection(
        service, "prod", "us1", "device_code", ["organization:read", "offline_access"]
    )
    public = flows.start_device_authorization(service, "prod", sim.clock.now, lock_dir)
    sim.approve_device_via_pages(public["user_code"], region="us1")
    sim.clock.advance(public["interval"])
    assert flows.poll_device_authorization(service, "prod", sim.clock.now, lock_dir)["status"] == (
        "connected"
    )
    return connections.get_connection(service, "prod")


def _paths():
    for namespace in NAMESPACES:
        for conf in CONFS:
            yield f"{namespace}/configs/conf-{conf}"
            yield f"{namespace}/configs/conf-{conf}/prod"
            yield f"{namespace}/configs/conf-{conf}/prod/acl"
            yield f"{namespace}/configs/conf-{conf}/oauth"
            yield f"{namespace}/properties/{conf}"
            yield f"{namespace}/properties/{conf}/prod"
            yield f"{namespace}/properties/{conf}/prod/user_email"
            yield f"{namespace}/properties/{conf}/oauth/client_id"
        yield f"{namespace}/storage/passwords"
        yield f"{namespace}/storage/collections/config"
        for collection in COLLECTIONS:
            yield f"{namespace}/storage/collections/config/{collection}"
            yield f"{namespace}/storage/collections/data/{collection}"
        for route in CUSTOM:
            yield f"{namespace}/ta_thousandeyes/{route}"


def _secrets(config, sim):
    values = [config.user_email, config.client_id, sim.default_client_id, "Acme Operations"]
    values += [
        group.get("accountGroupName", group.get("name", "")) for group in config.account_groups
    ]
    values += [str(int(config.token_expiry)), str(int(config.last_refresh))]
    keys = ['"user_email"', '"account_groups"', '"token_expiry"', '"client_id"', "clear_password"]
    keys += ["accountGroupName", "user_email", "token_expiry"]
    return [v for v in values if v and len(v) > 3] + keys


def test_plain_user_reads_no_connection_details(splunk, service, sim, lock_dir):
    config = _connect(service, sim, lock_dir)
    assert config.user_email and config.account_groups and config.client_id
    group = {"aid": "2001", "accountGroupName": "Acme Operations", "snapshot": 1}
    service.kvstore["ta_thousandeyes_account_groups"].data.insert(json.dumps(group))
    splunk.add_user("bob", "changeme", roles=("user",))
    bob = {"Authorization": "Splunk " + splunk.login("bob", "changeme")}
    web = requests.Session()
    for cookie in splunk.web_login_cookies("bob", "changeme"):
        web.cookies.set(cookie["name"], cookie["value"])
    needles = _secrets(config, sim)
    answers = 0
    for path in _paths():
        for mode in ("json", "xml"):
            direct = requests.get(
                splunk.splunkd_uri + path,
                params={"output_mode": mode, "count": 0},
                headers=bob,
                verify=splunk.ca_bundle_path,
            )
            proxied = web.get(
                splunk.web_root_url + "/en-US/splunkd/__raw" + path,
                params={"output_mode": mode, "count": 0},
            )
            for response in (direct, proxied):
                answers += 1
                for needle in needles:
                    assert needle not in response.text, (path, mode, response.status_code, needle)
    assert answers == len(list(_paths())) * 4
    # The admin still reads all of it (the check above is not vacuous).
    admin = {"Authorization": "Splunk " + splunk.login("admin", "changeme")}
    listing = requests.get(
        f"{splunk.splunkd_uri}/servicesNS/nobody/{APP}/configs/conf-ta_thousandeyes_connections",
        params={"output_mode": "json"},
        headers=admin,
        verify=splunk.ca_bundle_path,
    )
    assert config.user_email in listing.text and '"account_groups"' in listing.text
    kv = requests.get(
        f"{splunk.splunkd_uri}/servicesNS/nobody/{APP}/storage/collections/data/"
        "ta_thousandeyes_account_groups",
        headers=admin,
        verify=splunk.ca_bundle_path,
    )
    assert "Acme Operations" in kv.text


def test_knowledge_objects_stay_readable_by_all(splunk, service):
    """Event types, macros, props and the like keep `[] access = read : [ * ]`."""
    splunk.add_user("bob", "changeme", roles=("user",))
    bob = {"Authorization": "Splunk " + splunk.login("bob", "changeme")}
    for conf in ("eventtypes", "macros", "props", "tags", "transforms"):
        for namespace in (f"/servicesNS/nobody/{APP}", "/servicesNS/nobody/search"):
            response = requests.get(
                f"{splunk.splunkd_uri}{namespace}/configs/conf-{conf}",
                params={"output_mode": "json", "count": 0},
                headers=bob,
                verify=splunk.ca_bundle_path,
            )
            assert response.status_code == 200, (conf, response.text)
            assert response.json()["entry"], (conf, namespace)  # exported to every app
