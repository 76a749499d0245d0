"""Test results of every test type: ``GET /v7/test-results/{testId}/{data type}``.

One stream per (account group, test, data type). A test type yields its own data type and,
when the test takes network measurements, network and path visualization results as well.
Events are timestamped at the round (``roundId``, the round's start epoch), deduplicated on
(test, agent or BGP monitor, round, direction, server, prefix) and enriched with the test's
name and type and the agent's name. A label filter is matched against the labels
``/v7/labels`` assigns (``labels.attach_labels``): the test list names none.

A test whose metric data a ThousandEyes stream of the connection delivers (``coverage``) is
polled for those data types (STREAMED_DATA_TYPES) only up to the stream's last change plus
HANDOVER_MARGIN_SECONDS; after that its checkpoints move on without requests
(base.hand_over), and what only polling gives is polled as before.
"""

import logging
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import quote

from ..api_client import ApiError, ApiUnavailable, ForeignLinkRefused
from ..checkpoints import checkpoint_key
from ..event_xml import to_json
from ..streams import coverage_since
from . import inventory_cache
from .base import Emitted, RunContext, hand_over, iso, parse_iso, run_stream
from .event_text import event_text
from .labels import attach_labels

logger = logging.getLogger(__name__)

NETWORK_EXTRAS = ("network", "path-vis")
# test type -> (its own data types, whether network extras apply when networkMeasurements)
DATA_TYPES_BY_TEST_TYPE = {
    "agent-to-server": (("network", "path-vis"), False),
    "agent-to-agent": (("network", "path-vis"), False),
    "http-server": (("http-server",), True),
    "page-load": (("page-load", "http-server"), True),
    "web-transactions": (("web-transactions",), True),
    "api": (("api",), False),
    "ftp-server": (("ftp-server",), True),
    "dns-server": (("dns-server",), True),
    "dns-trace": (("dns-trace",), False),
    "dnssec": (("dnssec",), False),
    "sip-server": (("sip-server",), True),
    "voice": (("rtp-server",), False),
    "bgp": (("bgp",), False),
}
ALL_DATA_TYPES = (
    "network",
    "path-vis",
    "http-server",
    "page-load",
    "web-transactions",
    "api",
    "ftp-server",
    "dns-server",
    "dns-trace",
    "dnssec",
    "sip-server",
    "rtp-server",
    "bgp",
)
# What a metric stream (data model v2) delivers of a test, decided from the reference
# (shared/reference/thousandeyes-streams-endpoint.md: DOC-V2, DOC-SL): per round and agent the
# v2 metrics of every layer the test measures (an HTTP server test streams its network layer
# too). So a covered test's network, http-server, page-load, web-transactions, ftp-server,
# dns-server, dns-trace, dnssec and sip-server results are not polled. Polling keeps what only
# it gives: path visualization (not streamed), API and voice results (their v2 metric names
# are not known: nothing sent) and BGP (event-driven: sent only on announcements or
# withdrawals, so the rounds in between reach Splunk only by polling). A polled record's
# fields beyond the v2 metrics (HTTP timing phases, DNS mappings, ...) are not in the stream:
# a test whose full records matter is left out of the streams (README, "Streams").
STREAMED_DATA_TYPES = frozenset(ALL_DATA_TYPES) - {"path-vis", "api", "rtp-server", "bgp"}
# Where a stream's data begin after it is created or changed is not documented (data start
# "within a few minutes", WS): polling goes on this long past that, double data at worst.
HANDOVER_MARGIN_SECONDS = 300.0
# Which tests of an account group a stream of the connection covers: test id -> since when
Coverage = Callable[[str], Dict[str, float]]
# Accepted spellings in the test_types filter besides the API's own names.
TEST_TYPE_ALIASES = {"network": ("agent-to-server", "agent-to-agent"), "rtp-server": ("voice",)}


def sourcetype_for(data_type: str) -> str:
    if data_type == "path-vis":
        return "cisco:thousandeyes:path-vis"  # the official app's name for the same data
    return "cisco:thousandeyes:test:" + data_type


def data_types_for(test: Dict[str, Any], wanted: Optional[Sequence[str]] = None) -> List[str]:
    """The result data types to poll for a test (wanted narrows them; None = all)."""
    own, extras = DATA_TYPES_BY_TEST_TYPE.get(test.get("type", ""), ((), False))
    types = list(own)
    if extras and test.get("networkMeasurements") is not False:
        types.extend(NETWORK_EXTRAS)
    if wanted:
        types = [t for t in types if t in wanted]
    return types


