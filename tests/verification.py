"""What the inputs left behind, judged against the simulator: one module for the acceptance
tests and the demo.

- Indexed events and checkpoints as read back from the Splunk stand-in (``IndexedEvent``,
  ``Checkpoint``, ``read_checkpoints``) and checkpoint-key decoding (``decode_checkpoint_key``).
- Ground truth, stream by stream (``compare_all`` and the ``check_*`` verdicts; the
  ``result_identity`` of a test result; ``duplicates``).
- The secret scan (``scan_for_secrets``: files, folders and texts such as browser responses;
  ``request_log_hits``: the simulator's request log).

Each checkpoint says which span of time a stream covers: from its `floor` (the first run's
start) to its `start` (where the next run resumes). For that span the simulator says which
records exist; every one must be indexed exactly once and nothing else may be. The span starts
no later than the admin asked (`start_from` at the input's first run, see `asked_starts`): a
checkpoint whose floor moved later would otherwise hide what it never requested. Where the API's
documented semantics make a record's presence depend on when it was polled (an alert that
triggers and clears between two polls is only ever listed as cleared; an event that ends
after the last poll is still ongoing there), the check accepts both outcomes and no other.

Identities and key decoding are written here from the API's and Splunk's shapes, not taken
from the add-on, so that the add-on is judged by something other than itself.
"""

import calendar
import json
import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union

