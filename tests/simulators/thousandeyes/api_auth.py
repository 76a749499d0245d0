"""Bearer authentication, per-endpoint scopes and account-group (``aid``) scoping for /v7.

The scope each endpoint needs is in ``scopes.SCOPE_RULES`` (from DOC-OA, checked against the
OpenAPI files by tests/simulator_tests/test_scopes.py); a token without it gets the spec's 403
(``application/problem+json`` ``Error``) with an RFC 6750 §3.1 ``insufficient_scope`` challenge.
User API tokens carry every scope. An OAuth access token is bound to the region the user
chose on the approval page; presenting it to another region's host answers 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

from .context import SimContext
from .http_types import Request, Response
from .oauth_store import Grant
from .problems import problem, unauthorized
from .scopes import SCOPE_BY_AREA
from .world import User


@dataclass
class Caller:
    user: User
    grant: Grant
    token_id: str
    token_scopes: Optional[List[str]] = None  # the access token's, when narrower

    @property
    def scopes(self) -> List[str]:
        return self.grant.scopes if self.token_scopes is None else self.token_scopes


def authenticate(ctx: SimContext, req: Request) -> Union[Caller, Response]:
    header = req.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return unauthorized("invalid_token", "Missing bearer access token")
    value = header[7:].strip()
    store = ctx.store
    with store.lock:
        token = store.access_tokens.get(value)
        grant = store.grants.get(token.grant_id) if token else None
    if token is None or grant is None:
        return unauthorized("invalid_token", "Invalid access token")
    req.token_id = token.token_id
    req.client_id = grant.client_id
    if token.revoked or grant.revoked:
        return unauthorized("invalid_token", "Access token has been revoked")
    if token.expires_at is not None and ctx.clock.now() >= token.expires_at:
        return unauthorized("invalid_token", "Access token expired")
    if grant.region is not None and grant.region != req.region:
        return unauthorized("invalid_token", "Access token was issued for another region")
    user = ctx.world.user_by_uid(grant.uid)
    if user is None:
        return unauthorized("invalid_token", "Invalid access token")
    return Caller(user, grant, token.token_id, token.scopes)


def require_scope(caller: Caller, area: str, req: Request) -> Optional[Response]:
    needed = SCOPE_BY_AREA.get(area)
    if needed is None or needed in caller.scopes:
        return None
    response = problem(403, f"Insufficient scope: this endpoint requires '{needed}'", req.path)
    response.headers["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{needed}"'
    return response


def resolve_aid(ctx: SimContext, caller: Caller, req: Request) -> Tuple[str, Optional[Response]]:
    """The account group of the request (``aid``, default: the user's default group)."""
    aid = req.query.get("aid")
    if aid is None:
        return caller.user.default_aid, None
    if not aid.isdigit():
        return "", problem(400, f"Invalid aid '{aid}'", req.path)
    if ctx.world.account_group(aid) is None:
        return "", problem(404, f"Account group {aid} not found", req.path)
    if aid not in caller.user.aids:
        return "", problem(403, f"You are not assigned to account group {aid}", req.path)
    return aid, None
