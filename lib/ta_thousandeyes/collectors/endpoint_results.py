"""Endpoint test results: network, HTTP server and path visualization of scheduled and
dynamic endpoint tests (``/v7/endpoint/test-results/{scheduled,dynamic}-tests/{testId}/…``).

One stream per (account group, test kind, test, data type). Network results have only the
POST ``…/network/filter`` form: its body is sent unchanged with every page, as the API
requires (``ApiClient.post_pages``); HTTP server and path visualization are GETs. Events are
timestamped at the round (``roundId``), deduplicated on (test, agent, round) and enriched
with the test's name, type and kind and the agent's name. Agent names come from the agent
list with deleted agents included, so an agent uninstalled since keeps its name on the
results it left; an agent the cached list does not know (installed since: endpoint agents
come and go all day) makes the run read the list again, once, and the cache is renewed.
"""

import logging
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from ..api_client import ApiError, ForeignLinkRefused
from ..checkpoints import checkpoint_key
from ..event_xml import to_json
from . import inventory_cache
from .base import Emitted, RunContext, iso, parse_iso, run_stream
from .event_text import member_first

TEST_KINDS = {"scheduled": "scheduled-tests", "dynamic": "dynamic-tests"}
DATA_TYPES = ("network", "http-server", "path-vis")
TEST_FIELDS = ("testId", "testName", "type", "testKind", "interval", "createdDate",
               "networkMeasurements", "isSavedEvent", "application")  # fmt: skip
# Network results are ordered only when sorted (SDK docstring): a stable order keeps pages
# from shifting under the cursor. The same body goes with every page.
NETWORK_SEARCH = {"searchSort": [{"sort": "round-id", "order": "asc"}]}
SCOPE_HINT = (
    'endpoint data needs the OAuth scope endpoint-tests:read: tick "Endpoint agent data '
    '(endpoint-tests:read)" for the connection under Connections on the setup page and '
    "connect it again there (Reconnect to grant endpoint-tests:read)"
)

logger = logging.getLogger(__name__)


def sourcetype_for(data_type: str) -> str:
    return "cisco:thousandeyes:endpoint:" + data_type


def data_types_for(test: Dict[str, Any], wanted: Optional[Sequence[str]] = None) -> List[str]:
    """HTTP server tests have their own results and, with network measurements, the network
    ones; agent-to-server tests (scheduled or dynamic) have network results."""
    types = ["network", "path-vis"]
    if test.get("type") == "http-server":
        types = ["http-server"] + (types if test.get("networkMeasurements") is not False else [])
    return [t for t in types if not wanted or t in wanted]


def list_tests(ctx: RunContext, aid: str) -> List[Dict[str, Any]]:
    """Scheduled and dynamic endpoint tests, each marked with its testKind."""
    tests = []
    for kind, path, test_type in (
        ("scheduled", "/endpoint/tests/scheduled-tests", None),
        ("dynamic", "/endpoint/tests/dynamic-tests/agent-to-server", "agent-to-server"),
    ):
        for page in ctx.client.pages(path, aid=aid, items_key="tests"):
            for test in page.items:
                if isinstance(test, dict):
                    marked = dict(test, testKind=kind)
                    marked.setdefault("type", test_type)  # dynamic tests carry no type
                    tests.append(marked)
    return tests


def list_agent_names(ctx: RunContext, aid: str) -> Dict[str, str]:
    names = {}
    params = {"includeDeleted": True}
    for page in ctx.client.pages("/endpoint/agents", params, aid=aid, items_key="agents"):
        for agent in page.items:
            if isinstance(agent, dict) and agent.get("id") is not None:
                names[str(agent["id"])] = agent.get("name") or ""
    return names


class AgentNames:
    """Agent id -> name of one account group in one run: the cached names, read again from
    the API (at most once a run) when a result names an agent they lack."""

    def __init__(self, ctx: RunContext, aid: str, inventory: Any) -> None:
        self.ctx, self.aid, self.inventory = ctx, aid, inventory
        self._reloaded = inventory.fresh  # read from the API this run already

    def get(self, agent_id: Any) -> Optional[str]:
        name = self.inventory.agent_names.get(str(agent_id))
        if name is None and agent_id is not None and not self._reloaded:
            self._reloaded = True
            try:
                self.inventory.agent_names.update(list_agent_names(self.ctx, self.aid))
            except (ApiError, ForeignLinkRefused) as error:
                logger.warning("endpoint agents of account group %s: %s", self.aid, error)
            self.inventory.mark_stale()  # the next run reads the cache afresh
            name = self.inventory.agent_names.get(str(agent_id))
        return name


