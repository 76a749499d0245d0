"""Freshness: how old each kind of data is when the add-on has written it, polled or pushed.

All on the simulator's clock (issue 17 points 2 and 3, issue 19 point 6):

- **Steady state, polled.** The test-results, alerts, events and activity inputs run as
  splunkd schedules them (a launch every ``interval`` of ``default/inputs.conf``; each run is
  what ``ThousandEyesInput.run_stanza`` builds: its own session, ApiClient and RateLimiter
  on one shared state file, urgent or not as the input class says, a deadline of 0.9 x
  interval), against one account group of N tests with the world's interval mix (1, 2, 5,
  10, 15, 30, 60 min). Lag of a record = the time its run wrote it minus its round (results)
  or its start / clear / date (alerts, events, activity). Records the ground truth has but
  the add-on has not written by the end count with the time until the end: a lower bound,
  and the figure says how many there were.
- **Floor**: the requests the new data needs per minute (one per test and data type per
  round the input's interval can see, the urgent inputs' polls, the inventory every 15 min)
  divided by 240. Above 1 no poller keeps up; ``keeps_up_to`` is the largest organisation
  (of this world's mix) whose test results fit the share the add-on leaves them.
- **Backlog**: alert lag while a test-results backlog drains; the target is the alert
  input's interval + 30 s at the 95th percentile.
- **Pushed**: a splunk-hec stream of every test pushes to the Splunk stand-in's HEC (in this
  process, on the simulator's clock); lag = ``_indextime`` - the data point's round. HEC
  ingestion is the stand-in's events per CPU-second of this process while the pushes land.

Cheap by construction: the simulator's clock is frozen (``--frozen-clock``): only waits move
it, so the figures measure the schedule and the budget, never this machine's speed or load.
The inputs run one at a time in this process; a run's pacing waits move the clock and the
urgent inputs due meanwhile run inside that wait, as their own processes would; tests have
one or two agents.
"""

from __future__ import annotations

import configparser
import math
import os
import tempfile
import time
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import requests
from ta_thousandeyes import connections
from ta_thousandeyes.api_client import ApiClient, ApiUnavailable
from ta_thousandeyes.checkpoints import FileCheckpointStore, owner_of
from ta_thousandeyes.collectors import inventory_cache
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.collectors.results import sourcetype_for
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin
from ta_thousandeyes.modinputs.activity import ActivityInput
from ta_thousandeyes.modinputs.alerts import AlertsInput
from ta_thousandeyes.modinputs.base import URGENT_SHARE, ThousandEyesInput
from ta_thousandeyes.modinputs.events import EventsInput
from ta_thousandeyes.modinputs.results import ResultsInput
from ta_thousandeyes.rate_limit import RateLimiter

from tests.acceptance.wiring import StaticToken
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.thousandeyes.rounds import PUBLISH_DELAY, first_round, units
from tests.simulators.thousandeyes.world import World

from .sim_process import ROOT, FrozenClock, SimulatorProcess
from .stats import Figure, measured, not_measured
from .workload import HOST, INDEX, null_binary

AID = "2001"
LIMIT = 240
AGENTS = 2  # cloud agents of the world: every test has one or two
SETTLE = 60.0  # RunContext's default settle_seconds: a round is asked for this long after it
# (label, input class) of every polling input; intervals from default/inputs.conf
INPUTS: Tuple[Tuple[str, type], ...] = (
    ("test results", ResultsInput),
    ("alerts", AlertsInput),
    ("events", EventsInput),
    ("activity", ActivityInput),
)
KINDS = ("test results", "alerts", "events", "activity")
SOURCETYPE_KIND = {
    "cisco:thousandeyes:alerts": "alerts",
    "cisco:thousandeyes:event": "events",
    "cisco:thousandeyes:activity": "activity",
}
STREAM_SOURCETYPE = "cisco:thousandeyes:metric"


