"""Splunk Web stand-in: login, CSRF on the splunkd proxy, expose rules, view rendering."""

import json
import os

import pytest
import requests

from tests.browser import launch_chromium


def _logged_in(emulator, username="admin"):
    session = requests.Session()
    response = session.post(
        emulator.web_url + "/en-US/account/login",
        data={"username": username, "password": "changeme", "return_to": "/en-US/"},
        allow_redirects=False,
    )
    assert response.status_code == 303
    return session


def _csrf(emulator, session):
    return session.cookies[f"splunkweb_csrf_token_{emulator.web_port}"]


def test_login_sets_session_and_csrf_cookies(splunk_emulator):
    session = _logged_in(splunk_emulator)
    assert f"splunkd_{splunk_emulator.web_port}" in session.cookies
    assert _csrf(splunk_emulator, session)
    bad = requests.post(
        splunk_emulator.web_url + "/en-US/account/login",
        data={"username": "admin", "password": "nope"},
        allow_redirects=False,
    )
    assert bad.status_code == 401


def test_raw_proxy_requires_session_and_form_key(splunk_emulator):
    url = splunk_emulator.web_url + "/en-US/splunkd/__raw/services/tiny/echo?output_mode=json"
    assert requests.get(url).status_code == 401
    session = _logged_in(splunk_emulator)
    assert session.get(url).status_code == 200
    refused = session.post(url, data={"a": "b"}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert refused.status_code == 401
    wrong = session.post(
        url,
        data={"a": "b"},
        headers={"X-Splunk-Form-Key": "123", "X-Requested-With": "XMLHttpRequest"},
    )
    assert wrong.status_code == 401
    accepted = session.post(
        url,
        data={"a": "b"},
        headers={
            "X-Splunk-Form-Key": _csrf(splunk_emulator, session),
            "X-Requested-With": "XMLHttpRequest",
        },
    )
    assert accepted.status_code == 201
    request = accepted.json()["request"]
    assert request["session"]["user"] == "admin"
    assert request["form"] == [["a", "b"]]


def test_proxy_passes_splunkd_refusals_through(splunk_emulator):
    session = _logged_in(splunk_emulator, "user")
    response = session.post(
        splunk_emulator.web_url + "/en-US/splunkd/__raw/services/tiny/echo",
        data={"a": "b"},
        headers={
            "X-Splunk-Form-Key": _csrf(splunk_emulator, session),
            "X-Requested-With": "XMLHttpRequest",
        },
    )
    assert response.status_code == 403


def test_custom_endpoints_need_an_expose_stanza(splunk_emulator):
    session = _logged_in(splunk_emulator)
    base = splunk_emulator.web_url + "/en-US/splunkd/__raw"
    assert session.get(base + "/services/tiny/admin").status_code == 404  # not exposed
    assert session.get(base + "/services/tiny/echo/deeper/path").status_code == 200
    listing = session.get(base + "/servicesNS/nobody/tiny_app/configs/conf-tiny?output_mode=json")
    assert listing.status_code == 200
    assert json.loads(listing.text)["entry"][0]["name"] == "main"


def test_app_root_redirects_to_setup_until_configured(splunk_emulator):
    session = _logged_in(splunk_emulator)
    root = splunk_emulator.web_url + "/en-US/app/tiny_app/"
    first = session.get(root, allow_redirects=False)
    assert first.headers["Location"] == "/en-US/app/tiny_app/tiny_setup"
    page = session.get(splunk_emulator.web_url + first.headers["Location"])
    assert page.status_code == 200
    assert '<script src="/en-US/static/app/tiny_app/tiny_setup.js">' in page.text
    assert 'href="/en-US/static/app/tiny_app/tiny_setup.css"' in page.text
    assert 'id="tiny-go"' in page.text
    script = session.get(splunk_emulator.web_url + "/en-US/static/app/tiny_app/tiny_setup.js")
    assert script.status_code == 200 and "X-Splunk-Form-Key" in script.text
    nav = os.path.join(splunk_emulator.app_dir("tiny_app"), "default", "data", "ui", "nav")
    os.makedirs(nav)
    with open(os.path.join(nav, "default.xml"), "w", encoding="utf-8") as handle:
        handle.write('<nav><view name="tiny_setup"/><view name="home" default="true"/></nav>')
    assert session.get(root, allow_redirects=False).headers["Location"].endswith("/tiny_setup")
    splunk_emulator.service("admin").apps["tiny_app"].update(configured="1")
    after = session.get(root, allow_redirects=False)
    assert after.headers["Location"] == "/en-US/app/tiny_app/home"


def test_views_require_login(splunk_emulator):
    response = requests.get(
        splunk_emulator.web_url + "/en-US/app/tiny_app/tiny_setup", allow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/en-US/account/login?return_to=")


@pytest.mark.browser
def test_browser_runs_setup_script_through_proxy(splunk_emulator):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = launch_chromium(driver.chromium)
        try:
            context = browser.new_context()
            context.add_cookies(splunk_emulator.web_login_cookies("admin"))
            page = context.new_page()
            page.goto(splunk_emulator.web_url + "/en-US/app/tiny_app/")
            assert page.url.endswith("/en-US/app/tiny_app/tiny_setup")
            page.click("#tiny-go")
            page.wait_for_function(
                "document.getElementById('tiny-result').textContent.length > 0", timeout=20000
            )
            text = page.text_content("#tiny-result")
        finally:
            browser.close()
    status, _, body = text.partition(" ")
    assert status == "201", text
    request = json.loads(body)["request"]
    assert request["payload"] == json.dumps({"hello": "browser"}, separators=(",", ":"))
    assert request["path_info"] == "from-browser"
    assert request["session"]["user"] == "admin"
