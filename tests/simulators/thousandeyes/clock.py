"""Simulated clock: real time plus an offset that tests move forward (no sleeping).

``offset_file`` always holds the offset in libfaketime's relative format (``+<seconds>`` or
``-<seconds>``) so child processes started with ``FAKETIME_TIMESTAMP_FILE`` share this time.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from typing import Optional


class SimClock:
    def __init__(
        self, start_time: Optional[float] = None, offset_dir: Optional[str] = None
    ) -> None:
        real = time.time()
        if start_time is None:
            start_time = real - (real % 3600)  # now rounded down to the hour
        self._lock = threading.Lock()
        self._offset = float(start_time) - real
        directory = offset_dir or tempfile.mkdtemp(prefix="te-sim-clock-")
        self.offset_file = os.path.join(directory, "faketime_offset")
        self._write_offset_file()

    @property
    def offset(self) -> float:
        return self._offset

    def now(self) -> float:
        return time.time() + self._offset

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
