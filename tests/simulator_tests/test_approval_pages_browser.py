"""Headless Chromium walks the approval pages: code entry, login, region, confirmation
(email, region, summary), Confirm; and a second run that presses Logout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import launch_chromium

from .helpers import poll, start_device

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "simulator"


@pytest.fixture
def page():
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as pw:
        browser = launch_chromium(pw.chromium)
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_confirm_then_logout_in_a_browser(te_sim, page):
    device = start_device(te_sim, scope="tests:read alerts:read offline_access")
    page.goto(device["verification_uri_complete"])
    assert page.input_value("#user_code") == device["user_code"]
    _shot(page, "01-code-entry")
    page.click("#continue")
    page.wait_for_url("**/oauth2/login")
    page.fill("#email", "admin@example.com")
    page.fill("#password", "wrong")
    page.click("#login")
    assert "Invalid email or password" in page.content()
    page.fill("#password", "thousandeyes")
    _shot(page, "02-login")
    page.click("#login")
    page.wait_for_url("**/oauth2/region")
    page.select_option("#region", "eu")
    _shot(page, "03-region")
    page.click("#continue")
    page.wait_for_url("**/oauth2/confirm")
    assert page.inner_text("#email") == "admin@example.com"
    assert page.inner_text("#region") == "EU"
    summary = page.inner_text("#summary")
    assert "Read your alerts" in summary and "refresh tokens" in summary
    _shot(page, "04-confirm")
    page.click("#confirm")
    page.wait_for_selector("#approved")
    _shot(page, "05-approved")
    tokens = poll(te_sim, device["device_code"]).json()
    assert "access_token" in tokens

    second = start_device(te_sim)
    page.goto(second["verification_uri"])
    page.fill("#user_code", second["user_code"].replace("-", "").lower())
    page.click("#continue")
    page.wait_for_url("**/oauth2/region")  # still signed in
    page.click("#continue")
    page.wait_for_url("**/oauth2/confirm")
    page.click("#logout")
    page.wait_for_selector("#denied")
    _shot(page, "06-logged-out")
    te_sim.clock.advance(10)
    assert poll(te_sim, second["device_code"]).json()["error"] == "access_denied"


@pytest.mark.browser
def test_bad_code_and_escaping(te_sim, page):
    page.goto(te_sim.region_urls("us1")["approval_url"] + "?user_code=%3Cscript%3Ex%3C/script%3E")
    assert page.input_value("#user_code") == "<script>x</script>"
    assert "<script>x" not in page.content()
    page.click("#continue")
    assert "not valid" in page.inner_text(".error")
