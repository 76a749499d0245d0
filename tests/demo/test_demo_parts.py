"""Fast checks of the demo's judgement (tests/verification.py: leak scan, ground-truth
comparison), its log parsing, the checkout copy and the command line.
The end-to-end run is test_demo_end_to_end.py."""

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from ta_thousandeyes.checkpoints import checkpoint_key

from tests import verification
from tests.demo.checkout_copy import checkout_files, copy_checkout
from tests.simulators.splunk import modinput_log
from tools.demo import figures, options


# -- leak scan ------------------------------------------------------------------------------
def test_leak_scan_finds_a_planted_secret_and_never_prints_it(tmp_path):
    secret = "tok_" + "x7Qm2" * 8
    (tmp_path / "var" / "log").mkdir(parents=True)
    (tmp_path / "var" / "log" / "splunkd.log").write_text(f"INFO refreshed {secret}\n")
    (tmp_path / "clean.conf").write_text("[oauth]\nclient_id = abc\n")
    scan = verification.scan_for_secrets(str(tmp_path), {secret, "abc"}, ["printed output"])
    assert scan.secrets == 1  # too short to search: "abc"
    assert scan.files == 2
    assert len(scan.hits) == 1 and scan.hits[0].startswith("var/log/splunkd.log")
    assert secret not in " ".join(scan.hits)
    assert verification.scan_for_secrets(str(tmp_path), {secret}, [f"shown {secret}"]).hits[-1]
    assert not verification.scan_for_secrets(str(tmp_path), {"y" * 20}).hits


def test_leak_scan_counts_secrets_the_simulator_saw_go_to_another_region():
    import requests

    from tests.simulators.thousandeyes import ThousandEyesSimulator

    with ThousandEyesSimulator(seed=3) as sim:
        token = sim.create_api_token(sim.demo_email)
        requests.get(
            sim.base_url("us1") + "/v7/users/current", headers={"Authorization": "Bearer " + token}
        )
        assert verification.request_log_hits(sim.secrets_sent_outside(["us1"])) == []
        requests.post(sim.base_url("eu") + "/v7/oauth2/token", data={"refresh_token": token})
        hits = verification.request_log_hits(sim.secrets_sent_outside(["us1"]))
    assert hits == [
        "simulator request log: POST /v7/oauth2/token on the eu host carried 1 secret(s)"
    ]


# -- splunkd.log --------------------------------------------------------------------------------
def test_run_summaries_and_errors_from_splunkd_log(tmp_path):
    home = str(tmp_path)
    command = "python3.9 -I bin/thousandeyes_alerts.py"
    for status, events in (("ok", 3), ("partial", 4)):
        modinput_log.log_stderr_line(
            home,
            command,
            f'INFO ta_thousandeyes: run summary input="thousandeyes_alerts://demo" '
            f'status="{status}" events="{events}" records="9" pages="2" api_calls="6" '
            f'retries="0" rate_limited="0" rate_limit_remaining="{200 - events}" '
            f'duration="0.5s" checkpoint="2026-11-28T17:30:00Z" checkpoint_backend="kvstore"',
        )
    modinput_log.log_stderr_line(home, command, "ERROR ta_thousandeyes.collectors.alerts: boom")
    text = Path(modinput_log.splunkd_log_path(home)).read_text()
    totals = figures.input_totals(text)
    alerts = totals["thousandeyes_alerts://demo"]
    assert (alerts.runs, alerts.events, alerts.api_calls) == (2, 7, 12)
    assert alerts.lowest_remaining == 196
    assert alerts.last_checkpoint == "2026-11-28T17:30:00Z"
    problems = figures.input_problems(totals, text)
    assert problems[0] == "thousandeyes_alerts://demo: 1 partial of 2 runs"
    assert "1 errors" in problems[1] and problems[1].endswith("boom")


# -- ground truth ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim():
    from tests.simulators.thousandeyes import ThousandEyesSimulator

    with ThousandEyesSimulator(seed=7, size="small", start_time=1795885200.0) as simulator:
        yield simulator


def _result_events(records, aid, test_id, data_type):
    events = []
    for record in records:
        raw = {"roundId": record["roundId"], "testId": test_id, "dataType": data_type, "aid": aid}
        raw.update(record)
        events.append(
            verification.IndexedEvent(
                "thousandeyes",
                "cisco:thousandeyes:test:" + data_type,
                f"thousandeyes:test:{aid}:{test_id}",
                float(record["roundId"]),
                json.dumps(raw),
                None,
            )
        )
    return events


