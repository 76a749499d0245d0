"""Request parsing, routing and JSON answers shared by every REST handler of the setup page.

splunkd hands a persistent handler one JSON document per request (``method``, ``rest_path``,
``query`` and ``form`` as ``[[key, value], ...]``, ``session``, ``system_authtoken``,
``server.rest_uri``) and expects ``{"status", "payload", "headers"}`` back. Anything that goes
wrong becomes a JSON ``{"error": "..."}`` with a 4xx/5xx status: never a traceback, and the
text always passes through ``redaction.redact``.

Splunk's driver (persistconn/appserver.py) makes a new handler object for every request,
``__init__(command_line, command_arg)``, and passes the request to ``handle`` as bytes; its base
class's ``__init__`` takes no arguments. A handler therefore keeps nothing between requests:
what one request leaves for the next lives in Splunk (confs, passwords, KV store).
"""

import json
import logging
import re
from typing import Callable, Dict, List, Optional, Pattern, Tuple

from .. import redaction
from ..redaction import redact

try:  # only inside Splunk; tests and tools use the plain base below
    from splunk.persistconn.application import (  # type: ignore[import-not-found]
        PersistentServerConnectionApplication,
    )
except ImportError:  # pragma: no cover - depends on the host

    class PersistentServerConnectionApplication:  # type: ignore[no-redef]
        """Splunk's name (its driver finds handlers by this name in their MRO) and its
        ``__init__``, which takes no arguments."""

        def __init__(self) -> None:
            pass


logger = logging.getLogger("ta_thousandeyes.rest")

URL_PREFIX = "ta_thousandeyes"
MAX_FIELD_LENGTH = 4096  # no legitimate parameter of ours is longer
JSON_HEADERS = {
    "Content-Type": "application/json; charset=UTF-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class ApiError(Exception):
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
            raise ApiError(400, f"Parameter {name!r} was given more than once")
        if values and len(values[0]) > MAX_FIELD_LENGTH:
            raise ApiError(400, f"Parameter {name!r} is too long")
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


def configure_logging() -> None:
    """Every logger of the package, not only this one, through redaction to splunkd.log."""
    redaction.configure_logging()


class RestHandler(PersistentServerConnectionApplication):
    """Base of every handler class: parse, route, answer; subclasses list ``routes``."""

    routes = ()  # type: Sequence[Route]
    # Builds the per-request splunkd access (tests replace it with a stub).
    context_factory = None  # type: Optional[Callable[[Request], object]]

    def __init__(self, command_line: object = None, command_arg: object = None) -> None:
        super().__init__()
        configure_logging()
        if self.context_factory is None:
            from .context import SplunkContext

            self.context_factory = SplunkContext

    def handle(self, in_bytes: object) -> Dict:
        """One request: bytes from Splunk's driver (str is accepted too)."""
        try:
            text = in_bytes.decode("utf-8") if isinstance(in_bytes, bytes) else in_bytes
            document = json.loads(text)  # type: ignore[arg-type]
            if not isinstance(document, dict):
                raise ValueError("request is not an object")
            request = Request(document)
        except ValueError:
            return error_reply(400, "The request could not be parsed")
        try:
            return self.dispatch(request)
        except ApiError as error:
            return error_reply(error.status, error.message)
        except Exception as error:  # the one place that turns surprises into a plain 500
            from .errors import reply_for_exception

            mapped = reply_for_exception(error)
            if mapped is not None:
                return mapped
            logger.error(
                "%s %s failed: %s",
                request.method,
                "/".join(request.path),
                redact(error),
                exc_info=True,
            )
            return error_reply(500, "Internal error in the add-on; see splunkd.log for details")

    def dispatch(self, request: Request) -> Dict:
        joined = "/".join(request.path)
        allowed = []
        for method, pattern, function in self.routes:
            match = pattern.match(joined)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            context = self.context_factory(request)
            context.require_admin()
            return function(context, request, **match.groupdict())
        if allowed:
            raise ApiError(405, f"Method {request.method} is not allowed here")
        raise ApiError(404, "No such endpoint")
