"""Issue 17 point 4: several forwarders, one budget.

Two heavy forwarders collect different account groups of one organisation. Each has its own
SPLUNK_HOME, so its own run directory and rate-limit state file (no lock file in common): all
they share is the organisation's 240 requests a minute, which every answer reports in the
``X-Organization-Rate-Limit-*`` headers. Each forwarder runs what ``ThousandEyesInput.run_stanza``
builds for a test-results input (its state file from ``modinputs.base.run_dir`` and
``rate_limit.state_path_for``, the limiter's urgent share, a fresh session and ApiClient with
the run's deadline, RunContext and the collector) on a schedule, in a thread of this process.

Why in this process and not through the Splunk stand-in's modular input runner: its children
run on the simulator's clock through libfaketime, which shifts the clock but not the pace, so
every pacing wait would be a real one (a backlog of six minutes of budget, six real minutes).
The last test does run two Splunk stand-ins' real input processes, over a small budget.

Simulated time, no real waiting: the forwarders' clock is the simulator's, and their sleeps
go through ``VirtualTime``, which moves the simulator's clock to the earliest wake-up once
every forwarder is asleep (while one works, time passes as it really does). The simulator's
default rate limit is the documented one: a window rolling from a batch's first request, no
Retry-After on a 429.

Measured: (a) in steady state, where each scheduled pass of the two forwarders together asks
for more than one window's budget, no answer is a 429; (b) a backlog of several minutes of
budget drains within 1.15x the floor, the requests it took at 240 a minute.
"""

import io
import os
import threading
from collections import Counter

import pytest
from ta_thousandeyes.api_client import ApiClient, ApiUnavailable
from ta_thousandeyes.checkpoints import FileCheckpointStore, owner_of
from ta_thousandeyes.collectors import results
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.http import build_session, destination
from ta_thousandeyes.modinputs.base import URGENT_SHARE, run_dir
from ta_thousandeyes.rate_limit import RateLimiter, state_path_for

from tests.acceptance.wiring import StaticToken, point_addon_at_simulator
from tests.simulators.faketime import faketime_env
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.thousandeyes import ThousandEyesSimulator

from .conftest import APP, SERVER_HOST, connect_device, python_for
from .helpers import create_input, summary_lines

LIMIT = 240  # the simulator's (and ThousandEyes' default) organisation budget a minute
SCHEME = "thousandeyes_test_results"
# Small pages so the records of a world this size need several minutes of budget.
PAGE_SIZES = {"test-results": 2}
GROUPS = ("2001", "2003")  # one account group per forwarder
BACKLOG = 3600.0  # the first run's start_from: about six minutes of budget
STEADY_INTERVAL = 240.0
STEADY_PASSES = 3


class VirtualTime:
    """A clock and sleep for several threads on the simulator's clock.

    A thread that sleeps waits until the clock reaches its wake-up time; when every thread
    taking part sleeps, the clock jumps to the earliest wake-up. Work (HTTP, parsing) takes
    the real time it takes, which the simulator's clock also counts.
    """

    def __init__(self, sim, participants):
        self._sim = sim
        self._cond = threading.Condition()
        self._active = participants
        self._wakes = {}  # thread id -> wake-up time
        self.slept = 0.0

    def now(self):
        return self._sim.clock.now()

    def sleep(self, seconds):
        if seconds <= 0:
            return
        me = threading.get_ident()
        with self._cond:
            wake = self.now() + seconds
            self._wakes[me] = wake
            self.slept += seconds
            while self.now() < wake:
                self._jump_if_all_asleep()
                self._cond.wait(timeout=min(0.05, max(0.001, wake - self.now())))
            del self._wakes[me]
            self._cond.notify_all()

    def leave(self):
        """This thread takes no further part (its forwarder is done)."""
        with self._cond:
            self._active -= 1
            self._jump_if_all_asleep()
            self._cond.notify_all()

    def _jump_if_all_asleep(self):
        if self._active and len(self._wakes) == self._active:
            earliest = min(self._wakes.values())
            ahead = earliest - self.now()
            if ahead > 0:
                self._sim.clock.advance(ahead)
            self._cond.notify_all()


