"""The setup page when Splunk Web sits under a root_endpoint prefix and names its cookies after a
port that is not the address bar's (a reverse proxy or TLS offload in front of Splunk Web).

Splunk Web names the CSRF cookie after its own configured port and tells pages that port and its
root path in $C (S804 root.py:335-363, lib/config.py:34-35); see tests/splunk_tests/
test_web_config.py for the stand-in's conformance.
"""

import pytest
from ta_thousandeyes import connections, settings

pytestmark = [pytest.mark.browser]

ROOT = "/splunk"
COOKIE_PORT = 8000


@pytest.fixture
def web_settings():
    return {"httpport": str(COOKIE_PORT), "root_endpoint": ROOT}


def _save_log_level(page, level):
    page.wait_for_function("document.getElementById('te-s-ca-bundle').value !== ''")
    page.select_option("#te-s-log-level", level)
    page.click("text=Save settings")
    page.wait_for_function("document.getElementById('te-status').textContent === 'Settings saved'")


def _proxy_calls(browser):
    return [url for url, _, _ in browser.bodies if "/splunkd/__raw/" in url]


def test_setup_page_under_a_prefix_with_another_cookie_port(browser, splunk, service):
    assert splunk.web_cookie_port == COOKIE_PORT != splunk.web_port
    page = browser.open_setup()  # the region list came through the proxy under the prefix
    _save_log_level(page, "DEBUG")  # a POST: the form key came from the cookie of port 8000
    assert settings.load_settings(service).log_level == "DEBUG"
    page.fill("#te-name", "prod")
    page.select_option("#te-region", "global")
    page.select_option("#te-method", "device_code")
    page.click("#te-connect")
    page.wait_for_selector("#te-user-code")
    assert [c.name for c in connections.list_connections(service)] == ["prod"]
    calls = _proxy_calls(browser)
    assert calls and all(url.startswith(splunk.web_root_url + "/en-US/") for url in calls)
    assert all(status != 401 for url, status, _ in browser.bodies if url in calls)
    assert not browser.console_errors


def test_setup_page_asks_config_when_the_page_has_no_config(browser, splunk, service):
    """Without the dashboard's $C, the script asks /config next to where it was served from."""
    browser.context.route("**/config?autoload=1", lambda route: route.abort())
    page = browser.open_setup()
    assert page.evaluate("typeof window.$C") == "undefined"
    _save_log_level(page, "ERROR")
    assert settings.load_settings(service).log_level == "ERROR"
    configs = [url for url, _, _ in browser.bodies if url.endswith("/config")]
    assert configs == [splunk.web_root_url + "/en-US/config"]
