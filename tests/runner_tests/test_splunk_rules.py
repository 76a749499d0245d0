"""Conformance: the modular input runner follows splunkd's rules (issue 21, point 6), with the
tiny input only (no add-on code). Each test names its source; /work/shared/reference's
splunk-behaviour.md section 7 collects them. Spec line numbers are livehybrid/splunk-spec-files
at dff5abf (Splunk 9.4.3)."""

import json
import os
import time

import pytest

from tests.runner_tests.conftest import make_runner, write_local_inputs
from tests.simulators.splunk import modinput_config as config
from tests.simulators.splunk import modinput_log
from tests.simulators.splunk.inputs_manager import InputsManager

FIRST_EVENT_TIME = 1700000000.0


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _local_props(app_dir, text):
    _write(os.path.join(str(app_dir), "local", "props.conf"), text)


def _raws(runner):
    return [event["_raw"] for event in runner.index_store.search()]


def _warnings(splunk_home, component):
    return [
        e["message"]
        for e in modinput_log.read_entries(str(splunk_home), component)
        if e["level"] == "WARN"
    ]


def _checkpoint(splunk_home, stanza_file):
    path = os.path.join(config.checkpoint_dir(str(splunk_home), "tiny_input"), stanza_file)
    with open(path) as handle:
        return json.load(handle)["last_seq"]


# --- interval: inputs.conf.spec lines 1382-1399 --------------------------------------------
def test_a_cron_input_does_not_run_at_start_up(splunk_home, app_dir, runner):
    """inputs.conf.spec 1397: "when you specify a cron schedule, the input does not run the
    script on start-up"; a number runs at start-up, then every interval."""
    write_local_inputs(
        app_dir,
        "[tiny_input://cron]\nevents = 1\ninterval = */5 * * * *\n\n"
        "[tiny_input://every]\nevents = 1\ninterval = 600\n",
    )
    start = time.mktime((2024, 5, 1, 10, 2, 30, 0, 0, -1))
    assert [r.stanzas[0] for r in runner.tick(now=start)] == ["tiny_input://every"]
    first_cron = time.mktime((2024, 5, 1, 10, 5, 0, 0, 0, -1))
    assert runner.next_due("tiny_input://cron") == first_cron
    assert runner.tick(now=first_cron - 1) == []
    assert [r.stanzas[0] for r in runner.tick(now=first_cron)] == ["tiny_input://cron"]
    assert runner.next_due("tiny_input://cron") == first_cron + 300


def test_an_edited_cron_input_waits_for_its_schedule(splunk_home, app_dir, runner):
    """An edit restarts the input (splunkd reloads it): for a cron input that is a start-up too."""
    write_local_inputs(app_dir, "[tiny_input://cron]\nevents = 1\ninterval = 0 * * * *\n")
    start = time.mktime((2024, 5, 1, 10, 20, 0, 0, 0, -1))
    assert runner.tick(now=start) == []
    runner.restart_input("tiny_input://cron")
    assert runner.tick(now=start + 60) == []
    assert runner.next_due("tiny_input://cron") == time.mktime((2024, 5, 1, 11, 0, 0, 0, 0, -1))


def test_minus_one_runs_once_and_zero_runs_again_at_once(splunk_home, app_dir, runner):
    """inputs.conf.spec 1394-1396: "0" restarts the script as soon as it exits, "-1" runs it
    once on start-up."""
    write_local_inputs(
        app_dir,
        "[tiny_input://once]\nevents = 1\ninterval = -1\n\n"
        "[tiny_input://again]\nevents = 1\ninterval = 0\n",
    )
    assert sorted(r.stanzas[0] for r in runner.tick(now=100.0)) == [
        "tiny_input://again",
        "tiny_input://once",
    ]
    assert [r.stanzas[0] for r in runner.tick(now=100.0)] == ["tiny_input://again"]


