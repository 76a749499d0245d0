"""What a stream sends: data model v2 metric data points as Splunk HEC events, and the pusher.

Sources (``shared/reference/thousandeyes-streams-endpoint.md``, tags as there):
- Metric names, units and attributes per test type: DOC-V2. Every data point carries the
  common attributes ``thousandeyes.stream.id``, ``.account.id``, ``.test.{domain,id,name,
  type}``, ``.source.agent.*``, ``.data.version``, ``.permalink``. Availability is 0 on an
  error, else 100 (DOC-V2). A test streams every layer it measures, so an HTTP server test
  also sends network metrics (DOC-SL). BGP data is event-driven (DOC-SL): a monitor's round
  is sent only when it saw updates.
- Tag values of ``tagMatch`` become attributes whose value is the list of the tag's values
  (DOC-V1); the HEC exporter writes a list attribute as its JSON text (OTEL-HEC).
- HEC event (OTEL-HEC, "best inference" in the reference): one event per data point,
  ``{"time": <s, ms precision>, "host": "unknown", "source", "sourcetype", "index"?,
  "event": "metric", "fields": {<attributes as strings>, "metric_name:<name>": <value>,
  "metric_type": "Gauge"}}``; ``index`` only when the stream sets one (else the token's).
- POST to the full ``streamEndpointUrl`` with ``Authorization: Splunk <token>`` plus the
  stream's ``customHeaders`` (TA, WS; the header is HEC's standard one).

- Traces: a ``trace`` stream (v2) of page-load, web-transactions and API tests (the tests the
  official app offers for traces, TA) sends spans in the OTel HEC exporter's span event
  (OTEL-HEC ``tracedata_to_splunk.go``): ``event`` = ``{trace_id, span_id, parent_span_id,
  name, kind, start_time, end_time (epoch ns), status{code, message}, attributes}``,
  ``fields`` = the resource attributes as strings, ``time`` = the span's start. ThousandEyes
  documents neither its span names nor attributes: one root span per round and agent, named
  after the test type, lasting the round's page-load, transaction or API time, with the
  common ``thousandeyes.*`` attributes and the agent's id and name, is the simulator's choice.

Not in the sources, so the simulator's choices (tests/simulators/README.md):
- When: data points of a round are due once the round is published (``rounds.PUBLISH_DELAY``
  after it starts). ``push_due()`` sends everything due; the simulator calls it after every
  ``clock.advance`` (``auto_push``), so a test that moves the clock gets the pushes before
  ``advance`` returns. Real time passing alone pushes nothing.
- Which tests: those of ``testMatch`` and ``tagMatch`` together; with neither, every test of
  the account group. ``filters.testTypes`` then keeps only those types. API and voice tests
  send nothing (their v2 metric names were not retrieved). Only ``splunk-hec`` streams of
  signal ``metric`` and data model ``v2`` push; the others stay pending.
- Batching: events in time order, at most ``batch_size`` per request, several JSON objects
  concatenated in one body (HEC's batch format).
- Failures: 2xx is success. A 4xx other than 429 is permanent (the OTel HEC exporter does
  not retry them): those points are dropped. No connection, a TLS error, 429 or 5xx are
  retried from the same point at the next push. Either way ``streamStatus`` turns failing.
"""

from __future__ import annotations

import json
import math
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import requests

from .hashing import stable_int
from .representations import APP, test_result_json
from .rounds import PUBLISH_DELAY, first_round, units
from .streams import StreamRecord, StreamStore
from .world import Test, World

Event = Dict[str, Any]
TAG_VALUES = {"env": ["production", "staging"], "team": ["netops", "web", "voice"]}
DEFAULT_BATCH_SIZE = 500
REQUEST_TIMEOUT = 10.0


