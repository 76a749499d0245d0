"""Real events of every sourcetype the add-on produces, for the static search checks.

The add-on's own collectors (test results of every data type, alerts, events, the activity
log, inventory, endpoint agents and their tests' results) run in-process against the
ThousandEyes simulator over loopback HTTPS, with the add-on's ApiClient, policy session and
XmlEventWriter: the code path of the modular inputs and of the acceptance runs, minus the
process around it. Pushed data: a metric and a trace splunk-hec stream the add-on's own
body (``ta_thousandeyes.streams.create_body``) makes in the simulator, and the HEC events the
simulator sends for them (its ground truth), as HEC indexes them: ``_raw`` is the event
(``metric``, or the span as JSON), the attributes are indexed ``fields``. The simulator's
small world has every test type in its default account group, so every data type yields
results. Nothing here is a hand-written field list: the fields are what the events carry.
"""

import io
import json
import logging
import tempfile
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Dict, List, Tuple

from ta_thousandeyes import instant_tests, redaction
from ta_thousandeyes import streams as stream_model
from ta_thousandeyes.api_client import ApiClient
from ta_thousandeyes.checkpoints import FileCheckpointStore, owner_of
from ta_thousandeyes.collectors import (
    activity,
    alerts,
    endpoint_inventory,
    endpoint_results,
    events,
    inventory,
    results,
)
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin
from ta_thousandeyes.modinputs.activity import ActivityInput
from ta_thousandeyes.modinputs.alerts import AlertsInput
from ta_thousandeyes.modinputs.endpoint_results import EndpointResultsInput
from ta_thousandeyes.modinputs.events import EventsInput
from ta_thousandeyes.modinputs.inventory import InventoryInput
from ta_thousandeyes.modinputs.results import ResultsInput

from tests.acceptance.wiring import StaticToken
from tests.simulators.splunk import modinput_log
from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.rounds import PUBLISH_DELAY

INPUT_CLASSES = (ResultsInput, AlertsInput, EventsInput, ActivityInput, InventoryInput,
                 EndpointResultsInput)  # fmt: skip
HOURS = 24  # enough simulated history for alerts and events that start and clear


def collect_events(seed: int = 7) -> Tuple[List[Dict], List[str]]:
    """Every event one run of each input writes over HOURS of simulated history, as
    ``{"sourcetype", "source", "_time", "_raw", "collector"}`` (what the index keeps of it,
    and the collector module that wrote it), and the splunkd.log lines of the runs' summaries."""
    with ThousandEyesSimulator(seed=seed, size="small", https=True,
                               stream_endpoint_check=False) as sim, \
            tempfile.TemporaryDirectory(prefix="te-knowledge-") as checkpoints:  # fmt: skip
        user = sim.world.user_by_email(sim.demo_email)
        token = sim.create_api_token(sim.demo_email)
        base = sim.region_urls("global")["api_base_url"]
        transport = build_session([origin(base)], ca_bundle=sim.ca_bundle_path)
        client = ApiClient(base, transport, StaticToken(token))
        groups = list(user.aids)
        now = sim.clock.now()
        runs = [
            ("test_results", lambda c: results.collect(c, [user.default_aid])),
            ("alerts", lambda c: alerts.collect(c, groups)),
            ("events", lambda c: events.collect(c, groups)),
            ("activity", lambda c: activity.collect(c)),
            ("inventory", lambda c: _inventory_with_endpoint(c, groups)),
            ("endpoint_results", lambda c: endpoint_results.collect(c, [user.default_aid])),
        ]
        collected, summaries = [], []  # type: List[Dict], List[str]
        for module, collect in runs:
            scheme = "thousandeyes_" + module
            out = io.BytesIO()
            writer = XmlEventWriter(output=out, error=io.StringIO())
            ctx = RunContext(
                client, writer, FileCheckpointStore(checkpoints),
                owner_of(scheme, "prod", "thousandeyes"), scheme + "://knowledge",
                index="thousandeyes", host="knowledge-host",
                initial_start=now - HOURS * 3600, clock=sim.clock.now,
            )  # fmt: skip
            started = sim.clock.now()
            collect(ctx)
            writer.close()
            assert not ctx.errors, (scheme, ctx.errors)
            collected.extend(_parse_stream(out.getvalue(), module))
            summaries.append(_summary_line(scheme, ctx, client, started, sim.clock.now))
        collected.extend(_instant_test_events(sim, client, user.default_aid))
        collected.extend(_pushed_events(sim, client, user.default_aid, now))
        transport.close()
    return collected, _as_splunkd_lines(summaries)


def _inventory_with_endpoint(ctx: RunContext, groups: List[str]) -> None:
    """The inventory input with endpoint = 1."""
    inventory.collect(ctx, groups)
    endpoint_inventory.collect(ctx, groups, float(int(ctx.now())))


def _pushed_events(sim, client: ApiClient, aid: str, now: float) -> List[Dict]:
    """What a metric stream and a trace stream of every test of the group push over HOURS."""
    sim.streams.auto_push = False  # nothing listens at the URL; ground truth is what it sends
    found = []  # type: List[Dict]
    for signal in ("metric", "trace"):
        body = stream_model.create_body(
            "knowledge " + signal, "https://hec.example.invalid:8088/services/collector/event",
            "00000000-0000-4000-8000-000000000001", signal=signal, index="thousandeyes",
        )  # fmt: skip
        stream = client.send("POST", "/streams", body, aid=aid)
        pushed = sim.streams.ground_truth(stream["id"], now - HOURS * 3600, now - PUBLISH_DELAY)
        assert pushed, f"the {signal} stream pushes"
        # HEC indexes a JSON event as its text: _raw is "metric" or the span's JSON
        found.extend(
            {"sourcetype": e["sourcetype"], "source": e["source"], "_time": float(e["time"]),
             "_raw": e["event"] if isinstance(e["event"], str) else json.dumps(e["event"]),
             "fields": dict(e["fields"]), "collector": "stream"}
            for e in pushed
        )  # fmt: skip
    return found