def default_intervals() -> Dict[str, float]:
    """Each scheme's interval in the shipped default/inputs.conf."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(os.path.join(ROOT, "default", "inputs.conf"), encoding="utf-8")
    return {label: float(parser[cls.SCHEME]["interval"]) for label, cls in INPUTS}


# --------------------------------------------------------------------------- recording
class Recorder:
    """When each event was written: per (sourcetype, source, event time) the first write and
    the count, and (kind, event time, lag) of every urgent event."""

    def __init__(self) -> None:
        self.names: Dict[Tuple[str, str], Tuple[str, str]] = {}
        self.written: Dict[Tuple[str, str, float], List[float]] = {}
        self.urgent: List[Tuple[str, float, float]] = []

    def wrote(self, prefix: Tuple[str, str], events: Sequence[Tuple[float, str]], now: float):
        sourcetype, source = self.names[prefix]
        kind = SOURCETYPE_KIND.get(sourcetype)
        for epoch, _text in events:
            key = (sourcetype, source, epoch)
            entry = self.written.get(key)
            if entry is None:
                self.written[key] = [now, 1]
            else:
                entry[1] += 1
            if kind:
                self.urgent.append((kind, epoch, now - epoch))


class RecordingContext(RunContext):
    """The add-on's RunContext, noting the simulated time each page's events were written."""

    recorder: Recorder

    def prefix(self, sourcetype: str, source: str) -> Tuple[str, str]:
        prefix = super().prefix(sourcetype, source)
        self.recorder.names[prefix] = (sourcetype, source)
        return prefix

    def emit(self, prefix: Tuple[str, str], events: Any) -> None:
        events = list(events)
        super().emit(prefix, events)
        self.recorder.wrote(prefix, events, self.now())


# ---------------------------------------------------------------------------- schedule
# What the inputs read of their connection here: an OAuth grant without streams:manage, so
# every test is polled (the pushed phase measures streams on their own).
POLLING_CONNECTION = SimpleNamespace(
    config=SimpleNamespace(
        auth_method=connections.DEVICE_CODE,
        scopes=["organization:read", "tests:read", "offline_access"],
        account_groups=[AID],
    )
)


class Schedule:
    """splunkd's launches of every input on the simulated clock, one run at a time.

    A run that waits for the budget (``sleep``) lets the urgent inputs due meanwhile run
    first, as their processes would while it sleeps; nothing else runs inside those."""

    def __init__(
        self, sim: SimulatorProcess, clock: FrozenClock, intervals: Dict[str, float],
        anchor: float, recorder: Recorder,
    ) -> None:  # fmt: skip
        self.sim, self.clock, self.intervals = sim, clock, intervals
        self.anchor, self.recorder = anchor, recorder
        self.token = sim.api_token()
        self.work = tempfile.mkdtemp(prefix="bench-fresh-")
        self.store = FileCheckpointStore(os.path.join(self.work, "checkpoints"))
        self.state_path = os.path.join(self.work, "ratelimit", "org.json")
        now = clock.now()
        self.next = {label: now for label, _ in INPUTS}
        self.classes = dict(INPUTS)
        self._nested = False
        self.runs: Dict[str, int] = {label: 0 for label, _ in INPUTS}
        self.errors: List[str] = []
        self.drained_at: Optional[float] = None  # first test-results run that finished

    def sleep(self, seconds: float) -> None:
        target = self.clock.now() + max(0.0, seconds)
        if not self._nested:
            self._nested = True
            try:
                while True:
                    due = [(when, label) for label, when in self.next.items()
                           if self.classes[label].URGENT and when <= target]  # fmt: skip
                    if not due:
                        break
                    when, label = min(due)
                    self.clock.sleep(when - self.clock.now())
                    self._run(label)
            finally:
                self._nested = False
        self.clock.sleep(target - self.clock.now())

    def start_at_phases(self, phases: Dict[str, Tuple[float, float]]) -> float:
        """Each input's first launch: the first moment ``phase`` seconds past a multiple of
        ``period`` (label -> (phase, period)); returns the test-results input's."""
        now = self.clock.now()
        self.next = {label: now + (phase - now) % period
                     for label, (phase, period) in phases.items()}  # fmt: skip
        return self.next["test results"]

    def run_until(self, end: float, stop: Callable[[], bool] = lambda: False) -> None:
        while not stop():
            when, label = min((when, label) for label, when in self.next.items())
            if when >= end:
                break
            self.clock.sleep(when - self.clock.now())
            self._run(label)
        self.clock.sleep(end - self.clock.now())

    def _run(self, label: str) -> None:
        cls = self.classes[label]
        interval = self.intervals[label]
        started = self.clock.now()
        self.next[label] = started + interval  # splunkd: time between launches
        deadline = started + max(30.0, 0.9 * interval)  # as run_stanza
        limiter = RateLimiter(
            self.state_path, clock=self.clock.now, sleep=self.sleep, urgent=cls.URGENT,
            urgent_share=0.0 if cls.URGENT else URGENT_SHARE,
        )  # fmt: skip
        session = build_session([origin(self.sim.api_base)], ca_bundle=self.sim.ca_bundle)
        client = ApiClient(
            self.sim.api_base, session, StaticToken(self.token), rate_limiter=limiter,
            deadline=deadline, clock=self.clock.now, sleep=self.sleep,
        )  # fmt: skip
        scheme = cls.SCHEME
        finished = True
        instance: ThousandEyesInput = cls()
        with null_binary() as sink:
            writer = XmlEventWriter(output=sink)
            ctx = RecordingContext(
                client, writer, self.store, owner=owner_of(scheme, "bench", INDEX),
                stanza=f"{scheme}://bench", index=INDEX, host=HOST, initial_start=self.anchor,
                deadline=deadline, settle_seconds=instance.settle_seconds, clock=self.clock.now,
            )  # fmt: skip
            ctx.recorder = self.recorder
            groups = [AID] if cls.USES_ACCOUNT_GROUPS else []
            try:
                instance.collect(ctx, {}, POLLING_CONNECTION, groups)
            except ApiUnavailable:
                finished = False
            # Anything else is a defect of the bench or the add-on: it stops the bench, since
            # a run that collected nothing would otherwise read as data that never arrived.
            finally:
                writer.close()
        session.close()
        self.errors.extend(ctx.errors)
        self.runs[label] += 1
        if label == "test results" and finished and not ctx.past_deadline():
            if self.drained_at is None:
                self.drained_at = self.clock.now()
        # one process per stanza: a run that overran delays the next launch
        self.next[label] = max(self.next[label], self.clock.now())