def test_tags(world: World, test: Test) -> Dict[str, List[str]]:
    """The test's tags (key -> values), derived from the seed: every test has one ``env``
    value; ``team`` has one or two values (the world holds no tags of its own)."""
    env = TAG_VALUES["env"][stable_int(world.seed, "tag-env", test.test_id) % 2]
    teams = TAG_VALUES["team"]
    first = stable_int(world.seed, "tag-team", test.test_id) % len(teams)
    chosen = [teams[first]]
    if stable_int(world.seed, "tag-team-2", test.test_id) % 3 == 0:
        chosen.append(teams[(first + 1) % len(teams)])
    return {"env": [env], "team": sorted(chosen)}


# ---------------------------------------------------------------- data model v2 metrics
def _availability(error: bool) -> float:
    return 0.0 if error else 100.0


def _network(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("network.latency", round(r["avgLatency"] / 1000, 6)),  # ms in the API, s in v2
        ("network.loss", r["loss"]),
        ("network.jitter", r["jitter"]),
    ]


def _http(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("http.server.request.availability", _availability(r["responseCode"] >= 400)),
        ("http.server.throughput", float(r["throughput"])),
        ("http.client.request.duration", r["responseTime"] / 1000),  # time to first byte
    ]


def _page_load(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("web.page_load.duration", r["pageLoadTime"] / 1000),
        ("web.page_load.completion", _availability(r["numErrors"] > 0)),
    ]


def _web_transactions(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("web.transaction.duration", r["transactionTime"] / 1000),
        ("web.transaction.errors.count", float(r["componentErrors"])),
        ("web.transaction.completion", _availability("errorType" in r)),
    ]


