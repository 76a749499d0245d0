"""The OAuth scope each /v7 endpoint asks for, from what ThousandEyes documents.

Sources:
- DOC-OA: docs.thousandeyes.com "Integrations with OAuth 2.0"
  (``…/user-management/authorization/oauth-overview/oauth-integration``): the scopes and
  what each allows, quoted in ``DOCUMENTED`` below.
- OA: the v7 OpenAPI files (``shared/thousandeyes-openapi/*.yaml``, 2023). They declare only
  ``security: [BearerAuth: [read]]`` at the top of each file, with no OAuth2 scheme and no
  operation-level ``security``: they name no scope for any operation. Each operation documents
  its 403 as ``application/problem+json`` ``Error`` (type, title, status, detail, instance),
  "Insufficient permissions to query endpoint". ``tests/simulator_tests/test_scopes.py``
  checks this table against those files, so a spec that starts naming scopes fails the test.

Every endpoint needs a scope; none answers "any valid token". ``basis`` says where the scope
comes from: ``DOC-OA`` (the scope's documented words cover the endpoint) or ``assumed`` (no
source names a scope; the simulator keeps the project's earlier assumption).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

# DOC-OA, verbatim: the scope and what it "Allows".
DOCUMENTED = {
    "organization:read": "Allows access to view the organization's credentials, account groups,"
    " users, user activities, roles, permissions, usage data, and quotas.",
    "tests:read": "Allows you to read your tests and result.",
    "alerts:read": "Allows you to read your alerts.",
    "endpoint-tests:read": "Allows you to read your endpoint tests and result.",
    "streams:manage": "Allows you to manage your streams.",
    "tests:manage": "Allows you to manage your tests.",
    "agents:manage": "Allows you to manage your agents.",
}


@dataclass(frozen=True)
class ScopeRule:
    area: str  # the first path segment after /v7 (``instant-tests``: POST /v7/tests/{type}/instant)
    scope: str
    basis: str  # "DOC-OA" or "assumed"
    why: str
    spec: Tuple[Tuple[str, str, str], ...] = ()  # (file, method, path) of OA operations it covers


SCOPE_RULES = (
    ScopeRule("users", "organization:read", "DOC-OA", "users",
              # /v7/users/current is newer than the 2023 files (SDK 6.0.0 get_current_user)
              (("admin.yaml", "get", "/v7/users/{id}"),)),
    ScopeRule("account-groups", "organization:read", "DOC-OA", "account groups",
              (("admin.yaml", "get", "/v7/account-groups"),)),
    ScopeRule("audit-user-events", "organization:read", "DOC-OA", "user activities",
              (("admin.yaml", "get", "/v7/audit-user-events"),)),
    ScopeRule("tests", "tests:read", "DOC-OA", "read your tests",
              (("tests.yaml", "get", "/v7/tests"),)),
    ScopeRule("test-results", "tests:read", "DOC-OA", "read your tests and result",
              (("test_results.yaml", "get", "/v7/test-results/{testId}/network"),
               ("test_results.yaml", "get", "/v7/test-results/{testId}/dns-trace"))),
    ScopeRule("alerts", "alerts:read", "DOC-OA", "read your alerts",
              (("alerts.yaml", "get", "/v7/alerts"),)),
    ScopeRule("streams", "streams:manage", "DOC-OA", "manage your streams (every method)"),
    ScopeRule("stream", "streams:manage", "DOC-OA", "manage your streams (every method)",
              (("streaming.yaml", "get", "/v7/stream"), ("streaming.yaml", "post", "/v7/stream"),
               ("streaming.yaml", "put", "/v7/stream/{id}"),
               ("streaming.yaml", "delete", "/v7/stream/{id}"))),
    ScopeRule("endpoint", "endpoint-tests:read", "DOC-OA",
              "read your endpoint tests and result; no scope for endpoint agents is documented,"
              " so /v7/endpoint/agents asks for the same (assumed)"),
    ScopeRule("agents", "tests:read", "assumed",
              "no agent read scope is documented (only agents:manage); tests:read is kept",
              (("agents.yaml", "get", "/v7/agents"),)),
    ScopeRule("labels", "tests:read", "assumed",
              "no label scope is documented; a test label is read with the tests it names",
              (("labels.yaml", "get", "/v7/labels"),
               ("labels.yaml", "get", "/v7/labels/test/{labelId}"))),
    ScopeRule("events", "tests:read", "assumed",
              "event detection is in neither DOC-OA nor the 2023 files"),
    ScopeRule("instant-tests", "tests:manage", "assumed",
              "no instant-test scope is documented; tests:manage is the only test-writing one"),
)  # fmt: skip

SCOPE_BY_AREA = {rule.area: rule.scope for rule in SCOPE_RULES}


def scope_for(area: str) -> Optional[str]:
    return SCOPE_BY_AREA.get(area)
