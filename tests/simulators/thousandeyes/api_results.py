"""/v7/test-results/{testId}/{type}: lazily generated rounds, cursor pagination.

No time parameters: the latest published round only. With ``window`` or ``startDate``/
``endDate``: every round overlapping the range (one that started just before it included).
Records are ordered by round, then agent (then direction).
"""

from __future__ import annotations

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, hal
from .pagination import CursorError, page_url
from .problems import problem
from .representations import link, test_json, test_result_json
from .rounds import latest_published_round, locate, record_count, round_span
from .timefmt import TimeParamError, iso, resolve_range
from .world import RESULT_KINDS


def test_results(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    parts = req.path.strip("/").split("/")  # v7, test-results, id, kind
    if len(parts) != 4 or parts[3] not in RESULT_KINDS:
        return problem(404, "Not found", req.path)
    test_id, kind = parts[2], parts[3]
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    test = ctx.world.tests.get(test_id)
    if test is None or test.aid != aid:
        return problem(404, f"Test {test_id} not found in account group {aid}", req.path)
    if kind not in test.result_kinds:
        return problem(400, f"Test {test_id} ({test.test_type}) has no {kind} results", req.path)
    now = ctx.clock.now()
    try:
        start, end, offset = _range_and_offset(ctx, req, test, now)
    except (TimeParamError, CursorError) as exc:
        return problem(400, str(exc), req.path)
    first, rounds = round_span(test, start, end, now)
    total = record_count(test, rounds)
    size = ctx.page_sizes["test-results"]
    records = [
        test_result_json(ctx.world, test, kind, *locate(test, first, index))
        for index in range(offset, min(total, offset + size))
    ]
    params = {k: v for k, v in req.query.items()}
    links = {"self": link(page_url(api, req.path[3:], params))}
    if offset + size < total:
        state = {"s": start, "e": end, "o": offset + size, "t": test_id, "k": kind}
        params["cursor"] = ctx.cursor.encode(state)
        links["next"] = link(page_url(api, req.path[3:], params))
    body = {
        "results": records,
        "test": test_json(test, api),
        "startDate": iso(start),
        "endDate": iso(end),
        "_links": links,
    }
    return hal(body)


def _range_and_offset(ctx: SimContext, req: Request, test, now: float) -> tuple:  # noqa: ANN001
    cursor = req.query.get("cursor")
    if cursor:
        state = ctx.cursor.decode(cursor)
        if state.get("t") != test.test_id or state.get("k") != req.path.rsplit("/", 1)[-1]:
            raise CursorError("Cursor does not belong to this request")
        return state["s"], state["e"], state["o"]
    time_range = resolve_range(req.query, now)
    if time_range is None:
        latest = latest_published_round(test, now)
        if latest is None:
            return now, now, 0
        return latest, latest, 0
    return time_range[0], time_range[1], 0
