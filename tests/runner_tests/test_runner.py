"""Running the tiny input as splunkd would: events indexed, stderr logged, kills, instances."""

import json
import os
import time

import pytest

from tests.runner_tests.conftest import (
    PYTHON_VERSIONS,
    SERVER_HOST,
    make_runner,
    python_path,
    write_local_inputs,
)
from tests.simulators.splunk import modinput_log
from tests.simulators.splunk.modinput_config import checkpoint_dir

FIRST_EVENT_TIME = 1700000000.0  # the tiny input stamps event n with this + n


def checkpoint(splunk_home, stanza_file):
    path = os.path.join(checkpoint_dir(str(splunk_home), "tiny_input"), stanza_file)
    with open(path) as handle:
        return json.load(handle)["last_seq"]


@pytest.mark.parametrize("version", PYTHON_VERSIONS)
def test_events_land_in_the_index_with_splunk_defaults(splunk_home, app_dir, version):
    write_local_inputs(
        app_dir,
        "[tiny_input://a]\nevents = 3\n\n[tiny_input://b]\nevents = 2\nindex = te\n"
        "sourcetype = tiny:custom\nhost = box7\n",
    )
    runner = make_runner(splunk_home, app_dir, version)
    result = runner.run_once("tiny_input://a")
    assert result.exit_code == 0, result.stderr_lines
    assert result.events_written == 3
    events = list(runner.index_store.search(index="main"))
    assert [e["_time"] for e in events] == [FIRST_EVENT_TIME + n for n in (1, 2, 3)]
    assert {(e["sourcetype"], e["source"], e["host"]) for e in events} == {
        ("tiny:event", "tiny_input://a", SERVER_HOST)
    }
    assert events[0]["_raw"] == "seq=1 stanza=tiny_input://a"

    assert runner.run_once("tiny_input://b").events_written == 2
    custom = list(runner.index_store.search(index="te"))
    assert {(e["sourcetype"], e["source"], e["host"]) for e in custom} == {
        ("tiny:custom", "tiny_input://b", "box7")
    }
    assert runner.index_store.indexes() == ["main", "te"]


