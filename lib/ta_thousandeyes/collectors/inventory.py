"""Inventory: account groups, tests and agents as snapshot events and as KV store lookups.

Each run writes one event per object (timestamped at its ``snapshotTime``) and replaces
the rows of the lookup collections ``ta_thousandeyes_tests``, ``ta_thousandeyes_agents`` and
``ta_thousandeyes_account_groups`` for the account groups it read (new rows first, then the
rows of the previous snapshot are deleted, so searches never see an empty lookup).
"""

import json
import logging
from typing import Any, Dict, List, Optional, Sequence

from ..api_client import ApiError, ForeignLinkRefused
from .base import RunContext, iso
from .event_text import event_text

SOURCETYPES = {
    "account-groups": "cisco:thousandeyes:inventory:account-groups",
    "tests": "cisco:thousandeyes:inventory:tests",
    "agents": "cisco:thousandeyes:inventory:agents",
}
COLLECTIONS = {
    "account-groups": "ta_thousandeyes_account_groups",
    "tests": "ta_thousandeyes_tests",
    "agents": "ta_thousandeyes_agents",
}
LOOKUP_FIELDS = {
    "account-groups": ("aid", "accountGroupName", "isCurrentAccountGroup", "isDefaultAccountGroup"),
    "tests": ("aid", "testId", "testName", "type", "interval", "enabled", "description"),
    "agents": ("aid", "agentId", "agentName", "agentType", "location", "countryId", "enabled"),
}
_BATCH = 500  # below the KV store's default max_documents_per_batch_save (1000)

logger = logging.getLogger(__name__)


def lookup_row(kind: str, aid: str, record: Dict[str, Any], snapshot: float) -> Dict[str, Any]:
    row = {"aid": aid, "snapshot": snapshot}
    for name in LOOKUP_FIELDS[kind]:
        value = record.get(name)
        if value is not None and name != "aid":
            row[name] = value if isinstance(value, (str, int, float, bool)) else json.dumps(value)
    object_id = record.get({"tests": "testId", "agents": "agentId"}.get(kind, "aid"), aid)
    row["_key"] = f"{aid}_{object_id}" if kind != "account-groups" else str(aid)
    return row


def _items(ctx: RunContext, path: str, items_key: str, aid: Optional[str]) -> List[Any]:
    items = []
    for page in ctx.client.pages(path, aid=aid, items_key=items_key):
        items.extend(i for i in page.items if isinstance(i, dict))
    return items


def collect(ctx: RunContext, account_groups: Sequence[str], kv_service: Any = None) -> None:
    """Snapshot every account group the connection sees and, per selected group, its tests
    and agents; kv_service None (or a disabled KV store) skips the lookups."""
    # Whole seconds: snapshotTime (which props.conf's TIME_FORMAT reads, and Splunk's
    # timestamp extractor prefers to <time>) has no fraction, and the lookups' `snapshot`
    # must equal the events' _time whichever of the two Splunk takes.
    snapshot = float(int(ctx.now()))
    stamp = iso(snapshot)
    groups = _items(ctx, "/account-groups", "accountGroups", None)
    _publish(ctx, kv_service, "account-groups", "", groups, snapshot, stamp)
    for aid in account_groups:
        if ctx.past_deadline():
            return
        for kind, path, key in (("tests", "/tests", "tests"), ("agents", "/agents", "agents")):
            try:
                records = _items(ctx, path, key, aid)
            except (ApiError, ForeignLinkRefused) as error:
                ctx.errors.append(str(error))
                logger.error("inventory %s of account group %s: %s", kind, aid, error)
                continue
            _publish(ctx, kv_service, kind, aid, records, snapshot, stamp)
    ctx.positions.append(snapshot)


def _publish(
    ctx: RunContext,
    kv_service: Any,
    kind: str,
    aid: str,
    records: List[Dict[str, Any]],
    snapshot: float,
    stamp: str,
) -> None:
    prefix = ctx.prefix(SOURCETYPES[kind], f"thousandeyes:inventory:{kind}")
    events = []
    rows = []
    for record in records:
        group = aid or str(record.get("aid", ""))
        events.append((snapshot, event_text({"snapshotTime": stamp, "aid": group}, record)))
        rows.append(lookup_row(kind, group, record, snapshot))
    ctx.emit(prefix, events)
    if kv_service is not None:
        try:
            _replace_rows(kv_service, COLLECTIONS[kind], rows, aid, snapshot)
        except Exception as error:  # the lookup is a convenience; the events are the record
            logger.warning("lookup %s not updated: %s", COLLECTIONS[kind], type(error).__name__)


def _replace_rows(
    service: Any, collection: str, rows: List[Dict[str, Any]], aid: str, snapshot: float
) -> None:
    data = service.kvstore[collection].data
    for start in range(0, len(rows), _BATCH):
        data.batch_save(*rows[start : start + _BATCH])
    stale = {"snapshot": {"$lt": snapshot}}
    if aid:
        stale = {"$and": [{"aid": aid}, stale]}
    data.delete(query=json.dumps(stale))