# ----------------------------------------------------------------------------- figures
def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(q / 100.0 * len(ordered)) - 1)])


def result_lags(
    world: World, recorder: Recorder, lo: float, hi: float, end: float
) -> Tuple[List[float], int]:
    """Lag of every test result of a round in [lo, hi] the ground truth has by ``end``, and
    how many of them were not written (counted with ``end - round``)."""
    lags: List[float] = []
    unwritten = 0
    for test in world.tests_in(AID):
        source = f"thousandeyes:test:{AID}:{test.test_id}"
        count = len(units(test))
        begin = max(first_round(test), int(lo) + (-int(lo)) % test.interval)
        rounds = range(begin, int(hi) + 1, test.interval)
        for kind in test.result_kinds:
            sourcetype = sourcetype_for(kind)
            for round_id in rounds:
                if round_id + PUBLISH_DELAY > end:
                    continue
                entry = recorder.written.get((sourcetype, source, round_id))
                written = min(count, entry[1]) if entry else 0
                if written:
                    lags.extend([entry[0] - round_id] * written)
                lags.extend([end - round_id] * (count - written))
                unwritten += count - written
    return lags, unwritten


def floor_per_minute(world: World, intervals: Dict[str, float]) -> Tuple[float, float]:
    """(test-results requests, all requests) the new data needs per minute."""
    every = intervals["test results"]
    results = sum(
        60.0 / max(every, test.interval)
        for test in world.tests_in(AID)
        for _kind in test.result_kinds
    )
    inventory = 2 * 60.0 / inventory_cache.TTL_SECONDS  # GET /tests and /agents
    urgent = 2 * 60.0 / intervals["alerts"] + 60.0 / intervals["events"]
    urgent += 60.0 / intervals["activity"]
    return results + inventory, results + inventory + urgent


def keeps_up_to(world: World, intervals: Dict[str, float]) -> Tuple[int, bool]:
    """How many of the world's tests (in creation order, as an organisation grows) fit: their
    test results and the inventory within the share of the budget the add-on leaves them,
    every input together within 240 a minute. (count, whether every test fitted)."""
    every = intervals["test results"]
    empty = World(world.seed, "small", tests=0, agents=AGENTS)
    results, total = floor_per_minute(empty, intervals)  # the inventory and urgent polls
    fitted = 0
    for test in sorted(world.tests_in(AID), key=lambda t: int(t.test_id)):
        cost = len(test.result_kinds) * 60.0 / max(every, test.interval)
        if results + cost > LIMIT * (1 - URGENT_SHARE) or total + cost > LIMIT:
            return fitted, False
        results, total, fitted = results + cost, total + cost, fitted + 1
    return fitted, True


