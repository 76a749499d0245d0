"""Routes one request: faults first, then OAuth, approval pages, /v7 API or /_sim control."""

from __future__ import annotations

import json
import re
from typing import Callable, Dict, Optional
from urllib.parse import unquote_plus

from . import api_v7, approval_pages, oauth_endpoints
from .context import SimContext
from .faults import BAD_BYTES
from .http_types import Request, Response
from .problems import problem
from .request_log import RequestRecord

OAUTH_ROUTES = {
    ("GET", "/.well-known/oauth-authorization-server"): oauth_endpoints.metadata,
    ("POST", "/v7/oauth2/clients"): oauth_endpoints.register,
    ("POST", "/v7/oauth2/device/authorization"): oauth_endpoints.device_authorization,
    ("POST", "/v7/oauth2/token"): oauth_endpoints.token,
    ("POST", "/v7/oauth2/revoke"): oauth_endpoints.revoke,
}
OAUTH_PATHS = {path for _, path in OAUTH_ROUTES}


class Application:
    def __init__(
        self, ctx: SimContext, control: Optional[Callable[[Request], Response]] = None
    ) -> None:
        self.ctx = ctx
        self.control = control

    def __call__(self, req: Request) -> Response:
        if req.path.startswith("/_sim/"):
            if self.control is None:
                return problem(404, "Not found", req.path)
            return self.control(req)
        fired = self.ctx.faults.match(req.region, req.method, req.path)
        response = self._early_fault(req, fired) or self._route(req)
        self._late_faults(response, fired)
        self.ctx.log.add(
            RequestRecord(
                time=self.ctx.clock.now(),
                region=req.region,
                method=req.method,
                path=req.path,
                query=dict(req.query),
                client_id=req.client_id,
                token_id=req.token_id,
                status=response.status,
                secrets=self._secrets_carried(req),
                params=_request_params(req),
            )
        )
        return response

    def _secrets_carried(self, req: Request) -> int:
        text = "\n".join(
            [req.path, *req.headers.values(), *req.query.values()]
            + [unquote_plus(v) for v in req.query.values()]
            + [req.body.decode("utf-8", "replace"), unquote_plus(req.body.decode("latin-1"))]
        )
        return self.ctx.store.secrets_in(text)

    def _route(self, req: Request) -> Response:
        # Each host answers only what its role serves (see context.HOST_LAYOUTS).
        if "oauth" in req.roles:
            endpoint = OAUTH_ROUTES.get((req.method, req.path))
            if endpoint is not None:
                return endpoint(self.ctx, req)
            if req.path in OAUTH_PATHS:
                return problem(405, f"Method {req.method} not allowed", req.path)
        if "pages" in req.roles:
            page = approval_pages.handle(self.ctx, req)
            if page is not None:
                return page
        if "api" in req.roles:
            api = api_v7.handle(self.ctx, req)
            if api is not None:
                return api
        return problem(404, "Not found", req.path)

    def _early_fault(self, req: Request, fired: list) -> Optional[Response]:
        for fault in fired:
            if fault.kind == "revoke_token":
                header = req.headers.get("authorization", "")
                if header.lower().startswith("bearer "):
                    self.ctx.store.revoke_access_token(header[7:].strip())
            elif fault.kind == "status":
                return problem(fault.status, "Injected failure", req.path)
            elif fault.kind == "rate_limit":
                return api_v7.rate_limited(self.ctx, req, fault.retry_after)
        return None

    def _late_faults(self, response: Response, fired: list) -> None:
        for fault in fired:
            if fault.kind == "slow":
                response.delay += fault.delay
            elif fault.kind == "drop":
                response.drop_after = max(0, len(response.body) // 2)
            elif fault.kind == "truncate":
                response.body = _truncated(response.body)
            elif fault.kind == "bad_record":
                response.body = _with_bad_record(response.body, fault.record, BAD_BYTES[fault.bad])
            elif fault.kind == "clock_skew":
                response.headers["X-Sim-Date-Skew"] = str(fault.skew)


_MARK = "\u0000sim-bad-record\u0000"  # its JSON text (\\u0000...) appears nowhere else


def _with_bad_record(body: bytes, position: int, bad: bytes) -> bytes:
    """bad put at the start of the first string of one record of the body's list (the body was
    written compactly, so writing it again gives the same bytes around the change)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body
    lists = (
        [v for v in payload.values() if isinstance(v, list)] if isinstance(payload, dict) else []
    )
    records = lists[0] if lists else []
    if not records or not -len(records) <= position < len(records):
        return body
    record = records[position]
    strings = (
        [k for k, v in record.items() if isinstance(v, str)] if isinstance(record, dict) else []
    )
    if not strings:
        return body
    name = strings[0]
    record[name] = _MARK + record[name]
    text = json.dumps(payload, separators=(",", ":")).encode()
    return text.replace(json.dumps(_MARK)[1:-1].encode(), bad, 1)


def _truncated(body: bytes) -> bytes:
    """Cut JSON so it no longer parses (Content-Length will match the cut body)."""
    cut = body[: max(1, len(body) // 2)]
    try:
        json.loads(cut)
    except ValueError:
        return cut
    return re.sub(rb"[}\]]+$", b"", cut) or b"{"


def _request_params(req: Request) -> Dict[str, str]:
    """What a request asked for, for in-process tests: an OAuth request's form fields or a
    registration's top-level JSON members (as text), and a stream write's (POST or PUT of
    /v7/streams, /v7/stream) top-level JSON members; nothing for any other request."""
    stream_write = req.method in ("POST", "PUT") and req.path.split("/")[1:3] in (
        ["v7", "streams"], ["v7", "stream"],
    )  # fmt: skip
    if not stream_write and (req.path not in OAUTH_PATHS or req.method != "POST"):
        return {}
    kind = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = req.json()
        except ValueError:
            return {}
        if not isinstance(body, dict):
            return {}
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
    return {} if stream_write else req.form()
