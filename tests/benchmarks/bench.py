"""``python -m tests.benchmarks [--quick] [--only throughput,api,tokens,memory,freshness]``

Runs every scenario, prints one table and writes tests/benchmarks/results.json. A scenario
that cannot run reports "not measured: <reason>" for its figures; nothing is estimated.
"""

from __future__ import annotations

import argparse
import logging
import time
import traceback
from typing import Callable, Dict, List, Optional

from . import api_efficiency, freshness, memory, report, throughput, token_usage
from .stats import Figure, not_measured

SCENARIOS = ("throughput", "api", "tokens", "memory", "freshness")
# Full run (make bench): sized to finish in under ten minutes on 2 cores (about 6 here).
# The API backlog is the example, 200 tests x 50 agents x 1 day.
FULL = {
    "throughput": {"runs": 5, "tests": 100, "network_window": 6 * 3600,
                   "alerts_tests": 30, "alerts_window": 30 * 86400},
    "api": {"runs": 3, "tests": 200, "backlog": 86400.0, "interval": 300.0},
    "tokens": {"inputs": 10, "hours": 1.0},
    # a second round of the 1M run only if it still fits: ~130 s a round here
    "memory": {"sizes": (10_000, 1_000_000), "tests": 200, "timeout": 300.0, "runs": 3,
               "budget": 330.0},
    # Per size: simulated minutes of rounds (plus the 6 min tail in which they come due) after
    # the inputs' 1 h start_from; sizes past the budget stay short (216 requests a minute).
    "freshness": {"sizes": (100, 1000, 5000), "minutes": {100: 30, 1000: 10, 5000: 5},
                  "backlog": 3600.0, "urgent_interval": 60.0, "drain_tests": 1000,
                  "stream_sizes": (1000, 5000), "stream_minutes": 10.0},
}  # fmt: skip
# Smoke run (inside the test suite): every code path, small numbers.
QUICK = {
    "throughput": {"runs": 2, "tests": 20, "network_window": 3 * 3600,
                   "alerts_tests": 10, "alerts_window": 3 * 86400},
    "api": {"runs": 1, "tests": 10, "backlog": 6 * 3600.0, "interval": 300.0},
    "tokens": {"inputs": 3, "hours": 0.5},
    "memory": {"sizes": (1_000, 5_000), "tests": 20, "timeout": 120.0, "runs": 2},
    "freshness": {"sizes": (10,), "minutes": {10: 3}, "backlog": 1800.0, "drain_tests": 10,
                  "stream_sizes": (10,), "stream_minutes": 2.0},
}  # fmt: skip
PLACEHOLDER_KEYS = {
    "throughput": ["throughput.network.a_over_b", "throughput.network.a_over_c",
                   "throughput.alerts.a_over_b", "throughput.alerts.a_over_c"],
    "api": ["api.requests_over_minimum", "api.drain_over_floor", "api.429s"],
    "tokens": ["tokens.per_lifetime"],
    "memory": ["memory.ratio"],
    "freshness": ["freshness.keeps_up_to", "freshness.drain.alerts_p95",
                  "freshness.hec.events_per_cpu_second"],
}  # fmt: skip


def _scenario(name: str, options: Dict) -> List[Figure]:
    runners: Dict[str, Callable[..., List[Figure]]] = {
        "throughput": throughput.run,
        "api": api_efficiency.run,
        "tokens": token_usage.run,
        "memory": memory.run,
        "freshness": freshness.run,
    }
    try:
        return runners[name](**options)
    except Exception as error:  # a broken scenario must not hide the others' figures
        traceback.print_exc()
        reason = f"{name} scenario failed: {type(error).__name__}: {error}"[:300]
        return [not_measured(key, key, reason) for key in PLACEHOLDER_KEYS[name]]


def run(quick: bool = False, only: Optional[List[str]] = None, write: bool = True) -> List[Figure]:
    config = QUICK if quick else FULL
    chosen = [name for name in SCENARIOS if not only or name in only]
    # The add-on logs collector errors on stderr; the figures carry their counts instead.
    logging.getLogger("ta_thousandeyes").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    figures: List[Figure] = []
    for name in chosen:
        began = time.perf_counter()
        print(f"[bench] {name} ...", flush=True)
        figures += _scenario(name, config[name])
        print(f"[bench] {name} done in {time.perf_counter() - began:.0f} s", flush=True)
    seconds = time.perf_counter() - started
    print()
    print(report.table(figures))
    print(f"\nmachine: {report.machine()}  wall: {seconds:.0f} s")
    if write:
        path = report.write(figures, {name: config[name] for name in chosen}, seconds)
        print(f"results: {path}")
    return figures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("--quick", action="store_true", help="small smoke-sized run")
    parser.add_argument("--only", help="comma-separated subset of " + ",".join(SCENARIOS))
    parser.add_argument("--no-write", action="store_true", help="do not write results.json")
    args = parser.parse_args(argv)
    only = [part.strip() for part in args.only.split(",")] if args.only else None
    run(quick=args.quick, only=only, write=not args.no_write)
    return 0
