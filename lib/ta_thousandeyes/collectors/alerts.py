"""Alerts: ``GET /v7/alerts`` twice per poll, ``state=trigger`` and ``state=clear``.

The time filter applies to the start time for ``trigger`` and to the clear time for
``clear``, so an alert's start arrives once (timestamped at its start) and its clearing
arrives once (timestamped at its clear time). One stream per account group and state.
"""

import logging
from typing import Any, Dict, List, Optional, Sequence

from ..api_client import ApiError, ForeignLinkRefused
from ..checkpoints import checkpoint_key
from ..event_xml import to_json
from .base import Emitted, RunContext, iso, iso_of, parse_iso, run_stream
from .event_text import event_text

SOURCETYPE = "cisco:thousandeyes:alerts"
STATES = ("trigger", "clear")

logger = logging.getLogger(__name__)


def alert_id(record: Dict[str, Any]) -> Any:
    return record.get("id") or record.get("alertId")


def make_converter(state: str, aid: str) -> Any:
    """Events ``{"eventTime", "eventState", "aid", <the alert's members>}`` (event_text)."""
    time_field = "startDate" if state == "trigger" else "endDate"
    tail = ',"eventState":' + to_json(state) + ',"aid":' + to_json(aid)

    def convert(record: Dict[str, Any], raw: Optional[str] = None) -> List[Emitted]:
        when = record.get(time_field)
        epoch = parse_iso(when)
        if epoch is None:
            when = record.get("startDate")
            epoch = parse_iso(when)
            if epoch is None:
                return []
        event_time = iso_of(when, epoch)
        head = {"eventTime": event_time, "eventState": state, "aid": aid}
        # The head's text by hand (an ISO date needs no escaping): with iso_of, an alert's
        # conversion takes 5 us instead of 10-11 (docs/design.md, "Measured speed-ups").
        text = event_text(head, record, raw, '"eventTime":"' + event_time + '"' + tail)
        return [(f"{alert_id(record)}|{state}", epoch, epoch, text)]

    return convert


def collect(ctx: RunContext, account_groups: Sequence[str]) -> None:
    for aid in account_groups:
        for state in STATES:
            if ctx.past_deadline():
                return

            def fetch(start: float, end: float, state: str = state, aid: str = aid) -> Any:
                params = {"state": state, "startDate": iso(start), "endDate": iso(end)}
                return ctx.client.pages("/alerts", params, aid=aid, items_key="alerts")

            key = checkpoint_key(ctx.owner, aid, "alerts", state)
            prefix = ctx.prefix(SOURCETYPE, f"thousandeyes:alerts:{aid}")
            try:
                label = f"alerts ({state}) of account group {aid}"
                run_stream(ctx, key, fetch, make_converter(state, aid), prefix, label=label)
            except (ApiError, ForeignLinkRefused) as error:
                ctx.errors.append(str(error))
                logger.error("alerts (%s) of account group %s: %s", state, aid, error)
