"""/v7/alerts, /v7/events and /v7/audit-user-events with offset cursors.

The first page freezes the absolute time range into the cursor; later pages reuse it.
``max`` (alerts, events) caps the page size; elsewhere it answers 400. A cursor belongs to
the account group (``aid``) it was issued for: replayed with another, it answers 400.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from . import incidents
from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, hal
from .pagination import CursorError, page_url
from .problems import problem
from .representations import activity_json, alert_json, event_json, link
from .timefmt import TimeParamError, iso, resolve_range

AUDIT_DEFAULT_WINDOW = 86400  # no time parameters: the last day


def alerts(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    state = req.query.get("state")
    if state not in (None, "trigger", "clear"):
        return problem(400, "state must be one of: trigger, clear", req.path)
    now = ctx.clock.now()

    def select(time_range: Optional[Tuple[float, float]]) -> List[dict]:
        episodes = incidents.select_alerts(ctx.world, aid, now, state, time_range)
        return [alert_json(ep, now, api) for ep in episodes]

    return _paged(ctx, req, api, "alerts", "alerts", select, required=False, has_max=True, aid=aid)


def events(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    ongoing_text = req.query.get("ongoing")
    if ongoing_text not in (None, "true", "false"):
        return problem(400, "ongoing must be true or false", req.path)
    ongoing = None if ongoing_text is None else ongoing_text == "true"
    now = ctx.clock.now()

    def select(time_range: Optional[Tuple[float, float]]) -> List[dict]:
        episodes = incidents.select_events(ctx.world, aid, now, time_range, ongoing)
        return [event_json(ep, now, api) for ep in episodes]

    response = _paged(
        ctx, req, api, "events", "events", select, required=True, has_max=True, aid=aid
    )
    return response


def audit_user_events(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    use_all = req.query.get("useAllPermittedAids", "false").lower() == "true"
    aids = list(caller.user.aids) if use_all else [aid]

    def select(time_range: Optional[Tuple[float, float]]) -> List[dict]:
        lo, hi = time_range
        entries = [e for a in aids for e in incidents.activity_entries(ctx.world, a, lo, hi)]
        entries.sort(key=lambda e: (e.date, e.entry_id))
        return [activity_json(e, ctx.world) for e in entries]

    return _paged(
        ctx,
        req,
        api,
        "audit-user-events",
        "auditEvents",
        select,
        required=False,
        has_max=False,
        aid=aid,
    )


def _paged(
    ctx: SimContext,
    req: Request,
    api: str,
    area: str,
    list_key: str,
    select: Callable[[Optional[Tuple[float, float]]], List[dict]],
    required: bool,
    has_max: bool,
    aid: str,
) -> Response:
    now = ctx.clock.now()
    size = ctx.page_sizes[area]
    if not has_max and "max" in req.query:  # max exists only on alerts and events
        return problem(400, "Unknown query parameter: max", req.path)
    if has_max and "max" in req.query:
        text = req.query["max"]
        if not text.isdigit() or int(text) < 1:
            return problem(400, "max must be a positive integer", req.path)
        size = min(size, int(text))
    try:
        cursor = req.query.get("cursor")
        if cursor:
            state = ctx.cursor.decode(cursor)
            if state.get("a") != area or state.get("g") != aid:  # the aid it was issued for
                raise CursorError("Cursor does not belong to this request")
            time_range = tuple(state["r"]) if state["r"] else None
            offset = state["o"]
        else:
            time_range = resolve_range(req.query, now, required=required)
            if time_range is None and area == "audit-user-events":
                time_range = (now - AUDIT_DEFAULT_WINDOW, now)
            offset = 0
    except (TimeParamError, CursorError) as exc:
        return problem(400, str(exc), req.path)
    records = select(time_range)
    params = dict(req.query)
    links = {"self": link(page_url(api, req.path[3:], params))}
    if offset + size < len(records):
        params["cursor"] = ctx.cursor.encode(
            {"a": area, "g": aid, "r": list(time_range) if time_range else None, "o": offset + size}
        )
        links["next"] = link(page_url(api, req.path[3:], params))
    body = {list_key: records[offset : offset + size], "_links": links}
    if time_range is not None and area != "alerts":  # the Alerts model has no range fields
        body["startDate"] = iso(time_range[0])
        body["endDate"] = iso(time_range[1])
    return hal(body)
