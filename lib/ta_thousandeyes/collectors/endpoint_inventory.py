"""Endpoint inventory: endpoint agents and scheduled, dynamic and real-user endpoint tests as
snapshot events (the inventory input with ``endpoint = 1``).

Each run writes one event per object, timestamped at its ``snapshotTime``. Agents are the
installed ones at that moment: an agent uninstalled since is absent from the next snapshot,
one installed since appears in it, and ``status`` and ``lastSeen`` show the rest. A refusal
(no ``endpoint-tests:read`` scope, no endpoint permissions) is one error line per list and
account group; the other lists go on.
"""

import logging
from typing import Any, Dict, List, Sequence

from ..api_client import ApiError, ForeignLinkRefused
from ..event_xml import to_json
from .base import RunContext, iso
from .endpoint_results import SCOPE_HINT

# kind -> (path, items key); the scheduled list holds every scheduled type
LISTS = {
    "agents": ("/endpoint/agents", "agents"),
    "scheduled-tests": ("/endpoint/tests/scheduled-tests", "tests"),
    "dynamic-tests": ("/endpoint/tests/dynamic-tests/agent-to-server", "tests"),
    "real-user-tests": ("/endpoint/tests/real-user-tests", "realUserTests"),
}

logger = logging.getLogger(__name__)


def sourcetype_for(kind: str) -> str:
    return "cisco:thousandeyes:endpoint:" + kind


def collect(ctx: RunContext, account_groups: Sequence[str], snapshot: float) -> None:
    """One snapshot of every list in every account group, stamped ``snapshot`` (whole s)."""
    stamp = iso(snapshot)
    for aid in account_groups:
        for kind, (path, items_key) in LISTS.items():
            if ctx.past_deadline():
                return
            try:
                records = _items(ctx, path, items_key, aid)
            except (ApiError, ForeignLinkRefused) as error:
                hint = f" ({SCOPE_HINT})" if getattr(error, "status", None) == 403 else ""
                ctx.errors.append(str(error))
                logger.error("endpoint inventory %s of account group %s: %s%s", kind, aid,
                             error, hint)  # fmt: skip
                continue
            prefix = ctx.prefix(sourcetype_for(kind), f"thousandeyes:endpoint:inventory:{kind}")
            ctx.emit(prefix, [(snapshot, _event(stamp, aid, r)) for r in records])


def _items(ctx: RunContext, path: str, items_key: str, aid: str) -> List[Dict[str, Any]]:
    items = []
    for page in ctx.client.pages(path, aid=aid, items_key=items_key):
        items.extend(i for i in page.items if isinstance(i, dict))
    return items


def _event(stamp: str, aid: str, record: Dict[str, Any]) -> str:
    event = {"snapshotTime": stamp, "aid": aid}
    event.update(record)
    event["aid"] = str(record.get("aid") or aid)  # agents may carry it as a number
    return to_json(event)