# A checkpoint key: its owner and parts joined with ".", each with every character but letters,
# digits and "_" written as "-" and the hex of its UTF-8 bytes (checkpoints.checkpoint_key).
_ESCAPES = re.compile(r"(?:-[0-9a-f]{2})+")
CHECKPOINT_COLLECTION = "ta_thousandeyes_checkpoints"
TEST_RESULT_PREFIX = "cisco:thousandeyes:test:"
PATH_VIS = "cisco:thousandeyes:path-vis"
ALERTS = "cisco:thousandeyes:alerts"
EVENTS = "cisco:thousandeyes:event"
ACTIVITY = "cisco:thousandeyes:activity"
INVENTORY_PREFIX = "cisco:thousandeyes:inventory:"
# Where each scheme's data comes from: an input's first request there follows its run's start.
DATA_PATHS = {
    "thousandeyes_test_results": "/v7/test-results/",
    "thousandeyes_alerts": "/v7/alerts",
    "thousandeyes_events": "/v7/events",
    "thousandeyes_activity": "/v7/audit-user-events",
}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass
class IndexedEvent:
    """One event of the stand-in's index."""

    index: str
    sourcetype: str
    source: str
    time: float
    raw: str
    stanza: Optional[str]

    def record(self) -> Dict[str, Any]:
        try:
            value = json.loads(self.raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def indexed_events(index_store: Any, **filters: Any) -> List[IndexedEvent]:
    """Every event of the stand-in's index store (``IndexStore.search`` filters)."""
    return [
        IndexedEvent(
            e["index"], e["sourcetype"], e["source"], e["_time"], e["_raw"], e.get("stanza")
        )
        for e in index_store.search(**filters)
    ]


@dataclass
class Checkpoint:
    """One checkpoint document: its key, owner and state."""

    key: str
    owner: str
    state: Dict[str, Any]

    @property
    def position(self) -> Optional[float]:
        value = self.state.get("start")
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def floor(self) -> Optional[float]:
        value = self.state.get("floor", self.state.get("start"))
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def parts(self) -> Optional[List[str]]:
        """The decoded key: owner first, then the stream's parts (None: not such a key)."""
        return decode_checkpoint_key(self.key)


def decode_checkpoint_key(key: str) -> Optional[List[str]]:
    """The parts of a checkpoint key (see _ESCAPES); None when it is not one."""
    try:
        return [_ESCAPES.sub(_unescape, piece) for piece in key.split(".")]
    except ValueError:
        return None


def read_checkpoints(service: Any, checkpoint_root: str) -> Tuple[str, List[Checkpoint]]:
    """(backend, stream checkpoints): the KV store collection if it holds any, else the files
    under checkpoint_root. Documents without a position (an input's anchor, a cached
    inventory) are no streams."""
    found = stream_checkpoints(kvstore_checkpoints(service))
    if found:
        return "kvstore", found
    return "file", stream_checkpoints(file_checkpoints(checkpoint_root))


def stream_checkpoints(found: Iterable[Checkpoint]) -> List[Checkpoint]:
    return [c for c in found if c.position is not None]


def kvstore_checkpoints(service: Any) -> List[Checkpoint]:
    """Every document of the checkpoint collection whose state is an object."""
    try:
        documents = service.kvstore[CHECKPOINT_COLLECTION].data.query()
    except Exception:  # no collection (or KV store off): the inputs used files
        return []
    found = []
    for document in documents:
        try:
            state = json.loads(document.get("state") or "null")
        except ValueError:
            state = None
        if isinstance(state, dict):
            found.append(Checkpoint(document.get("_key", ""), document.get("owner", ""), state))
    return found


def file_checkpoints(root: str) -> List[Checkpoint]:
    """Every ``<key>.json`` checkpoint file under root whose state is an object."""
    found = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    document = json.load(handle)
            except (OSError, ValueError):
                continue
            if isinstance(document, dict) and isinstance(document.get("state"), dict):
                found.append(Checkpoint(name[:-5], document.get("owner", ""), document["state"]))
    return found


def duplicates(seen: Mapping[Any, int]) -> Dict[Any, int]:
    """identity -> count of every identity indexed more than once."""
    return {key: count for key, count in seen.items() if count > 1}


@dataclass
class Verdict:
    """One data type's comparison."""

    data_type: str
    expected: int = 0
    indexed: int = 0
    missing: int = 0
    duplicates: int = 0
    unexpected: int = 0
    collected: bool = True  # False when no checkpoint shows the input ever ran
    notes: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The input ran, and what it indexed is exactly what the simulator holds."""
        return self.collected and not (self.missing or self.duplicates or self.unexpected)

    def not_collected(self, what: str) -> None:
        self.collected = False
        self.notes.append(f"no {what} checkpoints: the input never completed a run")


def asked_starts(request_log: Iterable[Any], start_from: str, since: float) -> Dict[str, float]:
    """scheme -> the start the admin asked for: start_from (a duration) back from the input's
    first run, which began before its first data request after since (plus one second: the
    inputs' clock is the simulator's to the second). Schemes that sent none are left out."""
    match = _DURATION.match(start_from)
    if not match:
        raise ValueError(f"start_from {start_from!r}: only durations are compared")
    back = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    asked = {}  # type: Dict[str, float]
    for record in request_log:
        for scheme, path in DATA_PATHS.items():
            if record.time >= since and record.path.startswith(path):
                asked[scheme] = min(asked.get(scheme, record.time + 1), record.time + 1)
    return {scheme: first - back for scheme, first in asked.items()}


def _floor(checkpoint_floor: float, asked: Optional[Dict[str, float]], scheme: str) -> float:
    """Where a stream's truth starts: its floor, or the admin's start when that is earlier."""
    return min(checkpoint_floor, (asked or {}).get(scheme, checkpoint_floor))


def failure_text(verdict: Verdict) -> str:
    if not verdict.collected:
        return f"{verdict.data_type}: {verdict.notes[0]}"
    return (
        f"{verdict.data_type}: {verdict.missing} missing, {verdict.duplicates} duplicates, "
        f"{verdict.unexpected} unexpected of {verdict.expected} expected"
    )


def _key_parts(checkpoint: Checkpoint) -> Optional[List[str]]:
    """The stream's own parts after its owner (aid, test id, data type, ...)."""
    pieces = checkpoint.parts
    if pieces is None or not checkpoint.owner or pieces[0] != checkpoint.owner:
        return None
    return pieces[1:]


def _unescape(match: "re.Match") -> str:
    return bytes.fromhex(match.group().replace("-", "")).decode("utf-8")


def _streams(checkpoints: List[Checkpoint], scheme: str) -> List[Tuple[List[str], Checkpoint]]:
    found = []
    for checkpoint in checkpoints:
        if not checkpoint.owner.startswith(scheme + "|"):
            continue
        parts = _key_parts(checkpoint)
        if parts is not None and checkpoint.floor is not None and checkpoint.position is not None:
            found.append((parts, checkpoint))
    return found


def _spans(
    verdict: Verdict,
    checkpoints: List[Checkpoint],
    scheme: str,
    asked: Optional[Dict[str, float]],
    noun: str,
    kind: Callable[[List[str]], bool] = lambda parts: True,
) -> List[Tuple[List[str], float, float]]:
    """(key parts, floor, position) of each of the scheme's streams of that kind: the span
    whose truth is due; none is noted on the verdict as nothing collected."""
    found = [
        (parts, _floor(checkpoint.floor, asked, scheme), checkpoint.position)
        for parts, checkpoint in _streams(checkpoints, scheme)
        if kind(parts)
    ]
    if not found:
        verdict.not_collected(noun)
    return found


def _tally(verdict: Verdict, truth: Counter, seen: Counter) -> None:
    verdict.expected += sum(truth.values())
    verdict.indexed += sum(seen.values())
    verdict.missing += sum((truth - seen).values())
    verdict.duplicates += sum(count - 1 for count in duplicates(seen).values())
    verdict.unexpected += sum(1 for key in seen if key not in truth)


# -- test results ---------------------------------------------------------------------------
def result_identity(record: Dict[str, Any]) -> Tuple:
    """One test result within its stream: agent (or BGP monitor), round, and the per-type
    discriminators the API documents (direction, server, prefix)."""
    agent = record.get("agent") if isinstance(record.get("agent"), dict) else {}
    monitor = record.get("monitor") if isinstance(record.get("monitor"), dict) else {}
    who = agent.get("agentId") or monitor.get("monitorId")
    return (
        str(who),
        record.get("roundId"),
        record.get("direction") or "",
        record.get("server") or "",
        record.get("prefixId") or "",
    )


def check_test_results(
    sim: Any,
    checkpoints: List[Checkpoint],
    events: List[IndexedEvent],
    aids: List[str],
    asked: Optional[Dict[str, float]] = None,
) -> Verdict:
    verdict = Verdict("test results")
    seen = defaultdict(Counter)  # type: Dict[Tuple[str, str, str], Counter]
    for event in events:
        if event.sourcetype.startswith(TEST_RESULT_PREFIX) or event.sourcetype == PATH_VIS:
            record = event.record()
            stream = (str(record.get("aid")), str(record.get("testId")), record.get("dataType"))
            seen[stream][result_identity(record)] += 1
    covered = {}  # type: Dict[Tuple[str, str, str], Checkpoint]
    for parts, checkpoint in _streams(checkpoints, "thousandeyes_test_results"):
        if len(parts) == 3:
            covered[(parts[0], parts[1], parts[2])] = checkpoint
    if not covered:
        verdict.not_collected("test-result")
        return verdict
    span = (min(c.floor for c in covered.values()), max(c.position for c in covered.values()))
    streams = set(seen) | set(covered) | set(_every_result_stream(sim, aids))
    for stream in sorted(streams):
        checkpoint = covered.get(stream)
        floor, position = (checkpoint.floor, checkpoint.position) if checkpoint else span
        floor = _floor(floor, asked, "thousandeyes_test_results")
        truth = Counter()  # type: Counter
        for record in _results_truth(sim, stream, floor, position):
            truth[result_identity(record)] += 1
        if checkpoint is None and truth:
            verdict.notes.append(
                "never collected: test {1} {2} in account group {0}".format(*stream)
            )
        _tally(verdict, truth, seen.get(stream, Counter()))
    return verdict


def _every_result_stream(sim: Any, aids: List[str]) -> Iterable[Tuple[str, str, str]]:
    for aid in aids:
        for test in sim.ground_truth("tests", aid=aid):
            if test.get("savedEvent"):
                continue
            world_test = sim.world.tests.get(str(test.get("testId")))
            for kind in getattr(world_test, "result_kinds", []) or []:
                yield (aid, str(test.get("testId")), kind)


def _results_truth(sim: Any, stream: Tuple, floor: float, position: float) -> List[Dict]:
    aid, test_id, kind = stream
    return results_truth(sim, aid, test_id, kind, floor, position)


def results_truth(
    sim: Any, aid: str, test_id: str, kind: str, floor: float, position: float
) -> List[Dict]:
    """The results of one stream (account group, test, data type) in [floor, position]."""
    if test_id not in sim.world.tests or kind not in sim.world.tests[test_id].result_kinds:
        return []
    records = sim.ground_truth(
        "test-results", aid=aid, start=floor, end=position, test_id=test_id, test_type=kind
    )
    # The stream's data starts at its floor: a round that began before it is not its data.
    return [r for r in records if isinstance(r.get("roundId"), int) and r["roundId"] >= floor]


def _stateful_counts(events: List[IndexedEvent], sourcetype: str) -> Counter:
    """How often each (account group, eventState, id) was indexed under sourcetype."""
    seen = Counter()  # type: Counter
    for event in events:
        if event.sourcetype == sourcetype:
            record = event.record()
            seen[(str(record.get("aid")), record.get("eventState"), record.get("id"))] += 1
    return seen


# -- alerts ---------------------------------------------------------------------------------
def check_alerts(
    sim: Any,
    checkpoints: List[Checkpoint],
    events: List[IndexedEvent],
    asked: Optional[Dict[str, float]] = None,
) -> Verdict:
    verdict = Verdict("alerts")
    seen = _stateful_counts(events, ALERTS)

    def alert_stream(parts: List[str]) -> bool:
        return len(parts) == 3 and parts[1] == "alerts"

    spans = {  # one span per account group and state, as one input collects them
        (parts[0], parts[2]): (floor, position)
        for parts, floor, position in _spans(
            verdict, checkpoints, "thousandeyes_alerts", asked, "alert", alert_stream
        )
    }
    truth = Counter()  # type: Counter
    for (aid, state), (floor, position) in sorted(spans.items()):
        if state == "clear":
            for alert in sim.ground_truth(
                "alerts", aid=aid, start=floor, end=position, state="clear"
            ):
                truth[(aid, "clear", alert["id"])] += 1
            continue
        for alert in sim.ground_truth(
            "alerts", aid=aid, start=floor, end=position, state="trigger"
        ):
            truth[(aid, "trigger", alert["id"])] += 1
        # Started in the span and cleared since: listed as triggered only if a poll ran while
        # it was active, so its trigger event is allowed, not required.
        for alert in sim.ground_truth(
            "alerts", aid=aid, start=floor, end=sim.clock.now(), state="clear"
        ):
            key = (aid, "trigger", alert["id"])
            started = _epoch(alert.get("startDate"))
            if key in seen and started is not None and floor <= started <= position:
                truth[key] += 1
    _tally(verdict, truth, seen)
    return verdict


# -- events ---------------------------------------------------------------------------------
def check_events(
    sim: Any,
    checkpoints: List[Checkpoint],
    events: List[IndexedEvent],
    asked: Optional[Dict[str, float]] = None,
) -> Verdict:
    verdict = Verdict("events")
    seen = _stateful_counts(events, EVENTS)
    truth = Counter()  # type: Counter
    for parts, floor, position in _spans(
        verdict, checkpoints, "thousandeyes_events", asked, "event", lambda p: p[1:] == ["events"]
    ):
        aid = parts[0]
        for record in sim.ground_truth("events", aid=aid, start=floor, end=position):
            ended = _epoch(record.get("endDate"))
            started = _epoch(record.get("startDate")) or 0.0
            ongoing_key = (aid, "ongoing", record["id"])
            ended_key = (aid, "ended", record["id"])
            if ended is not None and ended <= position:
                truth[ended_key] += 1  # ended inside the span: a later poll saw it end
                if ongoing_key in seen and started <= position:
                    truth[ongoing_key] += 1  # it was also seen while still going on
            elif ended is None:
                truth[ongoing_key] += 1  # going on now, so at every poll too; no end yet
            else:
                # Ended after the span's end, perhaps before the last poll ran: that poll saw
                # it either still going on or already ended; at least one of the two is due.
                present = [key for key in (ongoing_key, ended_key) if key in seen]
                for key in present or [ongoing_key]:
                    truth[key] += 1
    _tally(verdict, truth, seen)
    return verdict


# -- activity log ---------------------------------------------------------------------------
def check_activity(
    sim: Any,
    checkpoints: List[Checkpoint],
    events: List[IndexedEvent],
    aids: List[str],
    asked: Optional[Dict[str, float]] = None,
) -> Verdict:
    verdict = Verdict("activity log")
    seen = Counter()  # type: Counter
    for event in events:
        if event.sourcetype == ACTIVITY:
            seen[_canonical(event.record())] += 1
    truth = Counter()  # type: Counter
    for _, floor, position in _spans(
        verdict, checkpoints, "thousandeyes_activity", asked, "activity"
    ):
        for aid in aids:
            for record in sim.ground_truth("activity", aid=aid, start=floor, end=position):
                truth[_canonical(record)] += 1
    _tally(verdict, truth, seen)
    return verdict


def _canonical(record: Dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


# -- inventory ------------------------------------------------------------------------------
def check_inventory(sim: Any, events: List[IndexedEvent], aids: List[str]) -> Verdict:
    """The latest snapshot must list exactly the tests and agents of every account group."""
    verdict = Verdict("inventory (latest snapshot)")
    latest = {}  # type: Dict[str, str]
    for event in events:
        if event.sourcetype.startswith(INVENTORY_PREFIX):
            stamp = str(event.record().get("snapshotTime"))
            latest[event.sourcetype] = max(latest.get(event.sourcetype, ""), stamp)
    for kind, id_field in (("tests", "testId"), ("agents", "agentId")):
        sourcetype = INVENTORY_PREFIX + kind
        seen = Counter()  # type: Counter
        for event in events:
            record = event.record()
            if event.sourcetype == sourcetype and record.get("snapshotTime") == latest.get(
                sourcetype
            ):
                seen[(str(record.get("aid")), str(record.get(id_field)))] += 1
        truth = Counter(
            (aid, str(item.get(id_field))) for aid in aids for item in sim.ground_truth(kind, aid)
        )
        _tally(verdict, truth, seen)
    return verdict


def _epoch(text: Any) -> Optional[float]:
    if not isinstance(text, str) or len(text) < 19:
        return None
    try:
        return float(calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return None


def compare_all(
    sim: Any,
    checkpoints: List[Checkpoint],
    events: List[IndexedEvent],
    aids: List[str],
    asked: Optional[Dict[str, float]] = None,
) -> List[Verdict]:
    """asked: scheme -> the admin's start (asked_starts); None trusts the checkpoints' floors."""
    return [
        check_test_results(sim, checkpoints, events, aids, asked),
        check_alerts(sim, checkpoints, events, asked),
        check_events(sim, checkpoints, events, asked),
        check_activity(sim, checkpoints, events, aids, asked),
        check_inventory(sim, events, aids),
    ]


# -- the secret scan ------------------------------------------------------------------------
# Every secret ThousandEyes issued (tokens, codes, API tokens) searched for in every file Splunk
# holds (logs, confs, index, KV store, checkpoints) and in texts (browser responses, printed
# output). The password store is encrypted, so a clear secret anywhere is a leak; so is any
# secret the simulator's request log saw arrive at a host of another region than the
# connection's (request_log_hits).
MIN_SECRET_LENGTH = 8  # shorter values (none are issued) would match by chance


@dataclass
class LeakScan:
    secrets: int
    files: int
    bytes: int
    hits: List[str]  # "<file>: secret #n (<length> characters)"; never the secret itself


def scan_for_secrets(
    roots: Union[str, Iterable[str]],
    secrets: Iterable[str],
    texts: Union[Iterable[str], Mapping[str, str]] = (),
    min_length: int = MIN_SECRET_LENGTH,
) -> LeakScan:
    """Search the files under roots (folders or files) and texts (a mapping label -> text, or
    texts labelled "text #n") for every secret of at least min_length characters. A file
    hit is named relative to its root (a file root by its own name)."""
    wanted = sorted({s for s in secrets if s and len(s) >= min_length})
    encoded = [(number, secret.encode("utf-8")) for number, secret in enumerate(wanted, 1)]
    hits = []  # type: List[str]
    files = size = 0
    for root in [roots] if isinstance(roots, str) else list(roots):
        for path in _files_under(root):
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            files += 1
            size += len(data)
            where = os.path.relpath(path, root) if os.path.isdir(root) else os.path.basename(path)
            hits.extend(_hits(where, data, encoded))
    labelled = texts.items() if isinstance(texts, Mapping) else (
        (f"text #{label}", text) for label, text in enumerate(texts, 1)
    )  # fmt: skip
    for label, text in labelled:
        hits.extend(_hits(label, text.encode("utf-8"), encoded))
    return LeakScan(len(wanted), files, size, hits)


def _files_under(root: str) -> Iterable[str]:
    if os.path.isfile(root):
        yield root
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            yield os.path.join(folder, name)


def _hits(where: str, data: bytes, encoded: List[Tuple[int, bytes]]) -> List[str]:
    return [
        f"{where}: secret #{number} ({len(secret)} characters)"
        for number, secret in encoded
        if secret in data
    ]


def request_log_hits(records: Iterable[Any]) -> List[str]:
    """One hit per simulator request that carried secrets to a host the region does not name
    (``ThousandEyesSimulator.secrets_sent_outside``); the path only, never a secret."""
    return [
        f"simulator request log: {r.method} {r.path[:80]} on the {r.region} host "
        f"carried {r.secrets} secret(s)"
        for r in records
    ]
