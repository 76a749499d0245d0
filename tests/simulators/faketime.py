"""Run child processes on the simulator's clock with libfaketime (Debian's libfaketime).

The simulator keeps its clock offset (relative to real time) in a file; libfaketime re-reads
it on every clock call, so a process sees the simulated wall clock move when a test advances
it. Monotonic clocks stay real (timed waits on locks hang under libfaketime otherwise), and a
small preloaded shim (faketime_nanosleep.c, compiled on first use) keeps Python 3.13's
time.sleep() working, which libfaketime 0.9.10 breaks when monotonic clocks are real.
"""

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Mapping

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
_SHIM_SOURCE = Path(__file__).with_name("faketime_nanosleep.c")
_SHIM_DIR = Path(__file__).resolve().parents[2] / "build" / "faketime"


def nanosleep_shim(directory: Path = _SHIM_DIR) -> Path:
    """The compiled shim in directory (build/faketime by default), compiled when missing."""
    target = directory / "faketime_nanosleep.so"
    if target.exists() and target.stat().st_mtime >= _SHIM_SOURCE.stat().st_mtime:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".so", delete=False) as temporary:
        pass
    command = ["gcc", "-shared", "-fPIC", "-O2", "-o", temporary.name, str(_SHIM_SOURCE)]
    subprocess.run(command, check=True, capture_output=True)
    os.replace(temporary.name, target)  # atomic: concurrent callers never load half a file
    return target


def faketime_env(offset_file: str) -> Dict[str, str]:
    """Environment variables that put a child process on the clock in offset_file."""
    if not os.path.exists(LIBFAKETIME):
        raise RuntimeError(f"{LIBFAKETIME} is missing: apt-get install libfaketime")
    return {
        "LD_PRELOAD": f"{nanosleep_shim()}:{LIBFAKETIME}",
        "FAKETIME_TIMESTAMP_FILE": str(offset_file),
        "FAKETIME_NO_CACHE": "1",
        "DONT_FAKE_MONOTONIC": "1",
    }


def on_sim_clock(base_env: Mapping[str, str], offset_file: str) -> Dict[str, str]:
    """base_env (e.g. os.environ) moved onto the clock in offset_file.

    An outer libfaketime's ``FAKETIME`` (the suite run under ``faketime -f +N``) is dropped:
    it would take priority over the offset file.
    """
    env = {key: value for key, value in base_env.items() if not key.startswith("FAKETIME")}
    env.update(faketime_env(offset_file))
    return env
