"""The pages start whichever of their scripts runs first. Splunk Web loads a dashboard's
``script=`` files through its module loader, so the order is not promised; each page script
queues its start with ``window.TAThousandEyesPages.push(main)`` and ``te_common.js`` starts
what was queued before it, and anything queued later at once. Here the views list the page
scripts before ``te_common.js`` (the stand-in runs them in the listed order), and the
shipped order is covered by every other test of the pages.
"""

import os
import re
import shutil

import pytest

from tests.acceptance.setup_page.conftest import APP, SETUP_PATH
from tests.acceptance.setup_page.test_inputs_page import INPUTS_PATH

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REVERSED = {
    "ta_thousandeyes_setup": "streams.js, setup.js, te_common.js",
    "ta_thousandeyes_inputs": "inputs.js, te_common.js",
}


@pytest.fixture
def built_app(built_app, tmp_path):
    """The built app with its views' scripts listed page scripts first."""
    app = str(tmp_path / "app" / APP)
    shutil.copytree(built_app, app, symlinks=True)
    for view, scripts in REVERSED.items():
        path = os.path.join(app, "default", "data", "ui", "views", view + ".xml")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        changed = re.sub(r'script="[^"]*"', f'script="{scripts}"', text, count=1)
        assert changed != text
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(changed)
    return app


def test_pages_start_when_te_common_runs_last(runner, browser):
    # runner: splunkd's data/inputs/<scheme>, which the Inputs page lists
    page = browser.open_setup()
    assert page.locator("script[src$='te_common.js'] ~ script").count() == 0  # it ran last
    page.wait_for_selector("#te-streams-title")
    page.wait_for_selector("#te-new-feature-streams")
    page.goto(browser.splunk.web_root_url + INPUTS_PATH)
    page.wait_for_selector("#te-create")
    assert SETUP_PATH not in page.url
    assert browser.console_errors == []
