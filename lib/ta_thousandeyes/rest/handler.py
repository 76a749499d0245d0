"""The base class of every handler splunkd loads: parse, check the caller, route, answer.

Splunk's driver (persistconn/appserver.py) makes a new handler object for every request,
``__init__(command_line, command_arg)``, and passes the request to ``handle`` as bytes; its base
class's ``__init__`` takes no arguments. A handler therefore keeps nothing between requests:
what one request leaves for the next lives in Splunk (confs, passwords, KV store).
"""

import json
from typing import Callable, Dict, Sequence

from .. import redaction
from ..redaction import redact
from .base import Request, RestError, Route, error_reply, logger
from .context import SplunkContext
from .errors import reply_for_exception

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


class RestHandler(PersistentServerConnectionApplication):
    """Base of every handler class: parse, route, answer; subclasses list ``routes``."""

    routes: Sequence[Route] = ()
    # Builds the per-request splunkd access (tests replace it with a stub).
    context_factory: Callable[[Request], object] = SplunkContext

    def __init__(self, command_line: object = None, command_arg: object = None) -> None:
        super().__init__()
        redaction.configure_logging()  # every logger of the package, through redaction

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
        except RestError as error:
            return error_reply(error.status, error.message)
        except Exception as error:  # the one place that turns surprises into a plain 500
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
            raise RestError(405, f"Method {request.method} is not allowed here")
        raise RestError(404, "No such endpoint")
