"""The test world's fixed start and the host's real clock (light: no simulator imports).

Every simulator and stand-in clock starts at ``DEFAULT_START`` unless a test passes its own,
so the data a test sees is decided by the seed and the start, never by the hour of the run.
"""

import os
import re
import time

# 2026-06-01T00:00:00Z: the simulated "now" at a simulator's start unless a test says otherwise.
DEFAULT_START = 1_780_272_000.0

_RELATIVE_FAKETIME = re.compile(r"^\s*([+-]\d+(?:\.\d+)?)([smhdy]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}


def outer_faketime_offset() -> float:
    """The relative libfaketime offset this process itself runs under (0 when none).

    The suite's wall-clock independence is checked by running it under ``faketime -f +N``;
    child processes on the simulated clock get their own libfaketime, whose offset counts from
    the host's real clock, so the simulator must know the real clock too.
    """
    if "faketime" not in os.environ.get("LD_PRELOAD", ""):
        return 0.0
    match = _RELATIVE_FAKETIME.match(os.environ.get("FAKETIME", ""))
    if not match:
        return 0.0
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def real_time() -> float:
    """The host's real clock, even under an outer relative libfaketime offset."""
    return time.time() - outer_faketime_offset()
