"""The setup page's Streams section in Chromium, through both stand-ins: a stream created from
the page with a HEC token the add-on makes (splunkd data/inputs/http in splunk_httpinput), the
simulator's clock moved, and the index holds exactly the data points of ground truth; a stream
with a wrong token shows failing; deleting the stream stops the pushes; the HEC token is found
nowhere but Splunk's HEC configuration (and the simulator's stream record, in memory).

Sources: issue 19 (how it is checked); the streams facts in
``shared/reference/thousandeyes-streams-endpoint.md``; the stand-ins' choices in
``tests/simulators/README.md`` (streams/HEC section).
"""

import os

import pytest
from playwright.sync_api import expect, sync_playwright
from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections

from tests.acceptance.setup_page.conftest import APP, Browser, assert_no_secret_leaked
from tests.simulators.faketime import faketime_env
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.conffile import AppConf
from tests.simulators.thousandeyes.rounds import PUBLISH_DELAY
from tests.simulators.thousandeyes.stream_push import point_key

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SOURCETYPE = "cisco:thousandeyes:metric"
WRONG_TOKEN = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture
def splunk(tmp_path, sim, built_app):
    """The conftest's stand-in with HEC switched on (Splunk ships it off)."""
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk",
        apps={APP: built_app},
        extra_env=faketime_env(sim.clock.offset_file),
        hec_enabled=True,
    )
    with emulator:
        yield emulator


@pytest.fixture
def connected(service, sim, splunk):
    connections.create_connection(service, "prod", "us1", connections.API_TOKEN)
    flows.connect_api_token(service, "prod", sim.create_api_token(sim.demo_email))
    AppConf(os.path.join(splunk.home, "etc", "system"), "indexes").update("te", {})
    sim.streams.trust(splunk.ca_bundle_path)  # ThousandEyes trusts the HEC's certificate
    return connections.get_connection(service, "prod")


@pytest.fixture
def browser(splunk, sim, service, connected):
    with sync_playwright() as playwright:
        session = Browser(playwright, splunk)
        session.page.on("dialog", lambda dialog: dialog.accept())  # the delete confirmation
        try:
            yield session
            assert_no_secret_leaked(session, sim, service)
        finally:
            session.close()


def _indexed_keys(splunk):
    events = splunk.indexed_events(index="te", sourcetype=SOURCETYPE)
    return [point_key({"time": e["_time"], "fields": e["fields"]}) for e in events]


def _row(page, name):
    return page.locator("#te-streams-rows tr", has_text="TA-thousandeyes: " + name)


def _create(page, name, tests, token=None):
    page.fill("#te-stream-name", name)
    page.fill("#te-stream-url", page.evaluate("window.__hec"))
    page.fill("#te-stream-tests", ",".join(t.test_id for t in tests))
    page.fill("#te-stream-index", "te")
    if token is None:
        page.check("#te-stream-create-token")
    else:
        page.uncheck("#te-stream-create-token")
        page.fill("#te-stream-token", token)
    page.click("#te-stream-create")
    page.wait_for_function(
        "document.getElementById('te-streams-status').textContent.indexOf('created') >= 0"
        " || document.getElementById('te-streams-status').className.indexOf('error') >= 0"
    )
    status = page.text_content("#te-streams-status")
    assert "created" in status, status
    _row(page, name).wait_for()
    return _row(page, name).get_attribute("data-stream-id")


def _refresh_until(page, name, status):
    page.click("#te-streams-refresh")
    expect(_row(page, name)).to_have_attribute("data-status", status)


def _files_holding(root, secret):
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    if secret.encode() in handle.read():
                        found.append(os.path.relpath(path, root))
            except OSError:
                continue
    return found


def test_stream_from_the_page_indexes_ground_truth_then_fails_then_stops(
    browser, splunk, sim, connected
):
    aid = connected.account_groups[0]["aid"]
    tests = [t for t in sim.world.tests_in(aid)
             if t.test_type in ("agent-to-server", "http-server", "dns-server")]  # fmt: skip
    assert tests
    page = browser.open_setup()
    page.evaluate(f"window.__hec = {splunk.hec_event_url!r}")
    page.wait_for_selector("#te-streams-rows tr")
    assert page.input_value("#te-streams-aid") == str(aid)
    assert "streams:manage" in page.text_content("#te-streams-scope")

    stream_id = _create(page, "metrics", tests)
    record = sim.streams.get(stream_id)
    start = record.cursor_time
    token = record.fields["exporterConfig"]["splunkHec"]["token"]
    assert len(token) >= 32
    browser.screenshot("streams-created")

    sim.clock.advance(1800)  # pushes what became due
    end = int(sim.clock.now()) - PUBLISH_DELAY + 1
    truth = [point_key(e) for e in sim.streams.ground_truth(stream_id, start, end)]
    indexed = _indexed_keys(splunk)
    assert len(truth) > 40
    assert len(set(indexed)) == len(indexed)  # 0 duplicates
    assert sorted(indexed) == sorted(truth)  # 0 missing, nothing extra
    _refresh_until(page, "metrics", "connected")

    wrong_id = _create(page, "wrong-token", tests[:1], token=WRONG_TOKEN)
    sim.clock.advance(600)
    _refresh_until(page, "wrong-token", "failing")
    wrong = _row(page, "wrong-token")
    assert "failing" in wrong.locator(".te-stream-status").text_content()
    assert "Invalid token" in sim.streams.get(wrong_id).last_error
    browser.screenshot("streams-failing")

    _row(page, "metrics").locator(".te-stream-delete").click()
    page.wait_for_function(
        "document.getElementById('te-streams-status').textContent.indexOf('deleted') >= 0"
    )
    expect(_row(page, "metrics")).to_have_count(0)
    posts = len(sim.streams.deliveries(stream_id))
    before = len(_indexed_keys(splunk))
    sim.clock.advance(1800)
    assert len(sim.streams.deliveries(stream_id)) == posts
    assert len(_indexed_keys(splunk)) == before

    # The secret scan: the HEC token only in Splunk's HEC configuration, never in a response
    # the browser got, our app's confs or any log; the pasted wrong token nowhere on disk.
    for text in [t for _, _, t in browser.bodies] + [browser.storage_dump()]:
        assert token not in text and WRONG_TOKEN not in text
    holding = _files_holding(str(splunk.home), token)
    assert holding and all(
        path.startswith(os.path.join("etc", "apps", "splunk_httpinput")) for path in holding
    ), holding
    assert _files_holding(str(splunk.home), WRONG_TOKEN) == []
    assert browser.console_errors == []
