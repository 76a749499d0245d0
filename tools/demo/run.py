"""The demo's entry: signals, build, one of the flows, the verdict, --serve, clean shutdown."""

import json
import os
import signal
import time
import traceback
from pathlib import Path
from typing import Any, Dict

from . import flows
from .build_step import build_package
from .console import DemoFailure, Progress
from .names import SPLUNK_LOGIN
from .stack import APP_ID, DemoStack


class Interrupted(BaseException):
    """Ctrl-C, SIGTERM, SIGHUP: stop, through every finally block (a BaseException,
    like KeyboardInterrupt, so no `except Exception` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: Any) -> None:
    raise Interrupted(signum)


def main(root: Path, options: Any) -> int:
    progress = Progress()
    # Explicitly, SIGINT too: a shell starting us in the background sets it to "ignore".
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_interrupted)
    stack = DemoStack(root, options.workdir)
    status = 1
    try:
        package = _package(root, options, progress)
        if options.region:
            summary = flows.run_real(stack, package, options, progress)
        else:
            # requests lets these override an explicit verify= (trust_env): the simulator's
            # pages use its own CA bundle, so they must not apply inside the demo.
            for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
                os.environ.pop(name, None)
            summary = flows.run_simulated(stack, package, options, progress)
        failures = summary["failures"]
        _write_summary(stack, summary)
        if failures:
            progress.text("")
            progress.text("DEMO FAILED:")
            for failure in failures:
                progress.text(f"  - {failure}")
            status = 1
        else:
            progress.text("")
            progress.text("DEMO OK: every check passed.")
            status = 0
        if options.serve:
            _serve(stack, options, progress)
    except DemoFailure as error:
        progress.text("")
        progress.text(f"DEMO FAILED: {error}")
        status = 1
    except Exception:  # a bug or a piece not there yet: say where, then clean up
        progress.text("")
        progress.text("DEMO FAILED with an unexpected error:")
        progress.text(traceback.format_exc().rstrip())
        status = 1
    except (KeyboardInterrupt, Interrupted) as error:
        progress.text("")
        progress.text(f"Interrupted ({error or 'Ctrl-C'}); stopping everything.")
        status = 128 + getattr(error, "signum", signal.SIGINT)
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
        progress.step("stopping the simulator, the Splunk stand-in and their processes")
        problems = stack.stop()
        for problem in problems:
            progress.text(f"  cleanup: {problem}")
        if problems and status == 0:
            progress.text("DEMO FAILED: processes were left behind (see above)")
            status = 1
        progress.step(f"done, exit code {status}")
    return status


def _package(root: Path, options: Any, progress: Progress) -> Path:
    if options.no_build:
        found = sorted((root / "dist").glob("TA-thousandeyes-*.tgz"), key=os.path.getmtime)
        if not found:
            raise DemoFailure("--no-build: no dist/TA-thousandeyes-*.tgz; run without it")
        progress.step(f"using the existing package {found[-1].relative_to(root)}")
        return found[-1]
    progress.step(
        "building the app and packaging it (tools/build.py build, package: most of the time "
        "goes to vendoring the pinned runtime packages)"
    )
    package = build_package(root)
    progress.detail(f"{package.relative_to(root)} ({package.stat().st_size // 1024} KiB)")
    return package


def _write_summary(stack: DemoStack, summary: Dict[str, Any]) -> None:
    with open(os.path.join(stack.workdir, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2, sort_keys=True)


def _serve(stack: DemoStack, options: Any, progress: Progress) -> None:
    splunk = stack.splunk
    progress.text("")
    progress.text("Serving. Open the setup page and click through connect / status / log out:")
    progress.text(f"  setup page       {splunk.web_url}/en-US/app/{APP_ID}/ta_thousandeyes_setup")
    progress.text(f"  Splunk login     {SPLUNK_LOGIN[0]} / {SPLUNK_LOGIN[1]}")
    if stack.sim is not None:
        sim = stack.sim
        progress.text(f"  ThousandEyes     {sim.demo_email} / {sim.demo_password}")
        progress.text(
            "  (the simulator's approval pages use its own CA: "
            f"{sim.ca_bundle_path}; your browser will ask to trust it)"
        )
    progress.text("Ctrl-C stops everything.")
    try:
        while True:
            time.sleep(1)
    except (KeyboardInterrupt, Interrupted):
        progress.text("")  # the normal end of --serve: the run's own verdict stands


__all__ = ["main"]
