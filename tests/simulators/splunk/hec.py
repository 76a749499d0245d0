"""HTTP Event Collector: tokens in inputs.conf, /services/collector/event on its own HTTPS port.

Sources:
- Endpoints: ``services/collector``, ``services/collector/event`` and
  ``services/collector/event/1.0`` take the JSON event protocol; ``services/collector/health``
  answers ``{"text":"HEC is healthy","code":17}`` (help.splunk.com "HTTP Event Collector REST
  API endpoints").
- Authentication: ``Authorization: Splunk <token>`` (help.splunk.com "Format events for HTTP
  Event Collector").
- Answers: HTTP status, ``code`` and ``text`` as Splunk gives them — 200/0 Success, 403/1 Token
  disabled, 401/2 Token is required, 401/3 Invalid authorization, 403/4 Invalid token, 400/5
  No data, 400/6 Invalid data format, 400/7 Incorrect index, 400/12 Event field is required,
  400/13 Event field cannot be blank, 400/15 Error in handling indexed fields; a batch error
  adds ``invalid-event-number`` (zero-based). Splunk's own table is reproduced by the
  SplunkAdmins app's ``splunkadmins_hec_reply_code_lookup.csv`` and by the OpenTelemetry
  splunkhecreceiver's constants.
- Batches: several JSON objects concatenated in one body; the events before the first bad
  one are indexed, none after it (moby/moby#35862, open-telemetry/opentelemetry-collector-
  contrib#36113, vectordotdev/vector#11434).
- Event metadata ``time`` (epoch seconds), ``host``, ``source``, ``sourcetype``, ``index``,
  ``fields`` (indexed fields); unset ones come from the token, then Splunk's defaults:
  index ``main``, source ``http:<token name>``, sourcetype ``httpevent``, host the server.
  A token's ``indexes`` lists where it may write; empty means any index (inputs.conf.spec).
- Tokens: ``[http://<name>]`` stanzas of inputs.conf (``token``, ``disabled``, ``index``,
  ``indexes``, ``sourcetype``, ``source``, ``host``, ``useACK``); the global ``[http]``
  stanza's ``disabled`` turns HEC off, and Splunk ships it off (``splunk_httpinput``
  default/inputs.conf, "HEC is disabled by default", help.splunk.com "Troubleshoot HTTP
  Event Collector").

Stand-in choices: with HEC off, connections are closed at once (real splunkd does not listen);
``useACK`` is stored but acknowledgement is not modelled; no props are applied (a JSON event is
one event). Events land in the same index files as every other input (``receivers.py``), with
their indexed fields under ``fields`` and the token's stanza under ``stanza``.
"""

import gzip
import json
import os
import threading
import uuid
from collections import OrderedDict
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from .conffile import AppConf
from .handler import POLL_SECONDS, StandinHandler
from .index import IndexStore

HEC_APP = "splunk_httpinput"
EVENT_PATHS = ("/services/collector", "/services/collector/event", "/services/collector/event/1.0")
HEALTH_PATH = "/services/collector/health"
DEFAULT_GLOBAL = OrderedDict([("disabled", "1"), ("port", "8088"), ("enableSSL", "1")])
TRUE_WORDS = ("1", "true", "t", "yes", "y")
Answer = Tuple[int, Dict[str, Any]]


def answer(status: int, code: int, text: str, event_number: Optional[int] = None) -> Answer:
    body = {"text": text, "code": code}  # type: Dict[str, Any]
    if event_number is not None:
        body["invalid-event-number"] = event_number
    return status, body


