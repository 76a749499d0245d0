"""Run a command as if the wall clock read a given UTC time (checks that no test needs today).

    .venv/bin/python tools/at_wall_clock.py "2026-12-31 23:59:50Z" make test

The command and every process it starts see the real time shifted by one fixed offset
(libfaketime, relative mode), so time still runs; monotonic clocks stay real (timed waits
would otherwise stretch by the offset), with the project's nanosleep shim that keeps Python
3.13's time.sleep() working under that setting. Processes the tests put on the simulator's
clock get their own offset from the host's real clock (tests/simulators/fixed_time.py).
"""

import calendar
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.simulators.faketime import LIBFAKETIME, nanosleep_shim  # noqa: E402


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    wall_clock, command = argv[0], argv[1:]
    target = calendar.timegm(time.strptime(wall_clock.rstrip("Z"), "%Y-%m-%d %H:%M:%S"))
    if not os.path.exists(LIBFAKETIME):
        raise SystemExit(f"{LIBFAKETIME} is missing: run 'tools/system_packages.sh' first")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
    # Outside the checkout: `make test` rebuilds build/, and a preloaded file that vanishes
    # is silently skipped by every later process.
    shim = nanosleep_shim(Path(tempfile.gettempdir()) / "ta-thousandeyes-wall-clock")
    env.update(
        LD_PRELOAD=f"{shim}:{LIBFAKETIME}",
        FAKETIME=f"{round(target - time.time()):+d}",
        FAKETIME_NO_CACHE="1",
        DONT_FAKE_MONOTONIC="1",
    )
    print(f"wall clock {wall_clock} (FAKETIME={env['FAKETIME']}): {' '.join(command)}", flush=True)
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    main(sys.argv[1:])
