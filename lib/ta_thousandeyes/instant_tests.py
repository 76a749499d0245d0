"""The alert action "Run a ThousandEyes instant test": one firing, from payload to indexed results.

splunkd runs ``bin/ta_thousandeyes_instant_test.py --execute`` with the JSON payload on stdin
(alert_actions.conf ``payload_format = json``): ``configuration`` (the action's params, the
alert's overriding the defaults), ``results_file`` (the results, gzipped CSV), ``sid``,
``search_name``, ``results_link``, ``session_key``, ``server_uri``, ``app``, ``owner``.

Invariants:
- Nothing is sent unless the admin enabled the action (``ta_thousandeyes_settings.conf``
  ``[instant_tests] enabled``); the connection must hold the instant-test scope
  (``INSTANT_TEST_SCOPE``; API-token connections carry their user's rights).
- A target comes from one field of a triggering result and is sent only once it parses as
  the test type needs (host, URL or domain, each written canonically) and matches the
  admin's allow-list (``allowed_targets``: names, ``*.suffix``, IP networks; names are never
  resolved). Anything else is refused with one WARNING line and never leaves Splunk.
- At most ``max_targets_per_firing`` distinct targets a firing (default 5); results beyond
  are counted, not tested. A target repeated in several results is tested once.
- Every instant POST goes through the shared instant-test budget (``rate_limit.INSTANT_TESTS``,
  24 a minute across firings and processes); the result GETs through the organization's
  budget the inputs share. The whole firing ends before splunkd's ``maxtime`` (5 min).
- Results: each link of the answer's ``_links.testResults`` (API host only) is polled until
  every agent reported or the bounded wait ends; records are indexed through splunkd's
  ``receivers/simple`` (what splunklib's ``Index.submit`` calls) as
  ``cisco:thousandeyes:instant:<kind>``, each carrying the alert's sid and search name and the
  triggering result's fields, so a search can join them.
- The session key and every token are registered secrets: no log line carries them.

Exit codes (splunkd logs a non-zero one): 0 done; 2 not run (configuration, scope, payload);
3 some targets refused; 4 results incomplete at the deadline; 5 ThousandEyes refused or
failed; 6 unexpected. The highest that applies wins.
"""

import csv
import gzip
import ipaddress
import json
import logging
import os
import re
import sys
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from . import assembly, connections, features, locks, redaction, settings, splunk_service, tokens
from .api_client import ApiClient, ApiError, ApiUnavailable, ForeignLinkRefused
from .event_xml import to_json
from .rate_limit import INSTANT_TESTS, RateLimiter, state_path_for

logger = logging.getLogger("ta_thousandeyes.instant_tests")

ACTION = "thousandeyes_instant_test"
INSTANT_TEST_SCOPE = features.FEATURES[features.INSTANT_TESTS].scope  # tests:manage, assumed
SETTINGS_STANZA = "instant_tests"
SOURCE = "thousandeyes:instant_test"
SOURCETYPE_PREFIX = "cisco:thousandeyes:instant:"
# test type -> (request field, what the result's field must hold)
TEST_TYPES = {
    "agent-to-server": ("server", "host"),
    "http-server": ("url", "url"),
    "page-load": ("url", "url"),
    "dns-trace": ("domain", "domain"),
    "dnssec": ("domain", "domain"),
}
DEFAULT_MAX_TARGETS = 5
FIRING_SECONDS = 270.0  # under alert_actions.conf maxtime = 5m
MAX_TRIGGER_FIELDS = 100
MAX_FIELD_CHARS = 1024
OK, NOT_RUN, REFUSED, INCOMPLETE, API_FAILED, UNEXPECTED = 0, 2, 3, 4, 5, 6

_FIELD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$")
_INDEX = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,79}$")
_AGENT_ID = re.compile(r"^[0-9]{1,12}$")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DNS_NAME = re.compile(_LABEL + r"(?:\." + _LABEL + r")+")
_VISIBLE = re.compile(r"[!-~]+")


class ActionError(Exception):
    """The firing cannot run at all; the message is one line for an admin."""


class TargetRefused(ValueError):
    """A result's value that must not be sent to ThousandEyes."""


