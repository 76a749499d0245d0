"""API efficiency: drain a day of test-result backlog under the 240/min limit, as scheduled
runs of the test-results input would, on the simulator's clock.

Each run is what ``ThousandEyesInput.run_stanza`` builds (fresh transport, ApiClient with the
shared rate-limit state file and a deadline of 0.9 x interval, RunContext, the test-results
collector), in this process with the clock and sleep of the simulator: pacing waits move
the simulated clock instead of real time. Runs start every ``interval`` simulated seconds
until one finishes before its deadline. The minimum is computed independently from the
simulator's world: one request per 1000 records (the page size) of every (test, data type)
the API serves, at least one per stream, plus the inventory calls.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections import Counter
from typing import Dict, List, Tuple

from ta_thousandeyes.api_client import ApiClient, ApiUnavailable
from ta_thousandeyes.checkpoints import FileCheckpointStore
from ta_thousandeyes.collectors import results
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin
from ta_thousandeyes.rate_limit import RateLimiter

from tests.acceptance.wiring import StaticToken
from tests.simulators.thousandeyes.pagination import DEFAULT_PAGE_SIZES
from tests.simulators.thousandeyes.rounds import record_count, round_span
from tests.simulators.thousandeyes.world import World

from .sim_process import SimulatedClock, SimulatorProcess
from .stats import Figure, measured, not_measured
from .workload import HOST, INDEX, STANZA, null_binary

AID = "2001"
LIMIT_PER_MINUTE = 240
INVENTORY_CALLS = 2  # GET /tests and GET /agents of the account group (one page each)
SETTLE = 60.0  # RunContext's default settle_seconds


def minimum_requests(
    seed: int, start_time: float, tests: int, agents: int, lo: float, hi: float, now: float
) -> Tuple[int, int]:
    """(requests, records) the backlog [lo, hi] needs at the API's page size."""
    world = World(seed, "small", origin=start_time, tests=tests, agents=agents)
    page = DEFAULT_PAGE_SIZES["test-results"]
    requests_needed, records = INVENTORY_CALLS, 0
    for test in world.tests_in(AID):
        first, rounds = round_span(test, lo, hi, now)
        count = record_count(test, rounds)
        for _kind in test.result_kinds:
            requests_needed += max(1, math.ceil(count / page))
            records += count
    return requests_needed, records


MAX_RUNS = 40  # a drain that needs more scheduled runs than this is reported, not waited for


def drain(sim: SimulatorProcess, clock: SimulatedClock, backlog: float, interval: float) -> dict:
    token = sim.api_token()
    t0 = clock.now()
    sim.clear_requests_log()
    work = tempfile.mkdtemp(prefix="bench-drain-")
    store = FileCheckpointStore(os.path.join(work, "checkpoints"))
    state_path = os.path.join(work, "ratelimit", "bench.json")
    runs, events, errors = 0, 0, []
    while True:
        runs += 1
        started = clock.now()
        deadline = started + max(30.0, 0.9 * interval)
        limiter = RateLimiter(state_path, clock=clock.now, sleep=clock.sleep)
        transport = build_session([origin(sim.api_base)], ca_bundle=sim.ca_bundle)
        client = ApiClient(
            sim.api_base, transport, StaticToken(token), rate_limiter=limiter,
            deadline=deadline, clock=clock.now, sleep=clock.sleep,
        )  # fmt: skip
        with null_binary() as sink:
            writer = XmlEventWriter(output=sink)
            ctx = RunContext(
                client, writer, store, owner="bench", stanza=STANZA, index=INDEX, host=HOST,
                initial_start=t0 - backlog, deadline=deadline, clock=clock.now,
            )  # fmt: skip
            finished = True
            try:
                results.collect(ctx, [AID])
            except ApiUnavailable:
                finished = False
            finished = finished and not ctx.past_deadline()
            writer.close()
        transport.close()
        events += ctx.events
        errors.extend(ctx.errors)
        if finished or runs >= MAX_RUNS:
            break
        clock.sleep(started + interval - clock.now())
    t_end = clock.now()
    log = [r for r in sim.requests_log() if r["path"].startswith("/v7/")]
    statuses = Counter(r["status"] for r in log if not r["path"].startswith("/v7/oauth2"))
    return {
        "t0": t0, "t_end": t_end, "runs": runs, "events": events, "errors": errors,
        "requests": sum(statuses.values()), "statuses": dict(statuses),
        "rate_limited": statuses.get(429, 0), "slept": clock.slept, "drained": finished,
    }  # fmt: skip


