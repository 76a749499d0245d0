"""Requests, routes and JSON answers: the protocol every REST handler of the setup page speaks.

splunkd hands a persistent handler one JSON document per request (``method``, ``rest_path``,
``query`` and ``form`` as ``[[key, value], ...]``, ``session``, ``system_authtoken``,
``server.rest_uri``) and expects ``{"status", "payload", "headers"}`` back. Anything that goes
wrong becomes a JSON ``{"error": "..."}`` with a 4xx/5xx status: never a traceback, and the
text always passes through ``redaction.redact``.
"""

import json
import logging
import re
from typing import Callable, Dict, List, Optional, Pattern, Tuple

from ..redaction import redact

logger = logging.getLogger("ta_thousandeyes.rest")

URL_PREFIX = "ta_thousandeyes"
MAX_FIELD_LENGTH = 4096  # no legitimate parameter of ours is longer
JSON_HEADERS = {
    "Content-Type": "application/json; charset=UTF-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class RestError(Exception):
    """An answer other than success: status and a message safe to show the admin."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Request:
    """One parsed request. ``path`` is the part after ``ta_thousandeyes/``, split on '/'."""

    def __init__(self, document: Dict[str, object]) -> None:
        self.method = str(document.get("method") or "GET").upper()
        self.rest_path = str(document.get("rest_path") or "")
        self.path = _resource_path(self.rest_path)
        self.query = _pairs(document.get("query"))
        self.form = _pairs(document.get("form"))
        session = document.get("session") if isinstance(document.get("session"), dict) else {}
        self.user = str(session.get("user") or "")  # type: ignore[union-attr]
        self.user_token = str(session.get("authtoken") or "")  # type: ignore[union-attr]
        self.system_token = str(document.get("system_authtoken") or "")
        server = document.get("server") if isinstance(document.get("server"), dict) else {}
        self.server_uri = str(server.get("rest_uri") or "")  # type: ignore[union-attr]
        names = (server.get(key) for key in ("hostname", "servername"))  # type: ignore[union-attr]
        self.server_names = tuple(str(name) for name in names if name)

    def _value(self, pairs: List[Tuple[str, str]], name: str) -> Optional[str]:
        values = [value for key, value in pairs if key == name]
        if len(values) > 1:
            raise RestError(400, f"Parameter {name!r} was given more than once")
        if values and len(values[0]) > MAX_FIELD_LENGTH:
            raise RestError(400, f"Parameter {name!r} is too long")
        return values[0] if values else None

    def arg(self, name: str) -> Optional[str]:
        """A form field, else a query parameter (GET requests carry only the latter)."""
        value = self._value(self.form, name)
        return value if value is not None else self._value(self.query, name)

    def names(self) -> List[str]:
        return [key for key, _ in self.form + self.query]


def _pairs(value: object) -> List[Tuple[str, str]]:
    pairs = []
    if isinstance(value, dict):
        value = list(value.items())
    for item in value or []:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            pairs.append((str(item[0]), "" if item[1] is None else str(item[1])))
    return pairs


def _resource_path(rest_path: str) -> List[str]:
    """Segments after ``ta_thousandeyes/`` whatever namespace prefix splunkd left on."""
    segments = [segment for segment in rest_path.split("/") if segment]
    if URL_PREFIX in segments:
        return segments[segments.index(URL_PREFIX) + 1 :]
    return segments


def json_reply(status: int, payload: object, headers: Optional[Dict[str, str]] = None) -> Dict:
    merged = dict(JSON_HEADERS)
    merged.update(headers or {})
    return {"status": status, "payload": json.dumps(payload), "headers": merged}


def error_reply(status: int, message: str) -> Dict:
    return json_reply(status, {"error": redact(message)})


# A route: HTTP method, a regex over the joined resource path, and the function to call with
# the request context, the request and the regex's named groups.
Route = Tuple[str, Pattern, Callable[..., Dict]]
CONTROL_PARAMETERS = frozenset({"output_mode"})


def route(method: str, pattern: str, function: Callable[..., Dict]) -> Route:
    return (method, re.compile("^" + pattern + "$"), function)
