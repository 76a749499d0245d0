"""The simulator's unkindness switches as command-line options (its own and the demo's)."""

from __future__ import annotations

import argparse

from .context import HOST_LAYOUTS
from .oauth_store import REFRESH_ROTATIONS
from .rate_limit import WINDOWS

MODES_HELP = """\
modes (each also a ThousandEyesSimulator keyword argument of the same name):
  --rate-limit-window rolling   the organization's minute starts at a batch's first request
                                (ThousandEyes' rate-limit documentation); aligned: clock minute
  --retry-after                 send Retry-After on 429 (by default none, as documented)
  --refresh-rotation strict     new refresh token each refresh, old one dies, reuse revokes all
                     grace      ... but the old one works again for --refresh-grace-seconds
                     reuse      no rotation: the same refresh token comes back
                     omit       no rotation: the answer carries no refresh_token
  --frozen-clock                only /_sim/clock/advance moves the clock, not real time
  --hosts single                API, OAuth endpoints and sign-in pages on one host per region
          split                 sign-in pages (authorize, device approval) on their own host
          separate              API, OAuth endpoints and sign-in pages on three hosts
"""


def add_mode_options(parser: argparse.ArgumentParser) -> None:
    """The mode options, defaults as the ThousandEyesSimulator constructor's."""
    group = parser.add_argument_group("simulator modes")
    group.add_argument("--client-rate-limit", type=int, default=240, help="per OAuth client/min")
    group.add_argument("--instant-test-rate-limit", type=int, default=24, help="per minute")
    group.add_argument("--rate-limit-window", choices=WINDOWS, default="rolling")
    group.add_argument("--retry-after", action="store_true", help="send Retry-After on 429")
    group.add_argument("--refresh-rotation", choices=REFRESH_ROTATIONS, default="strict")
    group.add_argument("--refresh-grace-seconds", type=float, default=30.0)
    group.add_argument("--hosts", choices=sorted(HOST_LAYOUTS), default="single")
    group.add_argument("--frozen-clock", action="store_true", help="only advance moves time")


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
        "frozen_clock": args.frozen_clock,
    }