# ---------------------------------------------------------------------------- phases
def steady_state(
    sim: SimulatorProcess, clock: FrozenClock, world: World, intervals: Dict[str, float],
    minutes: float, backlog: float,
) -> Dict[str, Any]:  # fmt: skip
    """Every input new (``start_from`` = ``backlog``: its first runs drain that much) for a
    window of rounds plus the tail in which the window's last rounds come due.

    Launch phases: test results SETTLE + interval / 2 past a multiple of their interval
    (rounds on that interval then wait as long as they would on average over every phase);
    the urgent inputs 1 s before a minute boundary (alerts and events start on rounds, which
    are minute-aligned: the phase at which a settle costs most, settle + 59 s at 60 s)."""
    recorder = Recorder()
    every = intervals["test results"]
    schedule = Schedule(sim, clock, intervals, 0.0, recorder)
    phases = {label: (59.0, 60.0) for label, _ in INPUTS}
    phases["test results"] = ((SETTLE + every / 2) % every, every)
    t0 = schedule.start_at_phases(phases)
    schedule.anchor = t0 - backlog
    sim.clear_requests_log()
    window_end = t0 + minutes * 60.0
    tail = SETTLE + max(intervals["test results"], intervals["alerts"], intervals["events"])
    cpu = time.process_time()
    schedule.run_until(window_end + tail)
    cpu = time.process_time() - cpu
    end = clock.now()
    drained = schedule.drained_at or end
    log = [r for r in sim.requests_log() if r["path"].startswith("/v7/")]
    steady = [r for r in log if r["time"] >= drained]
    lags = {"test results": result_lags(world, recorder, t0, window_end, end)}
    for kind in KINDS[1:]:
        values = [lag for k, epoch, lag in recorder.urgent if k == kind
                  and t0 <= epoch <= window_end]  # fmt: skip
        lags[kind] = (values, 0)
    backlog_alerts = [lag for k, epoch, lag in recorder.urgent if k == "alerts"
                      and t0 <= epoch <= drained]  # fmt: skip
    return {
        "lags": lags, "requests": len(log), "minutes": (end - t0) / 60.0,
        "steady_per_minute": len(steady) / (end - drained) * 60.0 if end > drained else None,
        "drained_seconds": None if schedule.drained_at is None else round(drained - t0, 1),
        "backlog_alert_lags": backlog_alerts,
        "statuses": _count(r["status"] for r in log), "runs": dict(schedule.runs),
        "errors": schedule.errors[:3], "error_count": len(schedule.errors),
        "bench_cpu_seconds": round(cpu, 1),
    }  # fmt: skip


def pushed(
    sim: SimulatorProcess, clock: FrozenClock, minutes: float, step: float
) -> Dict[str, Any]:
    """A splunk-hec stream of every test of the group pushes to the stand-in's HEC while the
    clock moves in ``step``s; lag of every data point of a round up to the last push's."""
    home = tempfile.mkdtemp(prefix="bench-hec-")
    with SplunkEmulator(splunk_home=home, hec_enabled=True, clock=clock.now) as splunk:
        token = splunk.create_hec_token("thousandeyes", index=INDEX, indexes=INDEX)
        sim._call("POST", "/streams/trust", json={"ca_bundle_path": splunk.ca_bundle_path})
        body = {
            "name": "bench", "type": "splunk-hec", "endpointType": "http", "signal": "metric",
            "dataModelVersion": "v2", "streamEndpointUrl": splunk.hec_event_url,
            "exporterConfig": {"splunkHec": {"token": token, "index": INDEX,
                                             "sourceType": STREAM_SOURCETYPE}},
        }  # fmt: skip
        answer = requests.post(
            sim.api_base + "/streams", json=body, params={"aid": AID},
            headers={"Authorization": "Bearer " + sim.api_token()}, verify=sim.ca_bundle,
            timeout=30,
        )  # fmt: skip
        answer.raise_for_status()
        t0 = clock.now()
        end = t0 + minutes * 60.0
        cpu = 0.0
        while clock.now() < end:
            began = time.process_time()
            clock.sleep(min(step, end - clock.now()))  # the simulator pushes what came due
            cpu += time.process_time() - began
        last_push = clock.now()
        lags, indexed = [], 0
        for event in splunk.indexed_events(index=INDEX, sourcetype=STREAM_SOURCETYPE):
            indexed += 1
            if event["_time"] + PUBLISH_DELAY <= last_push:
                lags.append(event["_indextime"] - event["_time"])
        requests.delete(
            sim.api_base + f"/streams/{answer.json()['id']}", params={"aid": AID},
            headers={"Authorization": "Bearer " + sim.api_token()}, verify=sim.ca_bundle,
            timeout=30,
        )  # fmt: skip
    return {"lags": lags, "indexed": indexed, "hec_cpu_seconds": cpu,
            "per_cpu_second": indexed / cpu if cpu > 0 else None}  # fmt: skip


