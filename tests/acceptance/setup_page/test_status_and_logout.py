"""API token method, status table, log out with confirmation, reconnect, hostile strings."""

import pytest
from ta_thousandeyes import connections

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def connect_with_api_token(page, sim, name="tokenconn"):
    token = sim.create_api_token(sim.demo_email)
    page.fill("#te-name", name)
    page.select_option("#te-region", "us1")
    page.select_option("#te-method", "api_token")
    assert page.locator("#te-api-token").is_visible()
    page.fill("#te-api-token", token)
    page.click("#te-connect")
    page.wait_for_selector("#te-connected", timeout=30000)
    return token


def test_api_token_then_log_out_with_confirmation(browser, sim, service):
    page = browser.open_setup()
    connect_with_api_token(page, sim)
    assert page.text_content("#te-connected") == f"Connected as {sim.demo_email} (US1)"
    assert page.input_value("#te-api-token") == ""
    row = page.locator("tr[data-connection='tokenconn']")
    row.wait_for()
    assert "API token" in row.text_content()
    browser.screenshot("07-api-token-connected")
    row.get_by_role("button", name="Log out tokenconn").click()
    dialog = page.locator("dialog.te-dialog")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.id") == "te-dialog-cancel"
    browser.screenshot("08-logout-confirmation")
    page.keyboard.press("Escape")  # cancelling keeps the connection
    assert not dialog.is_visible()
    assert connections.get_connection(service, "tokenconn").state == connections.CONNECTED
    row.get_by_role("button", name="Log out tokenconn").click()
    page.click("#te-dialog-confirm")
    page.wait_for_function(
        "document.getElementById('te-status').textContent.indexOf('Logged out') === 0"
    )
    page.wait_for_selector("tr[data-connection='tokenconn'] >> text=Logged out")
    browser.screenshot("09-logged-out")
    assert connections.get_connection(service, "tokenconn").state == connections.DISCONNECTED
    assert browser.console_errors == []


def test_reconnect_after_needs_reauthorization(browser, sim, service):
    connections.create_connection(service, "stale", "global", connections.DEVICE_CODE)
    connections.update_connection(
        service,
        "stale",
        allow_from_disconnected=True,
        state=connections.NEEDS_REAUTHORIZATION,
        user_email=sim.demo_email,
        error="The refresh token was rejected; authorize again",
    )
    page = browser.open_setup()
    row = page.locator("tr[data-connection='stale']")
    row.wait_for()
    assert "Needs re-authorization" in row.text_content()
    browser.screenshot("10-needs-reauthorization")
    row.get_by_role("button", name="Reconnect stale").click()
    page.wait_for_selector("#te-user-code")
    with page.expect_popup() as popup_info:
        page.click("#te-verification-link")
    from .test_device_flow import approve_in_popup

    approve_in_popup(popup_info.value, sim)
    page.wait_for_selector("#te-connected", timeout=30000)
    page.wait_for_selector("tr[data-connection='stale'] >> text=Connected")
    assert connections.get_connection(service, "stale").state == connections.CONNECTED
    browser.screenshot("11-reconnected")
    assert browser.console_errors == []


def test_hostile_strings_render_as_text(browser, service):
    hostile = "<img src=x onerror=alert(1)>"
    connections.create_connection(service, "hostile", "eu", connections.DEVICE_CODE)
    connections.update_connection(
        service,
        "hostile",
        allow_from_disconnected=True,
        state=connections.CONNECTED,
        user_email=hostile + "@example.com",
        account_groups=[{"aid": "1", "name": hostile}],
        error="",
    )
    dialogs = []
    browser.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page = browser.open_setup()
    row = page.locator("tr[data-connection='hostile']")
    row.wait_for()
    assert hostile in row.text_content()
    assert page.locator("#te-setup img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    browser.screenshot("12-hostile-strings")
