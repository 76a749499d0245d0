"""Opaque cursors and HAL pagination links.

A cursor freezes the query's absolute time range on the first page (so a ``window`` does not
slide between pages) and carries the offset of the next record. It is signed: a tampered
cursor answers 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Dict, Optional
from urllib.parse import urlencode

# Page sizes (records per page) per endpoint; override with ThousandEyesSimulator(page_sizes=)
DEFAULT_PAGE_SIZES = {
    "test-results": 1000,
    "alerts": 100,
    "events": 100,
    "audit-user-events": 200,
    # not documented; the SDK pages both by cursor (pagination_iterable.py)
    "endpoint-test-results": 100,
    "endpoint-agents": 100,
}


class CursorError(ValueError):
    pass


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def encode(self, state: Dict[str, Any]) -> str:
        raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
        mac = hmac.new(self._secret, raw, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(mac + raw).decode().rstrip("=")

    def decode(self, cursor: str) -> Dict[str, Any]:
        try:
            blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            mac, raw = blob[:12], blob[12:]
        except Exception:
            raise CursorError("Invalid cursor")
        if not hmac.compare_digest(mac, hmac.new(self._secret, raw, hashlib.sha256).digest()[:12]):
            raise CursorError("Invalid cursor")
        return json.loads(raw)


def page_url(api_base: str, path: str, params: Dict[str, Optional[str]]) -> str:
    """``path`` is the request path under /v7 (e.g. /alerts)."""
    clean = {k: v for k, v in params.items() if v is not None}
    return f"{api_base}{path}" + (f"?{urlencode(clean)}" if clean else "")
