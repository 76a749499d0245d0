"""The Inputs page in Chromium: the built app in the Splunk stand-in (data/inputs/<scheme> with
real --validate-arguments runs of the shipped scripts, data/indexes), wired to the ThousandEyes
simulator. Every change goes through Splunk Web's CSRF-protected __raw proxy as the page sends
it; what splunkd then holds is read back with splunklib.
"""

import json
import os
from urllib.parse import quote

import pytest
from playwright.sync_api import sync_playwright
from splunklib.binding import HTTPError
from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections

from tests.acceptance.setup_page.conftest import APP, ROOT, Browser
from tests.simulators.splunk.conffile import AppConf
from tests.simulators.thousandeyes.world import TEST_LABEL_NAMES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INPUTS_PATH = "/en-US/app/TA-thousandeyes/ta_thousandeyes_inputs"
ARTIFACTS = os.path.join(ROOT, "tests", "artifacts", "inputs_page")
HOSTILE = "<img src=x onerror=alert(1)>"
# 33 inputs of five schemes plus the default keep-alive: more than one 30-entry page in all,
# and test results alone (12) fill no page, so only a listing read to its end shows them all.
SEEDED = (
    [("thousandeyes_test_results", f"results-{n:02d}") for n in range(12)]
    + [("thousandeyes_alerts", f"alerts-{n:02d}") for n in range(7)]
    + [("thousandeyes_alerts", HOSTILE)]
    + [("thousandeyes_events", f"events-{n:02d}") for n in range(6)]
    + [("thousandeyes_activity", f"activity-{n:02d}") for n in range(4)]
    + [("thousandeyes_inventory", f"inventory-{n:02d}") for n in range(3)]
)


def screenshot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name + ".png"), full_page=True)


@pytest.fixture
def connected(service, sim, splunk):
    """An API-token connection `prod` (US1) with the simulator's account groups, and two
    event indexes of the admin's own beside Splunk's."""
    connections.create_connection(service, "prod", "us1", connections.API_TOKEN)
    flows.connect_api_token(service, "prod", sim.create_api_token(sim.demo_email))
    AppConf(os.path.join(splunk.home, "etc", "system"), "indexes").update("te_net", {})
    AppConf(os.path.join(splunk.home, "etc", "system"), "indexes").update("te_alerts", {})
    return connections.get_connection(service, "prod")


@pytest.fixture
def seeded(splunk, connected):
    conf = AppConf(splunk.app_dir(APP), "inputs")
    for scheme, name in SEEDED:
        settings = {"connection": "prod", "interval": "300", "index": "te_net"}
        if scheme != "thousandeyes_activity":
            settings["account_groups"] = "*"
        conf.update(f"{scheme}://{name}", settings)
    return conf


def open_inputs(browser):
    page = browser.page
    page.goto(browser.splunk.web_root_url + INPUTS_PATH)
    page.wait_for_selector("#te-inputs-table tbody tr")
    return page


def stanza(service, scheme, name):
    """The input's settings as splunkd reports them, None when it does not exist."""
    try:
        response = service.get(f"data/inputs/{scheme}/{quote(name, safe='')}", output_mode="json")
    except HTTPError as error:
        if error.status == 404:
            return None
        raise
    return json.loads(response.body.read())["entry"][0]["content"]


