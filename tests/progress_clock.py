"""Move a shared simulated clock with the progress of worker processes, not the machine's speed.

Multi-process token tests start many workers and advance the clock they share. Advancing on
a real-time beat makes the work done per simulated second depend on how fast (or loaded) the
machine is: on a slow one the clock runs out before the workers have started. Workers here
report their call count in ``<out>.calls``; the clock moves one step each time they made
about ``calls_per_step`` more calls, and only once every worker is ready.
"""

import os
import time
from typing import Callable, Optional, Sequence


def report_progress(out: str, calls: int) -> None:
    """Called by a worker: it is ready (calls=0) or has made this many calls."""
    with open(out + ".calls.tmp", "w") as handle:
        handle.write(str(calls))
    os.replace(out + ".calls.tmp", out + ".calls")


def calls_so_far(outs: Sequence[str]) -> int:
    total = 0
    for out in outs:
        try:
            with open(out + ".calls") as handle:
                total += int(handle.read() or 0)
        except (OSError, ValueError):
            pass
    return total


def advance_with_progress(
    advance: Callable[[], None],
    procs: Sequence,
    outs: Sequence[str],
    calls_per_step: Optional[int] = None,
    patience: float = 10.0,
    startup: float = 120.0,
) -> None:
    """Call advance() after each batch of calls_per_step calls (default: one per worker), or
    after ``patience`` real seconds without them, until every worker has exited."""
    wanted = len(outs) if calls_per_step is None else calls_per_step
    deadline = time.monotonic() + startup
    while not all(os.path.exists(out + ".calls") for out in outs):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            break
        time.sleep(0.05)
    seen = calls_so_far(outs)
    while any(p.poll() is None for p in procs):
        waited = time.monotonic() + patience
        while calls_so_far(outs) < seen + wanted and time.monotonic() < waited:
            if all(p.poll() is not None for p in procs):
                return
            time.sleep(0.02)
        seen = calls_so_far(outs)
        advance()
