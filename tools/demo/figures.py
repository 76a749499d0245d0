"""What landed and what it cost: index counts, the inputs' own run summaries (splunkd.log),
API calls and rate-limit headroom, token calls, sample events (checkpoints and indexed events
are read by tests/verification.py)."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from tests.verification import IndexedEvent

_SUMMARY_FIELD = re.compile(r'(\w+)="([^"]*)"')
_SUMMARY_INPUT = re.compile(r'run summary (input="[^"]*".*)$')


@dataclass
class InputTotals:
    runs: int = 0
    events: int = 0
    api_calls: int = 0
    retries: int = 0
    rate_limited: int = 0
    statuses: Counter = field(default_factory=Counter)
    lowest_remaining: Optional[int] = None
    last_checkpoint: str = ""


def counts_by_sourcetype(events: List[IndexedEvent]) -> Dict[Tuple[str, str], int]:
    return dict(Counter((event.sourcetype, event.index) for event in events))


# One sample per family a reader cares about, in this order.
SAMPLE_FAMILIES = (
    "cisco:thousandeyes:test:network",
    "cisco:thousandeyes:test:http-server",
    "cisco:thousandeyes:path-vis",
    "cisco:thousandeyes:alerts",
    "cisco:thousandeyes:event",
    "cisco:thousandeyes:activity",
    "cisco:thousandeyes:inventory:tests",
)


def samples(events: List[IndexedEvent], width: int = 150) -> List[Tuple[str, str]]:
    """One event per sample family present: (sourcetype, the start of its _raw)."""
    first = {}  # type: Dict[str, str]
    for event in events:
        if event.sourcetype in SAMPLE_FAMILIES and event.sourcetype not in first:
            raw = " ".join(event.raw.split())
            first[event.sourcetype] = raw if len(raw) <= width else raw[: width - 1] + "…"
    return [(family, first[family]) for family in SAMPLE_FAMILIES if family in first]


def input_totals(splunkd_log: str) -> Dict[str, InputTotals]:
    """Fold the inputs' `run summary` log lines (one per stanza run) into per-input totals."""
    totals = defaultdict(InputTotals)  # type: Dict[str, InputTotals]
    for line in splunkd_log.splitlines():
        match = _SUMMARY_INPUT.search(line)
        if not match:
            continue
        fields = dict(_SUMMARY_FIELD.findall(match.group(1)))
        entry = totals[fields.get("input", "?")]
        entry.runs += 1
        entry.events += _int(fields.get("events"))
        entry.api_calls += _int(fields.get("api_calls"))
        entry.retries += _int(fields.get("retries"))
        entry.rate_limited += _int(fields.get("rate_limited"))
        entry.statuses[fields.get("status", "?")] += 1
        remaining = fields.get("rate_limit_remaining")
        if remaining and remaining.isdigit():
            value = int(remaining)
            if entry.lowest_remaining is None or value < entry.lowest_remaining:
                entry.lowest_remaining = value
        if fields.get("checkpoint"):
            entry.last_checkpoint = fields["checkpoint"]
    return dict(totals)


_ADDON_ERROR = re.compile(r'message from "[^"]*" (?:ERROR|CRITICAL) (ta_thousandeyes\S*: .*)$')


def input_problems(totals: Dict[str, InputTotals], splunkd_log: str) -> List[str]:
    """Runs that did not end ok, and the add-on's own ERROR lines (first of each kind)."""
    problems = []
    for name, entry in sorted(totals.items()):
        bad = {status: n for status, n in entry.statuses.items() if status != "ok"}
        if bad:
            text = ", ".join(f"{n} {status}" for status, n in sorted(bad.items()))
            problems.append(f"{name}: {text} of {entry.runs} runs")
    errors = [m.group(1) for m in map(_ADDON_ERROR.search, splunkd_log.splitlines()) if m]
    if errors:
        problems.append(
            f"the add-on logged {len(errors)} errors in splunkd.log, first: {errors[0]}"
        )
    return problems


def _int(text: Optional[str]) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


@dataclass
class ApiUsage:
    total: int
    by_endpoint: Dict[str, int]
    by_status: Dict[int, int]
    busiest_minute: int
    limit_per_minute: int
    throttled: int
    token_calls: int
    token_refreshes: int


def api_usage(records: List[Any], limit: int, connected_at: float) -> ApiUsage:
    """From the simulator's request log: API calls per endpoint family and per simulated
    minute (the organization's budget), and token-endpoint calls after the connection."""
    api = [r for r in records if r.path.startswith("/v7/") and "/oauth2/" not in r.path]
    per_minute = Counter(int(r.time // 60) for r in api)
    token = [r for r in records if r.path.endswith("/oauth2/token")]
    refreshes = [r for r in token if r.time > connected_at and r.status == 200]
    return ApiUsage(
        total=len(api),
        by_endpoint=dict(Counter(_family(r.path) for r in api)),
        by_status=dict(Counter(r.status for r in api)),
        busiest_minute=max(per_minute.values()) if per_minute else 0,
        limit_per_minute=limit,
        throttled=sum(1 for r in api if r.status == 429),
        token_calls=len(token),
        token_refreshes=len(refreshes),
    )


def _family(path: str) -> str:
    parts = [p for p in path.split("/") if p][1:]  # drop "v7"
    if parts[:1] == ["test-results"] and len(parts) >= 3:
        return "test-results/{id}/" + parts[2]
    return "/".join(parts[:1]) or path


def credential_entries(service: Any, realm: str) -> List[str]:
    """Usernames of the add-on's storage/passwords entries (the values are never read)."""
    return sorted(
        str(entity.content.get("username"))
        for entity in service.storage_passwords.list()
        if entity.content.get("realm") == realm
    )