def stream_coverage(ctx: RunContext) -> Coverage:
    """Coverage read from the connection's streams (``/v7/streams``, once per account group
    and run; streams.coverage_since says which count). Any failure means no coverage, so
    everything is polled (double data at worst, never a gap). Call it only for a connection
    that holds ``streams:manage`` (streams.holds_scope)."""
    known = {}  # type: Dict[str, Dict[str, float]]

    def covered(aid: str) -> Dict[str, float]:
        if aid not in known:
            try:
                found = ctx.client.send("GET", "/streams", aid=aid)
            except (ApiError, ApiUnavailable, ForeignLinkRefused) as error:
                logger.warning(
                    "account group %s: streams not readable (%s); polling every test", aid, error
                )
                found = []
            known[aid] = coverage_since(found if isinstance(found, list) else [])
        return known[aid]

    return covered


def select_tests(
    tests: Iterable[Dict[str, Any]],
    test_types: Optional[Sequence[str]] = None,
    test_ids: Optional[Sequence[str]] = None,
    labels: Optional[Sequence[str]] = None,
) -> List[Dict[str, Any]]:
    """Filter the inventory by type, id and label (each filter empty = no restriction)."""
    types = set()
    for name in test_types or ():
        types.update(TEST_TYPE_ALIASES.get(name, (name,)))
    ids = {str(i) for i in test_ids or ()}
    wanted_labels = {label.lower() for label in labels or ()}
    chosen = []
    for test in tests:
        if test.get("savedEvent"):
            continue  # saved events are one-off snapshots, not scheduled tests
        if types and test.get("type") not in types:
            continue
        if ids and str(test.get("testId")) not in ids:
            continue
        if wanted_labels and not wanted_labels & _label_names(test):
            continue
        chosen.append(test)
    return chosen


def _label_names(test: Dict[str, Any]) -> set:
    names = set()
    for label in test.get("labels") or ():
        if isinstance(label, dict):
            names.update(
                str(label[k]).lower() for k in ("name", "labelId") if label.get(k) is not None
            )
        else:
            names.add(str(label).lower())
    return names


def result_key(record: Dict[str, Any]) -> str:
    """Identity of one result: agent (or BGP monitor), round and the per-type discriminators."""
    agent = record.get("agent")
    return _key(record, agent.get("agentId") if isinstance(agent, dict) else None)


def _key(record: Dict[str, Any], agent_id: Any) -> str:
    who = agent_id
    if who is None:
        monitor = record.get("monitor")
        who = monitor.get("monitorId") if isinstance(monitor, dict) else None
    get = record.get
    extra = f"{get('direction') or ''}|{get('server') or ''}|{get('prefixId') or ''}"
    return f"{who}|{get('roundId')}|{extra}"


def round_epoch(record: Dict[str, Any]) -> Optional[float]:
    """The round's start: roundId (epoch seconds), else the record's date."""
    round_id = record.get("roundId")
    if type(round_id) is int:  # as sent: the checkpoint keeps the API's int
        return round_id
    if isinstance(round_id, (int, float)):
        return float(round_id)
    return parse_iso(record.get("date"))


class ResultConverter:
    """Turns raw results of one test and data type into events (enrichment built once).

    The event is ``{"roundId", testId, testName, testType, dataType, aid, agentId,
    agentName, <the record's other members>}`` (roundId first: props.conf reads the time
    there; the agent's two only when the record has an agent), built by event_text.
    """

    def __init__(
        self,
        test: Dict[str, Any],
        data_type: str,
        aid: str,
        agent_names: Dict[str, str],
        on_unknown_agent: Optional[Callable[[], None]] = None,
    ) -> None:
        self.header = {
            "testId": str(test.get("testId")),
            "testName": test.get("testName"),
            "testType": test.get("type"),
            "dataType": data_type,
            "aid": aid,
        }
        self.agent_names = agent_names
        self.on_unknown_agent = on_unknown_agent
        self._header_text = to_json(self.header)[1:-1]
        # (agent id, name) -> (head, its text): encoding the head per record instead takes a
        # record's conversion from 4-6 us to 9-10 (docs/design.md, "Measured speed-ups").
        self._heads = {}  # type: Dict[Any, Tuple[Dict[str, Any], str]]

    def __call__(self, record: Dict[str, Any], raw: Optional[str] = None) -> List[Emitted]:
        epoch = round_epoch(record)
        if epoch is None:
            return []
        agent = record.get("agent")
        agent_id = agent.get("agentId") if isinstance(agent, dict) else None
        head, head_text = self._head(agent, agent_id)
        text = event_text(head, record, raw, head_text, lead="roundId")
        return [(_key(record, agent_id), epoch, epoch, text)]

    def _agent_name(self, agent_id: Any) -> Any:
        name = self.agent_names.get(str(agent_id))
        if name is None and agent_id is not None and self.on_unknown_agent:
            self.on_unknown_agent()
        return name

    def _head(self, agent: Any, agent_id: Any) -> Tuple[Dict[str, Any], str]:
        """The enrichment after roundId: the test's members, then the agent's (if any)."""
        if not isinstance(agent, dict):
            return self.header, self._header_text
        name = agent.get("agentName") or self._agent_name(agent_id)
        try:
            return self._heads[(agent_id, name)]
        except KeyError:
            pass
        except TypeError:  # an unhashable id: not cached
            return self._agent_head(agent_id, name)
        head = self._agent_head(agent_id, name)
        if len(self._heads) < 10000:
            self._heads[(agent_id, name)] = head
        return head

    def _agent_head(self, agent_id: Any, name: Any) -> Tuple[Dict[str, Any], str]:
        head = dict(self.header, agentId=agent_id, agentName=name)
        return head, to_json(head)[1:-1]


