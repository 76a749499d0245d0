"""python -m tests.simulators.thousandeyes --seed 1 --size small [--https] [--ports-file F]

Prints one JSON line (regions, control URL, clock offset file, CA bundle) and serves until
SIGTERM or SIGINT. The mode options (rate limits, refresh tokens, hosts) are in --help.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from .modes import MODES_HELP, add_mode_options, mode_options
from .simulator import ThousandEyesSimulator
from .world import SIZES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulators.thousandeyes",
        epilog=MODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--https", action="store_true")
    parser.add_argument("--ports-file", help="also write the JSON line to this file")
    parser.add_argument(
        "--start-time", type=float, default=None, help="simulated epoch at start (default: fixed)"
    )
    parser.add_argument("--access-token-lifetime", type=int, default=600)
    parser.add_argument("--refresh-idle-lifetime", type=int, default=86400)
    parser.add_argument("--rate-limit", type=int, default=240, help="organization, per minute")
    add_mode_options(parser)
    parser.add_argument("--tests", type=int, default=None)
    parser.add_argument("--agents", type=int, default=None)
    return parser


def main(argv: list = None) -> int:  # type: ignore[assignment]
    args = build_parser().parse_args(argv)
    sim = ThousandEyesSimulator(
        seed=args.seed, size=args.size, https=args.https,
        access_token_lifetime=args.access_token_lifetime,
        refresh_idle_lifetime=args.refresh_idle_lifetime,
        rate_limit_per_minute=args.rate_limit, start_time=args.start_time,
        tests=args.tests, agents=args.agents, **mode_options(args),
    ).start()  # fmt: skip
    info = {
        "regions": sim.regions_conf(),
        "control_url": sim.base_url("global") + "/_sim",
        "offset_file": sim.clock.offset_file,
        "ca_bundle_path": sim.ca_bundle_path,
        "default_client_id": sim.default_client_id,
        "pid": os.getpid(),
    }
    line = json.dumps(info)
    if args.ports_file:
        tmp = args.ports_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(line + "\n")
        os.replace(tmp, args.ports_file)
    print(line, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
