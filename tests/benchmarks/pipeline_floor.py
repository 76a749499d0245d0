"""(c) The transport floor: the add-on's GETs, sent again over one kept-alive TLS connection
(http.client, nothing between the socket and the bytes), ``json.loads`` of each body, and
writing as many output bytes as the add-on wrote (one write and flush per body, as the add-on
does). No poller reading this HTTPS API can do less per record: it is what (a) is held to."""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from ta_thousandeyes.api_client import ACCEPT


class BareReply:
    """What ApiClient reads of an answer (tradeoffs' bare-http variant)."""

    __slots__ = ("status_code", "headers", "content", "reason")

    def __init__(self, status_code: int, headers: Any, content: bytes, reason: str) -> None:
        self.status_code, self.headers, self.content = status_code, headers, content
        self.reason = reason


class BareHttpTransport:
    """One kept-alive http.client TLS connection per origin."""

    def __init__(self, ca_bundle: str) -> None:
        self._context = ssl.create_default_context(cafile=ca_bundle)
        self._connections: Dict[Tuple[Any, Any], http.client.HTTPSConnection] = {}

    def get(self, url: str, headers: Optional[Dict[str, str]] = None) -> BareReply:
        parts = urlsplit(url)
        where = (parts.hostname, parts.port)
        connection = self._connections.get(where)
        if connection is None:
            connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, context=self._context, timeout=60
            )
            self._connections[where] = connection
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return BareReply(response.status, response.headers, response.read(), response.reason)

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()


def output_chunks(bodies: List[bytes], total_output_bytes: int) -> List[bytes]:
    """Pre-built output per body, proportional to body size (built outside the timing)."""
    total_input = sum(len(body) for body in bodies) or 1
    return [b"x" * (total_output_bytes * len(body) // total_input) for body in bodies]


def run(urls: List[str], token: str, ca_bundle: str, chunks: List[bytes], output: Any) -> int:
    """GET every URL, parse every body and write its chunk; returns the bytes parsed."""
    transport = BareHttpTransport(ca_bundle)
    headers = {"Authorization": "Bearer " + token, "Accept": ACCEPT}
    parsed = 0
    loads = json.loads
    try:
        for url, chunk in zip(urls, chunks):
            body = transport.get(url, headers).content
            loads(body)
            output.write(chunk)
            output.flush()
            parsed += len(body)
    finally:
        transport.close()
    return parsed
