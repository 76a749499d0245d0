"""Device code flow end to end: the setup page in one tab, ThousandEyes' approval pages in
another, then denial and expiry."""

import pytest
from ta_thousandeyes import connections

from tests.acceptance.setup_page.conftest import HANDLER_PROCESSES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def approve_in_popup(popup, sim, confirm=True):
    """Walk the simulator's approval pages as a user would (the code is prefilled)."""
    popup.wait_for_load_state()
    popup.click("#continue")
    popup.fill("#email", sim.demo_email)
    popup.fill("#password", sim.demo_password)
    popup.click("#login")
    popup.click("#continue")  # region page: keep the preselected region
    popup.click("#confirm" if confirm else "#logout")
    popup.wait_for_load_state()


def start_device_flow(page, name="prod", region="global"):
    page.fill("#te-name", name)
    page.select_option("#te-region", region)
    page.select_option("#te-method", "device_code")
    page.click("#te-connect")
    page.wait_for_selector("#te-user-code")
    return page.text_content("#te-user-code")


@HANDLER_PROCESSES
def test_device_flow_connects_in_two_tabs(browser, sim, service):
    page = browser.open_setup()
    browser.screenshot("01-initial")
    user_code = start_device_flow(page)
    assert len(user_code) == 9
    link = page.locator("#te-verification-link")
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    assert page.locator(".te-spinner").is_visible()
    assert ":" in page.text_content("#te-countdown")
    browser.screenshot("02-device-code")
    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    assert popup.input_value("#user_code") == user_code
    approve_in_popup(popup, sim)
    browser.screenshot("03-approved-at-thousandeyes", popup)
    page.wait_for_selector("#te-connected", timeout=30000)
    message = page.text_content("#te-connected")
    assert message == f"Connected as {sim.demo_email} (Default)"
    assert page.text_content("#te-status") == message
    row = page.locator("tr[data-connection='prod']")
    row.wait_for()
    assert sim.demo_email in row.text_content()
    assert "Valid until" in row.text_content()
    browser.screenshot("04-connected")
    config = connections.get_connection(service, "prod")
    assert config.state == connections.CONNECTED
    apps = service.get("apps/local/TA-thousandeyes", output_mode="json").body.read()
    assert b'"configured": true' in apps or b'"configured":true' in apps
    assert browser.console_errors == []


def test_denial_shows_message_and_try_again(browser, sim):
    page = browser.open_setup()
    start_device_flow(page, name="denied")
    with page.expect_popup() as popup_info:
        page.click("#te-verification-link")
    approve_in_popup(popup_info.value, sim, confirm=False)
    page.wait_for_selector("#te-try-again", timeout=30000)
    assert "denied" in page.text_content("#te-flow").lower()
    assert page.evaluate("document.activeElement.id") == "te-try-again"
    browser.screenshot("05-denied")
    page.click("#te-try-again")
    page.wait_for_selector("#te-user-code")
    assert browser.console_errors == []


def test_expiry_shows_message_and_try_again(browser, sim):
    page = browser.open_setup()
    start_device_flow(page, name="late")
    sim.clock.advance(sim.ctx.device_code_lifetime + 5)
    page.wait_for_selector("#te-try-again", timeout=30000)
    assert "expired" in page.text_content("#te-flow").lower()
    browser.screenshot("06-expired")
