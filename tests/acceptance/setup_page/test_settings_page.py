"""Saving the settings form; the proxy password is write-only."""

import pytest
from ta_thousandeyes import settings

pytestmark = [pytest.mark.browser]


def test_settings_save(browser, sim, service):
    page = browser.open_setup()
    page.wait_for_function("document.getElementById('te-s-ca-bundle').value !== ''")
    page.check("#te-s-proxy-enabled")
    page.fill("#te-s-proxy-host", "proxy.example.net")
    page.fill("#te-s-proxy-port", "3128")
    page.fill("#te-s-proxy-username", "svc-splunk")
    page.fill("#te-s-proxy-password", "Pr0xy-Secret-Value")
    page.select_option("#te-s-log-level", "DEBUG")
    page.click("text=Save settings")
    page.wait_for_function("document.getElementById('te-status').textContent === 'Settings saved'")
    assert page.text_content("#te-s-password-state") == "Proxy password: set"
    assert page.input_value("#te-s-proxy-password") == ""
    browser.screenshot("13-settings-saved")
    saved = settings.load_settings(service)
    assert saved.proxy_enabled and saved.proxy_host == "proxy.example.net"
    assert saved.proxy_port == 3128 and saved.log_level == "DEBUG"
    assert saved.ca_bundle == sim.ca_bundle_path
    for url, _, text in browser.bodies:
        assert "Pr0xy-Secret-Value" not in text, url
    page.fill("#te-s-proxy-port", "70000")
    page.click("text=Save settings")
    page.wait_for_function(
        "document.getElementById('te-status').textContent.indexOf('Settings not saved') === 0"
    )
    assert settings.load_settings(service).proxy_port == 3128
    light = page.evaluate("getComputedStyle(document.querySelector('.te-card')).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.querySelector('.te-card')).backgroundColor")
    assert light != dark
    browser.screenshot("16-dark-theme")
