"""The stand-in fires custom alert actions as splunkd does, and receivers/simple indexes.

Each check names its source (tests/simulators/splunk/alert_actions.py and receivers.py give
them in full):
- CustomAlertScript: docs.splunk.com/Documentation/Splunk/8.1.2/AdvancedDev/CustomAlertScript
  ("the script receives one command line argument, which is the string --execute"; "Read
  configuration payload from stdin"; JSON "if specified in alert_actions.conf"; the payload
  holds the session key, management URL, SID, saved search name, path of the results file,
  URL to the results, the merged alert_actions.conf and savedsearches.conf parameters and
  the first result; a script past its threshold "is forcefully terminated").
- SPEC: alert_actions.conf.spec (livehybrid/splunk-spec-files): is_custom, payload_format,
  alert.execute.cmd ("If a python (*.py) script is specified, it is prefixed with the
  bundled python interpreter"), maxtime default 5m.
- SENDALERT: Search Reference "sendalert": "handing over the payload by using STDIN" and
  "terminates the process if the process runs longer than the configured threshold".
- SCRIPTS: public action scripts read payload["results_file"] with gzip.open + csv.DictReader.
- SLACK: splunk/splunk-app-examples custom_alert_actions/slack_alerts: exit codes 1-6 are
  failures Splunk reports ("Alert script returned error code 6").
- SUBMIT: splunklib Index.submit posts the event to receivers/simple with index, host,
  source and sourcetype in the query.
"""

import csv
import gzip
import json
import os
import sys
import textwrap

import pytest
from splunklib.binding import HTTPError

from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.alert_actions import AlertActionRunner

SCRIPT = textwrap.dedent(
    """
    import csv, gzip, json, os, sys, time
    payload = json.loads(sys.stdin.read())
    rows = list(csv.DictReader(gzip.open(payload["results_file"], "rt", newline="")))
    with open(os.path.join(os.environ["SPLUNK_HOME"], "seen.json"), "w") as out:
        json.dump({"argv": sys.argv[1:], "payload": payload, "rows": rows}, out)
    sys.stderr.write("INFO read %d rows\\n" % len(rows))
    sys.stderr.write("something without a level\\n")
    time.sleep(float(payload["configuration"].get("sleep", "0")))
    sys.exit(int(payload["configuration"].get("code", "0")))
    """
)


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "apps_src" / "probe_app"
    (folder / "bin").mkdir(parents=True)
    (folder / "default").mkdir()
    (folder / "bin" / "probe.py").write_text(SCRIPT)
    (folder / "default" / "alert_actions.conf").write_text(
        "[probe]\nis_custom = 1\nlabel = Probe\npayload_format = json\n"
        "alert.execute.cmd = probe.py\nparam.code = 0\nparam.greeting = hello\nmaxtime = 2s\n"
        "\n[notcustom]\nlabel = x\n"
    )
    (folder / "default" / "props.conf").write_text(
        "[probe:json]\nSHOULD_LINEMERGE = false\nLINE_BREAKER = ([\\r\\n]+)\n"
        'TIME_PREFIX = ^\\{"t":\nTIME_FORMAT = %s\nMAX_TIMESTAMP_LOOKAHEAD = 10\n'
    )
    return folder


@pytest.fixture
def splunk(tmp_path, app):
    with SplunkEmulator(splunk_home=tmp_path / "splunk", apps={"probe_app": str(app)}) as s:
        yield s


def runner(splunk):
    return AlertActionRunner(splunk.home, splunk.app_dir("probe_app"), "probe_app",
                             splunk.splunkd_uri, python=[sys.executable, "-I"])  # fmt: skip


def seen(splunk):
    with open(os.path.join(splunk.home, "seen.json")) as handle:
        return json.load(handle)


def test_payload_on_stdin_with_execute_and_gzipped_csv(splunk):
    results = [{"host": "a.example.com", "n": "1"}, {"host": ["b", "c"], "n": "2"}]
    run = runner(splunk).fire("probe", "My alert", results, {"greeting": "hi"},
                                    session_key="key-1")  # fmt: skip
    assert run.exit_code == 0
    got = seen(splunk)
    assert got["argv"] == ["--execute"]  # CustomAlertScript
    payload = got["payload"]
    for key in ("session_key", "server_uri", "sid", "search_name", "results_file",
                "results_link", "configuration", "result", "app", "owner"):  # fmt: skip
        assert key in payload, key  # CustomAlertScript, SCRIPTS
    assert payload["configuration"] == {"code": "0", "greeting": "hi"}  # merged, alert wins
    assert payload["server_uri"] == splunk.splunkd_uri and payload["search_name"] == "My alert"
    assert payload["result"] == {"host": "a.example.com", "n": "1"}  # the first result
    with gzip.open(payload["results_file"], "rt", newline="") as handle:  # SCRIPTS
        rows = list(csv.DictReader(handle))
    assert rows[1]["host"] == "b\nc" and rows[1]["__mv_host"] == "$b$;$c$"
    log = splunk.splunkd_log()
    assert "INFO  sendmodalert" in log and "action=probe STDERR - INFO read 2 rows" in log
    assert "ERROR sendmodalert" in log  # a line without a level is logged as ERROR
    assert "exit code=0" in log


def test_exit_code_and_maxtime(splunk):
    failed = runner(splunk).fire("probe", "a", [{"x": "1"}], {"code": "5"})
    assert failed.exit_code == 5  # SLACK
    assert "Alert action script returned error code=5" in splunk.splunkd_log()
    slow = runner(splunk).fire("probe", "a", [{"x": "1"}], {"sleep": "10"})
    assert slow.timed_out and slow.exit_code != 0  # SPEC maxtime = 2s, SENDALERT
    assert slow.duration < 8


def test_only_custom_actions_with_a_stanza(splunk):
    with pytest.raises(ValueError):
        runner(splunk).fire("notcustom", "a", [])
    with pytest.raises(ValueError):
        runner(splunk).fire("missing", "a", [])


def test_receivers_simple_indexes_through_props_and_needs_edit_tcp(splunk):
    service = splunk.service("admin", app="probe_app")
    body = '{"t":1700000000,"a":1}\n{"t":1700000060,"a":2}'
    service.post("receivers/simple", body=body.encode(), index="main",
                 sourcetype="probe:json", source="probe")  # fmt: skip  # SUBMIT
    found = list(splunk.splunkd.receiver.store.search(index="main", sourcetype="probe:json"))
    assert [event["_time"] for event in found] == [1700000000, 1700000060]  # LINE_BREAKER
    assert found[0]["source"] == "probe" and json.loads(found[1]["_raw"])["a"] == 2
    splunk.add_user("viewer", "pw", ["user"])
    with pytest.raises(HTTPError) as refused:
        splunk.service("viewer", "pw", app="probe_app").post(
            "receivers/simple", body=b"x", index="main"
        )
    assert refused.value.status == 403
