"""Determinism, lazy large worlds, the clock offset file, and the standalone process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.simulators.faketime import LIBFAKETIME
from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.clock import DEFAULT_START, SimClock, read_time_file, real_time
from tests.simulators.thousandeyes.ground_truth import ground_truth
from tests.simulators.thousandeyes.rounds import record_count, round_span

REPO = Path(__file__).resolve().parents[2]
START = 1_790_000_000 - 1_790_000_000 % 3600


def _sim(seed, size="small", **kw):
    return ThousandEyesSimulator(seed=seed, size=size, start_time=START, **kw)


def test_same_seed_same_world_and_records():
    first, second, other = _sim(1), _sim(1), _sim(2)
    for sim in (first, second, other):
        sim.ctx.base_urls["global"] = "http://sim"
    args = dict(aid="2001", start=START - 86400, end=START)
    for kind in ("alerts", "events", "activity", "tests"):
        assert first.ground_truth(kind, **args) == second.ground_truth(kind, **args)
    a2s = first.world.tests_in("2001", "agent-to-server")[0].test_id
    results = dict(args, test_id=a2s, test_type="network")
    assert first.ground_truth("test-results", **results) == second.ground_truth(
        "test-results", **results
    )
    assert first.ground_truth("alerts", **args) != other.ground_truth("alerts", **args)


def test_large_world_is_lazy():
    tracemalloc.start()
    sim = _sim(3, "large")
    sim.ctx.base_urls["global"] = "http://sim"
    total = 0
    for test in list(sim.world.tests.values())[:400]:
        first, rounds = round_span(test, START - 30 * 86400, START, START)
        total += record_count(test, rounds)
    assert total > 1_000_000  # millions of results exist ...
    page = ground_truth(sim.ctx, "tests", "2001")
    assert len(page) == 1000
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200 * 1024 * 1024  # ... without being stored


def test_size_overrides():
    sim = _sim(1, "tiny", tests=7, agents=3)
    assert len(sim.world.tests_in("2002")) == 7
    assert len([a for a in sim.world.agents.values() if a.agent_type == "cloud"]) == 6  # 2 orgs


def test_clock_offset_file_tracks_advances():
    sim = _sim(1, "tiny")
    assert abs(sim.clock.now() - START) < 5
    sim.clock.advance(3600)
    text = Path(sim.clock.offset_file).read_text().strip()
    assert text[0] in "+-" and abs(float(text) - (START + 3600 - real_time())) < 5
    with pytest.raises(ValueError):
        sim.clock.advance(-1)


def test_frozen_clock_moves_only_by_advance():
    """--frozen-clock (a benchmark's switch): real time passing does not move the clock."""
    sim = _sim(1, "tiny")
    assert _sim(1, "tiny", frozen_clock=True).clock.frozen and not sim.clock.frozen
    frozen = SimClock(START, frozen=True)
    before = frozen.now()
    time.sleep(0.05)
    assert frozen.now() == before == START and sim.clock.now() > START
    assert frozen.advance(90) == START + 90 == frozen.now()
    text = Path(frozen.offset_file).read_text().strip()
    assert abs(float(text) - (START + 90 - real_time())) < 2


def test_time_file_holds_the_frozen_time_for_other_processes():
    """The frozen clock's time itself in ``time_file`` (the offset file is libfaketime's, whole
    seconds against the moving real clock): exact at every moment, rewritten by each advance."""
    frozen = SimClock(START, frozen=True)
    assert read_time_file(frozen.time_file) == START
    time.sleep(0.05)
    assert read_time_file(frozen.time_file) == START == frozen.now()
    frozen.advance(90.25)
    assert read_time_file(frozen.time_file) == START + 90.25 == frozen.now()
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from tests.simulators.thousandeyes.clock import "
         "read_time_file; print(repr(read_time_file(sys.argv[1])))", frozen.time_file],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert float(child.stdout) == START + 90.25


def test_https_with_custom_ca(te_sim_https):
    url = te_sim_https.region_urls("eu")["metadata_url"]
    assert url.startswith("https://127.0.0.1:")
    assert requests.get(url, verify=te_sim_https.ca_bundle_path, timeout=10).ok
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url, timeout=10)  # the system store does not know our CA


@pytest.mark.slow
def test_standalone_process(tmp_path):
    ports = tmp_path / "ports.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.simulators.thousandeyes", "--seed", "1", "--size", "tiny",
         "--ports-file", str(ports)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=f"{REPO / 'lib'}:{REPO}"),
    )  # fmt: skip
    try:
        info = json.loads(proc.stdout.readline())
        assert json.loads(ports.read_text()) == info
        meta = requests.get(info["regions"]["us2"]["metadata_url"], timeout=10).json()
        assert meta["token_endpoint"] == info["regions"]["us2"]["token_url"]
        assert requests.get(info["control_url"] + "/info", timeout=10).ok
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_default_start_is_fixed_whatever_the_wall_clock(tmp_path):
    # The suite's outcome must not depend on when it runs: a simulator started with no start
    # time is at DEFAULT_START, also when this process runs under `faketime -f +N`, and the
    # offset file it gives child processes still counts from the host's real clock.
    probe = (
        "import json, time\n"
        "from tests.simulators.thousandeyes.clock import SimClock\n"
        f"clock = SimClock(offset_dir={str(tmp_path)!r})\n"
        "print(json.dumps([clock.now(), time.time(), open(clock.offset_file).read()]))\n"
    )
    env = dict(os.environ, LD_PRELOAD=LIBFAKETIME, FAKETIME="+40000000", PYTHONPATH=str(REPO))
    env.pop("FAKETIME_TIMESTAMP_FILE", None)
    answer = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    now, faked_wall_clock, offset_text = json.loads(answer.stdout)
    assert abs(now - DEFAULT_START) < 5
    assert faked_wall_clock - real_time() > 39_000_000  # the probe really ran on a faked clock
    assert abs(float(offset_text) - (DEFAULT_START - real_time())) < 5


def test_every_mode_is_a_documented_command_line_option(capsys):
    from tests.simulators.thousandeyes.__main__ import build_parser
    from tests.simulators.thousandeyes.modes import mode_options

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    text = capsys.readouterr().out
    for option in ("--rate-limit-window", "--retry-after", "--instant-test-rate-limit",
                   "--client-rate-limit", "--refresh-rotation", "--refresh-grace-seconds",
                   "--hosts"):  # fmt: skip
        assert option in text
    for word in ("rolling", "aligned", "strict", "grace", "reuse", "omit", "split", "separate"):
        assert word in text
    args = build_parser().parse_args(
        ["--size", "tiny", "--rate-limit-window", "aligned", "--retry-after", "--hosts", "split",
         "--refresh-rotation", "grace", "--refresh-grace-seconds", "12"]
    )  # fmt: skip
    with ThousandEyesSimulator(size=args.size, **mode_options(args)) as sim:
        assert sim.ctx.limiter.window == "aligned" and sim.ctx.limiter.retry_after
        assert sim.ctx.store.refresh_rotation == "grace"
        assert sim.ctx.store.refresh_grace_seconds == 12
        urls = sim.region_urls("us1")
        assert urlsplit(urls["authorize_url"]).port != urlsplit(urls["token_url"]).port
