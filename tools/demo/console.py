"""Progress lines while the demo works, and the one exception that ends it with a reason."""

import sys
import time


class DemoFailure(Exception):
    """The demo cannot go on; the message says what failed and what to do about it."""


class Progress:
    """Prints `[  12.3s] message` lines, flushed at once so a person sees the demo move."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.started = time.monotonic()
        self.written = []  # everything printed, for the leak scan of the demo's own output

    def _write(self, text: str) -> None:
        self.written.append(text)
        self.stream.write(text)
        self.stream.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, message: str) -> None:
        self._write(f"[{self.elapsed():6.1f}s] {message}\n")

    def detail(self, message: str) -> None:
        self._write(f"          {message}\n")

    def text(self, message: str = "") -> None:
        self._write(message + "\n")