def window_floor(t0: float, requests: int) -> float:
    """Seconds from t0 until the last of ``requests`` can be sent at best: the budget is
    LIMIT_PER_MINUTE per calendar minute (the simulator's, like the API's, resets on the
    minute), so a client that spends each minute's budget at once sends the last request
    when the ceil(requests / limit)-th minute opens. (requests / limit minutes is not a
    floor: two bursts around a minute boundary send twice the limit within seconds.)"""
    minutes_after_first = math.ceil(requests / LIMIT_PER_MINUTE) - 1
    if minutes_after_first <= 0:  # within one minute's budget: no wait to measure
        return requests / LIMIT_PER_MINUTE * 60.0
    return (math.floor(t0 / 60.0) + minutes_after_first) * 60.0 - t0


def run(
    runs: int = 1,
    tests: int = 60,
    agents: int = 50,
    backlog: float = 86400.0,
    interval: float = 300.0,
) -> List[Figure]:
    requests_ratio, time_ratio, minute_ratio, throttled = [], [], [], []
    details: Dict[str, object] = {}
    for _ in range(runs):
        with SimulatorProcess(tests=tests, agents=agents, rate_limit=LIMIT_PER_MINUTE) as sim:
            clock = SimulatedClock(sim)
            result = drain(sim, clock, backlog, interval)
            if not result["drained"]:
                reason = f"backlog not drained after {MAX_RUNS} scheduled runs"
                keys = ("api.requests_over_minimum", "api.drain_over_floor", "api.429s")
                return [not_measured(k, k, reason) for k in keys]
            covered_to = result["t_end"] - SETTLE
            minimum, records = minimum_requests(
                1, sim.start_time, tests, agents, result["t0"] - backlog, covered_to,
                result["t_end"],
            )  # fmt: skip
        floor_seconds = minimum / LIMIT_PER_MINUTE * 60.0
        minute_floor = window_floor(result["t0"], minimum)
        drain_seconds = result["t_end"] - result["t0"]
        requests_ratio.append(result["requests"] / minimum)
        time_ratio.append(drain_seconds / floor_seconds)
        minute_ratio.append(drain_seconds / minute_floor)
        throttled.append(float(result["rate_limited"]))
        details = {
            "backlog": f"{tests} tests x {agents} agents (1-3 agents per test) in account "
                       f"group {AID}, {backlog / 3600:g} h, every data type",
            "records_in_backlog": records, "events_written": result["events"],
            "requests": result["requests"], "minimum_requests": minimum,
            "drain_seconds": round(drain_seconds, 1), "floor_seconds": round(floor_seconds, 1),
            "calendar_minute_floor_seconds": round(minute_floor, 1),
            "scheduled_runs": result["runs"], "interval": interval,
            "statuses": result["statuses"], "collector_errors": len(result["errors"]),
            "first_errors": result["errors"][:3],
        }  # fmt: skip
    return [
        measured("api.requests_over_minimum", "API requests / minimum", requests_ratio, "x",
                 "<= 1.05", details=details),
        measured("api.drain_over_floor", "drain time / rate-limit floor", time_ratio, "x",
                 "<= 1.1", note="floor: the minimum requests at 240 a minute"),
        measured("api.drain_over_minute_floor", "drain time / calendar-minute floor",
                 minute_ratio, "x",
                 note="floor: until the last minute whose budget is needed opens; the drain "
                      "also counts the add-on's own work on that minute's pages"),
        measured("api.429s", "429 answers while draining", throttled, "", "== 0"),
    ]  # fmt: skip
