"""POST /v7/tests/{type}/instant: create and run an instant test (its own rate limit).

Sources (``shared/reference/thousandeyes-streams-endpoint.md`` section 3):
- Types: every test type but BGP (SDK instant-tests 6.0.0). Anything else is 404.
- Body: the type's test fields without interval or alert settings; ``agents`` (a list of
  ``{agentId}``) always, plus what the type needs (SDK-IT required fields, ``REQUIRED``
  below). A missing or malformed one is 400 "Request validation failed"; an agent the
  account group cannot use is 400 too.
- Answer: 201, the test definition (``testId``, ``testName``, ``type``, ``createdBy``,
  ``createdDate``, the type's target fields, ``agents``) with ``_links.testResults``
  naming ``/v7/test-results/{testId}/<kind>`` for each kind the type produces (SDK-IT
  docstring; SDK-ITT). No results, no ``roundId``, no labels or tags.
- The results follow as one round (``rounds.py``): empty until published.
- Budget: 24 calls a minute apart from the organization's (``X-Instant-Test-Rate-Limit-*``,
  developer.cisco.com/docs/thousandeyes/rate-limits), applied in ``api_v7``.
- Scope: ``tests:manage`` (``api_auth``; the only documented test-writing scope, DOC-OA).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, hal
from .problems import problem
from .representations import link
from .timefmt import iso
from .world import INSTANT_TEST_TYPES, RESULT_KINDS_BY_TEST_TYPE

# Fields each type's instant test requires besides ``agents`` (SDK-IT required fields).
REQUIRED: Dict[str, Tuple[str, ...]] = {
    "agent-to-server": ("server",),
    "agent-to-agent": ("targetAgentId",),
    "http-server": ("url",),
    "page-load": ("url",),
    "web-transactions": ("url", "transactionScript"),
    "api": ("url", "requests"),
    "dns-server": ("domain", "dnsServers"),
    "dns-trace": ("domain",),
    "dnssec": ("domain",),
    "ftp-server": ("requestType", "url", "username", "password"),
    "sip-server": ("targetSipCredentials",),
    "voice": ("targetAgentId",),
}
# What the answer echoes of the body: the type's target fields (never a password).
ECHOED = ("server", "url", "domain", "targetAgentId", "protocol", "port", "requestType")
CREATED_BY = "Ada Admin (admin@example.com)"


def instant_test(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    test_type = req.path.strip("/").split("/")[2]
    if test_type not in INSTANT_TEST_TYPES:
        return problem(404, f"Unknown instant test type '{test_type}'", req.path)
    try:
        body = req.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return problem(400, "Request validation failed: a JSON object is required", req.path)
    invalid = _invalid(ctx, aid, test_type, body)
    if invalid:
        return problem(400, f"Request validation failed: {invalid}", req.path)
    agent_ids = [str(agent["agentId"]) for agent in body["agents"]]
    target = str(body.get(REQUIRED[test_type][0]))
    name = body.get("testName") or f"Instant {test_type} test of {target}"
    created = int(ctx.clock.now())
    test = ctx.world.add_instant_test(test_type, aid, agent_ids, target, str(name), created)
    answer: Dict[str, Any] = {
        "testId": test.test_id,
        "testName": test.name,
        "type": test_type,
        "createdBy": CREATED_BY,
        "createdDate": iso(created),
        "liveShare": False,
        "savedEvent": False,
    }
    answer.update({key: body[key] for key in ECHOED if key in body})
    answer["agents"] = [_agent(ctx, agent_id) for agent_id in agent_ids]
    answer["_links"] = {
        "self": link(f"{api}/tests/{test_type}/{test.test_id}"),
        "testResults": [
            link(f"{api}/test-results/{test.test_id}/{kind}")
            for kind in RESULT_KINDS_BY_TEST_TYPE[test_type]
        ],
    }
    return hal(answer, status=201)


def _invalid(ctx: SimContext, aid: str, test_type: str, body: Dict[str, Any]) -> str:
    """Why the body is refused, or "" when it is acceptable."""
    agents = body.get("agents")
    if not isinstance(agents, list) or not agents:
        return "agents is required"
    visible = {agent.agent_id for agent in ctx.world.agents_in(aid)}
    for agent in agents:
        agent_id = agent.get("agentId") if isinstance(agent, dict) else None
        if not isinstance(agent_id, str) or not agent_id:
            return "agents[].agentId is required"
        if agent_id not in visible:
            return f"Invalid agent ID {agent_id} for account group {aid}"
    for name in REQUIRED[test_type]:
        value = body.get(name)
        if value is None or value == "" or value == []:
            return f"{name} is required"
    if "testName" in body and not isinstance(body["testName"], str):
        return "testName must be a string"
    for name in ("server", "url", "domain"):
        if name in body and not _plain_text(body[name]):
            return f"{name} must be a non-empty string"
    if "url" in body and not str(body["url"]).startswith(("http://", "https://", "ftp://")):
        return "url must be an absolute URL"
    return ""


def _plain_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not any(c.isspace() for c in value)


def _agent(ctx: SimContext, agent_id: str) -> Dict[str, Any]:
    agent = ctx.world.agents[agent_id]
    return {
        "agentId": agent.agent_id,
        "agentName": agent.name,
        "location": agent.location,
        "countryId": agent.country_id,
    }


def instant_tests_of(ctx: SimContext) -> List[Any]:
    """Every instant test created so far (for tests comparing with ground truth)."""
    return list(ctx.world.instant_tests.values())