def list_tests(ctx: RunContext, aid: str) -> List[Dict[str, Any]]:
    tests = []
    for page in ctx.client.pages("/tests", aid=aid, items_key="tests"):
        tests.extend(t for t in page.items if isinstance(t, dict))
    return tests


def extras_types(
    test_types: Optional[Sequence[str]], data_types: Optional[Sequence[str]]
) -> List[str]:
    """The test types whose network extras an input polls (its filters; empty = all)."""
    if data_types and not set(data_types) & set(NETWORK_EXTRAS):
        return []
    wanted = set()
    for name in test_types or ():
        wanted.update(TEST_TYPE_ALIASES.get(name, (name,)))
    return sorted(
        test_type
        for test_type, (_own, extras) in DATA_TYPES_BY_TEST_TYPE.items()
        if extras and (not wanted or test_type in wanted)
    )


def fill_network_measurements(
    ctx: RunContext, aid: str, tests: List[Dict[str, Any]], types: Sequence[str]
) -> None:
    """Set networkMeasurements where the test list left it out, from ``/v7/tests/{type}``
    for each of types present.

    The list's items (tests.yaml ``SimpleTest``) document none of a type's own fields; the
    typed lists do, networkMeasurements among them (default true). Without it, a test whose
    network measurements are off would be asked for network and path-vis results it does not
    have, every round. One request per such type the input polls, per inventory refresh; an
    unreadable typed list leaves its tests as they were (their extras are polled: more
    requests, nothing lost)."""
    wanted = set(types)
    unknown = sorted(
        {
            test["type"]
            for test in tests
            if "networkMeasurements" not in test and test.get("type") in wanted
        }
    )
    for test_type in unknown:
        flags = {}  # type: Dict[str, bool]
        try:
            for page in ctx.client.pages(f"/tests/{test_type}", aid=aid, items_key="tests"):
                for typed in page.items:
                    if isinstance(typed, dict) and type(typed.get("networkMeasurements")) is bool:
                        flags[str(typed.get("testId"))] = typed["networkMeasurements"]
        except (ApiError, ForeignLinkRefused) as error:
            logger.warning(
                "account group %s: %s tests' settings not readable (%s); polling their "
                "network and path-vis results", aid, test_type, error,
            )  # fmt: skip
            continue
        for test in tests:
            if test.get("type") == test_type and str(test.get("testId")) in flags:
                test.setdefault("networkMeasurements", flags[str(test.get("testId"))])


def list_agent_names(ctx: RunContext, aid: str) -> Dict[str, str]:
    names = {}
    for page in ctx.client.pages("/agents", aid=aid, items_key="agents"):
        for agent in page.items:
            if isinstance(agent, dict) and agent.get("agentId") is not None:
                names[str(agent["agentId"])] = agent.get("agentName") or ""
    return names


def _inventory(
    ctx: RunContext, aid: str, labels: Optional[Sequence[str]], extras: Sequence[str]
) -> inventory_cache.Inventory:
    """The account group's tests and agents; with a label filter, each test also names the
    filter's labels it carries (read from /v7/labels: the test list names none); tests of
    the extras types say whether their network measurements are on (fill_network_measurements).
    The cache is keyed by both, so a changed filter is not answered from another's cache."""
    wanted = sorted({str(label).strip().lower() for label in labels or () if str(label).strip()})

    def listed(ctx: RunContext, aid: str) -> List[Dict[str, Any]]:
        tests = list_tests(ctx, aid)
        fill_network_measurements(ctx, aid, tests, extras)
        if wanted:
            attach_labels(ctx.client, aid, tests, wanted)
        return tests

    parts = [f"labels:{','.join(wanted)}"] if wanted else []
    if extras:
        parts.append(f"network:{','.join(extras)}")
    return inventory_cache.load(ctx, aid, listed, list_agent_names, variant="|".join(parts))


