"""Run the inputs over a span of simulated time: splunkd's scheduler, with the clock moved in
steps instead of waiting (the inputs see the simulator's clock through libfaketime)."""

import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, List

from .console import Progress


@dataclass
class ScheduleOutcome:
    launches: int = 0
    events_written: int = 0
    failed_runs: List[str] = field(default_factory=list)
    started_at: float = 0.0
    ended_at: float = 0.0


def run_schedule(
    runner: Any,
    now: Callable[[], float],
    advance: Callable[[float], None],
    hours: float,
    step_seconds: int,
    progress: Progress,
) -> ScheduleOutcome:
    """tick() at the start and after each step: hours/step + 1 scheduler passes. The clock
    moves a whole step after each pass, so every input is due again at the next one (the real
    seconds a pass takes only shift the later passes a little)."""
    outcome = ScheduleOutcome(started_at=now())
    passes = int(hours * 3600 // step_seconds) + 1
    launch = _concurrent_launcher(runner)
    for number in range(passes):
        if number:
            advance(step_seconds)
        tick_started = time.monotonic()
        results = launch(now())
        written = sum(result.events_written for result in results)
        outcome.launches += len(results)
        outcome.events_written += written
        for result in results:
            if result.exit_code != 0 or result.stream_error or result.timed_out:
                reason = result.stream_error or f"exit code {result.exit_code}"
                tail = " | ".join(result.stderr_lines[-2:])
                outcome.failed_runs.append(f"{', '.join(result.stanzas)}: {reason} {tail}")
        progress.step(
            f"clock {_clock(now())}: {len(results)} input runs, {written} events "
            f"({time.monotonic() - tick_started:.1f}s)"
        )
    outcome.ended_at = now()
    return outcome


def _concurrent_launcher(runner: Any) -> Callable[[float], List[Any]]:
    """splunkd starts every due input at once, each in its own process: tick(wait=False)
    does that through run_in_background; keeping its futures lets us wait for them all."""
    futures: List[Future] = []
    start_in_background = runner.run_in_background

    def collecting(target: str, **options: Any) -> Future:
        future = start_in_background(target, **options)
        futures.append(future)
        return future

    runner.run_in_background = collecting

    def launch(at: float) -> List[Any]:
        futures.clear()
        runner.tick(now=at, wait=False)
        return [future.result() for future in list(futures)]

    return launch


def _clock(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch))
