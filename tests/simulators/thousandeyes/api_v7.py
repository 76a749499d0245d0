"""The /v7 resource server: authentication, rate limits, scopes, then the area handler."""

from __future__ import annotations

from typing import Callable, Dict, Optional

from . import api_endpoint, api_incidents, api_instant, api_inventory, api_results, api_streams
from .api_auth import Caller, authenticate, require_scope
from .context import SimContext
from .http_types import Request, Response
from .problems import problem

Handler = Callable[[SimContext, Request, Caller, str], Response]

HANDLERS: Dict[str, Handler] = {
    "users": api_inventory.current_user,
    "account-groups": api_inventory.account_groups,
    "tests": api_inventory.tests,
    "agents": api_inventory.agents,
    "labels": api_inventory.labels,
    "test-results": api_results.test_results,
    "alerts": api_incidents.alerts,
    "events": api_incidents.events,
    "audit-user-events": api_incidents.audit_user_events,
    "streams": api_streams.streams,
    "stream": api_streams.streams,  # the 2023 OpenAPI's path, still used by the Splunk app
    "endpoint": api_endpoint.endpoint,
}
# Areas that take more than GET, and the methods they take (endpoint: its …/filter reads).
WRITABLE = {name: ("GET", "POST", "PUT", "DELETE") for name in ("streams", "stream")}
WRITABLE["endpoint"] = ("GET", "POST")


def handle(ctx: SimContext, req: Request) -> Optional[Response]:
    """Answer a /v7 API request (not the OAuth endpoints), or None for unknown paths."""
    parts = req.path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "v7" or parts[1] not in HANDLERS:
        return None
    area = parts[1]
    if area == "users" and parts[2:] != ["current"]:
        return None
    instant = area == "tests" and len(parts) == 4 and parts[3] == "instant"
    caller = authenticate(ctx, req)
    if isinstance(caller, Response):
        return caller
    org_id, now = caller.user.org_id, ctx.clock.now()
    if instant:  # instant tests have their own budget, apart from the organization's
        verdict = ctx.limiter.check_instant(org_id, now)
    else:
        verdict = ctx.limiter.check(org_id, caller.grant.client_id, now)
    allowed = ("POST",) if instant else WRITABLE.get(area, ("GET",))
    if not verdict.allowed:
        who = "organization" if verdict.exhausted == "organization" else "client"
        response = problem(429, f"Exhausted rate limit for the {who}", req.path)
        if verdict.retry_after is not None:
            response.headers["Retry-After"] = str(verdict.retry_after)
    elif req.method not in allowed:
        response = problem(405, f"Method {req.method} not allowed", req.path)
    else:
        handler = api_instant.instant_test if instant else HANDLERS[area]
        scope_area = "instant-tests" if instant else area
        response = require_scope(caller, scope_area, req) or handler(
            ctx, req, caller, ctx.base_urls[req.region] + "/v7"
        )
    response.headers.update(verdict.headers())
    return response


def rate_limited(ctx: SimContext, req: Request, retry_after: Optional[int]) -> Response:
    """A 429 as the organization limit produces it (used by the 429-storm fault).

    retry_after: the fault's own value; None follows the limiter (no header by default).
    """
    now = ctx.clock.now()
    response = problem(429, "Exhausted rate limit for the organization", req.path)
    org_id = _org_of(ctx, req)
    reset = ctx.limiter.org_window_reset(org_id, now) if org_id else int(now // 60 + 1) * 60
    if retry_after is None:
        retry_after = ctx.limiter.retry_after_for(reset, now)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    response.headers.update(
        {
            "X-Organization-Rate-Limit-Limit": str(ctx.limiter.org_per_minute),
            "X-Organization-Rate-Limit-Remaining": "0",
            "X-Organization-Rate-Limit-Reset": str(reset),
        }
    )
    return response


def _org_of(ctx: SimContext, req: Request) -> Optional[str]:
    caller = authenticate(ctx, req)
    return None if isinstance(caller, Response) else caller.user.org_id
