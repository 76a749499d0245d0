"""Run child processes on the simulator's clock with libfaketime (Debian's libfaketime).

The simulator keeps its clock offset (relative to real time) in a file; libfaketime re-reads
it on every clock call, so a process sees the simulated time move when a test advances it.
Monotonic clocks are faked too: with real monotonic clocks and a faked wall clock, Python
3.13's time.sleep() fails with EINVAL under libfaketime.
"""

import os
from typing import Dict

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


def faketime_env(offset_file: str) -> Dict[str, str]:
    """Environment variables that put a child process on the clock in offset_file."""
    if not os.path.exists(LIBFAKETIME):
        raise RuntimeError(f"{LIBFAKETIME} is missing: apt-get install libfaketime")
    return {
        "LD_PRELOAD": LIBFAKETIME,
        "FAKETIME_TIMESTAMP_FILE": str(offset_file),
        "FAKETIME_NO_CACHE": "1",
    }