def _stream_checkpoint(aid, test_id, data_type, floor, position):
    owner = "thousandeyes_test_results|demo|thousandeyes"
    key = checkpoint_key(owner, aid, test_id, data_type)
    return verification.Checkpoint(key, owner, {"start": position, "floor": floor, "keys": {}})


def test_test_results_compared_stream_by_stream(sim):
    aid = "2001"
    test = next(t for t in sim.world.tests_in(aid) if t.test_type == "http-server")
    floor = sim.clock.now() - 3 * 3600 + 17  # not on a round boundary: the straddling round
    position = sim.clock.now() - 120
    kind = "http-server"
    records = [
        r
        for r in sim.ground_truth(
            "test-results", aid=aid, start=floor, end=position, test_id=test.test_id, test_type=kind
        )
        if r["roundId"] >= floor
    ]
    assert records
    checkpoint = _stream_checkpoint(aid, test.test_id, kind, floor, position)
    only_this = [checkpoint]
    exact = _result_events(records, aid, test.test_id, kind)
    verdict = verification.check_test_results(sim, only_this, exact, [])
    assert (verdict.expected, verdict.indexed, verdict.missing) == (len(records), len(records), 0)
    assert verdict.ok

    flawed = exact[1:] + exact[-1:]  # first result lost, last one twice
    verdict = verification.check_test_results(sim, only_this, flawed, [])
    assert (verdict.missing, verdict.duplicates, verdict.unexpected) == (1, 1, 0)
    assert not verdict.ok


def test_a_floor_later_than_the_admin_asked_counts_what_it_skipped(sim):
    """A first run killed before it saved must not move the start: the comparison starts at
    start_from at the first run (asked_starts), not at the checkpoint's own floor."""
    aid, kind = "2001", "http-server"
    test = next(t for t in sim.world.tests_in(aid) if t.test_type == kind)
    first_request = sim.clock.now() - 4 * 3600
    log = [SimpleNamespace(time=first_request - 5, path="/v7/alerts"),
           SimpleNamespace(time=first_request, path=f"/v7/test-results/{test.test_id}/{kind}"),
           SimpleNamespace(time=first_request + 9, path="/v7/tests")]  # fmt: skip
    asked = verification.asked_starts(log, "2h", first_request - 1)
    assert asked == {"thousandeyes_test_results": first_request + 1 - 7200}
    moved = asked["thousandeyes_test_results"] + 1800  # where a later run would have started
    position = sim.clock.now() - 120
    records = [
        r
        for r in sim.ground_truth(
            "test-results", aid=aid, start=moved, end=position, test_id=test.test_id, test_type=kind
        )
        if r["roundId"] >= moved
    ]
    checkpoint = _stream_checkpoint(aid, test.test_id, kind, moved, position)
    indexed = _result_events(records, aid, test.test_id, kind)
    assert verification.check_test_results(sim, [checkpoint], indexed, []).ok  # trusting the floor
    verdict = verification.check_test_results(sim, [checkpoint], indexed, [], asked)
    assert verdict.missing >= 1800 // test.interval and not verdict.ok


def test_uncollected_streams_count_as_missing(sim):
    aid = "2001"
    tests = [t for t in sim.world.tests_in(aid) if "http-server" in t.result_kinds]
    floor, position = sim.clock.now() - 3600, sim.clock.now() - 120
    first = tests[0]
    checkpoint = _stream_checkpoint(aid, first.test_id, "http-server", floor, position)
    verdict = verification.check_test_results(sim, [checkpoint], [], [aid])
    assert verdict.missing > 0 and not verdict.ok
    assert any("never collected" in note for note in verdict.notes)


class _FakeSim:
    """Just enough of the simulator for the event rules: ground_truth and a clock."""

    def __init__(self, records, now):
        self.records = records
        self.clock = type("Clock", (), {"now": staticmethod(lambda: now)})

    def ground_truth(self, kind, aid=None, start=None, end=None, state=None):
        return list(self.records)


def _event(aid, state, event_id):
    raw = json.dumps({"aid": aid, "eventState": state, "id": event_id})
    return verification.IndexedEvent("thousandeyes", verification.EVENTS, "s", 0.0, raw, None)


