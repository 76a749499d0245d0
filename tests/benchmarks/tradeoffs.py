"""What two trade-offs the add-on does not take would buy in records per CPU-second.

    PYTHONPATH=lib:. .venv/bin/python -m tests.benchmarks.tradeoffs [network|alerts] [rounds]

- ``no-fsync``: checkpoint saves without ``os.fsync`` (a power cut could then leave a stream's
  checkpoint older or empty: repeated data, or a stream starting afresh);
- ``bare-http``: GETs on one ``http.client`` connection per origin instead of requests'
  session (connection reuse, stale-connection checks and connection retries written by hand).

Same workload, same process, rounds interleaved with the SDK baseline (b) and the transport
floor (c) as in throughput.py; prints the add-on's CPU per record for each variant and its
median a/b and a/c. Not part of ``make bench``: it answers "would taking either meet the
guards (a/b >= 3, a/c >= 0.5)?".
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Dict, List, Tuple

from . import pipeline_addon, pipeline_sdk, throughput
from .bench import FULL
from .pipeline_floor import BareHttpTransport
from .stats import median
from .workload import Workload, null_binary, null_text

VARIANTS = ("as shipped", "no-fsync", "bare-http", "no-fsync + bare-http")


def _run_variant(variant: str, workload: Workload) -> Tuple[float, int]:
    """CPU microseconds per record of one add-on run in this variant, and its events."""
    real_fsync, real_transport = os.fsync, pipeline_addon.open_transport
    if "no-fsync" in variant:
        os.fsync = lambda descriptor: None
    if "bare-http" in variant:
        pipeline_addon.open_transport = lambda workload: BareHttpTransport(workload.ca_bundle)
    try:
        with null_binary() as sink, pipeline_addon.scratch_checkpoint_dir() as scratch:
            return _micros(lambda: pipeline_addon.run(workload, sink, None, scratch))
    finally:
        os.fsync, pipeline_addon.open_transport = real_fsync, real_transport


def _micros(run: Callable[[], int]) -> Tuple[float, int]:
    records, seconds, _wall = throughput.cpu_run(run)
    return seconds * 1e6 / records, records


def measure(workload: Workload, rounds: int) -> Tuple[Dict[str, List[float]], Dict[str, int]]:
    """Per variant, for the SDK ("sdk") and for the transport floor ("floor", per event the
    add-on writes): CPU µs per record, one value per round; and the events each variant
    wrote in its warm-up run (every variant must write the same)."""
    micros: Dict[str, List[float]] = {name: [] for name in VARIANTS + ("sdk", "floor")}
    events = {name: _run_variant(name, workload)[1] for name in VARIANTS}  # warm-up
    floor = throughput.calibrate(workload).floor
    for _ in range(rounds):
        for name in VARIANTS:
            micros[name].append(_run_variant(name, workload)[0])
        with null_text() as sink:
            micros["sdk"].append(_micros(lambda: pipeline_sdk.run(workload, sink))[0])
        with null_binary() as sink:
            _parsed, seconds, _wall = throughput.cpu_run(lambda: floor(sink))
        micros["floor"].append(seconds * 1e6 / events["as shipped"])
    return micros, events


def main(argv: List[str]) -> int:
    kind = argv[0] if argv else "network"
    rounds = int(argv[1]) if len(argv) > 1 else 5
    config = FULL["throughput"]  # the workload make bench measures
    if kind == "network":
        world = (config["tests"], config["network_window"])
    else:
        world = (config["alerts_tests"], config["alerts_window"])
    with throughput.simulated(kind, *world) as workload:
        micros, _events = measure(workload, rounds)
    sdk, floor = micros["sdk"], micros["floor"]
    print(
        f"{kind}: {rounds} rounds; SDK baseline (b) {median(sdk):.1f} us/record, "
        f"transport floor (c) {median(floor):.1f} us/record"
    )
    for name in VARIANTS:
        over_b = median([b / a for a, b in zip(micros[name], sdk)])
        over_c = median([c / a for a, c in zip(micros[name], floor)])
        print(
            f"  {name:22s} {median(micros[name]):6.1f} us/record   "
            f"a/b {over_b:.2f}   a/c {over_c:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
