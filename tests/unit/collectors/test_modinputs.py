import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from ta_thousandeyes.modinputs import arguments
from ta_thousandeyes.modinputs.alerts import AlertsInput
from ta_thousandeyes.modinputs.results import ResultsInput

from tests.simulators.splunk import conffile

VALIDATION = """<items><server_host>sh</server_host><server_uri>https://127.0.0.1:8089</server_uri>
<session_key>abc</session_key><checkpoint_dir>/tmp/x</checkpoint_dir>
<item name="a">{params}</item></items>"""


class FakeConfig:
    account_groups = [{"aid": "100", "name": "Main"}, {"aid": "200", "name": "Lab"}]


def run_validation(script, monkeypatch, **params):
    from ta_thousandeyes import connections

    def get_connection(service, name):
        if name != "prod":
            raise connections.UnknownConnectionError(name)
        return FakeConfig()

    monkeypatch.setattr(connections, "get_connection", get_connection)
    monkeypatch.setattr(type(script), "_service_from", staticmethod(lambda metadata: object()))
    body = "".join(f'<param name="{k}">{v}</param>' for k, v in params.items())
    out = io.StringIO()
    from splunklib.modularinput import EventWriter

    code = script.run_script(
        ["x", "--validate-arguments"],
        EventWriter(out, io.StringIO()),
        io.StringIO(VALIDATION.format(params=body)),
    )
    message = ET.fromstring(out.getvalue()).findtext("message") if out.getvalue() else None
    return code, message


def test_scheme_lists_arguments():
    scheme = ET.fromstring(ET.tostring(ResultsInput().get_scheme().to_xml()))
    names = {a.get("name") for a in scheme.iter("arg")}
    assert {
        "connection",
        "account_groups",
        "start_from",
        "test_types",
        "test_ids",
        "labels",
        "data_types",
    } <= names
    assert scheme.findtext("use_external_validation") == "true"
    assert scheme.findtext("use_single_instance") == "false"


def test_valid_input_passes(monkeypatch):
    assert run_validation(
        AlertsInput(),
        monkeypatch,
        connection="prod",
        account_groups="Main, 200",
        interval="300",
        start_from="7d",
    ) == (0, None)


@pytest.mark.parametrize(
    "params, phrase",
    [
        ({"connection": "nope"}, "Unknown connection 'nope'"),
        ({"connection": "prod", "account_groups": "Main, 999"}, "Unknown account group(s) '999'"),
        ({"connection": "prod", "interval": "10"}, "at least 60 seconds"),
        ({"connection": "prod", "interval": "every hour"}, "cron expression"),
        ({"connection": "prod", "start_from": "400d"}, "90 days"),
        ({"connection": "prod", "start_from": "yesterday"}, "duration such as"),
        ({"connection": "prod", "account_groups": "*, 100"}, "* alone"),
    ],
)
def test_bad_input_is_rejected_readably(monkeypatch, params, phrase):
    code, message = run_validation(AlertsInput(), monkeypatch, **params)
    assert code == 1 and phrase in message


def test_test_results_specific_validation(monkeypatch):
    code, message = run_validation(
        ResultsInput(), monkeypatch, connection="prod", test_types="network, carrier-pigeon"
    )
    assert code == 1 and "carrier-pigeon" in message
    code, message = run_validation(ResultsInput(), monkeypatch, connection="prod", test_ids="12,x")
    assert code == 1 and "Test ids are numbers" in message


def test_list_arguments_are_checked_by_one_helper(monkeypatch):
    """Review finding D4: both results inputs declare their list parameters (LIST_ARGUMENTS)
    and the base class checks them with arguments.validate_lists."""
    from ta_thousandeyes.modinputs.endpoint_results import EndpointResultsInput

    code, message = run_validation(
        EndpointResultsInput(), monkeypatch, connection="prod", test_kinds="scheduled, weekly"
    )
    assert code == 1 and "Test kinds: unknown value(s) 'weekly'" in message
    code, message = run_validation(
        EndpointResultsInput(), monkeypatch, connection="prod", data_types="bgp"
    )
    assert code == 1 and "Data types: unknown value(s) 'bgp'" in message
    spec = (arguments.ListArgument("ids", "Ids", numbers=True),
            arguments.ListArgument("kinds", "Kinds", choices=("a", "b")))  # fmt: skip
    arguments.validate_lists({"ids": "1, 22", "kinds": "a,b", "other": "x"}, spec)
    arguments.validate_lists({}, spec)
    with pytest.raises(arguments.ArgumentError, match="Ids are numbers"):
        arguments.validate_lists({"ids": "1,x"}, spec)
    with pytest.raises(arguments.ArgumentError, match="Kinds: unknown value"):
        arguments.validate_lists({"kinds": "c"}, spec)


def test_start_from_dates():
    now = 1_700_000_000.0
    assert arguments.parse_start("2h", now) == now - 7200
    assert arguments.parse_start("2023-11-10", now) == 1699574400.0
    assert arguments.parse_start("2023-11-10T01:00:00Z", now) == 1699578000.0