# --- stopping: ProcessRunner's warning (splunk/splunk-sdk-java issue #92) ---------------------
def _start(runner, stanza):
    future = runner.run_in_background(stanza)
    assert runner.wait_until_running(stanza)
    deadline = time.monotonic() + 30
    while runner.index_store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # the index file appears with the first flushed events
    return future


def test_stopping_signals_sigterm_before_any_kill(splunk_home, app_dir, runner):
    """splunkd "signals the process to exit" and only forcibly terminates it after a grace
    period: a script with the default SIGTERM action dies of SIGTERM, never of SIGKILL."""
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 100000\ndelay = 0.01\npad = 9000\n")
    future = runner.run_in_background("tiny_input://a")
    assert runner.wait_until_running("tiny_input://a")
    time.sleep(0.5)
    assert runner.stop("tiny_input://a", grace=30)
    result = future.result(timeout=60)
    assert result.stopped and not result.forced and not result.killed
    assert result.exit_code == -15
    assert not _warnings(splunk_home, "ProcessRunner")


def test_an_input_that_handles_sigterm_finishes_and_resumes_exactly(splunk_home, app_dir, runner):
    write_local_inputs(
        app_dir, "[tiny_input://a]\nevents = 100000\ndelay = 0.01\non_sigterm = finish\n"
    )
    future = _start(runner, "tiny_input://a")
    assert runner.stop("tiny_input://a", grace=30, wait=True)
    result = future.result(timeout=60)
    assert result.stopped and not result.forced and result.exit_code == 0
    assert any("stopping on SIGTERM" in line for line in result.stderr_lines)
    saved = _checkpoint(splunk_home, "tiny_input_a.json")
    assert saved == result.events_written > 0
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 3\n")
    runner.run_once("tiny_input://a")
    seqs = [int(raw.split()[0][4:]) for raw in _raws(runner)]
    assert seqs == list(range(1, saved + 4))


def test_an_input_that_ignores_sigterm_is_killed_after_the_grace_period(splunk_home, app_dir):
    runner = make_runner(splunk_home, app_dir, stop_grace_seconds=1.0)
    write_local_inputs(
        app_dir, "[tiny_input://a]\nevents = 100000\ndelay = 0.01\non_sigterm = ignore\n"
    )
    future = _start(runner, "tiny_input://a")
    asked = time.monotonic()
    runner.stop("tiny_input://a")
    result = future.result(timeout=60)
    assert time.monotonic() - asked >= 1.0
    assert result.stopped and result.forced and result.killed and result.exit_code == -9
    (warning,) = _warnings(splunk_home, "ProcessRunner")
    assert warning.endswith(
        "did not exit within a given grace period after being signaled to exit. "
        "Will have to forcibly terminate."
    )


def test_disabling_an_input_stops_it_gracefully(splunk_home, app_dir, runner):
    """A change to an input restarts it: splunkd stops the running process the same way."""
    write_local_inputs(
        app_dir, "[tiny_input://a]\nevents = 100000\ndelay = 0.01\non_sigterm = finish\n"
    )
    manager = InputsManager(str(app_dir), "tiny_app", runner)
    future = _start(runner, "tiny_input://a")
    manager.set_disabled("tiny_input", "a", True)
    result = future.result(timeout=60)
    assert result.stopped and result.exit_code == 0