def event_json(event: Dict) -> Dict:
    """What search sees of an event as JSON: the _raw object and a HEC event's indexed fields."""
    seen = {}  # type: Dict
    if event["_raw"].startswith("{"):
        seen.update(json.loads(event["_raw"]))
    seen.update(event.get("fields") or {})
    return seen


class _Receiver:
    """splunkd's receivers/simple as the alert action posts to it: one event per line."""

    def __init__(self) -> None:
        self.events = []  # type: List[Dict]

    def post(self, path: str, body: bytes, sourcetype: str, source: str, **_: object) -> None:
        assert path == "receivers/simple", path
        for line in body.decode("utf-8").splitlines():
            record = json.loads(line)
            self.events.append(
                {"sourcetype": sourcetype, "source": source, "_time": float(0), "_raw": line,
                 "collector": "instant_tests", "_round": record.get("roundId")}
            )  # fmt: skip


def _instant_test_events(sim, client: ApiClient, aid: str) -> List[Dict]:
    """The alert action's events: one instant test of every type it offers, created, polled
    and indexed by the action's own code (its payload and Splunk side stood in for)."""
    agents = [agent.agent_id for agent in sim.world.agents_in(aid)][:2]
    targets = {"server": "www.example.com", "url": "https://www.example.com/",
               "domain": "example.com"}  # fmt: skip
    payload = {"sid": "scheduler__admin__search__knowledge", "search_name": "knowledge",
               "results_link": "https://splunk.example.com/app/search/@go?sid=k"}  # fmt: skip
    action = instant_tests.InstantTestAction(payload, clock=sim.clock.now, sleep=sim.clock.advance)
    receiver = _Receiver()
    for test_type, (body_field, _) in sorted(instant_tests.TEST_TYPES.items()):
        firing = SimpleNamespace(
            sid=payload["sid"], search_name=payload["search_name"], test_type=test_type,
            agents=agents, poll_seconds=10.0, results_timeout=180.0, index="thousandeyes",
        )  # fmt: skip
        body = {"testName": "knowledge " + test_type, body_field: targets[body_field],
                "agents": [{"agentId": agent} for agent in agents]}  # fmt: skip
        answer = client.post(f"/tests/{test_type}/instant", body, aid=aid)
        row = {"host": targets[body_field], "count": "1"}
        action._collect(firing, receiver, client, aid, [(targets[body_field], row, answer)])
    for event in receiver.events:  # props.conf: _time from the leading roundId
        event["_time"] = float(event.pop("_round") or 0)
    return receiver.events


def _summary_line(scheme: str, ctx: RunContext, client: ApiClient, started: float, clock) -> str:
    """The input's own run summary for this run (ThousandEyesInput.log_summary), as its
    stderr line: the redacting formatter's LOG_FORMAT, as every input process writes it."""
    script = next(c for c in INPUT_CLASSES if c.SCHEME == scheme)()
    script.clock = clock
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(redaction.RedactingFormatter(redaction.LOG_FORMAT))
    logger = logging.getLogger("ta_thousandeyes")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        script.log_summary(ctx.stanza, "ok", started, ctx, client, ctx.store)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return stream.getvalue().strip()


def _as_splunkd_lines(stderr_lines: List[str]) -> List[str]:
    """splunkd.log lines for those stderr lines, as the Splunk stand-in's runner writes them
    (``<date> <level>  ExecProcessor [...] - message from "<command>" <line>``)."""
    with tempfile.TemporaryDirectory(prefix="te-splunkd-") as home:
        for line in stderr_lines:
            modinput_log.log_stderr_line(home, "python3 bin/input.py", line)
        with open(modinput_log.splunkd_log_path(home), encoding="utf-8") as handle:
            return [line.rstrip("\n") for line in handle]


def _parse_stream(data: bytes, module: str) -> List[Dict]:
    if not data:
        return []
    root = ET.fromstring(data.decode("utf-8"))
    return [
        {
            "sourcetype": e.findtext("sourcetype"),
            "source": e.findtext("source"),
            "_time": float(e.findtext("time")),
            "_raw": e.findtext("data"),
            "collector": module,
        }
        for e in root.iter("event")
    ]


def json_fields(value, prefix: str = "") -> set:
    """Field names Splunk's KV_MODE = json (and spath) gives a JSON value: ``a.b`` for an
    object member, ``a{}`` for an array's values, ``a{}.b`` for members of objects in it."""
    names = set()
    if isinstance(value, dict):
        for key, member in value.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(member, (dict, list)):
                names |= json_fields(member, name)
            else:
                names.add(name)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                names |= json_fields(item, prefix + "{}")
            else:
                names.add(prefix + "{}")
    return names


def fields_by_sourcetype(collected: List[Dict]) -> Dict[str, set]:
    found = {}  # type: Dict[str, set]
    for event in collected:
        found.setdefault(event["sourcetype"], set()).update(json_fields(event_json(event)))
    return found
