"""`make demo SERVE=1`: after the run, Splunk Web and the simulator stay up; a person logs in,
sees the connection on the setup page and logs it out; Ctrl-C stops everything cleanly and the
exit code is the run's verdict."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest
import requests

from tests.browser import launch_chromium
from tests.demo.checkout_copy import copy_checkout

READY_LINE = "Ctrl-C stops everything."


class _Output:
    """Collects the demo's stdout on a thread; ready is set once it says it is serving."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines = []
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._pump, args=(process,), daemon=True)
        self.thread.start()

    def _pump(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.lines.append(line)
            if READY_LINE in line:
                self.ready.set()
        self.ready.set()  # ended without serving: let the test see why

    def text(self) -> str:
        return "".join(self.lines)


def _connection_state(web_url: str, name: str) -> str:
    session = requests.Session()
    session.trust_env = False
    session.post(
        web_url + "/en-US/account/login",
        data={"username": "admin", "password": "changeme"},
        allow_redirects=False,
    )
    base = web_url + "/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes"
    body = session.get(f"{base}/connections/{name}", params={"output_mode": "json"}).json()
    return body["connection"]["state"]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(420)
def test_serve_mode_setup_page_log_out_and_ctrl_c(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    checkout = copy_checkout(tmp_path / "checkout")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "tools/demo.py", "--serve", "--hours", "0.5"],
        cwd=checkout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        reader = _Output(process)
        reader.ready.wait(300)
        output = reader.text()
        assert READY_LINE in output, output[-4000:]
        verdict = 0 if "DEMO OK" in output else 1  # the run's own checks: the other test's job
        setup_url = re.search(r"setup page\s+(http://\S+)", output).group(1)
        web_url = setup_url.split("/en-US/")[0]
        assert "admin / changeme" in output and "admin@example.com / thousandeyes" in output
        assert _connection_state(web_url, "demo") == "connected"

        with sync_playwright() as playwright:
            browser = launch_chromium(playwright.chromium)
            try:
                page = browser.new_page()
                page.goto(setup_url)  # Splunk Web sends us to its login form first
                page.fill("input[name=username]", "admin")
                page.fill("input[name=password]", "changeme")
                page.click("input[type=submit]")
                page.wait_for_url(re.compile(".*ta_thousandeyes_setup.*"))
                row = page.locator("tr", has=page.locator("th", has_text="demo"))
                expect(row).to_contain_text("admin@example.com", timeout=30000)
                expect(row.locator(".te-badge-connected")).to_be_visible()
                row.get_by_role("button", name="Log out").click()
                page.locator("#te-dialog-confirm").click()
                expect(row.locator(".te-badge-disconnected")).to_be_visible(timeout=30000)
            finally:
                browser.close()
        assert _connection_state(web_url, "demo") == "disconnected"

        process.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        process.wait(timeout=60)
        reader.thread.join(timeout=10)
        assert process.returncode == verdict, reader.text()[-4000:]
        assert f"done, exit code {verdict}" in reader.text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    time.sleep(0.5)
    left = [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if str(checkout) in " ".join(p.info.get("cmdline") or [])
    ]
    assert left == []
