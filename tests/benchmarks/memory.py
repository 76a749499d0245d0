"""Memory: peak RSS (VmHWM) of one real input process, bin/thousandeyes_test_results.py run by
the Splunk stand-in's ModularInputRunner against the simulator, for a small and a large
backlog of network results. The rate limit is lifted: memory, not pacing, is measured."""

from __future__ import annotations

import math
import os
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import psutil

from tests.acceptance.wiring import admin_service
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.modinput_runner import ModularInputRunner
from tests.simulators.thousandeyes.rounds import record_count, round_span
from tests.simulators.thousandeyes.world import World

from . import splunk_setup
from .sim_process import SimulatorProcess
from .stats import Figure, measured, median, not_measured
from .workload import NETWORK_TEST_TYPES

AID = "2001"
SCRIPT = "thousandeyes_test_results.py"


class _DiscardIndex:
    """The runner still parses the event stream; this stand-in index keeps nothing."""

    def writer(self) -> _DiscardIndex:
        return self

    def write(self, event: object) -> None:
        pass

    def __enter__(self) -> _DiscardIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def backlog_hours(world: World, wanted: int, now: float) -> Tuple[int, int]:
    """(hours, records): the shortest whole-hour backlog of network results with >= wanted."""
    tests = [t for t in world.tests_in(AID) if t.test_type in NETWORK_TEST_TYPES]
    hours = 1
    while True:
        total = sum(
            record_count(t, round_span(t, now - hours * 3600, now - 60, now)[1]) for t in tests
        )
        if total >= wanted or hours >= 30 * 24:
            return hours, total
        hours = max(hours + 1, math.ceil(hours * wanted / max(total, 1)))


def _peak_kb(pid_holder: Dict[str, int], done: threading.Event) -> Dict[str, int]:
    """Poll the input process's VmHWM (a high-water mark, so a late sample loses nothing)."""
    peak = {"kb": 0}
    me = psutil.Process()

    def poll() -> None:
        while not done.is_set():
            for child in me.children(recursive=True):
                try:
                    if any(SCRIPT in part for part in child.cmdline()):
                        pid_holder["pid"] = child.pid
                        with open(f"/proc/{child.pid}/status", encoding="ascii") as fh:
                            for line in fh:
                                if line.startswith("VmHWM:"):
                                    peak["kb"] = max(peak["kb"], int(line.split()[1]))
                except (psutil.Error, OSError):
                    pass
            time.sleep(0.02)

    threading.Thread(target=poll, daemon=True).start()
    return peak


def _run_input(runner: ModularInputRunner, stanza: str, timeout: float) -> Tuple[int, object]:
    done = threading.Event()
    pid: Dict[str, int] = {}
    peak = _peak_kb(pid, done)
    try:
        result = runner.run_once(stanza, timeout=timeout)
    finally:
        done.set()
    return peak["kb"], result