# -- target validation ------------------------------------------------------------------
class AllowList:
    """Names (exact), ``*.suffix`` (names below suffix) and IP networks an admin allows."""

    def __init__(self, text: str) -> None:
        self.names = set()  # type: set
        self.suffixes = []  # type: List[str]
        self.networks = []  # type: List[Any]
        for entry in (e for e in re.split(r"[\s,]+", text or "") if e):
            entry = entry.lower()
            if entry.startswith("*."):
                self.suffixes.append(_dns_name(entry[2:], "allow-list entry"))
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            self.names.add(_dns_name(entry, "allow-list entry"))

    def __bool__(self) -> bool:
        return bool(self.names or self.suffixes or self.networks)

    def allows(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return host in self.names or any(host.endswith("." + s) for s in self.suffixes)
        return any(address.version == n.version and address in n for n in self.networks)


def _dns_name(text: str, what: str = "target") -> str:
    if len(text) > 253 or not _DNS_NAME.fullmatch(text) or text.rsplit(".", 1)[-1].isdigit():
        raise TargetRefused(f"{what} is not a DNS name")
    return text


def _host(text: str) -> str:
    """A lower-case DNS name, a canonical IPv4 address or a bracketed canonical IPv6 one."""
    text = text.lower()
    if text.startswith("["):
        inner = text[1:-1] if text.endswith("]") else ""
        try:
            if str(ipaddress.IPv6Address(inner)) != inner:
                raise ValueError
        except ValueError:
            raise TargetRefused("target is not a canonical IPv6 address")
        return text
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return _dns_name(text)
    if str(address) != text:
        raise TargetRefused("target is not a canonical IP address")
    return text if address.version == 4 else f"[{text}]"


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise TargetRefused("target has an invalid port")
    return int(text)


def parse_target(value: str, kind: str) -> Tuple[str, str]:
    """(what the request carries, the host the allow-list decides on) for a result's value.

    kind: "host" (host, host:port, IP, [IPv6]:port), "url" (http(s) URL, or a bare host for
    https://host/) or "domain" (a DNS name). Raises TargetRefused.
    """
    if not value or len(value) > 2048 or not _VISIBLE.fullmatch(value):
        raise TargetRefused("target is empty, too long or has spaces or control characters")
    if kind == "domain":
        name = _dns_name(value.lower().rstrip("."))
        return name, name
    if kind == "url":
        if "://" not in value:
            host = _host(value)
            return f"https://{host}/", host
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https"):
            raise TargetRefused("target URL is not http or https")
        if "@" in parts.netloc or parts.fragment or "\\" in value:
            raise TargetRefused("target URL has user information, a fragment or a backslash")
        netloc = parts.netloc
        host_text, port_text = netloc, ""
        if netloc.startswith("["):
            host_text, _, rest = netloc.partition("]")
            host_text += "]"
            port_text = rest[1:] if rest.startswith(":") else ("" if not rest else "x")
        elif ":" in netloc:
            host_text, port_text = netloc.rsplit(":", 1)
        host = _host(host_text)
        port = f":{_port(port_text)}" if port_text else ""
        query = "?" + parts.query if parts.query else ""
        return f"{parts.scheme.lower()}://{host}{port}{parts.path or '/'}{query}", host
    # host
    if value.startswith("["):
        host_text, _, rest = value.partition("]")
        host = _host(host_text + "]")
        if rest and not rest.startswith(":"):
            raise TargetRefused("target is not host or host:port")
        return host + (f":{_port(rest[1:])}" if rest else ""), host
    if value.count(":") > 1:  # a bare IPv6 address
        host = _host(f"[{value}]")
        return host.strip("[]"), host
    host_text, _, port_text = value.partition(":")
    host = _host(host_text)
    return host + (f":{_port(port_text)}" if port_text else ""), host


def target_of(result: Mapping[str, str], field: str) -> str:
    """The field's single value in a Splunk results CSV row (multivalue is refused)."""
    if result.get("__mv_" + field):
        raise TargetRefused(f"field {field} has several values")
    value = result.get(field)
    if value is None or value == "":
        raise TargetRefused(f"result has no field {field}")
    return value.strip()


# -- configuration ----------------------------------------------------------------------
class Firing:
    """What one firing asks for, validated; see the module docstring for the sources."""

    def __init__(self, payload: Mapping[str, Any], admin: Mapping[str, str]) -> None:
        config = payload.get("configuration")
        if not isinstance(config, dict):
            raise ActionError("payload has no configuration")
        self.payload = payload
        self.sid = str(payload.get("sid") or "")
        self.search_name = str(payload.get("search_name") or "")
        self.connection = (config.get("connection") or "").strip()
        if not self.connection:
            raise ActionError("no connection chosen")
        self.test_type = (config.get("test_type") or "").strip()
        if self.test_type not in TEST_TYPES:
            raise ActionError(
                "test type must be one of "
                + ", ".join(sorted(TEST_TYPES))
                + f", not {self.test_type!r}"
            )
        self.target_field = (config.get("target_field") or "").strip()
        if not _FIELD_NAME.match(self.target_field):
            raise ActionError("target field must be a field name (letters, digits, _ . : -)")
        self.agents = [a for a in re.split(r"[\s,]+", config.get("agents") or "") if a]
        if not self.agents or len(self.agents) > 10 or not all(map(_AGENT_ID.match, self.agents)):
            raise ActionError("agents must be 1 to 10 ThousandEyes agent ids, comma-separated")
        self.account_group = (config.get("account_group") or "").strip()
        self.index = (config.get("index") or "main").strip()
        if not _INDEX.match(self.index):
            raise ActionError(f"index {self.index!r} is not a valid index name")
        self.poll_seconds = _bounded(config.get("poll_interval"), 10.0, 1.0, 60.0, "poll_interval")
        self.results_timeout = _bounded(
            config.get("results_timeout"), 180.0, 10.0, 240.0, "results_timeout"
        )
        if not settings._truthy(admin.get("enabled", "0")):
            raise ActionError(
                "the instant test action is not enabled: an admin sets [instant_tests] "
                "enabled = 1 in ta_thousandeyes_settings.conf"
            )
        try:
            self.allow = AllowList(admin.get("allowed_targets", ""))
        except TargetRefused as error:
            raise ActionError(f"[instant_tests] allowed_targets: {error}")
        self.max_targets = int(
            _bounded(admin.get("max_targets_per_firing"), DEFAULT_MAX_TARGETS, 1, 24, "cap")
        )


def _bounded(value: Any, default: float, low: float, high: float, name: str) -> float:
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ActionError(f"{name} must be a number")
    if not low <= number <= high:
        raise ActionError(f"{name} must be between {low:g} and {high:g}")
    return number


def read_results(path: str) -> List[Dict[str, str]]:
    """The rows of splunkd's gzipped CSV result file."""
    csv.field_size_limit(16 * 1024 * 1024)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def choose_targets(
    firing: Firing, rows: List[Dict[str, str]]
) -> Tuple[List[Tuple[str, Dict[str, str], int]], int, int]:
    """([(request target, triggering result, row number)], refused, over the cap)."""
    field, kind = firing.target_field, TEST_TYPES[firing.test_type][1]
    chosen = []  # type: List[Tuple[str, Dict[str, str], int]]
    seen = set()  # type: set
    refused = over = 0
    if not firing.allow:
        logger.warning("instant tests refused: [instant_tests] allowed_targets is empty")
    for number, row in enumerate(rows, 1):
        try:
            target, host = parse_target(target_of(row, field), kind)
            if not firing.allow.allows(host):
                raise TargetRefused(f"{host} is not in [instant_tests] allowed_targets")
        except TargetRefused as error:
            refused += 1
            logger.warning(
                "sid=%s result %d: refused field %s = %s: %s",
                firing.sid, number, field, _shown(row.get(field)), error,
            )  # fmt: skip
            continue
        if target in seen:
            continue
        if len(chosen) >= firing.max_targets:
            over += 1
            continue
        seen.add(target)
        chosen.append((target, row, number))
    if over:
        logger.warning(
            "sid=%s: %d more targets not tested: at most %d a firing (max_targets_per_firing)",
            firing.sid, over, firing.max_targets,
        )  # fmt: skip
    return chosen, refused, over


def _shown(value: Optional[str]) -> str:
    text = repr((value or "")[:120])
    return redaction.redact(text)


# -- running ----------------------------------------------------------------------------
class InstantTestAction:
    """One firing (see the module docstring). Clock and sleep are injected for tests."""

    def __init__(
        self,
        payload: Mapping[str, Any],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.payload = payload
        self.clock = clock
        self.sleep = sleep
        self.started = clock()
        self.deadline = self.started + FIRING_SECONDS

    def run(self) -> int:
        session_key = str(self.payload.get("session_key") or "")
        if session_key:
            redaction.register_secret(session_key)
        service = splunk_service.connect(str(self.payload.get("server_uri") or ""), session_key)
        try:
            admin = splunk_service.read_stanza(service, settings.CONF_NAME, SETTINGS_STANZA) or {}
            firing = Firing(self.payload, admin)
            config = connections.get_connection(service, firing.connection)
            if (
                config.auth_method != connections.API_TOKEN
                and INSTANT_TEST_SCOPE not in config.scopes
            ):
                raise ActionError(
                    f"connection {firing.connection!r} was authorized without the "
                    f"{INSTANT_TEST_SCOPE} scope instant tests need: an admin ticks "
                    f'"{features.label(features.INSTANT_TESTS)}" for it under Connections on '
                    "the setup page and connects it again there (Reconnect to grant "
                    f"{INSTANT_TEST_SCOPE})"
                )
            aid = _account_group(firing.account_group, config.account_groups)
            rows = read_results(str(self.payload.get("results_file") or ""))
        except (ActionError, connections.UnknownConnectionError, ValueError, OSError) as error:
            logger.error("%s not run: %s", ACTION, _one_line(error))
            return NOT_RUN
        chosen, refused, _ = choose_targets(firing, rows)
        outcome = REFUSED if refused else OK
        if not chosen:
            return outcome
        directory = locks.run_directory() or os.path.join(
            os.path.dirname(os.path.abspath(str(self.payload.get("results_file")))), "te"
        )
        try:
            connection = assembly.open_connection(
                service, firing.connection, lock_dir=os.path.join(directory, "locks")
            )
        except tokens.ReauthorizationRequired as error:
            logger.error("%s not run: %s", ACTION, _one_line(error))
            return NOT_RUN
        try:
            client = ApiClient(
                connection.region.api_base_url,
                connection.session,
                connection.token_source,
                rate_limiter=RateLimiter(
                    state_path_for(directory, firing.connection, "org"),
                    clock=self.clock, sleep=self.sleep,
                ),
                deadline=self.deadline, clock=self.clock, sleep=self.sleep,
            )  # fmt: skip
            instant_budget = RateLimiter(
                state_path_for(directory, firing.connection, "instant"),
                reserve=1, clock=self.clock, sleep=self.sleep,
                budget=INSTANT_TESTS, per_minute=INSTANT_TESTS.default_limit,
            )  # fmt: skip
            created = []
            for target, row, number in chosen:
                body = {
                    "testName": f"Splunk alert {firing.search_name or firing.sid}: {target}"[:255],
                    TEST_TYPES[firing.test_type][0]: target,
                    "agents": [{"agentId": agent} for agent in firing.agents],
                }
                try:
                    answer = client.post(
                        f"/tests/{firing.test_type}/instant", body, aid=aid,
                        rate_limiter=instant_budget,
                    )  # fmt: skip
                except (ApiError, ApiUnavailable) as error:
                    outcome = max(outcome, API_FAILED)
                    logger.error("sid=%s result %d: instant test of %s failed: %s",
                                 firing.sid, number, target, _one_line(error))  # fmt: skip
                    continue
                logger.info("sid=%s result %d: instant test %s of %s started",
                            firing.sid, number, answer.get("testId"), target)  # fmt: skip
                created.append((target, row, answer))
            outcome = max(outcome, self._collect(firing, service, client, aid, created))
        except Exception as error:  # one readable line; nothing is retried by a next firing
            logger.error("%s: %s: %s", ACTION, type(error).__name__, _one_line(error))
            return UNEXPECTED
        finally:
            connection.close()
        return outcome

    def _collect(self, firing: Firing, service: Any, client: ApiClient, aid: Optional[str],
                 created: List[Tuple[str, Dict[str, str], Dict[str, Any]]]) -> int:  # fmt: skip
        """Poll every result link of every created test, then index what arrived."""
        pending = {}  # type: Dict[Tuple[int, str], str]
        for position, (_, _, answer) in enumerate(created):
            for link in (answer.get("_links") or {}).get("testResults") or []:
                href = link.get("href") if isinstance(link, dict) else None
                if isinstance(href, str) and href:
                    pending[(position, href.rstrip("/").rsplit("/", 1)[-1])] = href
        found = {}  # type: Dict[Tuple[int, str], List[Dict[str, Any]]]
        give_up = min(self.deadline - 15.0, self.clock() + firing.results_timeout)
        outcome = OK
        while pending:
            for key, href in list(pending.items()):
                try:
                    records = [r for page in client.link_pages(href, aid, "results")
                               for r in page.items if isinstance(r, dict)]  # fmt: skip
                except (ApiError, ApiUnavailable, ForeignLinkRefused) as error:
                    logger.error("sid=%s: results %s failed: %s", firing.sid, key[1],
                                 _one_line(error))  # fmt: skip
                    del pending[key]
                    outcome = API_FAILED
                    continue
                found[key] = records
                agents = {str((r.get("agent") or {}).get("agentId")) for r in records}
                if len(agents & set(firing.agents)) >= len(firing.agents):
                    del pending[key]
            if not pending or self.clock() + firing.poll_seconds > give_up:
                break
            self.sleep(firing.poll_seconds)
        if pending:
            outcome = max(outcome, INCOMPLETE)
            missing = ", ".join(sorted(f"{created[p][0]} {k}" for p, k in pending))
            logger.warning("sid=%s: results incomplete after the wait: %s", firing.sid, missing)
        written = 0
        for (position, kind), records in sorted(found.items()):
            target, row, answer = created[position]
            if records:
                self._index(firing, service, kind, target, row, answer, aid, records)
                written += len(records)
        logger.info("sid=%s: instant tests=%d events=%d", firing.sid, len(created), written)
        return outcome

    def _index(self, firing: Firing, service: Any, kind: str, target: str, row: Dict[str, str],
               answer: Dict[str, Any], aid: Optional[str],
               records: List[Dict[str, Any]]) -> None:  # fmt: skip
        context = {
            "instantTest": {
                "testId": answer.get("testId"), "testName": answer.get("testName"),
                "type": firing.test_type, "target": target, "aid": aid,
            },
            "splunkAlert": {
                "sid": firing.sid, "search_name": firing.search_name,
                "results_link": self.payload.get("results_link"),
                "result": trigger_fields(row),
            },
        }  # fmt: skip
        lines = []
        for record in records:
            event = {"roundId": record.get("roundId")}  # first: props.conf reads _time there
            event.update(record)
            event.update(context)
            lines.append(to_json(event))
        service.post(
            "receivers/simple", body="\n".join(lines).encode("utf-8"), index=firing.index,
            sourcetype=SOURCETYPE_PREFIX + kind, source=SOURCE,
        )  # fmt: skip


def trigger_fields(row: Mapping[str, str]) -> Dict[str, str]:
    """The triggering result's fields, without Splunk's __mv_ encodings, bounded in size."""
    fields = {}
    for name, value in row.items():
        if name is None or name.startswith("__mv_") or value in (None, ""):
            continue
        if len(fields) >= MAX_TRIGGER_FIELDS:
            break
        fields[name] = value[:MAX_FIELD_CHARS]
    return fields


def _account_group(wanted: str, known: List[Dict[str, str]]) -> Optional[str]:
    if not wanted:
        return None
    for group in known:
        if wanted in (group.get("aid"), group.get("name")):
            return group.get("aid")
    if wanted.isdigit():
        return wanted
    raise ActionError(f"account group {wanted!r} is not one the connection sees")


def _one_line(error: BaseException) -> str:
    return redaction.redact(" ".join(str(error).split()))[:500]


def main(argv: List[str], stdin: Any = None) -> int:
    """The entry point: ``--execute`` with the payload on stdin (any other mode: exit 2)."""
    redaction.configure_logging("INFO")
    if len(argv) < 2 or argv[1] != "--execute":
        logger.error("%s: unsupported mode %s; splunkd runs it with --execute", ACTION, argv[1:])
        return NOT_RUN
    try:
        payload = json.loads((stdin or sys.stdin).read())
    except ValueError:
        logger.error("%s not run: the payload on stdin is not JSON", ACTION)
        return NOT_RUN
    if not isinstance(payload, dict):
        logger.error("%s not run: the payload on stdin is not a JSON object", ACTION)
        return NOT_RUN
    try:
        return InstantTestAction(payload).run()
    except Exception as error:  # noqa: BLE001 - one line, never a traceback with secrets
        logger.error("%s: %s: %s", ACTION, type(error).__name__, _one_line(error))
        return UNEXPECTED
