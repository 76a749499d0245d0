"""Simulated clock: a fixed start plus the real time elapsed, moved forward by tests (no sleeping).

Every simulator starts at ``DEFAULT_START`` unless a test passes its own start, so the world a
test sees (rounds, alert episodes, events) is decided by the seed and the start, never by the
hour the suite runs. ``offset_file`` holds the offset from the host's real clock in
libfaketime's relative format (``+<seconds>`` or ``-<seconds>``) so child processes started
with ``FAKETIME_TIMESTAMP_FILE`` share this time. ``frozen``: real time does not move the
clock, only ``advance`` does (a benchmark then measures on the simulated clock whatever the
machine's load); the offset file is then exact only right after an advance. ``time_file``
holds the simulated time itself (``repr`` of the float, rewritten at every advance): with a
frozen clock it is exact at every moment, so a child process reads the simulator's time
there (``read_time_file``) instead of the real clock plus an offset.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Callable, List, Optional

from ..fixed_time import DEFAULT_START, real_time

__all__ = ["DEFAULT_START", "SimClock", "read_time_file", "real_time"]


class SimClock:
    def __init__(
        self,
        start_time: Optional[float] = None,
        offset_dir: Optional[str] = None,
        frozen: bool = False,
    ) -> None:
        if start_time is None:
            start_time = DEFAULT_START
        self.frozen = frozen
        self._frozen_at = float(start_time)  # now() while frozen
        self._lock = threading.Lock()
        self._offset = float(start_time) - real_time()
        self._listeners: List[Callable[[], None]] = []
        directory = offset_dir or tempfile.mkdtemp(prefix="te-sim-clock-")
        self.offset_file = os.path.join(directory, "faketime_offset")
        self.time_file = os.path.join(directory, "sim_time")
        self._write_offset_file()

    @property
    def offset(self) -> float:
        """Simulated minus real time, in seconds."""
        return self._offset

    def now(self) -> float:
        if self.frozen:
            return self._frozen_at
        return real_time() + self._offset

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every advance (outside the lock), e.g. the stream pusher."""
        self._listeners.append(listener)

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds``; returns the new now()."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._frozen_at += seconds
            if self.frozen:
                self._offset = self._frozen_at - real_time()
            else:
                self._offset += seconds
            self._write_offset_file()
        for listener in list(self._listeners):
            listener()
        return self.now()

    def set_time(self, epoch: float) -> None:
        """Jump to ``epoch`` (forward only)."""
        self.advance(max(0.0, epoch - self.now()))

    def _write_offset_file(self) -> None:
        tmp = self.offset_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(f"{round(self._offset):+d}\n")  # libfaketime: whole seconds
        os.replace(tmp, self.offset_file)
        tmp = self.time_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(repr(self.now()) + "\n")
        os.replace(tmp, self.time_file)


def read_time_file(path: str) -> float:
    """The simulated time a (frozen) SimClock wrote to its ``time_file``."""
    with open(path, encoding="ascii") as fh:
        return float(fh.read())