def _conf(name):
    with open(f"default/{name}") as handle:
        return conffile.parse(handle.read())


def test_every_scheme_stanza_declares_python_versions():
    stanzas = _conf("inputs.conf")
    for scheme in (
        "thousandeyes_test_results",
        "thousandeyes_alerts",
        "thousandeyes_events",
        "thousandeyes_activity",
        "thousandeyes_inventory",
        "thousandeyes_token_refresh",
    ):
        assert stanzas[scheme]["python.version"] == "python3"
        assert stanzas[scheme]["python.required"] == "3.9, 3.13"


def test_props_timestamps_parse_the_events_we_write(tmp_path, kv_service):
    """TIME_PREFIX + TIME_FORMAT of each sourcetype recover the <time> we wrote."""
    import calendar
    import time as _time

    from ta_thousandeyes.collectors import activity, alerts, events, inventory, results

    from tests.unit.collectors.helpers import Harness
    from tests.unit.collectors.sim_api import AID, SimApi

    api = SimApi(page_size=50)
    api.shape_tests("agent-to-server", "http-server", "bgp", "dns-server")
    clock = api.clock
    harness = Harness(api, clock, tmp_path, clock.now - 1800)
    # a day back: the world's alerts, events and activity of the account group are in it
    day = Harness(api, clock, tmp_path / "day", clock.now - 86400)
    try:
        harness.run(lambda ctx: results.collect(ctx, [AID]))
        day.run(lambda ctx: alerts.collect(ctx, [AID]))
        day.run(lambda ctx: events.collect(ctx, [AID]))
        day.run(lambda ctx: activity.collect(ctx))
        harness.run(lambda ctx: inventory.collect(ctx, [AID], kv_service=kv_service))
    finally:
        api.stop()
    props = _conf("props.conf")
    seen = set()
    from ta_thousandeyes.event_xml import to_json

    for epoch, sourcetype, _, data, _, _ in harness.events + day.events:
        stanza = props[sourcetype]
        raw = to_json(data)
        match = re.search(stanza["TIME_PREFIX"], raw)
        assert match, (sourcetype, raw[:80])
        text = raw[match.end() : match.end() + int(stanza["MAX_TIMESTAMP_LOOKAHEAD"])]
        if stanza["TIME_FORMAT"] == "%s":
            parsed = float(text)
        else:
            fmt = stanza["TIME_FORMAT"]
            parsed = calendar.timegm(
                _time.strptime(text[: len(_time.strftime(fmt, _time.gmtime(0)))], fmt)
            )
        assert parsed == int(epoch), sourcetype
        assert stanza["KV_MODE"] == "json" and stanza["SHOULD_LINEMERGE"] == "false"
        seen.add(sourcetype)
    assert len(seen) >= 8
    assert {"cisco:thousandeyes:alerts", "cisco:thousandeyes:event",
            "cisco:thousandeyes:activity"} <= seen  # fmt: skip


INPUT_XML = """<input><server_host>sh1</server_host><server_uri>https://127.0.0.1:1</server_uri>
<session_key>abc</session_key><checkpoint_dir>{cp}</checkpoint_dir><configuration>
<stanza name="thousandeyes_alerts://mine"><param name="connection">prod</param>
<param name="account_groups">*</param><param name="index">te</param>
<param name="interval">300</param><param name="start_from">1h</param></stanza>
</configuration></input>"""


class SimConfig:
    """The connection's account groups: two of the simulator's demo user."""

    account_groups = [{"aid": "2001", "name": "Acme Production"},
                      {"aid": "2002", "name": "Acme Staging"}]  # fmt: skip


def run_input(monkeypatch, tmp_path, clock, api, open_connection=None, capsys=None):
    """One run of the alerts input ``mine`` (start_from 1h, every account group) against the
    simulator (a SimApi)."""
    from types import SimpleNamespace

    from ta_thousandeyes import assembly
    from ta_thousandeyes.event_xml import XmlEventWriter

    def default_open(service, name, **kwargs):
        return SimpleNamespace(
            region=SimpleNamespace(api_base_url=api.base_url),
            session=api.session(),
            token_source=api.token_source(),
            config=SimConfig(),
            close=lambda: None,
            name=name,
        )

    monkeypatch.setattr(assembly, "open_connection", open_connection or default_open)
    script = AlertsInput()
    script.clock = clock
    out = io.BytesIO()
    (tmp_path / "cp").mkdir(exist_ok=True)
    code = script.run_script(
        ["x"],
        XmlEventWriter(output=out, error=io.StringIO()),
        io.StringIO(INPUT_XML.format(cp=tmp_path / "cp")),
    )
    return code, out.getvalue()


def alerts_of_the_hour(api, end):
    """The alert events the simulator's two account groups hold for [now - 1h, end]."""
    start = api.clock.now - 3600
    return [(aid, a["id"], state) for aid in ("2001", "2002") for state in ("trigger", "clear")
            for a in api.truth("alerts", start, end, aid=aid, state=state)]  # fmt: skip


