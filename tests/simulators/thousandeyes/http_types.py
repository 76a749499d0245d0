"""Transport-neutral request/response objects handed between the server and the endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Dict, FrozenSet, List, Optional
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    query: Dict[str, str]
    query_lists: Dict[str, List[str]]
    headers: Dict[str, str]  # lower-case names
    body: bytes
    region: str
    base_url: str  # scheme://host:port of this host
    roles: FrozenSet[str] = frozenset(("api", "oauth", "pages"))  # what this host serves
    # filled in by the API layer for the request log
    client_id: Optional[str] = None
    token_id: Optional[str] = None

    def form(self) -> Dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def cookie(self, name: str) -> Optional[str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:
            return None
        morsel = jar.get(name)
        return morsel.value if morsel else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    # fault-injection instructions for the transport
    drop_after: Optional[int] = None  # close the connection after this many body bytes
    delay: float = 0.0


def json_response(
    status: int, payload: Any, content_type: str = "application/json", **headers: str
) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    all_headers = {"Content-Type": content_type}
    all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    return Response(status, body, all_headers)


def hal(payload: Any, status: int = 200) -> Response:
    return json_response(status, payload, "application/hal+json")


def html_response(status: int, html: str, headers: Optional[Dict[str, str]] = None) -> Response:
    all_headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    all_headers.update(headers or {})
    return Response(status, html.encode("utf-8"), all_headers)


def redirect(location: str, headers: Optional[Dict[str, str]] = None) -> Response:
    all_headers = {"Location": location, "Cache-Control": "no-store"}
    all_headers.update(headers or {})
    return Response(303, b"", all_headers)
