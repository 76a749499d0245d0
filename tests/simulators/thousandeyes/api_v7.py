"""The /v7 resource server: authentication, rate limits, scopes, then the area handler."""

from __future__ import annotations

from typing import Callable, Dict, Optional

from . import api_incidents, api_inventory, api_results, api_streams
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
    "test-results": api_results.test_results,
    "alerts": api_incidents.alerts,
    "events": api_incidents.events,
    "audit-user-events": api_incidents.audit_user_events,
    "streams": api_streams.streams,
}
WRITABLE = {"streams"}


def handle(ctx: SimContext, req: Request) -> Optional[Response]:
    """Answer a /v7 API request (not the OAuth endpoints), or None for unknown paths."""
    parts = req.path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "v7" or parts[1] not in HANDLERS:
        return None
    area = parts[1]
    if area == "users" and parts[2:] != ["current"]:
        return None
    caller = authenticate(ctx, req)
    if isinstance(caller, Response):
        return caller
    org_id = caller.user.org_id
    verdict = ctx.limiter.check(org_id, caller.grant.client_id, ctx.clock.now())
    if not verdict.allowed:
        who = "organization" if verdict.exhausted == "organization" else "client"
        response = problem(429, f"Exhausted rate limit for the {who}", req.path)
        response.headers["Retry-After"] = str(verdict.retry_after)
    elif req.method not in (("GET", "POST") if area in WRITABLE else ("GET",)):
        response = problem(405, f"Method {req.method} not allowed", req.path)
    else:
        response = require_scope(caller, area, req) or HANDLERS[area](
            ctx, req, caller, ctx.base_urls[req.region] + "/v7"
        )
    response.headers.update(verdict.headers())
    return response


def rate_limited(ctx: SimContext, req: Request, retry_after: int) -> Response:
    """A 429 as the organization limit produces it (used by the 429-storm fault)."""
    now = ctx.clock.now()
    response = problem(429, "Exhausted rate limit for the organization", req.path)
    reset = int(now // 60 + 1) * 60
    response.headers.update(
        {
            "Retry-After": str(retry_after),
            "X-Organization-Rate-Limit-Limit": str(ctx.limiter.org_per_minute),
            "X-Organization-Rate-Limit-Remaining": "0",
            "X-Organization-Rate-Limit-Reset": str(reset),
        }
    )
    return response
