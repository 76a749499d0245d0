"""Splunk Web stand-in: cookie port, /config ($C), root_endpoint and the form key, as Splunk Web.

Sources (S804 = repo vncloudsco/splunk, Splunk 8.0.4, lib/python3.7/site-packages/splunk/
appserver/mrsparkle/; SPEC94 = repo livehybrid/splunk-spec-files at dff5abf):
- root.py:335-337, 361-363: the session and CSRF cookies and `tools.csrfcookie.port` are named
  after web.conf httpport, or after the exposed UI port splunkd passes in --proxied; not after
  the port a browser (or a proxy in front) used.
- lib/config.py:34-35, 89-90: `$C.MRSPARKLE_ROOT_PATH` is the script name (the root_endpoint
  prefix) and `$C.MRSPARKLE_PORT_NUMBER` the cookie port; lib/config.py:63, 94: SPLUNKD_PATH is
  make_url('/splunkd/__raw'), i.e. <root>/<locale>/splunkd/__raw (lib/util.py:1755-1773).
- controllers/config.py:24-93: /config answers JSON; autoload=1 answers `window.$C = ...` only
  when Origin names the requested host, else a bootstrap script that fetches /config.
- root.py:240-244, 505, 704-716 and SPEC94 web.conf.spec:297-301: with root_endpoint the app is
  mounted under the prefix and `/` redirects there.
- lib/util.py:1398-1424 (checkRequestForValidFormKey), proxy.py:149-153: POST/PUT/DELETE need the
  key; XHRs send it in X-Splunk-Form-Key, other requests as the splunk_form_key parameter; it
  must match the session's token and the cookie, else 401.
"""

import json
import os

import pytest
import requests

from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.fixtures import TINY_APP

COOKIE_PORT = 8000
ROOT = "/splunkui"


@pytest.fixture
def proxied(tmp_path):
    """Splunk Web configured on port 8000 under /splunkui, reached on another (ephemeral) port."""
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk",
        apps={"tiny_app": os.path.abspath(TINY_APP)},
        web_settings={"httpport": str(COOKIE_PORT), "root_endpoint": ROOT + "/"},
    )
    with emulator:
        yield emulator


def _login(emulator, username="admin"):
    session = requests.Session()
    response = session.post(
        emulator.web_root_url + "/en-US/account/login",
        data={"username": username, "password": "changeme"},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return session, response


def test_cookies_carry_the_configured_port_not_the_address_bars(proxied):
    assert proxied.web_port != COOKIE_PORT
    session, response = _login(proxied)
    names = {cookie.name for cookie in session.cookies}
    assert names == {f"splunkd_{COOKIE_PORT}", f"splunkweb_csrf_token_{COOKIE_PORT}"}
    assert response.headers["Location"] == ROOT + "/en-US/app/launcher/home"
    config = session.get(proxied.web_root_url + "/en-US/config").json()
    assert config["MRSPARKLE_PORT_NUMBER"] == str(COOKIE_PORT)
    assert config["MRSPARKLE_ROOT_PATH"] == ROOT
    assert config["LOCALE"] == "en-US"
    assert config["SPLUNKD_PATH"] == ROOT + "/en-US/splunkd/__raw"
    assert config["USERNAME"] == "admin"


def test_config_without_a_session_is_the_short_list(proxied):
    response = requests.get(proxied.web_root_url + "/ja-JP/config")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    config = response.json()
    assert config["MRSPARKLE_PORT_NUMBER"] == str(COOKIE_PORT)
    assert config["LOCALE"] == "ja-JP"
    assert "USERNAME" not in config


def test_config_autoload_inlines_only_for_a_same_origin_request(proxied):
    url = proxied.web_root_url + "/en-US/config?autoload=1"
    host = f"127.0.0.1:{proxied.web_port}"
    inline = requests.get(url, headers={"Origin": "http://" + host})
    assert inline.headers["Content-Type"].startswith("application/javascript")
    assert inline.text.startswith("window.$C = ")
    assert json.loads(inline.text[len("window.$C = ") : -1])["MRSPARKLE_ROOT_PATH"] == ROOT
    for headers in ({}, {"Origin": "http://elsewhere.example"}):
        bootstrap = requests.get(url, headers=headers).text
        assert "window.$C" in bootstrap and "MRSPARKLE" not in bootstrap
        assert f"'{ROOT}/en-US/config'" in bootstrap


def test_root_endpoint_prefixes_every_page(proxied):
    origin = proxied.web_url
    top = requests.get(origin + "/", allow_redirects=False)
    assert top.status_code == 303 and top.headers["Location"] == ROOT + "/"
    assert requests.get(origin + "/en-US/account/login").status_code == 404
    assert requests.get(origin + "/en-US/static/app/tiny_app/tiny_setup.js").status_code == 404
    session, _ = _login(proxied)
    app = session.get(proxied.web_root_url + "/en-US/app/tiny_app/", allow_redirects=False)
    assert app.headers["Location"] == ROOT + "/en-US/app/tiny_app/tiny_setup"
    page = session.get(origin + app.headers["Location"]).text
    assert f'<script src="{ROOT}/en-US/config?autoload=1" crossorigin="use-credentials">' in page
    assert f'<script src="{ROOT}/en-US/static/app/tiny_app/tiny_setup.js">' in page
    script = session.get(proxied.web_root_url + "/en-US/static/app/tiny_app/tiny_setup.js")
    assert script.status_code == 200
    anonymous = requests.get(proxied.web_root_url + "/en-US/app/tiny_app/", allow_redirects=False)
    assert anonymous.headers["Location"].startswith(ROOT + "/en-US/account/login?return_to=")
    raw = session.get(proxied.web_root_url + "/en-US/splunkd/__raw/services/tiny/echo")
    assert raw.status_code == 200


def test_non_xhr_posts_send_the_key_as_splunk_form_key(proxied):
    session, _ = _login(proxied)
    key = session.cookies[f"splunkweb_csrf_token_{COOKIE_PORT}"]
    url = proxied.web_root_url + "/en-US/splunkd/__raw/services/tiny/echo?output_mode=json"
    assert session.post(url, data={"a": "b"}).status_code == 401
    assert session.post(url, data={"a": "b", "splunk_form_key": "1"}).status_code == 401
    accepted = session.post(url, data={"a": "b", "splunk_form_key": key})
    assert accepted.status_code == 201, accepted.text
    in_query = session.post(url + "&splunk_form_key=" + key, data={"a": "b"})
    assert in_query.status_code == 201
    # An XHR must use the header; the parameter does not count for it.
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    assert session.post(url, data={"splunk_form_key": key}, headers=xhr).status_code == 401
    assert session.post(url, headers=dict(xhr, **{"X-Splunk-Form-Key": key})).status_code == 201
    # The key must also equal the cookie: a page of another origin cannot set it.
    session.cookies.set(f"splunkweb_csrf_token_{COOKIE_PORT}", "other")
    assert session.post(url, data={"splunk_form_key": key}).status_code == 401


def test_a_cookie_named_after_the_address_bar_port_is_no_session(proxied):
    session, _ = _login(proxied)
    stray = requests.Session()
    for cookie in session.cookies:
        stray.cookies.set(
            cookie.name.replace(str(COOKIE_PORT), str(proxied.web_port)), cookie.value
        )
    page = stray.get(proxied.web_root_url + "/en-US/app/tiny_app/", allow_redirects=False)
    assert "/account/login" in page.headers["Location"]