def test_table_shows_every_input_across_schemes_and_pages(browser, runner, seeded, service):
    result = runner.run_once("thousandeyes_alerts://alerts-00")
    assert result.exit_code == 0
    page = open_inputs(browser)
    rows = page.locator("#te-inputs-table tbody tr")
    page.wait_for_function("document.querySelectorAll('#te-inputs-table tbody tr').length >= 34")
    assert rows.count() == len(SEEDED) + 1  # the keep-alive stanza of default/inputs.conf
    assert page.text_content("#te-inputs-count") == f"{len(SEEDED) + 1} inputs"
    kinds = {row.split("/")[0] for row in rows.evaluate_all("r => r.map(x => x.dataset.input)")}
    assert len(kinds) == 6
    results = page.locator("tr[data-input='thousandeyes_test_results/results-11']")
    assert results.locator("td").nth(0).text_content() == "Test results"
    assert results.locator("td").nth(1).text_content() == "prod"
    assert results.locator("td").nth(2).text_content() == "All"
    assert results.locator("td").nth(4).text_content() == "te_net"
    assert "No run yet" in results.text_content()
    ran = page.locator("tr[data-input='thousandeyes_alerts/alerts-00'] td.te-last-run")
    summary = ran.text_content()
    assert " · ok" in summary and " events · " in summary and " API calls · 0 errors" in summary
    assert " 0 API calls" not in summary
    # A hostile name is text: no element made from it, nothing run.
    hostile = page.locator("#te-inputs-table tbody th", has_text="onerror")
    assert hostile.text_content() == HOSTILE
    assert page.locator("#te-inputs-table img").count() == 0
    assert page.evaluate("typeof window.__hostile") == "undefined"
    keep_alive = page.locator("tr[data-input='thousandeyes_token_refresh/keep_alive']")
    assert (
        "Disabled" in keep_alive.text_content()
        and keep_alive.locator("td").nth(1).text_content() == "*"
    )
    screenshot(page, "01-inputs-table")
    assert browser.console_errors == []


