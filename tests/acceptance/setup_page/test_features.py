"""Optional features in Chromium: a scope beyond ``[oauth] scopes`` is asked for only when the
admin ticks its feature for a connection. Unticked, neither the device authorization nor the
authorize request names ``streams:manage``; ticked for an existing connection, the page offers
"Reconnect to grant streams:manage", and the flow started there asks for it (seen at the
simulator: the device authorization it stored, the authorize request's query, the consent
page's list) and the status shows it granted.

Sources: issue 19 point 1 ("asked for only when an admin turns streams on"), issue 20 point 2;
the consent page lists the scopes asked for (tests/simulators/thousandeyes/approval_pages.py).
"""

import pytest
from playwright.sync_api import expect
from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections, settings, splunk_service

from tests.acceptance.setup_page.test_authorization_code import CALLBACK

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STREAMS_WORDS = "Create and manage data streams"  # the consent page's words for streams:manage


def _device_scopes(sim, user_code):
    """The scopes the add-on's device authorization request asked for (the simulator's record)."""
    devices = [d for d in sim.ctx.store.devices.values() if d.user_code == user_code]
    assert len(devices) == 1
    return devices[0].scopes


def _approve_device(page, sim):
    """Open the page's link, sign in, keep the region; returns the consent page's scope list."""
    with page.expect_popup() as popup_info:
        page.click("#te-verification-link")
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.click("#continue")  # the user code is prefilled
    summary = _sign_in_and_consent(popup, sim)
    popup.wait_for_load_state()
    popup.close()
    return summary


def _sign_in_and_consent(page, sim):
    """Log in (a second time ThousandEyes remembers the user), keep the region, confirm;
    returns the consent page's list of what is shared."""
    page.wait_for_selector("#password, #region", timeout=30000)
    if page.locator("#password").count():
        page.fill("#email", sim.demo_email)
        page.fill("#password", sim.demo_password)
        page.click("#login")
    page.click("#continue")
    summary = page.text_content("#summary")
    page.click("#confirm")
    return summary


def _sign_in_here(page, sim):
    """ThousandEyes' authorize pages in this tab, then back to the setup page."""
    summary = _sign_in_and_consent(page, sim)
    page.wait_for_url("**/ta_thousandeyes_setup*", timeout=30000)
    return summary


def _authorize_scopes(sim):
    """The scope of each authorize request the browser sent to the simulator, in order."""
    return [
        r.query["scope"].split()
        for r in sim.request_log
        if r.path == "/oauth2/authorize" and "scope" in r.query
    ]


def _row(page, name):
    return page.locator(f"tr[data-connection='{name}']")


def test_streams_ticked_for_an_existing_connection_is_asked_for_on_reconnect(browser, sim, service):
    page = browser.open_setup()
    expect(page.locator("#te-new-feature-streams")).not_to_be_checked()
    page.fill("#te-name", "prod")
    page.select_option("#te-method", "device_code")
    page.click("#te-connect")
    page.wait_for_selector("#te-user-code")
    first = page.text_content("#te-user-code")
    consent = _approve_device(page, sim)
    page.wait_for_selector("#te-connected", timeout=30000)
    base = list(settings.DEFAULT_SCOPES)
    assert _device_scopes(sim, first) == base  # not ticked: not asked for
    assert STREAMS_WORDS not in consent
    row = _row(page, "prod")
    box = row.locator("#te-feature-prod-streams")
    expect(box).not_to_be_checked()
    expect(row.locator(".te-grant")).to_have_count(0)

    # The streams section points at the checkbox (the page as it loads for a connected prod).
    page = browser.open_setup()
    page.wait_for_selector("#te-streams-scope-note:not([hidden])")
    assert "prod was not granted streams:manage" in page.text_content("#te-streams-scope-note")
    assert not [r for r in sim.request_log if r.path.startswith("/v7/stream")]
    page.wait_for_selector("#te-feature-prod-streams")
    page.click("#te-streams-goto-feature")
    assert page.evaluate("document.activeElement.id") == "te-feature-prod-streams"

    row = _row(page, "prod")
    row.locator("#te-feature-prod-streams").check()
    grant = row.locator(".te-grant")
    expect(grant).to_have_text("Reconnect to grant streams:manage")
    assert "reconnect to grant streams:manage" in page.text_content("#te-status")
    assert (
        "not granted yet"
        in row.locator("[data-feature='streams'] .te-feature-state").text_content()
    )
    assert connections.get_connection(service, "prod").features == ["streams"]
    expect(page.locator("#te-streams-scope-note")).to_contain_text("not granted yet")
    browser.screenshot("features-reconnect-to-grant")

    grant.click()
    page.wait_for_selector("#te-user-code")
    second = page.text_content("#te-user-code")
    consent = _approve_device(page, sim)
    page.wait_for_selector("#te-connected", timeout=30000)
    assert _device_scopes(sim, second) == base + ["streams:manage"]
    assert STREAMS_WORDS in consent
    assert "streams:manage" in connections.get_connection(service, "prod").scopes
    row = _row(page, "prod")
    expect(row.locator("[data-feature='streams'] .te-feature-state")).to_have_text("granted")
    expect(row.locator(".te-grant")).to_have_count(0)
    expect(row.locator("[data-feature='instant_tests'] .te-feature-state")).to_have_text("")
    browser.screenshot("features-granted")
    expect(page.locator("#te-streams-scope-note")).to_be_hidden()  # the section followed

    page = browser.open_setup()  # the streams section now lists prod's streams
    page.wait_for_selector("#te-streams-rows tr")
    expect(page.locator("#te-streams-scope-note")).to_be_hidden()
    assert "error" not in page.get_attribute("#te-streams-status", "class")
    assert browser.console_errors == []


def test_authorize_request_names_streams_only_when_ticked(browser, sim, splunk, service):
    client = sim.register_client(redirect_uris=[splunk.web_url + CALLBACK])
    splunk_service.write_stanza(
        service, settings.CONF_NAME, "oauth", {"client_id": client.client_id}
    )
    page = browser.open_setup()
    page.fill("#te-name", "web")
    page.select_option("#te-region", "us2")
    page.select_option("#te-method", "authorization_code")
    expect(page.locator("#te-new-features")).to_be_visible()
    page.click("#te-connect")
    consent = _sign_in_here(page, sim)
    _row(page, "web").wait_for()
    assert _authorize_scopes(sim) == [list(settings.DEFAULT_SCOPES)]
    assert STREAMS_WORDS not in consent

    _row(page, "web").locator("#te-feature-web-streams").check()
    _row(page, "web").locator(".te-grant").click()
    consent = _sign_in_here(page, sim)
    page.wait_for_selector("tr[data-connection='web'] >> text=Connected")
    assert _authorize_scopes(sim)[-1] == list(settings.DEFAULT_SCOPES) + ["streams:manage"]
    assert STREAMS_WORDS in consent
    assert "streams:manage" in connections.get_connection(service, "web").scopes
    assert browser.console_errors == []


def test_user_api_token_connections_show_no_checkboxes(browser, sim, service):
    connections.create_connection(service, "tok", "us1", connections.API_TOKEN)
    flows.connect_api_token(service, "tok", sim.create_api_token(sim.demo_email))
    page = browser.open_setup()
    row = _row(page, "tok")
    row.wait_for()
    expect(row.locator("input[data-feature]")).to_have_count(0)
    assert "carries every scope" in row.text_content()
    page.select_option("#te-method", "api_token")
    expect(page.locator("#te-new-features")).to_be_hidden()
