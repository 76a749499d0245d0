"""/v7/endpoint/...: endpoint agents, endpoint tests and their results (SDK 6.0.0).

| request | answer |
| --- | --- |
| GET agents?max&cursor&includeDeleted | ``{totalAgents, agents, _links{self,next}}``, paged |
| GET tests/scheduled-tests[/{agent-to-server,http-server}] | ``{tests, _links}`` |
| GET tests/dynamic-tests/agent-to-server | ``{tests, _links}`` |
| GET tests/real-user-tests | ``{realUserTests}`` |
| POST test-results/{scheduled,dynamic}-tests/{id}/network/filter | results, paged |
| GET test-results/scheduled-tests/{id}/http-server (and POST .../filter) | results, paged |
| GET test-results/{scheduled,dynamic}-tests/{id}/path-vis | results, paged |

Results follow the test-results rules (``window`` or ``startDate``/``endDate``, rounds that
overlap the range; none given: the latest round). A POST filter's body may be empty; its
``searchFilters.agentId`` narrows the agents (other filters are accepted and not applied).
The cursor remembers the body: a next page asked with another body answers 400, since the
API requires the body unchanged while paging (SDK endpoint-test-results docstrings).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, List, Optional, Tuple

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .endpoint_representations import (
    agent_json,
    measured,
    real_user_test_json,
    result_json,
    test_json,
)
from .endpoint_world import EndpointTest, endpoint_world
from .http_types import Request, Response, hal
from .pagination import CursorError, page_url
from .problems import problem
from .rounds import latest_published_round, round_span
from .timefmt import TimeParamError, iso, resolve_range

TEST_PATHS = {"scheduled-tests": "scheduled", "dynamic-tests": "dynamic"}
BODY_KEYS = {"searchSort", "thresholdFilter", "searchFilters"}


def endpoint(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    parts = req.path.strip("/").split("/")[2:]  # after v7/endpoint
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    if parts == ["agents"]:
        return _only("GET", req) or _agents(ctx, req, aid, api)
    if parts[:1] == ["tests"]:
        return _only("GET", req) or _tests(ctx, req, aid, api, parts[1:])
    if len(parts) in (4, 5) and parts[0] == "test-results" and parts[1] in TEST_PATHS:
        data, post = parts[3], parts[4:] == ["filter"]
        allowed = {"network": (True,), "http-server": (False, True), "path-vis": (False,)}
        if len(parts) == 5 and not post or post not in allowed.get(data, ()):
            return problem(404, "Not found", req.path)
        method = "POST" if post else "GET"
        return _only(method, req) or _results(ctx, req, aid, api, parts[1], parts[2], data, post)
    return problem(404, "Not found", req.path)


def _only(method: str, req: Request) -> Optional[Response]:
    return None if req.method == method else problem(405, f"Method {req.method} not allowed",
                                                      req.path)  # fmt: skip


def _self(api: str, req: Request, params: Optional[dict] = None) -> dict:
    return {"href": page_url(api, req.path[3:], dict(req.query) if params is None else params)}


def _agents(ctx: SimContext, req: Request, aid: str, api: str) -> Response:
    now = ctx.clock.now()
    include_deleted = req.query.get("includeDeleted", "false").lower() == "true"
    agents = endpoint_world(ctx.world).agents_in(aid, now, include_deleted)
    size = ctx.page_sizes["endpoint-agents"]
    try:
        if req.query.get("max"):
            size = max(1, min(size, int(req.query["max"])))
        offset = _offset(ctx, req, ("agents", aid, include_deleted))
    except (ValueError, CursorError) as exc:
        return problem(400, str(exc), req.path)
    links = {"self": _self(api, req)}
    if offset + size < len(agents):
        links["next"] = _next(ctx, api, req, ("agents", aid, include_deleted), offset + size)
    return hal({
        "totalAgents": len(agents),
        "agents": [agent_json(a, now, api) for a in agents[offset : offset + size]],
        "_links": links,
    })  # fmt: skip


def _tests(ctx: SimContext, req: Request, aid: str, api: str, rest: List[str]) -> Response:
    world = endpoint_world(ctx.world)
    if rest == ["real-user-tests"]:
        tests = [t for t in world.real_user_tests if t.aid == aid]
        return hal({"realUserTests": [real_user_test_json(t) for t in tests]})
    typed = {"agent-to-server", "http-server"}
    if rest == ["scheduled-tests"] or (
        len(rest) == 2 and rest[0] == "scheduled-tests" and rest[1] in typed
    ):
        kind, test_type = "scheduled", (rest[1] if len(rest) == 2 else None)
    elif rest == ["dynamic-tests", "agent-to-server"]:
        kind, test_type = "dynamic", "agent-to-server"
    else:
        return problem(404, "Not found", req.path)
    tests = world.tests_in(aid, kind, test_type)
    items = [test_json(t, api, typed=test_type is not None) for t in tests]
    return hal({"tests": items, "_links": {"self": _self(api, req)}})


def _results(
    ctx: SimContext, req: Request, aid: str, api: str, path_kind: str, test_id: str,
    data: str, post: bool,
) -> Response:  # fmt: skip
    world, now = endpoint_world(ctx.world), ctx.clock.now()
    test = world.tests.get(test_id)
    if test is None or test.aid != aid or test.kind != TEST_PATHS[path_kind]:
        return problem(404, f"Test {test_id} not found in account group {aid}", req.path)
    if data not in test.result_kinds:
        return problem(400, f"Test {test_id} ({test.test_type}) has no {data} results", req.path)
    try:
        search = _search(req) if post else {}
        digest = hashlib.sha256(json.dumps(search, sort_keys=True).encode()).hexdigest()[:16]
        identity = ("results", test_id, data, digest)
        start, end, offset = _range(ctx, req, test, now, identity)
    except (ValueError, TimeParamError, CursorError) as exc:
        return problem(400, str(exc), req.path)
    first, count = round_span(test, start, end, now)
    wanted = (search.get("searchFilters") or {}).get("agentId")
    found = measured(world, test, [first + i * test.interval for i in range(count)], wanted)
    size = ctx.page_sizes["endpoint-test-results"]
    records = [
        result_json(world, test, data, agent, r) for r, agent in found[offset : offset + size]
    ]
    links = {}
    if offset + size < len(found):
        links["next"] = _next(ctx, api, req, identity, offset + size, (start, end))
    body: dict = {"results": records}
    if not (data == "path-vis" and test.kind == "scheduled"):  # that model has no totalHits
        body["totalHits"] = len(found)
    if not (data == "http-server" and post):  # the multi-test model has no test
        body["test"] = test_json(test, api, typed=True)
    body.update(startDate=iso(start), endDate=iso(end))
    if data != "network":  # network results link only to the next page
        links["self"] = _self(api, req)
    body["_links"] = links
    return hal(body)


def _search(req: Request) -> dict:
    """The filter body (EndpointTestsDataRoundsSearch): empty or an object of its members."""
    if not req.body.strip():
        return {}
    try:
        search = req.json()
    except ValueError:
        raise ValueError("The request body is not JSON")
    if not isinstance(search, dict) or set(search) - BODY_KEYS:
        raise ValueError(f"The request body takes only {', '.join(sorted(BODY_KEYS))}")
    agents = (search.get("searchFilters") or {}).get("agentId")
    if agents is not None and not (
        isinstance(agents, list) and all(isinstance(a, str) for a in agents)
    ):
        raise ValueError("searchFilters.agentId is a list of agent ids")
    return search


def _offset(ctx: SimContext, req: Request, identity: Tuple[Any, ...]) -> int:
    cursor = req.query.get("cursor")
    if not cursor:
        return 0
    state = ctx.cursor.decode(cursor)
    if state.get("i") != list(identity):
        raise CursorError("Cursor does not belong to this request")
    return state["o"]


def _range(
    ctx: SimContext, req: Request, test: EndpointTest, now: float, identity: Tuple[Any, ...]
) -> Tuple[float, float, int]:
    if req.query.get("cursor"):
        state = ctx.cursor.decode(req.query["cursor"])
        if state.get("i") != list(identity):  # another test, data type or body
            raise CursorError("Cursor does not belong to this request (same body on every page)")
        return state["s"], state["e"], state["o"]
    time_range = resolve_range(req.query, now)
    if time_range is not None:
        return time_range[0], time_range[1], 0
    latest = latest_published_round(test, now)
    return (now, now, 0) if latest is None else (latest, latest, 0)


def _next(
    ctx: SimContext, api: str, req: Request, identity: Tuple[Any, ...], offset: int,
    span: Optional[Tuple[float, float]] = None,
) -> dict:  # fmt: skip
    state = {"i": list(identity), "o": offset}
    if span is not None:
        state.update(s=span[0], e=span[1])
    params = {k: v for k, v in req.query.items() if k not in ("window", "startDate", "endDate")}
    params["cursor"] = ctx.cursor.encode(state)
    return {"href": page_url(api, req.path[3:], params)}