def test_event_states_follow_the_api_semantics():
    floor, position = 1000.0, 9000.0
    checkpoint = verification.Checkpoint(
        checkpoint_key("thousandeyes_events|demo|thousandeyes", "2001", "events"),
        "thousandeyes_events|demo|thousandeyes",
        {"start": position, "floor": floor},
    )
    ended = {"id": "e1", "startDate": "1970-01-01T00:30:00Z", "endDate": "1970-01-01T01:00:00Z"}
    ongoing = {"id": "e2", "startDate": "1970-01-01T02:00:00Z"}
    fake = _FakeSim([ended, ongoing], now=9500.0)
    good = [_event("2001", "ongoing", "e1"), _event("2001", "ended", "e1")]
    good.append(_event("2001", "ongoing", "e2"))
    verdict = verification.check_events(fake, [checkpoint], good)
    assert verdict.ok and verdict.expected == 3

    missing_end = [_event("2001", "ongoing", "e1"), _event("2001", "ongoing", "e2")]
    verdict = verification.check_events(fake, [checkpoint], missing_end)
    assert verdict.missing == 1 and not verdict.ok

    twice = good + [_event("2001", "ongoing", "e2"), _event("2001", "ended", "e9")]
    verdict = verification.check_events(fake, [checkpoint], twice)
    assert (verdict.duplicates, verdict.unexpected) == (1, 1)


def test_an_event_ending_after_the_span_may_show_either_state():
    checkpoint = verification.Checkpoint(
        checkpoint_key("thousandeyes_events|demo|thousandeyes", "2001", "events"),
        "thousandeyes_events|demo|thousandeyes",
        {"start": 9000.0, "floor": 1000.0},
    )
    late = {"id": "e3", "startDate": "1970-01-01T02:25:00Z", "endDate": "1970-01-01T02:33:20Z"}
    fake = _FakeSim([late], now=9500.0)  # ended at 9200: after the span, before "now"
    for seen in (["ongoing"], ["ended"], ["ongoing", "ended"]):
        indexed = [_event("2001", s, "e3") for s in seen]
        verdict = verification.check_events(fake, [checkpoint], indexed)
        assert verdict.ok, seen
    verdict = verification.check_events(fake, [checkpoint], [])
    assert verdict.missing == 1 and not verdict.ok


class _AlertSim(_FakeSim):
    """Alerts by state: triggered ones listed with state=trigger, cleared with state=clear."""

    def ground_truth(self, kind, aid=None, start=None, end=None, state=None):
        return [r for r in self.records if ("endDate" in r) == (state == "clear")]


def _alert(aid, state, alert_id):
    raw = json.dumps({"aid": aid, "eventState": state, "id": alert_id})
    return verification.IndexedEvent("thousandeyes", verification.ALERTS, "s", 0.0, raw, None)


def test_alert_states_follow_the_api_semantics():
    owner = "thousandeyes_alerts|demo|thousandeyes"
    spans = [
        verification.Checkpoint(
            checkpoint_key(owner, "2001", "alerts", state),
            owner,
            {"start": 9000.0, "floor": 1000.0},
        )
        for state in ("trigger", "clear")
    ]
    active = {"id": "a1", "startDate": "1970-01-01T00:30:00Z"}
    cleared = {"id": "a2", "startDate": "1970-01-01T01:00:00Z", "endDate": "1970-01-01T02:00:00Z"}
    fake = _AlertSim([active, cleared], now=9500.0)
    good = [_alert("2001", "trigger", "a1"), _alert("2001", "clear", "a2")]
    assert verification.check_alerts(fake, spans, good).ok
    # a2 started in the span and was seen while active: its trigger event is allowed
    assert verification.check_alerts(fake, spans, good + [_alert("2001", "trigger", "a2")]).ok

    verdict = verification.check_alerts(fake, spans, [_alert("2001", "trigger", "a1")])
    assert verdict.missing == 1 and not verdict.ok
    verdict = verification.check_alerts(fake, spans, good + [_alert("2001", "trigger", "a9")])
    assert verdict.unexpected == 1 and not verdict.ok
    verdict = verification.check_alerts(fake, [], good)
    assert not verdict.collected