# --- props.conf.spec: TRUNCATE 267-273, LINE_BREAKER 275-299, SHOULD_LINEMERGE 369 -----------
def test_truncate_defaults_to_10000_bytes(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\npad = 12000\n")
    runner.run_once("tiny_input://a")
    raws = _raws(runner)
    assert [len(raw.encode()) for raw in raws] == [10000, 10000]
    assert raws[0].startswith("seq=1 stanza=tiny_input://a")
    warnings = _warnings(splunk_home, "LineBreakingProcessor")
    assert len(warnings) == 2
    assert warnings[0].startswith("Truncating line because limit of 10000 bytes has been exceeded")
    assert 'data_sourcetype="tiny:event"' in warnings[0]


@pytest.mark.parametrize("char", ["é", "€", "😀"])
def test_truncation_is_rounded_down_at_a_character_boundary(splunk_home, app_dir, runner, char):
    # "seq=1 stanza=tiny_input://a" is 27 bytes: 10000 lands inside a multi-byte character.
    write_local_inputs(app_dir, f"[tiny_input://a]\nevents = 1\npad = 6000\npad_char = {char}\n")
    runner.run_once("tiny_input://a")
    (raw,) = _raws(runner)
    size = len(raw.encode())
    width = len(char.encode())
    assert 10000 - width < size < 10000
    assert raw == "seq=1 stanza=tiny_input://a" + char * ((size - 27) // width)


def test_truncate_zero_disables_truncation_and_props_precedence_holds(splunk_home, app_dir, runner):
    """TRUNCATE = 0: never truncate. The app's local props.conf sets it; etc/system/local beats
    every app (Admin Manual, "Configuration file precedence", global context)."""
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\npad = 30000\n")
    _local_props(app_dir, "[tiny:event]\nTRUNCATE = 0\n")
    runner.run_once("tiny_input://a")
    assert [len(raw) for raw in _raws(runner)] == [27 + 30000]
    assert not _warnings(splunk_home, "LineBreakingProcessor")
    _write(os.path.join(str(splunk_home), "etc", "system", "local", "props.conf"),
           "[tiny:event]\nTRUNCATE = 500\n")  # fmt: skip
    runner.run_once("tiny_input://a")
    assert [len(raw) for raw in _raws(runner)] == [27 + 30000, 500]


def test_line_breaker_splits_streamed_events_without_line_merging(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\nnewlines = true\n")
    _local_props(app_dir, "[tiny:event]\nSHOULD_LINEMERGE = false\n")
    result = runner.run_once("tiny_input://a")
    assert result.events_written == 4
    assert _raws(runner) == ["seq=1", "stanza=tiny_input://a", "seq=2", "stanza=tiny_input://a"]
    times = [event["_time"] for event in runner.index_store.search()]
    assert times == [FIRST_EVENT_TIME + 1] * 2 + [FIRST_EVENT_TIME + 2] * 2


def test_line_merging_keeps_a_streamed_event_whole(splunk_home, app_dir, runner):
    """SHOULD_LINEMERGE defaults to true: the lines of one streamed event merge back."""
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\nnewlines = true\n")
    assert runner.run_once("tiny_input://a").events_written == 2
    assert _raws(runner) == ["seq=1\nstanza=tiny_input://a", "seq=2\nstanza=tiny_input://a"]


def test_a_custom_line_breaker_discards_its_first_group(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\n")
    _local_props(app_dir, "[tiny:event]\nSHOULD_LINEMERGE = false\nLINE_BREAKER = (\\s+)stanza=\n")
    runner.run_once("tiny_input://a")
    assert _raws(runner) == ["seq=1", "stanza=tiny_input://a"]


# --- timestamps: props.conf.spec 502-565 -----------------------------------------------------
def test_time_format_reads_the_timestamp_when_the_stream_has_none(splunk_home, app_dir, runner):
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 2\nno_time = true\n")
    _local_props(app_dir, "[tiny:event]\nTIME_PREFIX = ^time=\nTIME_FORMAT = %s\n"
                          "MAX_TIMESTAMP_LOOKAHEAD = 14\n")  # fmt: skip
    runner.run_once("tiny_input://a")
    times = [event["_time"] for event in runner.index_store.search()]
    assert times == [FIRST_EVENT_TIME + 1, FIRST_EVENT_TIME + 2]


def test_without_a_match_the_input_layer_time_stays_and_a_warning_is_logged(
    splunk_home, app_dir, runner
):
    """DATETIME_CONFIG = NONE "leaves the event time set to whatever time was selected by the
    input layer": the stream's <time> is that time; an extractor that finds nothing keeps it."""
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\n")
    _local_props(app_dir, "[tiny:event]\nTIME_PREFIX = ^time=\nTIME_FORMAT = %s\n")
    runner.run_once("tiny_input://a")
    assert [event["_time"] for event in runner.index_store.search()] == [FIRST_EVENT_TIME + 1]
    assert any(
        "Failed to parse timestamp" in w for w in _warnings(splunk_home, "DateParserVerbose")
    )


def test_the_extracted_timestamp_wins_over_the_streamed_time(splunk_home, app_dir, runner):
    """The timestamp extractor runs unless DATETIME_CONFIG is CURRENT or NONE (spec 502-523)."""
    write_local_inputs(app_dir, "[tiny_input://a]\nevents = 1\nprefix = 2023-11-14T22:13:20Z \n")
    _local_props(app_dir, "[tiny:event]\nTIME_FORMAT = %Y-%m-%dT%H:%M:%SZ\nTZ = UTC\n")
    runner.run_once("tiny_input://a")
    assert [event["_time"] for event in runner.index_store.search()] == [1700000000.0]
    _local_props(app_dir, "[tiny:event]\nTIME_FORMAT = %Y-%m-%dT%H:%M:%SZ\nTZ = UTC\n"
                          "DATETIME_CONFIG = NONE\n")  # fmt: skip
    runner.run_once("tiny_input://a")
    assert [event["_time"] for event in runner.index_store.search()][-1] == FIRST_EVENT_TIME + 2


# --- inputs.conf precedence: Admin Manual "Configuration file precedence" ---------------------
def _app(splunk_home, name, folder, text, state=None):
    base = os.path.join(str(splunk_home), "etc", "apps", name)
    _write(os.path.join(base, folder, "inputs.conf"), text)
    if state:
        _write(os.path.join(base, "local", "app.conf"), f"[install]\nstate = {state}\n")


def test_inputs_conf_is_merged_across_apps_and_system_local(splunk_home, app_dir, runner):
    """Global context: system/local, then every app's local/, then every app's default/, then
    system/default; among apps ASCII order of the folder names ("A" beats "B", "Z" beats "a")."""
    write_local_inputs(app_dir, "[tiny_input://mine]\nevents = 1\n")
    _app(splunk_home, "deploy_inputs", "local", "[tiny_input://theirs]\nevents = 5\n")
    _app(splunk_home, "Zapp", "default", "[tiny_input://theirs]\nevents = 7\nindex = te\n")
    _app(splunk_home, "Aapp", "default", "[tiny_input://theirs]\nevents = 6\n")
    _app(splunk_home, "off", "default", "[tiny_input://ghost]\nevents = 1\n", state="disabled")
    _write(os.path.join(str(splunk_home), "etc", "system", "local", "inputs.conf"),
           "[default]\nhost = sysbox\n")  # fmt: skip
    stanzas = runner.input_stanzas("tiny_input")
    assert sorted(stanzas) == ["tiny_input://mine", "tiny_input://theirs"]
    theirs = stanzas["tiny_input://theirs"]
    # a local/ of any app beats every default/; among the default/s, Aapp beats Zapp
    assert (theirs["events"], theirs["index"], theirs["host"]) == ("5", "te", "sysbox")
    assert stanzas["tiny_input://mine"]["sourcetype"] == "tiny:event"  # our [tiny_input]
    assert config.defining_apps(str(app_dir))["tiny_input://theirs"] == "deploy_inputs"
    manager = InputsManager(str(app_dir), "tiny_app", runner)
    apps = {name: content["eai:appName"] for name, content in manager.list("tiny_input")}
    assert apps == {"mine": "tiny_app", "theirs": "deploy_inputs"}
    result = runner.run_once("tiny_input://theirs")
    assert result.events_written == 5
    assert runner.index_store.count_by("host", "index") == {("sysbox", "te"): 5}


def test_upper_case_app_names_beat_lower_case_ones(splunk_home, app_dir, runner):
    _app(splunk_home, "aaa", "local", "[tiny_input://x]\nevents = 1\n")
    _app(splunk_home, "ZZZ", "local", "[tiny_input://x]\nevents = 2\n")
    assert runner.input_stanzas("tiny_input")["tiny_input://x"]["events"] == "2"