class Forwarder:
    """One heavy forwarder: its SPLUNK_HOME, checkpoints and a test-results input."""

    def __init__(self, sim, home, aid, time_source, backlog):
        self.sim = sim
        self.aid = aid
        self.time = time_source
        checkpoint_dir = os.path.join(home, "var", "lib", "splunk", "modinputs", SCHEME)
        os.makedirs(checkpoint_dir)
        self.store = FileCheckpointStore(checkpoint_dir)
        self.state_path = state_path_for(run_dir(checkpoint_dir), "prod", "org")
        self.token = sim.create_api_token(sim.demo_email)
        self.base = sim.region_urls("global")["api_base_url"]
        self.backlog = backlog
        self.first_start = None
        self.events = 0
        self.errors = []
        self.runs = []  # (started, ended, finished before the deadline)

    def run_once(self, interval):
        """One scheduled run, as run_stanza builds it; True when it caught up."""
        clock, sleep = self.time.now, self.time.sleep
        started = clock()
        deadline = started + max(30.0, 0.9 * interval)
        limiter = RateLimiter(
            self.state_path, clock=clock, sleep=sleep, urgent_share=URGENT_SHARE
        )  # fmt: skip
        session = build_session([destination(self.base)], ca_bundle=self.sim.ca_bundle_path)
        client = ApiClient(
            self.base, session, StaticToken(self.token), rate_limiter=limiter,
            deadline=deadline, clock=clock, sleep=sleep,
        )  # fmt: skip
        writer = XmlEventWriter(output=io.BytesIO(), error=io.StringIO())
        if self.first_start is None:
            self.first_start = started - self.backlog
        ctx = RunContext(
            client, writer, self.store, owner_of(SCHEME, "prod", "default"),
            f"{SCHEME}://fwd_{self.aid}", initial_start=self.first_start, deadline=deadline,
            clock=clock,
        )  # fmt: skip
        finished = True
        try:
            results.collect(ctx, [self.aid])
        except ApiUnavailable:
            finished = False
        finished = finished and not ctx.past_deadline()
        writer.close()
        session.close()
        self.events += ctx.events
        self.errors.extend(ctx.errors)
        self.runs.append((started, clock(), finished))
        return finished

    def schedule(self, interval, until):
        """Runs every interval (as splunkd schedules an interval input) until the clock
        passes until; the thread then leaves the virtual time."""
        try:
            while True:
                started = self.time.now()
                self.run_once(interval)
                next_run = started + interval
                if next_run >= until:
                    break
                self.time.sleep(next_run - self.time.now())
        finally:
            self.time.leave()


def _run_together(forwarders, interval, until):
    threads = [
        threading.Thread(target=f.schedule, args=(interval, until), daemon=True) for f in forwarders
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=150)
        assert not thread.is_alive(), "a forwarder did not finish"


def _api_log(sim, since):
    return [
        r for r in sim.request_log
        if r.time >= since and r.path.startswith("/v7/") and "/oauth2/" not in r.path
    ]  # fmt: skip


def _scenario(tmp_path, backlog):
    """Both forwarders' first runs over a backlog of backlog seconds, started together, then
    STEADY_PASSES scheduled passes; returns (backlog figures, steady-state statuses)."""
    with ThousandEyesSimulator(seed=7, size="small", https=True, page_sizes=PAGE_SIZES) as sim:
        first = VirtualTime(sim, len(GROUPS))
        forwarders = [
            Forwarder(sim, str(tmp_path / f"forwarder{n}"), aid, first, backlog)
            for n, aid in enumerate(GROUPS)
        ]
        assert len({f.state_path for f in forwarders}) == len(forwarders)  # nothing shared
        t0 = sim.clock.now()
        _run_together(forwarders, interval=600.0, until=t0 + 1)
        assert all(finished for f in forwarders for _, _, finished in f.runs), "not drained"
        drain = _api_log(sim, t0)
        served = sum(r.status != 429 for r in drain)
        figures = {
            "requests": served,
            "429": sum(r.status == 429 for r in drain),
            "drain_seconds": max(r.time for r in drain) - t0,
            "floor_seconds": served / LIMIT * 60.0,
        }

        steady = VirtualTime(sim, len(GROUPS))
        for forwarder in forwarders:
            forwarder.time = steady
        sim.clock.advance(STEADY_INTERVAL)
        t1 = sim.clock.now()
        _run_together(forwarders, STEADY_INTERVAL, until=t1 + STEADY_PASSES * STEADY_INTERVAL)
        statuses = Counter(r.status for r in _api_log(sim, t1))
        assert all(finished for f in forwarders for _, _, finished in f.runs), "fell behind"
        assert not [e for f in forwarders for e in f.errors]
        assert sum(f.events for f in forwarders) > 0
        return figures, statuses