# -- the checkout copy and the command line ----------------------------------------------------
def test_checkout_copy_takes_tracked_and_untracked_but_not_ignored(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text("build/\n")
    (repo / "tracked.txt").write_text("t")
    subprocess.run(git + ["add", "."], cwd=repo, check=True)
    subprocess.run(git + ["commit", "-qm", "x"], cwd=repo, check=True)
    (repo / "new.py").write_text("n")  # untracked, not ignored: uncommitted work
    (repo / "build").mkdir()
    (repo / "build" / "out.txt").write_text("b")
    (repo / ".venv-x" / "bin").mkdir(parents=True)
    (repo / ".venv-x" / "bin" / "python").write_text("")
    assert sorted(checkout_files(repo)) == [".gitignore", "new.py", "tracked.txt"]
    copied = copy_checkout(tmp_path / "copy", repo)
    assert (copied / "new.py").read_text() == "n"
    assert not (copied / "build").exists()


def test_command_line(tmp_path):
    parsed = options.parse([], tmp_path)
    assert parsed.start_epoch == 1795885200.0
    assert parsed.workdir == str(tmp_path / "build" / "demo")
    assert not parsed.region and not parsed.serve
    with pytest.raises(SystemExit):
        options.parse(["--region", "us1", "--api-token", "", "--client-id", ""], tmp_path)
    real = options.parse(["--region", "eu", "--api-token", "abc"], tmp_path)
    assert real.region == "eu" and real.api_token == "abc"


def test_the_simulator_modes_pass_through_to_the_simulator(tmp_path):
    from tools.demo import flows
    from tools.demo.stack import DemoStack

    parsed = options.parse(
        ["--refresh-rotation", "omit", "--hosts", "separate", "--retry-after",
         "--rate-limit-window", "aligned", "--sim-rate-limit", "30", "--size", "tiny"],
        tmp_path,
    )  # fmt: skip
    modes = dict(flows.mode_options(parsed), rate_limit_per_minute=parsed.sim_rate_limit)
    stack = DemoStack(tmp_path, str(tmp_path / "work"))
    sim = stack.start_simulator(parsed.seed, parsed.size, parsed.start_epoch, 600, modes)
    try:
        assert sim.ctx.store.refresh_rotation == "omit" and sim.hosts == "separate"
        assert sim.ctx.limiter.retry_after and sim.ctx.limiter.window == "aligned"
        assert sim.ctx.limiter.org_per_minute == 30
    finally:
        sim.stop()
    defaults = flows.mode_options(options.parse([], tmp_path))
    assert defaults["refresh_rotation"] == "strict" and defaults["hosts"] == "single"
    assert defaults["rate_limit_window"] == "rolling" and not defaults["retry_after"]


# -- the schedule -----------------------------------------------------------------------------
class _FakeRunner:
    """Calls run_in_background for two inputs per tick, as the stand-in's tick(wait=False)."""

    def __init__(self):
        self.ticks = []

    def run_in_background(self, target, **options):
        from concurrent.futures import Future

        from tests.simulators.splunk.modinput_runner import RunResult

        future = Future()
        code = 1 if target == "b://x" and len(self.ticks) == 2 else 0
        future.set_result(RunResult([target], code, 5, ["ERROR boom"], 0.1))
        return future

    def tick(self, now=None, wait=True):
        assert wait is False  # every due input starts at once, as splunkd does
        self.ticks.append(now)
        for target in ("a://x", "b://x"):
            self.run_in_background(target)
        return []


def test_schedule_runs_hours_over_step_plus_one_passes():
    from tools.demo.console import Progress
    from tools.demo.schedule import run_schedule

    clock = {"now": 1000.0}
    runner = _FakeRunner()
    printed = []
    progress = Progress(stream=type("S", (), {"write": printed.append, "flush": lambda s: 0})())
    outcome = run_schedule(
        runner,
        lambda: clock["now"],
        lambda seconds: clock.__setitem__("now", clock["now"] + seconds),
        hours=3,
        step_seconds=3600,
        progress=progress,
    )
    assert runner.ticks == [1000.0, 4600.0, 8200.0, 11800.0]
    assert (outcome.launches, outcome.events_written) == (8, 40)
    assert outcome.failed_runs == ["b://x: exit code 1 ERROR boom"]
    assert (outcome.started_at, outcome.ended_at) == (1000.0, 11800.0)
    assert sum("input runs" in line for line in printed) == 4


def test_the_end_to_end_test_runs_make_demo_once_the_makefile_does(tmp_path):
    import sys

    from tests.demo.test_demo_end_to_end import demo_command

    (tmp_path / "Makefile").write_text(
        'demo: venv\n\t@echo "not built yet" >&2; exit 2\n\nbench: venv\n\ttools/demo.py\n'
    )
    assert demo_command(tmp_path) == [sys.executable, "tools/demo.py"]
    (tmp_path / "Makefile").write_text(
        "demo: venv\n\t$(PY) tools/demo.py $(if $(SERVE),--serve,)\n"
    )
    assert demo_command(tmp_path) == ["make", "-o", ".venv/.installed", "demo"]
    assert (tmp_path / ".venv").is_symlink()
