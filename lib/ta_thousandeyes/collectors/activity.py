"""Activity log: ``GET /v7/audit-user-events`` with ``useAllPermittedAids=true``.

One call spans every account group the user may see. Audit events carry no id, so the
dedup key is a digest of the record itself.
"""

import hashlib
import json
import logging
from typing import Any, Dict, List, Optional

from ..api_client import ApiError, ForeignLinkRefused
from ..checkpoints import checkpoint_key
from .base import Emitted, RunContext, iso, parse_iso, run_stream
from .event_text import event_text

SOURCETYPE = "cisco:thousandeyes:activity"

logger = logging.getLogger(__name__)


def record_key(record: Dict[str, Any]) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def convert(record: Dict[str, Any], raw: Optional[str] = None) -> List[Emitted]:
    epoch = parse_iso(record.get("date"))
    if epoch is None:
        return []
    # date first: props.conf reads the time there
    return [(record_key(record), epoch, epoch, event_text({}, record, raw, lead="date"))]


def collect(ctx: RunContext, aid: str = "") -> None:
    """aid: an account group to anchor the call (optional; all permitted groups are read)."""

    def fetch(start: float, end: float) -> Any:
        params = {"useAllPermittedAids": True, "startDate": iso(start), "endDate": iso(end)}
        return ctx.client.pages(
            "/audit-user-events", params, aid=aid or None, items_key="auditEvents"
        )

    key = checkpoint_key(ctx.owner, "all", "activity")
    prefix = ctx.prefix(SOURCETYPE, "thousandeyes:activity")
    try:
        run_stream(ctx, key, fetch, convert, prefix, label="activity log")
    except (ApiError, ForeignLinkRefused) as error:
        ctx.errors.append(str(error))
        logger.error("activity log: %s", error)