class EndpointConverter:
    """Results of one test and data type to events ``{"roundId", testName, testType,
    testKind, dataType, agentName, <the record's members>}`` (roundId first: props.conf reads
    the time there), spliced from the record's text when possible (see event_text)."""

    def __init__(self, test: Dict[str, Any], data_type: str, aid: str, names: Any) -> None:
        self.test_id = str(test.get("testId"))
        self.header = {
            "testName": test.get("testName"),
            "testType": test.get("type"),
            "testKind": test.get("testKind"),
            "dataType": data_type,
        }
        self.ids = {"testId": self.test_id, "aid": aid}  # when a record lacks them
        self.names = names  # AgentNames (or anything with get(agent_id))
        self._header_text = to_json(self.header)[1:-1]
        self._enriched = frozenset(self.header) | {"agentName"}

    def __call__(self, record: Dict[str, Any], raw: Optional[str] = None) -> List[Emitted]:
        round_id = record.get("roundId")
        if type(round_id) is not int:
            return []  # no round, no time and no identity
        agent_id = record.get("agentId")
        name = self.names.get(agent_id)
        text = None
        plain = "testId" in record and "aid" in record
        if raw is not None and plain and record.keys().isdisjoint(self._enriched):
            head = self._header_text + ',"agentName":' + to_json(name)
            text = member_first(raw, "roundId", str(round_id), head)
        if text is None:
            event = {"roundId": round_id}
            event.update(self.header)
            event["agentName"] = name
            event.update(self.ids)
            event.update(record)
            text = to_json(event)
        return [(f"{self.test_id}|{agent_id}|{round_id}", round_id, float(round_id), text)]


def select_tests(
    tests: Sequence[Dict[str, Any]],
    test_kinds: Optional[Sequence[str]] = None,
    test_ids: Optional[Sequence[str]] = None,
) -> List[Dict[str, Any]]:
    ids = {str(i) for i in test_ids or ()}
    return [
        t for t in tests
        if not t.get("isSavedEvent")  # a saved event is a snapshot, not a running test
        and t.get("testKind") in TEST_KINDS
        and (not test_kinds or t.get("testKind") in test_kinds)
        and (not ids or str(t.get("testId")) in ids)
    ]  # fmt: skip


def collect(
    ctx: RunContext,
    account_groups: Sequence[str],
    test_kinds: Optional[Sequence[str]] = None,
    test_ids: Optional[Sequence[str]] = None,
    data_types: Optional[Sequence[str]] = None,
) -> None:
    """Collect the results of every selected endpoint test in every account group."""
    for aid in account_groups:
        if ctx.past_deadline():
            return
        try:
            inventory = inventory_cache.load(ctx, aid, list_tests, list_agent_names, TEST_FIELDS)
        except (ApiError, ForeignLinkRefused) as error:
            hint = f" ({SCOPE_HINT})" if getattr(error, "status", None) == 403 else ""
            ctx.errors.append(str(error))
            logger.error("endpoint tests of account group %s: %s%s", aid, error, hint)
            continue
        names = AgentNames(ctx, aid, inventory)
        for test in select_tests(inventory.tests, test_kinds, test_ids):
            for data_type in data_types_for(test, data_types):
                if ctx.past_deadline():
                    break
                _collect_one(ctx, aid, test, data_type, inventory, names)
        if inventory.stale:
            inventory_cache.expire(ctx, aid)


def _collect_one(
    ctx: RunContext, aid: str, test: Dict[str, Any], data_type: str, inventory: Any,
    names: AgentNames,
) -> None:  # fmt: skip
    test_id, kind = str(test.get("testId")), str(test.get("testKind"))
    path = f"/endpoint/test-results/{TEST_KINDS[kind]}/{quote(test_id, safe='')}/{data_type}"

    def fetch(start: float, end: float) -> Any:
        params = {"startDate": iso(start), "endDate": iso(end)}
        if data_type == "network":
            return ctx.client.post_pages(path + "/filter", NETWORK_SEARCH, params, aid, "results")
        return ctx.client.pages(path, params, aid=aid, items_key="results")

    key = checkpoint_key(ctx.owner, aid, "endpoint", kind, test_id, data_type)
    prefix = ctx.prefix(sourcetype_for(data_type), f"thousandeyes:endpoint:{aid}:{test_id}")
    interval = test.get("interval")
    retain = float(interval) if isinstance(interval, (int, float)) and interval > 0 else 3600.0
    convert = EndpointConverter(test, data_type, aid, names)
    label = f"endpoint {kind} test {test_id} ({data_type}) of account group {aid}"
    born = parse_iso(test.get("createdDate"))  # nothing older to ask for
    try:
        run_stream(ctx, key, fetch, convert, prefix, retain, label, born)
    except (ApiError, ForeignLinkRefused) as error:
        if getattr(error, "status", None) == 404 and not inventory.fresh:
            logger.info("endpoint test %s no longer exists; refreshing the test list", test_id)
            inventory.mark_stale()
            return
        ctx.errors.append(str(error))
        logger.error("%s: %s", label, error)
