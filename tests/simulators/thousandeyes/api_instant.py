"""POST /v7/tests/{type}/instant: create and run an instant test (its own rate limit).

The add-on never runs instant tests; the endpoint exists so the separate instant-test budget
(24/min, X-Instant-Test-Rate-Limit-* headers; developer.cisco.com/docs/thousandeyes/
rate-limits) can be exercised. The answer is a minimal instant test: id, type, name, date.
"""

from __future__ import annotations

import secrets

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, hal
from .problems import problem
from .representations import link
from .timefmt import iso
from .world import TEST_TYPES


def instant_test(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    test_type = req.path.strip("/").split("/")[2]
    if test_type not in TEST_TYPES:
        return problem(404, f"Unknown test type '{test_type}'", req.path)
    try:
        body = req.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("testName"):
        return problem(400, "Request validation failed: testName is required", req.path)
    test_id = str(900000 + secrets.randbelow(99999))
    return hal(
        {
            "testId": test_id,
            "testName": str(body["testName"]),
            "type": test_type,
            "createdDate": iso(ctx.clock.now()),
            "_links": {"self": link(f"{api}/tests/{test_type}/{test_id}?aid={aid}")},
        },
        status=201,
    )
