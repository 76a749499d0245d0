"""Chromium as every browser test launches it: Debian's package, headless, no background traffic."""

CHROMIUM_PATH = "/usr/bin/chromium"  # Debian's chromium package (never `playwright install`)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(browser_type, **options):
    """``browser_type`` is a Playwright ``playwright.chromium``."""
    return browser_type.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, **options)
