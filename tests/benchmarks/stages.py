"""Where the add-on's CPU goes: the same pipeline run with each stage's entry point timed.

These runs are separate from the timed rounds (the wrappers cost a microsecond a call, a few
hundred calls a run), and they explain a/c: the floor is the same GETs on one bare kept-alive
TLS connection, JSON parsing and writing; every other stage is work the floor does not do.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Callable, Dict, Iterator, List, Tuple

import requests
from ta_thousandeyes import api_client, checkpoints
from ta_thousandeyes.collectors import base

from .pipeline_addon import scratch_checkpoint_dir

# (stage, owner of the attribute, attribute): the calls each stage's time is taken over
STAGES: List[Tuple[str, Any, str]] = [
    ("HTTP + TLS", requests.Session, "request"),
    ("JSON parse", api_client, "parse_body"),
    ("convert + dedup", base, "_new_events"),
    ("event XML + write", base.RunContext, "emit"),
    ("checkpoints", checkpoints.FileCheckpointStore, "load"),
    ("checkpoints", checkpoints.FileCheckpointStore, "save"),
    ("checkpoints", checkpoints.FileCheckpointStore, "add_keys"),
]


@contextlib.contextmanager
def _timed_stages(spent: Dict[str, float]) -> Iterator[None]:
    originals = [(owner, name, getattr(owner, name)) for _stage, owner, name in STAGES]
    for (stage, owner, name), (_o, _n, original) in zip(STAGES, originals):
        setattr(owner, name, _timer(stage, original, spent))
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _timer(stage: str, function: Callable[..., Any], spent: Dict[str, float]) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] = spent.get(stage, 0.0) + time.process_time() - started

    return timed


def measure(
    run: Callable[[str], int], floor: Callable[[], Any], rounds: int = 3
) -> Tuple[Dict[str, float], float]:
    """CPU microseconds per record of each stage (and "other"), and of the floor (c) timed
    right after, from the round whose pipeline was quickest: one moment of the machine for
    both, so their ratio holds even when its speed drifts between rounds.

    run(checkpoint_dir) runs the pipeline; each round gets a fresh directory, made and
    removed outside the timing as in the timed rounds."""
    best: Dict[str, float] = {}
    best_floor = 0.0
    best_total = float("inf")
    for _ in range(rounds):
        spent: Dict[str, float] = {}
        with _timed_stages(spent), scratch_checkpoint_dir() as scratch:
            started = time.process_time()
            records = run(scratch)
            total = time.process_time() - started
        started = time.process_time()
        floor()
        floor_total = time.process_time() - started
        if records and total < best_total:
            best_total = total
            spent["other"] = total - sum(spent.values())
            best = {stage: seconds * 1e6 / records for stage, seconds in spent.items()}
            best_floor = floor_total * 1e6 / records
    return best, best_floor


def summary(per_record: Dict[str, float]) -> str:
    parts = sorted(per_record.items(), key=lambda item: -item[1])
    return ", ".join(f"{stage} {micros:.1f}" for stage, micros in parts)


# The stages the floor (c) has a counterpart of, or that no pipeline reading an HTTPS API
# can skip: what is left of the add-on if everything else cost nothing.
UNAVOIDABLE = ("HTTP + TLS", "JSON parse", "event XML + write")


def a_over_c_ceiling(per_record: Dict[str, float], floor_micros: float) -> float:
    """The a/c the add-on would reach if every stage but UNAVOIDABLE were free."""
    return floor_micros / sum(per_record.get(stage, 0.0) for stage in UNAVOIDABLE)
