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

from .context import HOST_LAYOUTS
from .oauth_store import REFRESH_ROTATIONS
from .rate_limit import WINDOWS
from .simulator import ThousandEyesSimulator
from .world import SIZES

MODES = """\
modes (each also a ThousandEyesSimulator keyword argument of the same name):
  --rate-limit-window rolling   the organization's minute starts at a batch's first request
                                (ThousandEyes' rate-limit documentation); aligned: clock minute
  --retry-after                 send Retry-After on 429 (by default none, as documented)
  --refresh-rotation strict     new refresh token each refresh, old one dies, reuse revokes all
                     grace      ... but the old one works again for --refresh-grace-seconds
                     reuse      no rotation: the same refresh token comes back
                     omit       no rotation: the answer carries no refresh_token
  --hosts single                API, OAuth endpoints and sign-in pages on one host per region
          split                 sign-in pages (authorize, device approval) on their own host
          separate              API, OAuth endpoints and sign-in pages on three hosts
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulators.thousandeyes",
        epilog=MODES,
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
    parser.add_argument("--client-rate-limit", type=int, default=240, help="OAuth client, per min")
    parser.add_argument("--instant-test-rate-limit", type=int, default=24, help="per minute")
    parser.add_argument("--rate-limit-window", choices=WINDOWS, default="rolling")
    parser.add_argument("--retry-after", action="store_true", help="send Retry-After on 429")
    parser.add_argument("--refresh-rotation", choices=REFRESH_ROTATIONS, default="strict")
    parser.add_argument("--refresh-grace-seconds", type=float, default=30.0)
    parser.add_argument("--hosts", choices=sorted(HOST_LAYOUTS), default="single")
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


def mode_options(args: argparse.Namespace) -> dict:
    """The ThousandEyesSimulator keyword arguments of the mode options."""
    return {
        "client_rate_limit_per_minute": args.client_rate_limit,
        "instant_test_rate_limit_per_minute": args.instant_test_rate_limit,
        "rate_limit_window": args.rate_limit_window,
        "retry_after": args.retry_after,
        "refresh_rotation": args.refresh_rotation,
        "refresh_grace_seconds": args.refresh_grace_seconds,
        "hosts": args.hosts,
    }


if __name__ == "__main__":
    sys.exit(main())