def is_true(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in TRUE_WORDS


class HecTokens:
    """The ``[http://<name>]`` stanzas of every app's inputs.conf, and the global ``[http]``.

    A token is written to the app of the request's namespace (as splunkd writes any input),
    ``splunk_httpinput`` when there is none; tokens of every app are live.
    """

    def __init__(self, apps_dir: str, app_dirs: "Callable[[], Dict[str, str]]") -> None:
        self.hec_app_dir = os.path.join(apps_dir, HEC_APP)
        self.app_dirs = app_dirs
        default = AppConf(self.hec_app_dir, "inputs")
        if not os.path.exists(default.default_path):
            from .conffile import dump

            os.makedirs(os.path.dirname(default.default_path), exist_ok=True)
            with open(default.default_path, "w", encoding="utf-8") as handle:
                handle.write(dump({"http": DEFAULT_GLOBAL}))

    def _apps(self) -> "Dict[str, str]":
        apps = OrderedDict([(HEC_APP, self.hec_app_dir)])
        apps.update(self.app_dirs())
        return apps

    def app_dir(self, app: Optional[str]) -> "Tuple[str, str]":
        apps = self._apps()
        name = app if app in apps else HEC_APP
        return name, apps[name]

    # --- the global stanza -----------------------------------------------------------
    def global_settings(self) -> "OrderedDict[str, str]":
        return AppConf(self.hec_app_dir, "inputs").stanza("http") or OrderedDict(DEFAULT_GLOBAL)

    def set_global(self, settings: "Dict[str, str]") -> None:
        AppConf(self.hec_app_dir, "inputs").update("http", settings)

    @property
    def enabled(self) -> bool:
        return not is_true(self.global_settings().get("disabled"))

    # --- tokens ----------------------------------------------------------------------
    def all(self) -> "List[Tuple[str, str, OrderedDict]]":
        """(app, name, settings) of every token, apps in order, stanzas in file order."""
        found = []
        for app, directory in self._apps().items():
            for stanza, settings in AppConf(directory, "inputs").stanzas().items():
                if stanza.startswith("http://"):
                    found.append((app, stanza[len("http://") :], settings))
        return found

    def find(self, name: str) -> "Optional[Tuple[str, OrderedDict]]":
        return next(((app, s) for app, n, s in self.all() if n == name), None)

    def by_token(self, token: str) -> "Optional[Tuple[str, OrderedDict]]":
        return next(((n, s) for _, n, s in self.all() if s.get("token") == token), None)

    def create(self, name: str, settings: "Dict[str, str]", app: Optional[str]) -> str:
        if not name or "/" in name:
            raise ValueError(f"Invalid token name {name!r}")
        if self.find(name) is not None:
            raise FileExistsError(name)
        values = OrderedDict(settings)
        values["token"] = values.get("token") or str(uuid.uuid4()).upper()
        values.setdefault("disabled", "0")
        _, directory = self.app_dir(app)
        AppConf(directory, "inputs").update("http://" + name, values)
        return values["token"]

    def update(self, name: str, settings: "Dict[str, str]") -> None:
        found = self.find(name)
        if found is None:
            raise KeyError(name)
        AppConf(self._apps()[found[0]], "inputs").update("http://" + name, settings)

    def delete(self, name: str) -> None:
        found = self.find(name)
        if found is None or not AppConf(self._apps()[found[0]], "inputs").delete("http://" + name):
            raise KeyError(name)


class HttpEventCollector:
    """Answers one HEC request and indexes its events (transport-free, so it is easy to test)."""

    def __init__(
        self,
        tokens: HecTokens,
        store: IndexStore,
        clock: "Callable[[], float]",
        server_host: str,
        allowed_indexes: "Callable[[], Optional[set]]" = lambda: None,
    ) -> None:
        self.tokens = tokens
        self.store = store
        self.clock = clock
        self.server_host = server_host
        self.allowed_indexes = allowed_indexes

    def handle(self, method: str, path: str, headers: "Dict[str, str]", body: bytes) -> Answer:
        path = path.split("?", 1)[0].rstrip("/") or "/"
        if path == HEALTH_PATH:
            return answer(200, 17, "HEC is healthy")
        if path not in EVENT_PATHS:
            return answer(404, 404, "The requested URL was not found on this server.")
        if method != "POST":
            return answer(405, 405, "Method Not Allowed")
        found, refusal = self._token(headers.get("authorization"))
        if refusal:
            return refusal
        name, settings = found
        if (headers.get("content-encoding") or "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except OSError:
                return answer(400, 6, "Invalid data format")
        return self._index(body.decode("utf-8", "replace"), name, settings)

    def _token(self, header: Optional[str]) -> "Tuple[Any, Optional[Answer]]":
        if not header:
            return None, answer(401, 2, "Token is required")
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "splunk" or not value.strip():
            return None, answer(401, 3, "Invalid authorization")
        found = self.tokens.by_token(value.strip())
        if found is None:
            return None, answer(403, 4, "Invalid token")
        if is_true(found[1].get("disabled")):
            return None, answer(403, 1, "Token disabled")
        return found, None

    def _index(self, text: str, name: str, settings: "Dict[str, str]") -> Answer:
        if not text.strip():
            return answer(400, 5, "No data")
        decoder, position, number, events = json.JSONDecoder(), 0, 0, []
        refusal = None  # type: Optional[Answer]
        now = self.clock()
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text):
                break
            try:
                item, position = decoder.raw_decode(text, position)
            except ValueError:
                refusal = answer(400, 6, "Invalid data format", number)
                break
            event, refusal = self._event(item, number, name, settings, now)
            if refusal:
                break
            events.append(event)
            number += 1
        self.store.append(events)  # the events before a bad one are indexed (see above)
        return refusal or answer(200, 0, "Success")

    def _event(
        self, item: Any, number: int, name: str, settings: "Dict[str, str]", now: float
    ) -> "Tuple[Optional[dict], Optional[Answer]]":
        if not isinstance(item, dict):
            return None, answer(400, 6, "Invalid data format", number)
        if "event" not in item:
            return None, answer(400, 12, "Event field is required", number)
        raw = item["event"]
        if raw == "" or raw is None:
            return None, answer(400, 13, "Event field cannot be blank", number)
        index = item.get("index") or settings.get("index") or "main"
        allowed = [i.strip() for i in (settings.get("indexes") or "").split(",") if i.strip()]
        existing = self.allowed_indexes()
        if (
            not isinstance(index, str)
            or (allowed and index not in allowed)
            or (existing is not None and index not in existing)
        ):
            return None, answer(400, 7, "Incorrect index", number)
        try:
            self.store._path(index)  # a name no index can have
        except ValueError:
            return None, answer(400, 7, "Incorrect index", number)
        try:
            when = float(item["time"]) if item.get("time") not in (None, "") else now
        except (TypeError, ValueError):
            return None, answer(400, 6, "Invalid data format", number)
        fields = item.get("fields")
        if fields is not None and not (
            isinstance(fields, dict) and all(_indexable(v) for v in fields.values())
        ):
            return None, answer(400, 15, "Error in handling indexed fields", number)
        event = {
            "_time": when,
            "index": index,
            "sourcetype": str(item.get("sourcetype") or settings.get("sourcetype") or "httpevent"),
            "source": str(item.get("source") or settings.get("source") or f"http:{name}"),
            "host": str(item.get("host") or settings.get("host") or self.server_host),
            "_raw": raw if isinstance(raw, str) else json.dumps(raw, separators=(",", ":")),
            "_indextime": int(now),
            "stanza": f"http://{name}",
        }  # type: Dict[str, Any]
        if fields:
            event["fields"] = fields
        return event, None


def _indexable(value: Any) -> bool:
    """An indexed field's value: a string or number, or a list of them (no objects)."""
    if isinstance(value, list):
        return all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value)
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


class _Handler(StandinHandler):
    def _serve(self) -> None:
        collector = self.server.collector  # type: ignore[attr-defined]
        body = self.read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, payload = collector.handle(self.command, self.path, headers, body)
        except Exception:  # a stand-in bug must show up as a 500, not a hang
            status, payload = answer(500, 8, "Internal server error")
        data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - stdlib names


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return self.collector.tokens.enabled  # type: ignore[attr-defined]

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.do_handshake()  # in the request's thread, not the accept loop
        except OSError:  # ssl.SSLError included: a client that does not trust our CA
            return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-request is the client's business


class HecServer:
    """The collector on an ephemeral 127.0.0.1 HTTPS port (HEC's is 8088), in a thread."""

    def __init__(self, collector: HttpEventCollector, ssl_context: Any) -> None:
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.socket = ssl_context.wrap_socket(
            self.httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        self.httpd.collector = collector  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
