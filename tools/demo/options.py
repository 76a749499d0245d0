"""Command line of tools/demo.py."""

import argparse
import calendar
import os
import time
from pathlib import Path
from typing import List, Optional

# Seed 7 has alerts starting and clearing, events ongoing and ended, and activity in the
# five hours around this time: every data type shows something.
DEFAULT_START = "2026-11-28T17:00:00Z"
USAGE = """\
Runs the add-on end to end: builds the package, installs it into the Splunk stand-in, connects
it to ThousandEyes through the setup page's REST endpoints, creates an input for every data
type and runs them over a few simulated hours, then reports what was indexed and checks it.

  python tools/demo.py                  on the built-in ThousandEyes simulator (no account)
  python tools/demo.py --serve          then keep Splunk Web and the simulator running
  TE_API_TOKEN=... python tools/demo.py --region us1
                                        against a real ThousandEyes region with a user API token
  TE_CLIENT_ID=... python tools/demo.py --region global
                                        ... or with the device code flow of your OAuth client
  python tools/demo.py --refresh-rotation grace --hosts split --retry-after
                                        on the simulator in one of its modes (see below)
"""


def parse(argv: Optional[List[str]], root: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python tools/demo.py",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="after the run, keep Splunk Web and the simulator up for the browser (Ctrl-C stops)",
    )
    parser.add_argument(
        "--region",
        choices=("global", "us1", "us2", "eu"),
        help="use this real ThousandEyes region (hosts from the add-on's regions.conf) "
        "instead of the simulator; needs TE_API_TOKEN or TE_CLIENT_ID",
    )
    parser.add_argument(
        "--api-token",
        default=os.environ.get("TE_API_TOKEN", ""),
        help="user API token for --region (default: $TE_API_TOKEN; prefer the variable, "
        "command lines are visible to other users)",
    )
    parser.add_argument(
        "--client-id",
        default=os.environ.get("TE_CLIENT_ID", ""),
        help="OAuth client id for the device code flow with --region (default: $TE_CLIENT_ID)",
    )
    parser.add_argument(
        "--hours", type=float, default=3.0, help="simulated hours to collect (default 3)"
    )
    parser.add_argument(
        "--step-minutes",
        type=int,
        default=60,
        help="simulated minutes between scheduler passes; also the inputs' interval (default 60)",
    )
    parser.add_argument("--seed", type=int, default=7, help="simulator seed (default 7)")
    parser.add_argument(
        "--start",
        default=DEFAULT_START,
        help="simulated UTC time the demo starts at, YYYY-MM-DDTHH:MM:SSZ; fixed by default so "
        "every run sees the same organization, alerts and events (default %(default)s)",
    )
    parser.add_argument(
        "--size",
        default="small",
        choices=("tiny", "small", "medium", "large"),
        help="simulated organization size (default small: every test type)",
    )
    parser.add_argument(
        "--workdir",
        default=str(root / "build" / "demo"),
        help="SPLUNK_HOME and run files; wiped at start, kept afterwards (default: %(default)s)",
    )
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="install the newest dist/TA-thousandeyes-*.tgz instead of building one",
    )
    parser.add_argument(
        "--sim-rate-limit", type=int, default=240, help="simulator: organization requests/min"
    )
    # The simulator's mode switches, passed through to it (ignored with --region).
    from tests.simulators.thousandeyes.modes import MODES_HELP, add_mode_options

    add_mode_options(parser)
    parser.epilog = MODES_HELP
    options = parser.parse_args(argv)
    if options.region and not (options.api_token or options.client_id):
        parser.error("--region needs TE_API_TOKEN (or --api-token) or TE_CLIENT_ID (--client-id)")
    if options.step_minutes < 1 or options.hours <= 0:
        parser.error("--hours and --step-minutes must be positive")
    try:
        options.start_epoch = float(
            calendar.timegm(time.strptime(options.start, "%Y-%m-%dT%H:%M:%SZ"))
        )
    except ValueError:
        parser.error("--start must look like 2026-11-28T17:00:00Z")
    return options