def test_create_with_live_pickers_and_a_refusal_next_to_its_field(
    browser, runner, connected, service
):
    page = open_inputs_empty(browser)
    page.click("#te-create")
    page.select_option("#te-f-scheme", "thousandeyes_test_results")
    page.fill("#te-f-name", "web-results")
    group = connected.account_groups[0]
    aid, group_name = str(group["aid"]), str(group["name"])
    page.wait_for_selector(f"#te-f-account_groups option[value='{aid}']")
    assert (
        page.text_content(f"#te-f-account_groups option[value='{aid}']") == f"{group_name} ({aid})"
    )
    page.select_option("#te-f-account_groups", [aid])
    page.wait_for_function(
        "document.querySelector('#te-f-test_ids').options.length > 0"
        " && document.getElementById('te-input-form').dataset.testsLoaded === 'true'"
    )
    test_option = page.locator("#te-f-test_ids option").first
    test_id = test_option.get_attribute("value")
    page.select_option("#te-f-test_ids", [test_id])
    # the label picker offers the group's test labels from /v7/labels (the test list has none)
    labels = page.locator("#te-f-labels option").all_text_contents()
    assert labels == sorted(TEST_LABEL_NAMES)
    page.select_option("#te-f-labels", ["Edge"])
    page.select_option("#te-f-data_types", ["network", "path-vis"])
    assert "te_net" in page.locator("#te-f-index option").all_text_contents()
    assert "_internal" not in page.locator("#te-f-index option").all_text_contents()
    page.select_option("#te-f-index", "te_net")
    page.fill("#te-f-interval", "30")
    page.fill("#te-f-start_from", "2h")
    screenshot(page, "02-create-form")
    page.click("#te-save")
    error = page.locator("#te-f-interval-error")
    error.wait_for()
    page.wait_for_function("document.getElementById('te-f-interval-error').textContent !== ''")
    assert "Interval must be at least 60 seconds" in error.text_content()
    assert page.get_attribute("#te-f-interval", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "te-f-interval"
    assert stanza(service, "thousandeyes_test_results", "web-results") is None
    screenshot(page, "03-validation-error")
    page.fill("#te-f-interval", "600")
    page.click("#te-save")
    page.wait_for_selector("tr[data-input='thousandeyes_test_results/web-results']")
    saved = stanza(service, "thousandeyes_test_results", "web-results")
    assert saved["connection"] == "prod" and saved["account_groups"] == aid
    assert saved["test_ids"] == test_id and saved["data_types"] == "network,path-vis"
    assert saved["index"] == "te_net" and saved["interval"] == "600"
    assert saved["start_from"] == "2h" and saved["labels"] == "Edge"
    row = page.locator("tr[data-input='thousandeyes_test_results/web-results']")
    assert row.locator("td").nth(2).text_content() == f"{group_name} ({aid})"
    refused = "status of 400 (Bad Request)"  # Chromium logs the refused create; nothing else
    assert [e for e in browser.console_errors if refused not in e] == []
    assert len(browser.console_errors) == 1


def open_inputs_empty(browser):
    page = browser.page
    page.goto(browser.splunk.web_root_url + INPUTS_PATH)
    page.wait_for_selector("#te-create")
    page.wait_for_selector("#te-inputs-count")
    return page


def test_edit_clone_disable_enable_delete(browser, runner, seeded, service):
    page = open_inputs(browser)
    row = page.locator("tr[data-input='thousandeyes_events/events-03']")
    row.get_by_role("button", name="Edit events-03").click()
    assert page.text_content("#te-form-title") == "Edit events-03"
    assert page.is_disabled("#te-f-name") and page.is_disabled("#te-f-scheme")
    assert page.input_value("#te-f-interval") == "300"
    page.fill("#te-f-interval", "900")
    page.click("#te-save")
    page.wait_for_selector("tr[data-input='thousandeyes_events/events-03'] >> text=900")
    assert stanza(service, "thousandeyes_events", "events-03")["interval"] == "900"

    row.get_by_role("button", name="Clone events-03").click()
    assert page.text_content("#te-form-title") == "Clone events-03"
    assert page.input_value("#te-f-interval") == "900" and page.input_value("#te-f-name") == ""
    page.fill("#te-f-name", "events-copy")
    page.click("#te-save")
    page.wait_for_selector("tr[data-input='thousandeyes_events/events-copy']")
    copy = stanza(service, "thousandeyes_events", "events-copy")
    assert (copy["connection"], copy["interval"], copy["index"]) == ("prod", "900", "te_net")

    row.get_by_role("button", name="Disable events-03").click()
    page.wait_for_selector("tr[data-input='thousandeyes_events/events-03'] >> text=Disabled")
    assert stanza(service, "thousandeyes_events", "events-03")["disabled"] in ("1", True)
    row.get_by_role("button", name="Enable events-03").click()
    page.wait_for_selector("tr[data-input='thousandeyes_events/events-03'] >> text=Enabled")
    assert stanza(service, "thousandeyes_events", "events-03")["disabled"] in ("0", False)

    row.get_by_role("button", name="Delete events-03").click()
    assert page.locator("dialog.te-dialog").is_visible()
    page.keyboard.press("Escape")
    assert stanza(service, "thousandeyes_events", "events-03") is not None
    row.get_by_role("button", name="Delete events-03").click()
    page.click("#te-dialog-confirm")
    page.wait_for_selector("tr[data-input='thousandeyes_events/events-03']", state="detached")
    assert stanza(service, "thousandeyes_events", "events-03") is None
    assert page.text_content("#te-status") == "Deleted events-03."
    assert browser.console_errors == []


def test_plain_user_gets_nothing_usable(splunk, service, runner, seeded):
    with sync_playwright() as playwright:
        bob = Browser(playwright, splunk, username="bob")
        try:
            page = bob.page
            page.goto(splunk.web_root_url + INPUTS_PATH)
            page.wait_for_function(
                "document.getElementById('te-status').className.indexOf('te-status-error') >= 0"
            )
            assert page.text_content("#te-status").startswith(
                "Only Splunk admins can manage ThousandEyes inputs"
            )
            assert page.locator("#te-inputs-table").count() == 0
            assert page.locator("#te-create").count() == 0
            assert "results-00" not in page.content()
        finally:
            bob.close()
