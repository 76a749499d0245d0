"""Through Splunk Web's proxy: a plain user gets 403 everywhere; no CSRF key, no change."""

import requests
from ta_thousandeyes import connections

BASE = "/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes/"
ROUTES = [
    ("GET", "connections"),
    ("POST", "connections"),
    ("GET", "connections/prod"),
    ("DELETE", "connections/prod"),
    ("POST", "connections/prod/device"),
    ("POST", "connections/prod/poll"),
    ("DELETE", "connections/prod/device"),
    ("POST", "connections/prod/authorize"),
    ("POST", "connections/prod/token"),
    ("POST", "connections/prod/logout"),
    ("GET", "oauth/callback"),
    ("GET", "settings"),
    ("POST", "settings"),
    ("GET", "regions"),
    ("GET", "inputs-status"),
    ("GET", "catalog"),
]


def web_session(splunk, username):
    session = requests.Session()
    for cookie in splunk.web_login_cookies(username, "changeme"):
        session.cookies.set(cookie["name"], cookie["value"])
    csrf = session.cookies[f"splunkweb_csrf_token_{splunk.web_port}"]
    return session, {"X-Splunk-Form-Key": csrf, "X-Requested-With": "XMLHttpRequest"}


def test_plain_user_gets_403_from_every_endpoint(splunk, service):
    connections.create_connection(service, "prod", "global", connections.DEVICE_CODE)
    session, headers = web_session(splunk, "bob")
    for method, path in ROUTES:
        url = splunk.web_url + BASE + path + "?output_mode=json"
        response = session.request(method, url, headers=headers, data={"name": "x"})
        assert response.status_code == 403, (method, path, response.status_code)
    admin, admin_headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections?output_mode=json"
    assert admin.get(url).status_code == 200


def test_requests_without_csrf_key_are_refused(splunk, service):
    session, headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections?output_mode=json"
    form = {"name": "csrf", "region": "us1", "auth_method": "device_code"}
    refused = session.post(url, data=form, headers={"X-Requested-With": "XMLHttpRequest"})
    assert refused.status_code == 401
    wrong = dict(headers, **{"X-Splunk-Form-Key": "12345"})
    assert session.post(url, data=form, headers=wrong).status_code == 401
    assert [c.name for c in connections.list_connections(service)] == []
    accepted = session.post(url, data=form, headers=headers)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["connection"]["name"] == "csrf"


def test_bad_input_is_json_4xx_through_the_proxy(splunk, service):
    session, headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections?output_mode=json"
    bad = session.post(url, data={"name": "../etc", "region": "us1", "auth_method": "device_code"},
                       headers=headers)  # fmt: skip
    assert bad.status_code == 400
    assert bad.headers["Content-Type"].startswith("application/json")
    assert "Traceback" not in bad.text and "error" in bad.json()
    missing = session.get(splunk.web_url + BASE + "connections/nope?output_mode=json")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