def run(sizes: Tuple[int, ...] = (10_000, 1_000_000), tests: int = 200,
        timeout: float = 420.0, runs: int = 1, budget: float = 0.0) -> List[Figure]:  # fmt: skip
    """``runs`` rounds of one input per size (a fresh stanza and index each, so no checkpoint
    carries over); a round after the first starts only if one more round as long as the
    longest so far still fits in ``budget`` seconds (0: no limit)."""
    peaks: Dict[int, List[float]] = {size: [] for size in sizes}
    details: Dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as work:
        app = splunk_setup.copy_app(os.path.join(work, "app"))
        start = time.time()  # the simulator's clock = real time, as the child process sees it
        with SimulatorProcess(tests=tests, agents=50, rate_limit=10**7, start_time=start) as sim, \
                SplunkEmulator(splunk_home=os.path.join(work, "splunk"),
                               apps={splunk_setup.APP_NAME: app}) as splunk:  # fmt: skip
            service = admin_service(splunk)
            splunk_setup.wire_to_simulator(service, sim.regions_conf, sim.ca_bundle)
            splunk_setup.connect_with_api_token(service, "bench", sim.api_token())
            world = World(1, "small", origin=start, tests=tests, agents=50)
            app_dir = splunk.app_dir(splunk_setup.APP_NAME)
            stanzas = []
            for size in sizes:
                hours, records = backlog_hours(world, size, sim.now())
                for attempt in range(runs):
                    name = f"thousandeyes_test_results://mem{size}r{attempt}"
                    stanzas.append((size, name, hours, records))
            _write_inputs(app_dir, stanzas)
            runner = ModularInputRunner(
                splunk_home=splunk.home, app_dir=app_dir, app_name=splunk_setup.APP_NAME,
                server_uri=splunk.splunkd_uri,
                session_key_provider=lambda: splunk.login("admin", "changeme"),
                python=sys.executable, index_store=_DiscardIndex(),  # type: ignore[arg-type]
            )  # fmt: skip
            runner.schemes()
            began, longest = time.monotonic(), 0.0
            for attempt in range(runs):
                round_began = time.monotonic()
                if attempt and budget and round_began - began + longest > budget:
                    details["rounds_skipped_for_time"] = runs - attempt
                    break
                for size, stanza, hours, records in stanzas:
                    if stanza.endswith(f"r{attempt}"):
                        kb, result = _run_input(runner, stanza, timeout)
                        _record(details, peaks, size, hours, records, kb, result)
                longest = max(longest, time.monotonic() - round_began)
    small, large = sizes[0], sizes[-1]
    label_small, label_large = _label(small), _label(large)
    figures = []
    for size, label in ((small, label_small), (large, label_large)):
        key, title, detail = (
            f"memory.peak_rss_{label}",
            f"peak RSS, {label} records",
            details.get(str(size)),
        )
        if peaks[size]:
            figures.append(measured(key, title, peaks[size], "MB", "< 100", details=detail or {}))
        else:
            figures.append(not_measured(key, title, "the input run failed: " + _failure(detail)))
    if peaks[small] and peaks[large]:
        ratio = median(peaks[large]) / median(peaks[small])
        figures.append(measured("memory.ratio", f"peak RSS {label_large} / {label_small}",
                                [ratio], "x", "<= 1.2", note="ratio of the medians"))  # fmt: skip
    else:
        figures.append(not_measured("memory.ratio", "peak RSS ratio", "a run failed", "<= 1.2"))
    return figures


def _record(details: Dict[str, object], peaks: Dict[int, List[float]], size: int, hours: int,
            records: int, kb: int, result: Any) -> None:  # fmt: skip
    """Keep one run's peak (if it ingested its backlog) and its facts (the last run's)."""
    summary = next((x for x in result.stderr_lines if "run summary" in x), "")
    details[str(size)] = {
        "backlog_hours": hours, "records_in_backlog": records,
        "events_written": result.events_written, "exit_code": result.exit_code,
        "timed_out": result.timed_out, "seconds": round(result.duration, 1),
        "peak_rss_mb": round(kb / 1024, 1), "summary": summary[-400:],
        "stderr_tail": [line[-300:] for line in result.stderr_lines[-4:]],
    }  # fmt: skip
    if result.exit_code == 0 and not result.timed_out and result.events_written:
        peaks[size].append(kb / 1024)


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def _write_inputs(app_dir: str, stanzas: List[Tuple[int, str, int, int]],
                  test_ids: Optional[List[str]] = None) -> None:  # fmt: skip
    os.makedirs(os.path.join(app_dir, "local"), exist_ok=True)
    # Checkpoints are keyed by connection and index, not input name: one index per stanza
    # keeps the large run from resuming where the small one stopped.
    lines = []
    for _size, stanza, hours, _records in stanzas:
        lines += [
            f"[{stanza}]", "connection = bench", f"account_groups = {AID}",
            f"start_from = {hours}h", "data_types = network",
            "test_types = " + ",".join(NETWORK_TEST_TYPES),
            "interval = 86400", f"index = {stanza.rsplit('/', 1)[-1]}", "disabled = 0", "",
        ]  # fmt: skip
    with open(os.path.join(app_dir, "local", "inputs.conf"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def _failure(detail: object) -> str:
    """The input's own error line (or its exit state) as the reason a figure is missing."""
    if not isinstance(detail, dict):
        return "no run"
    errors = [line for line in detail.get("stderr_tail", []) if line.startswith("ERROR")]
    if errors:
        return errors[0]
    return "exit code {}, timed out {}, {} events".format(
        detail.get("exit_code"), detail.get("timed_out"), detail.get("events_written")
    )