def test_the_script_gets_the_input_definition_splunkd_builds(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\n")
    result = runner.run_once("tiny_input://a")
    assert "session_key_present=True" in result.stderr_lines[0]
    assert "start_seq=1 count=1" in result.stderr_lines[0]
    assert os.path.isdir(
        os.path.join(splunk_home, "var", "lib", "splunk", "modinputs", "tiny_input")
    )


def test_unbroken_chunks_become_one_event(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 4\nchunked = true\n")
    result = runner.run_once("tiny_input://a")
    assert result.events_written == 4
    events = list(runner.index_store.search())
    assert [e["_raw"] for e in events] == [f"seq={n} stanza=tiny_input://a" for n in range(1, 5)]
    assert [e["_time"] for e in events] == [FIRST_EVENT_TIME + n for n in range(1, 5)]


def test_stderr_goes_to_splunkd_log_with_levels(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\n")
    runner.run_once("tiny_input://a")
    messages = [
        (e["level"], e["message"])
        for e in modinput_log.read_entries(str(splunk_home), "ExecProcessor")
        if "message from" in e["message"]
    ]
    script = os.path.join(str(app_dir), "bin", "tiny_input.py")
    assert all(f'message from "{python_path("3.13")} -I {script}"' in m for _, m in messages)
    assert [level for level, _ in messages] == ["INFO", "ERROR"]
    assert messages[0][1].endswith(
        "INFO tiny_input stanza=tiny_input://a start_seq=1 count=1 session_key_present=True"
    )
    assert messages[1][1].endswith("tiny_input finished without a level word")


def test_a_failing_input_exits_non_zero_and_logs_its_traceback(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\nfail = 1\n")
    result = runner.run_once("tiny_input://a")
    assert result.exit_code == 1
    assert result.events_written == 2  # what it wrote before failing is indexed
    errors = [e for e in modinput_log.read_entries(str(splunk_home)) if e["level"] == "ERROR"]
    assert any("tiny_input was asked to fail" in e["message"] for e in errors)
    assert any("exited with code 1" in e["message"] for e in errors)


def test_checkpoints_persist_across_runs(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 3\n")
    runner.run_once("tiny_input://a")
    runner.run_once("tiny_input://a")
    assert checkpoint(splunk_home, "tiny_input_a.json") == 6
    seqs = [int(e["_raw"].split()[0][4:]) for e in runner.index_store.search()]
    assert seqs == [1, 2, 3, 4, 5, 6]


def test_kill_after_events_then_resume_from_checkpoint(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1000\ndelay = 0.02\n")
    result = runner.run_once("tiny_input://a", kill_after_events=5)
    assert result.killed
    assert result.exit_code == -9
    assert 5 <= result.events_written < 1000
    saved = checkpoint(splunk_home, "tiny_input_a.json")
    assert saved <= result.events_written
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\n")
    runner.run_once("tiny_input://a")
    last_two = [e["_raw"] for e in runner.index_store.search()][-2:]
    assert last_two == [
        f"seq={saved + 1} stanza=tiny_input://a",
        f"seq={saved + 2} stanza=tiny_input://a",
    ]


def test_kill_a_running_input_from_the_test(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1000\ndelay = 0.05\n")
    future = runner.run_in_background("tiny_input://a")
    assert runner.wait_until_running("tiny_input://a")
    assert runner.running() == ["tiny_input://a"]
    assert runner.kill("tiny_input://a")
    result = future.result(timeout=30)
    assert result.killed and result.exit_code == -9
    assert result.events_written < 1000
    assert runner.running() == []
    assert not runner.kill("tiny_input://a")


def test_a_run_past_its_timeout_is_killed(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1000\ndelay = 0.05\n")
    result = runner.run_once("tiny_input://a", timeout=1.0)
    assert result.timed_out and result.exit_code == -9


def test_one_process_per_stanza(splunk_home, app_dir, runner):
    write_local_inputs(
        app_dir,
        "[tiny_input://a]\nevents = 2\n\n[tiny_input://b]\nevents = 3\nindex = te\n\n"
        "[tiny_input://off]\nevents = 9\ndisabled = 1\n",
    )
    result = runner.run_once("tiny_input")
    assert [run.stanzas for run in result.runs] == [["tiny_input://a"], ["tiny_input://b"]]
    assert result.events_written == 5
    assert runner.index_store.count_by("source", "index") == {
        ("tiny_input://a", "main"): 2,
        ("tiny_input://b", "te"): 3,
    }
    with pytest.raises(ValueError, match="disabled"):
        runner.run_once("tiny_input://off")


def test_single_instance_gets_every_enabled_stanza_in_one_process(splunk_home, app_dir):
    runner = make_runner(splunk_home, app_dir, extra_env={"TINY_INPUT_SINGLE_INSTANCE": "1"})
    assert runner.scheme("tiny_input").use_single_instance
    write_local_inputs(
        app_dir,
        "[tiny_input://a]\nevents = 2\n\n[tiny_input://b]\nevents = 3\nindex = te\n\n"
        "[tiny_input://off]\nevents = 9\ndisabled = true\n",
    )
    result = runner.run_once("tiny_input://a")  # a stanza of a single-instance scheme runs them all
    assert result.runs == [] and result.stanzas == ["tiny_input://a", "tiny_input://b"]
    assert result.events_written == 5
    assert runner.index_store.count_by("source", "index") == {
        ("tiny_input://a", "main"): 2,
        ("tiny_input://b", "te"): 3,
    }


def test_events_for_unknown_indexes_are_dropped_when_indexes_are_declared(splunk_home, app_dir):
    runner = make_runner(splunk_home, app_dir, allowed_indexes=["main"])
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\nindex = nosuch\n")
    result = runner.run_once("tiny_input://a")
    assert (result.events_written, result.dropped_events) == (0, 2)
    assert any(
        "index=nosuch" in e["message"]
        for e in modinput_log.read_entries(str(splunk_home), "IndexProcessor")
    )


def test_tick_runs_inputs_on_their_interval(splunk_home, app_dir, runner):
    write_local_inputs(
        app_dir,
        "[tiny_input://a]\nevents = 1\n\n[tiny_input://b]\nevents = 1\ninterval = 30\n\n"
        "[tiny_input://off]\nevents = 1\ndisabled = 1\n",
    )
    start = 1_000_000.0
    assert sorted(r.stanzas[0] for r in runner.tick(now=start)) == [
        "tiny_input://a",
        "tiny_input://b",
    ]
    assert runner.tick(now=start + 29) == []
    assert [r.stanzas[0] for r in runner.tick(now=start + 30)] == ["tiny_input://b"]
    assert [r.stanzas[0] for r in runner.tick(now=start + 60)] == [
        "tiny_input://a",
        "tiny_input://b",
    ]
    assert runner.next_due("tiny_input://a") == start + 120  # default/inputs.conf interval = 60
    assert runner.index_store.count(source="tiny_input://off") == 0


def test_tick_launches_a_single_instance_once(splunk_home, app_dir):
    runner = make_runner(splunk_home, app_dir, extra_env={"TINY_INPUT_SINGLE_INSTANCE": "1"})
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\n")
    assert len(runner.tick(now=0.0)) == 1
    assert runner.tick(now=1000.0) == []


def test_background_scheduler_runs_due_inputs(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\ninterval = 0.2\n")
    runner.start_scheduler(poll_seconds=0.05)
    try:
        deadline = time.monotonic() + 20
        while runner.index_store.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop_scheduler()
    assert runner.index_store.count() >= 2
