"""/v7/streams and the older /v7/stream: list, create, get, update (PUT), delete.

Sources (``shared/reference/thousandeyes-streams-endpoint.md`` section 1): operations and
statuses from SDK-ST/SDK-STD (list 200 bare array, ``?type=`` filter; create 201; get 200;
update 200 with the stream; delete 204; 404 for another group's or an unknown id); the
singular path from the 2023 OpenAPI file and the official Splunk app (OA-S, TA). Scope
``streams:manage`` for every method (DOC-OA; checked in ``api_v7``). Validation and the
record itself: ``streams.py``.
"""

from __future__ import annotations

import json
from typing import Optional

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, json_response
from .problems import problem
from .streams import STREAM_TYPES, StreamError

_HTTP_STATUS = {400: "BAD_REQUEST", 404: "NOT_FOUND", 412: "PRECONDITION_FAILED"}


def streams(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    parts = req.path.strip("/").split("/")  # v7, streams|stream[, id]
    if len(parts) > 3:
        return problem(404, "Not found", req.path)
    stream_id: Optional[str] = parts[2] if len(parts) == 3 else None
    store, now, uid = ctx.streams, ctx.clock.now(), int(caller.user.uid)
    try:
        if stream_id is None and req.method == "GET":
            wanted = req.query.get("type")
            if wanted is not None and wanted not in STREAM_TYPES:
                raise StreamError(400, f"Invalid type '{wanted}'")
            return json_response(200, [r.to_json(api) for r in store.list(aid, wanted)])
        if stream_id is None and req.method == "POST":
            record = store.create(aid, uid, _body(req), now)
            created = record.to_json(api, with_update=False)
            return json_response(201, created, Location=created["_links"]["self"]["href"])
        if stream_id is None:
            return problem(405, f"Method {req.method} not allowed", req.path)
        if req.method == "GET":
            return json_response(200, store.get(aid, stream_id).to_json(api))
        if req.method == "PUT":
            return json_response(
                200, store.update(aid, stream_id, uid, _body(req), now).to_json(api)
            )
        if req.method == "DELETE":
            store.delete(aid, stream_id)
            return Response(204)
        return problem(405, f"Method {req.method} not allowed", req.path)
    except StreamError as refusal:
        return error_response(ctx, req, refusal)


def _body(req: Request) -> object:
    try:
        return req.json()
    except ValueError as error:
        raise StreamError(400, f"JSON parse error: {error}") from error


def error_response(ctx: SimContext, req: Request, refusal: StreamError) -> Response:
    """The streaming API's error body (SDK BadRequestError / ApiErrorIntegrationLimits)."""
    body = {
        "timestamp": int(ctx.clock.now() * 1000),
        "httpStatus": _HTTP_STATUS.get(refusal.status, str(refusal.status)),
        "errors": [refusal.message],
        "path": req.base_url + req.path,
    }
    return Response(refusal.status, json.dumps(body).encode(), {"Content-Type": "application/json"})