def collect(
    ctx: RunContext,
    account_groups: Sequence[str],
    test_types: Optional[Sequence[str]] = None,
    test_ids: Optional[Sequence[str]] = None,
    labels: Optional[Sequence[str]] = None,
    data_types: Optional[Sequence[str]] = None,
    coverage: Optional[Coverage] = None,
) -> None:
    """Collect results of every selected test in every account group; with coverage, a
    test's metric data a stream of the connection delivers is not polled."""
    for aid in account_groups:
        if ctx.past_deadline():
            return
        inventory = _inventory(ctx, aid, labels, extras_types(test_types, data_types))
        tests = select_tests(inventory.tests, test_types, test_ids, labels)
        covered = coverage(aid) if coverage else {}
        resume = _Resume(ctx, aid)
        for test in resume.order(tests):
            since = covered.get(str(test.get("testId")))
            handover = None if since is None else since + HANDOVER_MARGIN_SECONDS
            streamed = False
            for data_type in data_types_for(test, data_types):
                if ctx.past_deadline():
                    break
                if handover is None or data_type not in STREAMED_DATA_TYPES:
                    _collect_one(ctx, aid, test, data_type, inventory)
                elif _hand_over(ctx, aid, test, data_type, handover):
                    streamed = True
                else:  # polled up to where the stream surely has the data
                    _collect_one(ctx, aid, test, data_type, inventory, until=handover)
            ctx.streamed_tests += streamed
            if ctx.past_deadline():
                resume.stopped_at(test)
                break
        else:
            resume.completed()
        if inventory.stale:
            inventory_cache.expire(ctx, aid)


class _Resume:
    """Where the next run starts in an account group's test list: at the test this run ran
    out of time on. Past the rate-limit budget a run reaches only the head of the list, and
    starting at the top each time would leave the tail unpolled for ever."""

    def __init__(self, ctx: RunContext, aid: str) -> None:
        self.ctx = ctx
        self.key = checkpoint_key(ctx.owner, aid, "resume")
        self.state = ctx.store.load(self.key) or {}

    def order(self, tests: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        ids = [str(test.get("testId")) for test in tests]
        first = str(self.state.get("test", ""))
        if first not in ids:
            return tests
        at = ids.index(first)
        return tests[at:] + tests[:at]

    def stopped_at(self, test: Dict[str, Any]) -> None:
        self.ctx.store.save(self.key, self.ctx.owner, {"test": str(test.get("testId"))})

    def completed(self) -> None:
        if self.state:
            self.ctx.store.delete(self.key)


def _hand_over(
    ctx: RunContext, aid: str, test: Dict[str, Any], data_type: str, handover: float
) -> bool:
    key = checkpoint_key(ctx.owner, aid, str(test.get("testId")), data_type)
    born = parse_iso(test.get("createdDate"))
    return hand_over(ctx, key, handover, born, _round_interval(test))


def _round_interval(test: Dict[str, Any]) -> Optional[float]:
    interval = test.get("interval")
    return float(interval) if isinstance(interval, (int, float)) and interval > 0 else None


def _collect_one(
    ctx: RunContext,
    aid: str,
    test: Dict[str, Any],
    data_type: str,
    inventory: Any,
    until: Optional[float] = None,
) -> None:
    test_id = str(test.get("testId"))
    path = f"/test-results/{quote(test_id, safe='')}/{data_type}"  # an id is data, not a path

    def fetch(start: float, end: float) -> Any:
        params = {"startDate": iso(start), "endDate": iso(end)}
        return ctx.client.pages(path, params, aid=aid, items_key="results")

    key = checkpoint_key(ctx.owner, aid, test_id, data_type)
    prefix = ctx.prefix(sourcetype_for(data_type), f"thousandeyes:test:{aid}:{test_id}")
    round_interval = _round_interval(test)
    retain = round_interval or 3600.0
    convert = ResultConverter(test, data_type, aid, inventory.agent_names, inventory.mark_stale)
    # A test created after the input's anchor has no older results to ask for.
    born = parse_iso(test.get("createdDate"))
    try:
        label = f"test {test_id} ({data_type}) of account group {aid}"
        run_stream(ctx, key, fetch, convert, prefix, retain, label, born, round_interval, until)
    except (ApiError, ForeignLinkRefused) as error:
        if getattr(error, "status", None) in (400, 404) and data_type in NETWORK_EXTRAS:
            logger.debug("no %s results for test %s", data_type, test_id)
            return
        if getattr(error, "status", None) == 404 and not inventory.fresh:
            # The cached inventory named a test that is gone: refresh it next run.
            logger.info("test %s no longer exists; refreshing the test list", test_id)
            inventory.mark_stale()
            return
        ctx.errors.append(str(error))
        logger.error("test %s %s results: %s", test_id, data_type, error)
