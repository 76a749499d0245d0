"""Events (event detection): ``GET /v7/events`` with ``startDate``/``endDate``.

The API returns events *active* during the window, so an ongoing event shows up in every
poll until it ends. Each event is sent once as ``ongoing`` when first seen without an end
date, and once as ``ended`` when it has one (an event first seen already ended is sent
once). The ongoing key is refreshed whenever the event is seen, so it is kept as long as
the event lasts.
"""

import logging
from typing import Any, Dict, List, Optional, Sequence

from ..api_client import ApiError, ForeignLinkRefused
from ..checkpoints import checkpoint_key
from .base import Emitted, RunContext, iso, parse_iso, run_stream
from .event_text import event_text

SOURCETYPE = "cisco:thousandeyes:event"

logger = logging.getLogger(__name__)


def make_converter(ctx: RunContext, aid: str) -> Any:
    def convert(record: Dict[str, Any], raw: Optional[str] = None) -> List[Emitted]:
        start = parse_iso(record.get("startDate"))
        end = parse_iso(record.get("endDate"))
        if start is None:
            return []
        state = "ended" if end is not None else "ongoing"
        epoch = end if end is not None else start
        head = {"eventTime": iso(epoch), "eventState": state, "aid": aid}
        text = event_text(head, record, raw)
        # An ongoing key must outlive the event: its reference time is "seen now".
        reference = end if end is not None else ctx.now()
        return [("{}|{}".format(record.get("id"), state), reference, epoch, text)]

    return convert


def collect(ctx: RunContext, account_groups: Sequence[str]) -> None:
    for aid in account_groups:
        if ctx.past_deadline():
            return

        def fetch(start: float, end: float, aid: str = aid) -> Any:
            params = {"startDate": iso(start), "endDate": iso(end)}
            return ctx.client.pages("/events", params, aid=aid, items_key="events")

        key = checkpoint_key(ctx.owner, aid, "events")
        prefix = ctx.prefix(SOURCETYPE, f"thousandeyes:events:{aid}")
        try:
            label = f"events of account group {aid}"
            run_stream(ctx, key, fetch, make_converter(ctx, aid), prefix, label=label)
        except (ApiError, ForeignLinkRefused) as error:
            ctx.errors.append(str(error))
            logger.error("events of account group %s: %s", aid, error)
