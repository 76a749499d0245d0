"""The setup page in a real browser: the built app in the Splunk stand-in, wired to the
ThousandEyes simulator, driven by Playwright with Debian's Chromium.

Handler processes see the simulator's clock through libfaketime, so a test can expire a
device code by advancing the simulator's clock instead of sleeping.
"""

import os
import re

import pytest
from playwright.sync_api import sync_playwright

from tests import verification
from tests.acceptance.wiring import point_addon_at_simulator, secrets_sent_outside_regions
from tests.browser import launch_chromium
from tests.runner_tests.conftest import splunk_python
from tests.simulators.faketime import faketime_env
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.thousandeyes import ThousandEyesSimulator
from tools import build as builder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
APP = "TA-thousandeyes"
SETUP_PATH = "/en-US/app/TA-thousandeyes/ta_thousandeyes_setup"
ARTIFACTS = os.path.join(ROOT, "tests", "artifacts", "setup_page")
USER_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


@pytest.fixture(scope="session")
def built_app(tmp_path_factory):
    """This checkout's app with the vendored runtime packages of the last `make build`."""
    return str(builder.assemble_from_last_build(tmp_path_factory.mktemp("app") / APP))


@pytest.fixture
def sim():
    with ThousandEyesSimulator(seed=7, size="small", https=True) as simulator:
        yield simulator


# Handler processes as Splunk runs them (ended after 60 s idle), or a new one for every request:
# a flow that works both ways keeps nothing in a handler process between requests.
HANDLER_PROCESSES = pytest.mark.parametrize(
    "splunk", [60.0, 0.0], indirect=True, ids=["persistent", "process-per-request"]
)


@pytest.fixture
def web_settings():
    """Splunk Web's web.conf [settings]; a test module overrides this fixture to change them."""
    return None


@pytest.fixture
def splunk(request, tmp_path, sim, built_app, web_settings):
    extra_env = faketime_env(sim.clock.offset_file)
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk",
        apps={APP: built_app},
        extra_env=extra_env,
        web_settings=web_settings,
        handler_idle_seconds=getattr(request, "param", 60.0),
    )
    with emulator:
        emulator.add_user("bob", "changeme", roles=("user",))
        yield emulator


@pytest.fixture
def runner(splunk):
    """splunkd's data/inputs backed by the modular input runner (validation runs the scripts)."""
    runner = splunk.modular_inputs(APP, splunk_python("3.13"), server_host="standin-host")
    yield runner
    runner.stop_scheduler()


@pytest.fixture
def service(splunk, sim):
    """The installed add-on pointed at the simulator's hosts, trusting its CA."""
    return point_addon_at_simulator(splunk, sim)


class Browser:
    """One logged-in Chromium context; records every response body and console error."""

    def __init__(self, playwright, splunk, username="admin"):
        self.splunk = splunk
        self.browser = launch_chromium(playwright.chromium, headless=True)
        self.context = self.browser.new_context(ignore_https_errors=True)
        self.context.add_cookies(splunk.web_login_cookies(username, "changeme"))
        self.bodies = []  # (url, status, text)
        self.console_errors = []
        self.context.on("response", self._record)
        self.context.on("page", self._watch)
        self.page = self.context.new_page()

    def _watch(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))

    def _console(self, page, message):
        source = (message.location or {}).get("url", "")
        if "/favicon.ico" in source:
            return  # the stand-in serves no favicon; Splunk Web does
        if message.type == "error" and page.url.startswith(self.splunk.web_url):
            self.console_errors.append(f"{message.text} ({source})")

    def _record(self, response):
        try:
            text = response.text()
        except Exception:  # redirects and aborted requests have no body
            text = ""
        self.bodies.append((response.url, response.status, text))

    def open_setup(self, query=""):
        self.page.goto(self.splunk.web_root_url + SETUP_PATH + query)
        self.page.wait_for_selector("#te-connect-title")
        self.page.wait_for_function("document.querySelectorAll('#te-region option').length === 4")
        return self.page

    def screenshot(self, name, page=None):
        os.makedirs(ARTIFACTS, exist_ok=True)
        (page or self.page).screenshot(path=os.path.join(ARTIFACTS, name + ".png"), full_page=True)

    def storage_dump(self):
        parts = []
        for page in self.context.pages:
            if page.url.startswith(self.splunk.web_url):
                parts.append(page.content())
                parts.append(
                    page.evaluate(
                        "JSON.stringify([Object.entries(localStorage),"
                        " Object.entries(sessionStorage)])"
                    )
                )
        parts.extend(cookie["value"] for cookie in self.context.cookies())
        return "\n".join(parts)

    def close(self):
        self.context.close()
        self.browser.close()


def assert_no_secret_leaked(browser, sim, service):
    """No token, device code or auth code the simulator issued reached the page, a response
    body the browser received from Splunk Web, or the browser's storage, or a host of a region
    no connection uses. User codes are excluded: showing them is the point of the device flow."""
    assert secrets_sent_outside_regions(sim, service) == []
    secrets = [s for s in sim.issued_secrets() if not USER_CODE.match(s)]
    haystacks = {"browser storage": browser.storage_dump()}
    for number, (url, _, text) in enumerate(browser.bodies):
        if url.startswith(browser.splunk.web_url):
            haystacks[f"response #{number} {url.split('?')[0]}"] = text
    hits = verification.scan_for_secrets([], secrets, haystacks, min_length=1).hits
    assert hits == [], "a simulator-issued secret reached the browser"


@pytest.fixture
def browser(splunk, sim, service):
    with sync_playwright() as playwright:
        session = Browser(playwright, splunk)
        try:
            yield session
            assert_no_secret_leaked(session, sim, service)
        finally:
            session.close()
