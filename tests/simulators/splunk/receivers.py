"""POST receivers/simple: one request body indexed through the sourcetype's index-time props.

Sources: splunklib ``Index.submit`` (splunk-sdk-python ``client.py``) posts the event text as
the body of ``receivers/simple`` with ``index``, ``host``, ``source`` and ``sourcetype`` in
the query; the body then goes through the parsing pipeline like any input, so props.conf's
LINE_BREAKER, TRUNCATE and timestamp settings apply (``props.py``). Posting needs the
``edit_tcp`` capability (the capability public apps grant their users so they may post to
it, e.g. a community app's comment: "ships with the edit_tcp capability so all
authenticated users ... can POST to this endpoint"). Not found, so the stand-in's choices:
the answer's body (a JSON object naming index, bytes, host, source and sourcetype), the
default source (``receivers/simple``) and a refusal of an unknown index (400).
"""

import json
import os
import socket
from typing import Callable, Dict, Optional

from . import atom
from .index import IndexStore
from .props import IndexTimeProps

DEFAULT_INDEX = "main"
DEFAULT_SOURCE = "receivers/simple"


def index_dir(splunk_home: str) -> str:
    """Where the modular input runner's IndexStore keeps indexes: one index for both."""
    return os.path.join(splunk_home, "var", "lib", "splunk", "indexes")


class SimpleReceiver:
    def __init__(
        self,
        splunk_home: str,
        app_dirs: "Callable[[], Dict[str, str]]",
        clock: "Callable[[], float]",
        server_host: Optional[str] = None,
        log: "Optional[Callable[[str, str, str], None]]" = None,
    ) -> None:
        self.store = IndexStore(index_dir(splunk_home))
        self.app_dirs = app_dirs
        self.clock = clock
        self.server_host = server_host or socket.gethostname()
        self.log = log or (lambda level, component, message: None)
        self.allowed_indexes = None  # type: Optional[set]

    def handle(self, request) -> atom.Body:  # noqa: ANN001 - a SplunkdRequest
        mode = request.output_mode
        if request.method != "POST":
            return atom.messages(mode, 405, "Method not allowed")
        user = request.user
        if user is None or not user.has("edit_tcp"):
            return atom.messages(mode, 403, "You do not have the capability edit_tcp")
        query = dict(request.query)
        index = query.get("index") or DEFAULT_INDEX
        index = DEFAULT_INDEX if index == "default" else index
        if self.allowed_indexes is not None and index not in self.allowed_indexes:
            return atom.messages(mode, 400, f"Unknown index={index}")
        sourcetype = query.get("sourcetype") or "receivers_simple"
        source = query.get("source") or DEFAULT_SOURCE
        host = query.get("host") or self.server_host
        text = request.body.decode("utf-8", "replace")
        written = self._index(text, index, sourcetype, source, host)
        answer = {"index": index, "bytes": len(request.body), "host": host,
                  "source": source, "sourcetype": sourcetype, "events": written}  # fmt: skip
        return atom.Body(200, json.dumps(answer).encode("utf-8"), "application/json")

    def _index(self, text: str, index: str, sourcetype: str, source: str, host: str) -> int:
        apps = list(self.app_dirs().values())
        props = IndexTimeProps.load(apps[0]) if apps else IndexTimeProps({})
        rules = props.for_sourcetype(sourcetype)
        now = self.clock()
        where = f'data_source="{source}", data_host="{host}", data_sourcetype="{sourcetype}"'
        events = []
        for raw in rules.events(text, self.log, where):
            events.append(
                {
                    "_time": rules.event_time(raw, None, now, self.log, where),
                    "index": index, "sourcetype": sourcetype, "source": source, "host": host,
                    "_raw": raw, "_indextime": int(now), "stanza": None,
                }
            )  # fmt: skip
        self.store.append(events)
        return len(events)