def _count(values: Any) -> Dict[Any, int]:
    counts: Dict[Any, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


# ------------------------------------------------------------------------------- run
def run(
    sizes: Sequence[int] = (100, 1000, 5000),
    minutes: Optional[Dict[int, float]] = None,
    backlog: float = 3600.0,
    urgent_interval: float = 60.0,
    drain_tests: int = 1000,
    stream_sizes: Sequence[int] = (1000, 5000),
    stream_minutes: float = 10.0,
    push_step: float = 7.0,  # no divisor of a minute: pushes land at every phase of a round
) -> List[Figure]:
    """backlog: the inputs' start_from (1h by default); urgent_interval: alerts and events
    (an admin who wants alerts within a minute or two); the others as default/inputs.conf."""
    intervals = default_intervals()
    intervals.update({"alerts": urgent_interval, "events": urgent_interval})
    minutes = minutes or {}
    figures: List[Figure] = []
    polled: Dict[int, Dict[str, Any]] = {}
    streams: Dict[int, Dict[str, Any]] = {}
    biggest: Optional[World] = None
    for size in sorted(set(sizes) | set(stream_sizes)):
        with SimulatorProcess(
            tests=size, agents=AGENTS, rate_limit=LIMIT, frozen_clock=True
        ) as sim:
            clock = FrozenClock(sim)
            world = World(1, "small", origin=sim.start_time, tests=size, agents=AGENTS)
            if biggest is None or size > len(biggest.tests_in(AID)):
                biggest = world
            if size in sizes:
                began = time.perf_counter()
                polled[size] = steady_state(
                    sim, clock, world, intervals, minutes.get(size, 30), backlog
                )
                polled[size]["floor"] = floor_per_minute(world, intervals)
                polled[size]["wall_seconds"] = round(time.perf_counter() - began, 1)
            if size in stream_sizes:
                began = time.perf_counter()
                streams[size] = pushed(sim, clock, stream_minutes, push_step)
                streams[size]["wall_seconds"] = round(time.perf_counter() - began, 1)
    for size in sizes:
        figures += _polled_figures(size, polled[size], intervals)
    assert biggest is not None
    most, everything = keeps_up_to(biggest, intervals)
    figures.append(measured(
        "freshness.keeps_up_to", "largest organisation polling keeps up with",
        [float(most)], "tests",
        note=("at least: every test of the largest world fitted; " if everything else "")
        + f"test results every {intervals['test results']:.0f} s within "
          f"{LIMIT * (1 - URGENT_SHARE):.0f} of {LIMIT} requests a minute (the rest is left to "
          "alerts, events, activity); past it: streams",
    ))  # fmt: skip
    figures.append(_drain_figure(polled.get(drain_tests), intervals, drain_tests, backlog))
    figures += _pushed_figures(streams, polled, push_step)
    return figures


def _polled_figures(size: int, result: Dict[str, Any], intervals: Dict[str, float]) -> List[Figure]:
    results_floor, total_floor = result["floor"]
    floor = total_floor / LIMIT
    details = {
        "tests": size, "agents_per_test": "1-2", "account_group": AID,
        "intervals": intervals, "requests": result["requests"],
        "simulated_minutes": round(result["minutes"], 1),
        "requests_per_minute_after_drain": result["steady_per_minute"]
        and round(result["steady_per_minute"], 1),
        "backlog_drained_seconds": result["drained_seconds"],
        "floor_requests_per_minute": round(total_floor, 1),
        "floor_test_results_per_minute": round(results_floor, 1),
        "statuses": result["statuses"], "runs": result["runs"],
        "collector_errors": result["error_count"], "first_errors": result["errors"],
        "bench_cpu_seconds": result["bench_cpu_seconds"], "wall_seconds": result["wall_seconds"],
    }  # fmt: skip
    figures = [measured(
        f"freshness.polled.{size}.floor", f"{size} tests: requests needed / 240 a minute",
        [floor], "x", "", details=details,
        note=f"{total_floor:.1f} requests a minute needed; "
        + (f"{result['steady_per_minute']:.1f} sent once the backlog had drained"
           if result["steady_per_minute"] else "the start_from backlog never drained"),
    )]  # fmt: skip
    for kind in ("test results", "alerts", "events"):
        lags, unwritten = result["lags"][kind]
        key = f"freshness.polled.{size}.{kind.replace(' ', '_')}"
        label = f"{size} tests: {kind} lag p50 / p95"
        p50, p95 = percentile(lags, 50), percentile(lags, 95)
        if p50 is None:
            figures.append(not_measured(key, label, f"no {kind} in the window"))
            continue
        note = f"p50 {p50:.0f} s, {len(lags)} records"
        if unwritten:
            note += (f"; {unwritten} ({unwritten / len(lags):.0%}) not written by the end: "
                     "counted until the end, so a lower bound")  # fmt: skip
        figures.append(measured(key + ".p95", label, [p95], "s", note=note,
                                details={"p50": p50, "p95": p95, "records": len(lags),
                                         "unwritten": unwritten}))  # fmt: skip
    return figures


def _drain_figure(
    result: Optional[Dict[str, Any]], intervals: Dict[str, float], tests: int, backlog: float
) -> Figure:
    key, bound = "freshness.drain.alerts_p95", intervals["alerts"] + 30
    label = f"alert lag p95 while a {tests}-test backlog drains"
    target = f"<= {bound:g}"
    if result is None or not result["backlog_alert_lags"]:
        return not_measured(key, label, "no alert started while the backlog drained", target)
    lags = result["backlog_alert_lags"]
    if result["drained_seconds"] is None:
        drained = "never drained (polling is past the budget): every alert of the run"
    else:
        drained = f"drained in {result['drained_seconds']:.0f} s"
    note = (
        f"p50 {percentile(lags, 50):.0f} s, {len(lags)} alert events; {backlog / 3600:g} h "
        f"backlog of test results {drained}; alerts every {intervals['alerts']:g} s"
    )
    details = {"alert_events": len(lags), "p50": percentile(lags, 50), "backlog": backlog,
               "drained_seconds": result["drained_seconds"]}  # fmt: skip
    return measured(key, label, [percentile(lags, 95)], "s", target, note, details)


def _pushed_figures(
    streams: Dict[int, Dict[str, Any]], polled: Dict[int, Dict[str, Any]], step: float
) -> List[Figure]:
    figures = []
    rates = []
    for size, result in sorted(streams.items()):
        lags = result["lags"]
        key = f"freshness.pushed.{size}.p95"
        label = f"{size} tests: pushed metrics lag p50 / p95"
        if not lags:
            figures.append(not_measured(key, label, "the stream delivered nothing"))
            continue
        note = f"p50 {percentile(lags, 50):.0f} s, {len(lags)} data points; pushes every {step:g} s"
        if size in polled:
            poll = polled[size]["lags"]["test results"][0]
            note += f"; polled results p50 / p95 {percentile(poll, 50):.0f} / " \
                    f"{percentile(poll, 95):.0f} s"  # fmt: skip
        figures.append(
            measured(
                key,
                label,
                [percentile(lags, 95)],
                "s",
                note=note,
                details={k: v for k, v in result.items() if k != "lags"},
            )
        )
        if result["per_cpu_second"]:
            rates.append(result["per_cpu_second"])
    key = "freshness.hec.events_per_cpu_second"
    if rates:
        figures.append(
            measured(
                key,
                "HEC stand-in ingestion, events per CPU-second",
                rates,
                note="this process's CPU while the pushes land, one run a size",
            )
        )
    else:
        figures.append(not_measured(key, "HEC stand-in ingestion", "no stream ran"))
    return figures