@pytest.mark.slow
def test_two_forwarders_share_the_organisation_budget(tmp_path):
    figures, statuses = _scenario(tmp_path, BACKLOG)
    ratio = figures["drain_seconds"] / figures["floor_seconds"]
    print(f"backlog: {figures}, drain / floor {ratio:.3f}; steady state: {dict(statuses)}")
    # (b) several minutes of budget, drained close to the floor
    assert figures["floor_seconds"] >= 180.0, figures
    assert ratio <= 1.15, figures
    assert figures["429"] == 0, figures
    # (a) every pass of the two together needs more than a window's budget, and no 429
    per_pass = sum(statuses.values()) / STEADY_PASSES
    assert per_pass > LIMIT, statuses
    assert statuses[429] == 0, statuses


@pytest.mark.slow
def test_the_steady_state_meets_429s_without_pacing(tmp_path, monkeypatch):
    """The steady state above is a test of the pacing: forwarders that only wait after a 429
    (the reset it names) meet 429s in it."""

    def only_after_429(self, state, now):
        return max(now, state.get("blocked_until", 0.0))

    monkeypatch.setattr(RateLimiter, "_plan_budget", only_after_429)
    _, statuses = _scenario(tmp_path, 300.0)
    print(f"steady state without pacing: {dict(statuses)}")
    assert statuses[429] > 0, statuses


# The same with real processes, as splunkd runs the inputs: two Splunk stand-ins, each its own
# SPLUNK_HOME and device-flow connection, each a test-results input of its own account group,
# run at once. libfaketime shifts their clock but not their pace, so the budget is made small
# (the two together need about two of its windows) to keep the real waiting to a minute or so.
SMALL_BUDGET = 50
SIM_PAGE_SIZES = {"test-results": 25}  # the ``sim`` fixture's: about a page a stream


@pytest.mark.slow
@pytest.mark.parametrize(
    "sim", [pytest.param({"rate_limit_per_minute": SMALL_BUDGET}, id="small-budget")],
    indirect=True,
)  # fmt: skip
def test_two_splunk_standins_pace_on_the_headers(
    tmp_path, sim, splunk, service, connected, runner, built_app
):
    other = SplunkEmulator(
        splunk_home=tmp_path / "splunk2", apps={APP: built_app},
        extra_env=faketime_env(sim.clock.offset_file),
    )  # fmt: skip
    with other:
        other_service = point_addon_at_simulator(other, sim)
        connect_device(other_service, sim, other)
        other_runner = other.modular_inputs(
            APP, [python_for("3.13"), "-I"], server_host=SERVER_HOST
        )
        try:
            stanzas = [
                (run, create_input(svc, SCHEME, f"fwd_{aid}", account_groups=aid,
                                   start_from="5m", interval="900"))
                for run, svc, aid in ((runner, service, GROUPS[0]),
                                      (other_runner, other_service, GROUPS[1]))
            ]  # fmt: skip
            sim.clear_request_log()
            futures = [run.run_in_background(stanza, timeout=240) for run, stanza in stanzas]
            finished = [future.result(timeout=270) for future in futures]
        finally:
            other_runner.stop_scheduler()
    for result in finished:
        assert result.exit_code == 0, result.stderr_lines
        assert not [line for line in result.stderr_lines if line.startswith("ERROR")]
        assert len(summary_lines(result)) == 1, result.stderr_lines
    api = _api_log(sim, 0.0)
    statuses = Counter(r.status for r in api)
    served = sorted(r.time for r in api if r.status != 429)
    print(f"two Splunk stand-ins, budget {SMALL_BUDGET}: {dict(statuses)}")
    assert len(served) > SMALL_BUDGET, statuses  # together more than one window's budget
    assert statuses[429] == 0, statuses
    # each paced through the budget file under its own SPLUNK_HOME, none in common
    for home in (splunk.home, other.home):
        folder = os.path.join(home, "var", "run", "splunk", APP, "ratelimit")
        assert [name for name in os.listdir(folder) if name.endswith(".json")], folder