@pytest.fixture
def sim_alerts():
    """The simulator with its real rate limit (240 a minute), at an hour with alerts that
    triggered and cleared in both account groups of SimConfig."""
    from tests.unit.collectors.sim_api import START, SimApi

    api = SimApi(page_size=100, rate_limit=240)
    api.clock.now = START + 8400
    yield api
    api.stop()


def test_run_writes_events_and_one_summary_line(monkeypatch, tmp_path, sim_alerts, capsys):
    from ta_thousandeyes.modinputs.base import URGENT_SETTLE_SECONDS

    api = sim_alerts
    clock = api.clock
    remaining = []
    api.after_receive.append(
        lambda url, reply: remaining.append(reply.headers["X-Organization-Rate-Limit-Remaining"])
    )
    want = alerts_of_the_hour(api, clock.now - URGENT_SETTLE_SECONDS)
    assert {state for _, _, state in want} == {"trigger", "clear"}
    assert {aid for aid, _, _ in want} == {"2001", "2002"}
    code, raw = run_input(monkeypatch, tmp_path, clock, api)
    assert code == 0
    events = ET.fromstring(raw).findall("event")
    assert [(e.get("stanza"), e.findtext("index"), e.findtext("host")) for e in events] == [
        ("thousandeyes_alerts://mine", "te", "sh1")
    ] * len(want)  # 2 groups x what each holds
    written = [json.loads(e.findtext("data")) for e in events]
    assert sorted((d["aid"], d["id"], d["eventState"]) for d in written) == sorted(want)
    err = capsys.readouterr().err
    summary = [line for line in err.splitlines() if "run summary" in line]
    assert len(summary) == 1
    assert 'status="ok"' in summary[0] and f'events="{len(want)}"' in summary[0]
    assert 'api_calls="4"' in summary[0] and 'checkpoint_backend="file"' in summary[0]
    assert len(remaining) == 4
    assert f'rate_limit_remaining="{remaining[-1]}"' in summary[0] and 'reason=""' in summary[0]


def test_reauthorization_is_one_clear_line(monkeypatch, tmp_path, sim_alerts, capsys):
    from ta_thousandeyes import tokens

    def refuse(service, name, **kwargs):
        raise tokens.ReauthorizationRequired(name, "Connection 'prod' needs re-authorization")

    api = sim_alerts
    code, raw = run_input(monkeypatch, tmp_path, api.clock, api, open_connection=refuse)
    err = capsys.readouterr().err
    assert code == 0 and raw == b""
    lines = [line for line in err.splitlines() if line.strip()]
    assert any(line.startswith("ERROR") and "needs re-authorization" in line for line in lines)
    assert "Traceback" not in err
    (summary,) = [line for line in lines if "run summary" in line]
    assert 'status="needs_reauthorization"' in summary
    assert "reason=\"Connection 'prod' needs re-authorization\"" in summary  # says why


def test_alert_a_run_can_see_is_written_by_that_run(monkeypatch, tmp_path, sim_alerts):
    """Issue 17 point 2: an alert's lag stays within its input's interval + 30 s. An alert
    that started 20 s before a run is in the API then, so that run writes it (a 60 s settle,
    the test results', left it to the next run: interval + up to 60 s)."""
    from ta_thousandeyes.modinputs.base import URGENT_SETTLE_SECONDS

    api = sim_alerts
    clock = api.clock
    from tests.simulators.thousandeyes import incidents

    later = [ep for test in api.tests()
             for ep in incidents.alert_episodes(api.world, test, clock.now, clock.now + 7200)
             if ep.start > clock.now]  # fmt: skip
    fresh = min(later, key=lambda ep: ep.start)  # the next alert to trigger in 2001
    clock.now = fresh.start + 20
    want = [w for w in alerts_of_the_hour(api, clock.now - URGENT_SETTLE_SECONDS)
            if w[2] == "trigger"]  # fmt: skip
    assert ("2001", fresh.alert_id, "trigger") in want
    code, raw = run_input(monkeypatch, tmp_path, clock, api)
    assert code == 0
    events = ET.fromstring(raw) if raw else []  # before the fix the run wrote nothing
    written = [json.loads(e.findtext("data")) for e in events]
    triggers = sorted((d["aid"], d["id"], d["eventState"]) for d in written
                      if d["eventState"] == "trigger")  # fmt: skip
    assert triggers == sorted(want)  # the fresh one among them


def test_test_results_still_wait_for_a_round_to_settle():
    """Only urgent inputs ask for the last seconds; test results keep their 60 s."""
    from ta_thousandeyes.modinputs.base import SETTLE_SECONDS, URGENT_SETTLE_SECONDS

    assert ResultsInput().settle_seconds == SETTLE_SECONDS == 60.0
    assert AlertsInput().settle_seconds == URGENT_SETTLE_SECONDS < 30.0