def _dns_server(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [("dns.lookup.availability", 100.0), ("dns.lookup.duration", r["resolutionTime"] / 1000)]


def _dns_trace(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("dns.lookup.availability", _availability(r["failedQueries"] > 0)),
        ("dns.lookup.duration", r["finalQueryTime"] / 1000),
    ]


def _dnssec(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [("dns.lookup.validity", 100.0 if r["isValid"] else 0.0)]


def _ftp(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("ftp.server.request.availability", _availability(r["responseCode"] >= 400)),
        ("ftp.client.request.duration", r["responseTime"] / 1000),
        ("ftp.server.throughput", float(r["throughput"])),
    ]


def _sip(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("sip.server.request.availability", r["availability"]),
        ("sip.client.request.duration", r["totalTime"] / 1000),
    ]


def _bgp(r: Dict[str, Any]) -> List[Tuple[str, float]]:
    return [
        ("bgp.path_changes.count", float(r["pathChanges"])),
        ("bgp.reachability", r["reachability"]),
        ("bgp.updates.count", float(r["updates"])),
    ]


# result kind (the API's) -> its v2 metrics; kinds not here (path-vis, api, rtp-server) send none
V2_METRICS: Dict[str, Callable[[Dict[str, Any]], List[Tuple[str, float]]]] = {
    "network": _network,
    "http-server": _http,
    "page-load": _page_load,
    "web-transactions": _web_transactions,
    "dns-server": _dns_server,
    "dns-trace": _dns_trace,
    "dnssec": _dnssec,
    "ftp-server": _ftp,
    "sip-server": _sip,
    "bgp": _bgp,
}


def _specific_attributes(test: Test, kind: str, record: Dict[str, Any]) -> Dict[str, str]:
    """The attributes DOC-V2 lists for the test type (those the simulated world can fill)."""
    attributes: Dict[str, str] = {}
    if kind == "network":
        attributes.update({"server.address": test.target, "server.port": "443",
                           "network.transport": "tcp"})  # fmt: skip
        if record.get("direction"):
            attributes["network.io.direction"] = (
                "transmit" if record["direction"] == "to-target" else "receive"
            )
    elif kind in ("http-server", "page-load"):
        attributes.update({"server.address": test.target, "server.port": "443"})
        if kind == "http-server":
            attributes.update({"url.scheme": "https", "http.request.method": "GET",
                               "http.route": "/"})  # fmt: skip
            attributes["http.response.status_code"] = str(record["responseCode"])
    elif kind in ("dns-server", "dns-trace", "dnssec"):
        attributes["dns.question.name"] = test.target
    elif kind == "ftp-server":
        attributes.update({"server.address": test.target, "server.port": "21",
                           "url.scheme": "ftp", "ftp.request.command": "RETR",
                           "ftp.response.status_code": str(record["responseCode"])})  # fmt: skip
    elif kind == "bgp":
        monitor = record["monitor"]
        attributes.update({"network.prefix": record["prefix"],
                           "thousandeyes.monitor.id": monitor["monitorId"],
                           "thousandeyes.monitor.name": monitor["monitorName"],
                           "thousandeyes.monitor.location": monitor["countryId"]})  # fmt: skip
    if record.get("errorType") or (kind == "http-server" and record["responseCode"] >= 400):
        attributes["error.type"] = str(record.get("errorType") or record["responseCode"])
    return attributes


# ----------------------------------------------------------------------- the data points
def matched_tests(world: World, record: StreamRecord) -> List[Test]:
    """The tests whose data the stream carries (see the module docstring)."""
    fields = record.fields
    test_ids = {m["id"] for m in fields.get("testMatch", []) if m.get("domain") == "cea"}
    wanted_tags = [(t["key"], t["value"]) for t in fields.get("tagMatch", [])]
    everything = not fields.get("testMatch") and not wanted_tags
    types = ((fields.get("filters") or {}).get("testTypes") or {}).get("values") or None
    chosen = []
    for test in world.tests_in(record.aid):
        tags = test_tags(world, test)
        picked = (
            everything
            or test.test_id in test_ids
            or any(value in tags.get(key, []) for key, value in wanted_tags)
        )
        if picked and (types is None or test.test_type in types):
            chosen.append(test)
    return sorted(chosen, key=lambda t: int(t.test_id))


def pushes_data(record: StreamRecord) -> bool:
    f = record.fields
    return (
        f["type"] == "splunk-hec"
        and f["signal"] in ("metric", "trace")
        and f["dataModelVersion"] == "v2"
    )


def data_points(world: World, record: StreamRecord, start: float, end: float) -> List[Event]:
    """The HEC events of every round that starts in [start, end), in push order: by round
    time, then test id, unit, kind and metric. Ground truth for what the stream sends."""
    if not pushes_data(record):
        return []
    if record.fields["signal"] == "trace":
        return _spans(world, record, start, end)
    hec = record.hec
    tag_keys = sorted({t["key"] for t in record.fields.get("tagMatch", [])})
    keyed: List[Tuple[int, int, List[Event]]] = []
    for order, test in enumerate(matched_tests(world, record)):
        kinds = [k for k in test.result_kinds if k in V2_METRICS]
        if not kinds or test.instant:
            continue
        tags = test_tags(world, test)
        common = _common_attributes(world, record, test)
        common.update({key: json.dumps(tags.get(key, [])) for key in tag_keys})
        for round_id in _rounds(test, start, end):
            events = [
                _event(hec, round_id, attributes, metric, value)
                for unit_id, direction in units(test)
                for kind in kinds
                for attributes, metric, value in _metrics_of(
                    world, test, kind, round_id, unit_id, direction, common
                )
            ]
            keyed.append((round_id, order, events))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [event for _, _, events in keyed for event in events]


# ------------------------------------------------------------------------------ traces
# test type -> (result kind, the record's duration in ms): the tests the official app offers
# for trace streams (TA). One root span per round and agent is the simulator's choice; span
# names and attributes are not documented (the module docstring, "Traces").
TRACE_KINDS = {
    "page-load": ("page-load", "pageLoadTime"),
    "web-transactions": ("web-transactions", "transactionTime"),
    "api": ("api", "apiTransactionTime"),
}


def _spans(world: World, record: StreamRecord, start: float, end: float) -> List[Event]:
    """The HEC span events of every round that starts in [start, end), in round order."""
    hec = record.hec
    keyed: List[Tuple[int, int, Event]] = []
    for order, test in enumerate(matched_tests(world, record)):
        if test.test_type not in TRACE_KINDS or test.instant:
            continue
        kind, duration_field = TRACE_KINDS[test.test_type]
        common = _common_attributes(world, record, test)
        for round_id in _rounds(test, start, end):
            for unit_id, direction in units(test):
                result = test_result_json(world, test, kind, round_id, unit_id, direction)
                agent = world.agents[unit_id]
                fields = dict(common)
                fields.update({"thousandeyes.source.agent.id": agent.agent_id,
                               "thousandeyes.source.agent.name": agent.name})  # fmt: skip
                trace = stable_int(world.seed, "trace", test.test_id, round_id, unit_id)
                begin = round_id * 1_000_000_000
                failed = bool(result.get("errorType") or result.get("numErrors"))
                span = {
                    "trace_id": f"{trace % 2**128:032x}", "span_id": f"{trace % 2**64:016x}",
                    "parent_span_id": "", "name": test.test_type, "kind": "SPAN_KIND_CLIENT",
                    "start_time": begin,
                    "end_time": begin + int(float(result[duration_field]) * 1_000_000),
                    "status": {"message": "", "code": "STATUS_CODE_ERROR" if failed
                               else "STATUS_CODE_OK"},
                    "attributes": {"server.address": test.target},
                }  # fmt: skip
                event: Event = {"time": float(round_id), "host": "unknown",
                                "source": hec["source"],
                                "sourcetype": hec["sourceType"]}  # fmt: skip
                if hec.get("index"):
                    event["index"] = hec["index"]
                event["event"] = span
                event["fields"] = fields
                keyed.append((round_id, order, event))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [event for _, _, event in keyed]


def point_key(event: Event) -> Tuple[Any, ...]:
    """What identifies one data point (to count missing and duplicate points)."""
    fields = event["fields"]
    metric = next(k for k in fields if k.startswith("metric_name:"))
    return (
        float(event["time"]), fields["thousandeyes.test.id"],
        fields.get("thousandeyes.source.agent.id") or fields.get("thousandeyes.monitor.id"),
        fields.get("network.io.direction"), metric,
    )  # fmt: skip


def _rounds(test: Test, start: float, end: float) -> Iterable[int]:
    """Round ids in [start, end)."""
    lo = math.ceil(start)
    first = max(first_round(test), lo + (-lo) % test.interval)
    return range(first, math.ceil(end), test.interval)


def _common_attributes(world: World, record: StreamRecord, test: Test) -> Dict[str, str]:
    return {
        "thousandeyes.stream.id": record.stream_id,
        "thousandeyes.account.id": record.aid,
        "thousandeyes.test.domain": "cea",
        "thousandeyes.test.id": test.test_id,
        "thousandeyes.test.name": test.name,
        "thousandeyes.test.type": test.test_type,
        "thousandeyes.data.version": "v2",
    }


def _metrics_of(
    world: World, test: Test, kind: str, round_id: int, unit_id: str,
    direction: Optional[str], common: Dict[str, str],
) -> List[Tuple[Dict[str, str], str, float]]:  # fmt: skip
    record = test_result_json(world, test, kind, round_id, unit_id, direction)
    if kind == "bgp" and not record["updates"]:
        return []  # event-driven: nothing without announcements or withdrawals
    attributes = dict(common)
    if kind != "bgp":
        agent = world.agents[unit_id]
        attributes.update({
            "thousandeyes.source.agent.id": agent.agent_id,
            "thousandeyes.source.agent.name": agent.name,
            "thousandeyes.source.agent.location": agent.location,
            "thousandeyes.source.agent.geo.country.iso_code": agent.country_id,
        })  # fmt: skip
    attributes["thousandeyes.permalink"] = (
        f"{APP}/network-app-synthetics/views/?roundId={round_id}&testId={test.test_id}"
    )
    attributes.update(_specific_attributes(test, kind, record))
    return [(attributes, metric, value) for metric, value in V2_METRICS[kind](record)]


def _event(hec: Dict[str, Any], round_id: int, attributes: Dict[str, str], metric: str,
           value: float) -> Event:  # fmt: skip
    fields = dict(attributes)
    fields[f"metric_name:{metric}"] = value
    fields["metric_type"] = "Gauge"
    event: Event = {"time": float(round_id), "host": "unknown", "source": hec["source"],
                    "sourcetype": hec["sourceType"]}  # fmt: skip
    if hec.get("index"):
        event["index"] = hec["index"]
    event["event"] = "metric"
    event["fields"] = fields
    return event


# ----------------------------------------------------------------------------- pushing
@dataclass
class Delivery:
    """One POST of a stream: when (simulated), to where, the answer and the events sent."""

    stream_id: str
    time: float
    url: str
    status: Optional[int]  # HTTP status, None when no answer came
    ok: bool
    reason: str
    events: List[Event] = field(repr=False, default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {"stream_id": self.stream_id, "time": self.time, "url": self.url,
                "status": self.status, "ok": self.ok, "reason": self.reason,
                "events": len(self.events)}  # fmt: skip


class StreamPusher:
    """Sends what every enabled stream has due; see the module docstring for when and how."""

    def __init__(self, world: World, store: StreamStore, clock: Any) -> None:
        self.world = world
        self.store = store
        self.clock = clock
        self.batch_size = DEFAULT_BATCH_SIZE
        self.auto_push = True
        self._deliveries: List[Delivery] = []
        self._lock = threading.Lock()  # one push at a time, so cursors never race

    def push_due(self) -> List[Delivery]:
        """POST every data point due now; returns this call's deliveries."""
        with self._lock:
            now = self.clock.now()
            done: List[Delivery] = []
            with self.store.lock:
                records = [r for r in self.store.records.values() if r.enabled and pushes_data(r)]
            for record in records:
                done.extend(self._push(record, now))
            self._deliveries.extend(done)
            return done

    def deliveries(self, stream_id: Optional[str] = None) -> List[Delivery]:
        with self._lock:
            return [d for d in self._deliveries if stream_id in (None, d.stream_id)]

    def delivered_events(self, stream_id: str) -> List[Event]:
        """Every event the endpoint accepted for the stream (2xx answers), in order."""
        return [e for d in self.deliveries(stream_id) if d.ok for e in d.events]

    def _push(self, record: StreamRecord, now: float) -> List[Delivery]:
        end = int(now) - PUBLISH_DELAY + 1  # rounds started at or before now - delay
        if end <= record.cursor_time:
            return []
        points = data_points(self.world, record, record.cursor_time, end)
        times = [int(p["time"]) for p in points]
        index = record.cursor_offset
        deliveries = []
        while index < len(points):
            batch = points[index : index + self.batch_size]
            delivery = self._post(record, batch, now)
            deliveries.append(delivery)
            if not delivery.ok and _retryable(delivery.status):
                break  # try these points again at the next push
            index += len(batch)
            last = times[index - 1]
            record.cursor_time, record.cursor_offset = last, index - bisect_left(times, last)
        else:
            record.cursor_time, record.cursor_offset = end, 0
        return deliveries

    def _post(self, record: StreamRecord, batch: List[Event], now: float) -> Delivery:
        url = record.fields["streamEndpointUrl"]
        headers = dict(record.fields.get("customHeaders") or {})
        headers.update({"Authorization": f"Splunk {record.hec['token']}",
                        "Content-Type": "application/json"})  # fmt: skip
        body = "".join(json.dumps(e, separators=(",", ":")) for e in batch).encode()
        status: Optional[int] = None
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=REQUEST_TIMEOUT,
                                   verify=self.store.ca_bundle_path or True)  # fmt: skip
            status, ok = answer.status_code, 200 <= answer.status_code < 300
            reason = "" if ok else f"HTTP {status}: {answer.text[:200]}"
        except requests.exceptions.SSLError as error:
            ok, reason = False, f"TLS/SSL error: {error}"
        except requests.exceptions.RequestException as error:
            ok, reason = False, f"connection issue: {error}"
        stamp = int(now * 1000)
        with self.store.lock:
            if ok:
                record.status, record.last_success = "connected", stamp
            else:
                record.status, record.last_failure, record.last_error = "failing", stamp, reason
        return Delivery(record.stream_id, now, url, status, ok, reason, batch if ok else [])


def _retryable(status: Optional[int]) -> bool:
    return status is None or status == 429 or status >= 500
