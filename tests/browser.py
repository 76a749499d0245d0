"""Chromium as every browser test launches it: Debian's package, headless, no background traffic."""

import os

CHROMIUM_PATH = "/usr/bin/chromium"  # Debian's chromium package (never `playwright install`)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_environment():
    """The browser runs on the machine's real clock, as an admin's browser does.

    A libfaketime preload (tools/at_wall_clock.py, or a test's simulated clock) is not for it:
    Chromium's many threads and processes stall under that preload, so pages never load.
    """
    return {
        k: v
        for k, v in os.environ.items()
        if k != "LD_PRELOAD" and not k.startswith("FAKETIME") and k != "DONT_FAKE_MONOTONIC"
    }


def launch_chromium(browser_type, **options):
    """``browser_type`` is a Playwright ``playwright.chromium``."""
    options.setdefault("env", browser_environment())
    return browser_type.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, **options)
