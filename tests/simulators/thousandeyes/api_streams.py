"""/v7/streams: list (JSON array) and create, at most 10 streams per account group (412)."""

from __future__ import annotations

import secrets
import threading
from typing import Dict, List

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, json_response
from .problems import problem

MAX_STREAMS_PER_GROUP = 10
_lock = threading.Lock()


def _store(ctx: SimContext) -> Dict[str, List[dict]]:
    return ctx.streams


def streams(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    if req.method == "GET":
        with _lock:
            return json_response(200, list(_store(ctx).get(aid, [])))
    try:
        body = req.json()
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return problem(400, "Body must be a JSON object", req.path)
    invalid = _validate(body)
    if invalid:
        return problem(400, invalid, req.path)
    with _lock:
        existing = _store(ctx).setdefault(aid, [])
        if len(existing) >= MAX_STREAMS_PER_GROUP:
            detail = f"Account group {aid} already has {MAX_STREAMS_PER_GROUP} streams"
            return problem(412, detail, req.path)
        stream_id = secrets.token_hex(12)
        created = dict(body)
        created.update(
            {
                "id": stream_id,
                "enabled": body.get("enabled", True),
                "_links": {"self": {"href": f"{api}/streams/{stream_id}"}},
            }
        )
        existing.append(created)
    return json_response(201, created, Location=f"{api}/streams/{stream_id}")


def _validate(body: dict) -> str:
    stream_type = body.get("type")
    if stream_type not in ("opentelemetry", "splunk-hec"):
        return "type must be opentelemetry or splunk-hec"
    if body.get("signal", "metric") not in ("metric", "trace", "log"):
        return "signal must be metric, trace or log"
    url = body.get("streamEndpointUrl")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "streamEndpointUrl must be an http(s) URL"
    if stream_type == "splunk-hec":
        if body.get("endpointType") != "http":
            return "splunk-hec streams need endpointType http"
        token = ((body.get("exporterConfig") or {}).get("splunkHec") or {}).get("token")
        if not token:
            return "splunk-hec streams need exporterConfig.splunkHec.token"
    elif body.get("endpointType") not in ("grpc", "http"):
        return "endpointType must be grpc or http"
    return ""
