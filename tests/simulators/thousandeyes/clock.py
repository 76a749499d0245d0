"""Simulated clock: a fixed start plus the real time elapsed, moved forward by tests (no sleeping).

Every simulator starts at ``DEFAULT_START`` unless a test passes its own start, so the world a
test sees (rounds, alert episodes, events) is decided by the seed and the start, never by the
hour the suite runs. ``offset_file`` holds the offset from the host's real clock in
libfaketime's relative format (``+<seconds>`` or ``-<seconds>``) so child processes started
with ``FAKETIME_TIMESTAMP_FILE`` share this time.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from typing import Optional

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


class SimClock:
    def __init__(
        self, start_time: Optional[float] = None, offset_dir: Optional[str] = None
    ) -> None:
        if start_time is None:
            start_time = DEFAULT_START
        self._lock = threading.Lock()
        self._offset = float(start_time) - real_time()
        directory = offset_dir or tempfile.mkdtemp(prefix="te-sim-clock-")
        self.offset_file = os.path.join(directory, "faketime_offset")
        self._write_offset_file()

    @property
    def offset(self) -> float:
        """Simulated minus real time, in seconds."""
        return self._offset

    def now(self) -> float:
        return real_time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds``; returns the new now()."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._offset += seconds
            self._write_offset_file()
        return self.now()

    def set_time(self, epoch: float) -> None:
        """Jump to ``epoch`` (forward only)."""
        self.advance(max(0.0, epoch - self.now()))

    def _write_offset_file(self) -> None:
        tmp = self.offset_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(f"{round(self._offset):+d}\n")  # libfaketime: whole seconds
        os.replace(tmp, self.offset_file)
