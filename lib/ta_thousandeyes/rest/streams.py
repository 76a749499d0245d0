"""ta_thousandeyes/streams: a connection's ThousandEyes streams into Splunk's HEC.

- ``GET streams?connection&aid``: every stream of the account group (``/v7/streams``), ours
  marked, with ``streamStatus``; the view of ``ta_thousandeyes.streams.public_view`` (no token).
- ``POST streams``: create a splunk-hec stream (data model v2) to the HEC URL the admin gives,
  with the HEC token the admin pastes (``hec_token``) or one the add-on creates
  (``create_hec_token=1``) through splunkd's ``data/inputs/http`` in the ``splunk_httpinput``
  namespace, so the token lives only in Splunk's HEC configuration and at ThousandEyes: it is
  never written to our confs, logged (it is registered with redaction first) or answered.
- ``POST streams/<id>``: edit ours (name, enabled, tests, tags, test types, index,
  sourcetype, URL, token); ``POST streams/<id>/delete``: delete ours.

The connection must hold ``streams:manage`` (an OAuth connection asks for it only when the
admin turns its Streams feature on, ``ta_thousandeyes.features``; a user API token carries
every scope): otherwise 409 and what to do.
ThousandEyes' refusals are shown as such: the 10-stream limit (412), the endpoint check (400
"TLS/SSL": bad certificate; "connection issue"/"I/O issue": unreachable).
"""

import json
import secrets
from typing import Any, Dict, Optional

from .. import api_client, assembly, connections, features, redaction, splunk_service
from .. import streams as model
from ..redaction import redact
from . import validation
from .base import Request, RestError, json_reply, logger, route
from .catalog import client_for

HEC_NAMESPACE = "splunk_httpinput"
HEC_TOKENS_PATH = "data/inputs/http"
SCOPE_MESSAGE = (
    "Connection {name!r} was authorized without the streams:manage scope that streams need. "
    'To turn streams on: tick "{feature}" for {name!r} under Connections on this page, then '
    'click "Reconnect to grant streams:manage" there.'
)


def scope_message(name: str) -> str:
    return SCOPE_MESSAGE.format(name=name, feature=features.label(features.STREAMS))


EDIT_FIELDS = ("name", "enabled", "tests", "tags", "test_types", "index", "sourcetype",
               "hec_url", "hec_token")  # fmt: skip


def _spec(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except model.StreamSpecError as error:
        raise RestError(400, str(error))


def _account_group(request: Request, config: connections.ConnectionConfig) -> str:
    aid = validation.required(request, "aid")
    known = [str(group.get("aid", "")) for group in config.account_groups]
    if not aid.isdigit() or (known and aid not in known):
        raise RestError(400, f"Unknown account group id {aid!r} for this connection")
    return aid


def _require_scope(config: connections.ConnectionConfig) -> None:
    if not model.holds_scope(config.auth_method, config.scopes):
        raise RestError(409, scope_message(config.name))


def _hec_url(value: Optional[str]) -> str:
    text = validation.printable("HEC URL", value, 1024)
    if not text.lower().startswith("https://") or " " in text:
        raise RestError(
            400,
            "The HEC URL must be the full HTTPS URL ThousandEyes posts to, e.g. "
            "https://hec.example.com:8088/services/collector/event",
        )
    return text


def _index(value: Optional[str]) -> str:
    text = validation.printable("Index", value, 80)
    if text and not all(c.isalnum() or c in "_-" for c in text):
        raise RestError(400, "Index names are letters, digits, '_' or '-'")
    return text


def _translate(error: Exception, name: str) -> RestError:
    """ThousandEyes' answer as an error the admin can act on."""
    if isinstance(error, api_client.ApiError):
        text = redact(error.args[0] if error.args else error)
        if error.status == 412:
            return RestError(409, f"ThousandEyes refused: at most {model.MAX_STREAMS_PER_GROUP} "
                                 f"streams per account group ({text})")  # fmt: skip
        if error.status == 403:
            return RestError(409, scope_message(name) + f" (ThousandEyes: {text})")
        if error.status == 404:
            return RestError(404, "ThousandEyes has no such stream in this account group")
        if error.status == 400 and "TLS/SSL" in text:
            return RestError(400, "ThousandEyes could not reach the HEC URL: bad certificate "
                                 "(TLS/SSL). HEC must present a certificate ThousandEyes "
                                 f"trusts. ({text})")  # fmt: skip
        if error.status == 400 and ("connection issue" in text or "I/O issue" in text):
            return RestError(400, "ThousandEyes could not reach the HEC URL (connection issue): "
                                 "HEC must be enabled and reachable from ThousandEyes' cloud. "
                                 f"({text})")  # fmt: skip
        if error.status == 400:
            return RestError(400, f"ThousandEyes refused the stream: {text}")
        return RestError(502, f"ThousandEyes answered HTTP {error.status}: {text}")
    return RestError(502, "ThousandEyes did not answer: " + redact(error))


class _Session:
    """An opened connection, its scope checked, and its API client."""

    def __init__(self, context: Any, request: Request) -> None:
        self.name = validation.connection_name(request.arg("connection"))
        self.connection = assembly.open_connection(context.service, self.name)
        try:
            _require_scope(self.connection.config)
            self.aid = _account_group(request, self.connection.config)
            self.client = client_for(self.connection, self.name)
        except BaseException:
            self.connection.close()
            raise

    def call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        try:
            return self.client.send(method, path, body, aid=self.aid)
        except (api_client.ApiError, api_client.ApiUnavailable, api_client.ForeignLinkRefused) as e:
            raise _translate(e, self.name)

    def stream(self, stream_id: str) -> Dict[str, Any]:
        found = self.call("GET", "/streams/" + stream_id)
        if not isinstance(found, dict):
            raise RestError(502, "ThousandEyes sent an unreadable stream")
        if not model.ours(found):
            raise RestError(403, "This stream was not created by the add-on; manage it in "
                                "ThousandEyes")  # fmt: skip
        return found

    def close(self) -> None:
        self.connection.close()


def _stream_id(value: str) -> str:
    if not value or len(value) > 64 or not all(c.isalnum() or c in "-_" for c in value):
        raise RestError(400, "Unknown stream id")
    return value


# -- HEC tokens (splunkd, splunk_httpinput) ---------------------------------------------------


def _hec_service(context: Any) -> Any:
    request = context.request
    token = request.system_token or request.user_token
    return splunk_service.connect(request.server_uri, token, app=HEC_NAMESPACE, owner="nobody")


def _create_hec_token(context: Any, connection: str, aid: str, index: str, sourcetype: str):
    """A new HEC token (name, value) in splunk_httpinput; the value is registered as a secret
    before anything else can see it."""
    name = f"ta_thousandeyes_stream_{connection}_{aid}_{secrets.token_hex(4)}"
    settings = {"name": name, "sourcetype": sourcetype, "source": model.SOURCE}
    if index:
        settings.update(index=index, indexes=index)
    response = _hec_service(context).post(HEC_TOKENS_PATH, output_mode="json", **settings)
    body = json.loads(response.body.read().decode("utf-8"))
    entries = body.get("entry") or [{}]
    value = str((entries[0].get("content") or {}).get("token") or "")
    redaction.register_secret(value)
    if not value:
        raise RestError(502, "splunkd created the HEC token but did not return it")
    logger.info("created HEC token %s for connection %s account group %s", name, connection, aid)
    return name, value


def _delete_hec_token(context: Any, name: str) -> None:
    try:
        _hec_service(context).delete(HEC_TOKENS_PATH + "/" + name)
    except Exception as error:  # best effort: the admin can remove it in Data inputs > HEC
        logger.warning("could not delete HEC token %s: %s", name, redact(error))


# -- routes ------------------------------------------------------------------------------------


def list_streams(context: Any, request: Request) -> Dict:
    validation.only(request, "connection", "aid")
    session = _Session(context, request)
    try:
        found = session.call("GET", "/streams")
    finally:
        session.close()
    items = found if isinstance(found, list) else []
    views = [model.public_view(s) for s in items if isinstance(s, dict)]
    body = {"connection": session.name, "aid": session.aid, "streams": views,
            "limit": model.MAX_STREAMS_PER_GROUP}  # fmt: skip
    return json_reply(200, body)


def create_stream(context: Any, request: Request) -> Dict:
    validation.only(request, "connection", "aid", "name", "signal", "tests", "tags",
                    "test_types", "index", "sourcetype", "hec_url", "hec_token",
                    "create_hec_token", "enabled")  # fmt: skip
    signal = validation.choice("Signal", request.arg("signal") or "metric", model.SIGNALS)
    hec_url = _hec_url(request.arg("hec_url"))
    index = _index(request.arg("index"))
    sourcetype = validation.printable("Sourcetype", request.arg("sourcetype"), 128)
    sourcetype = sourcetype or model.SOURCETYPES[signal]
    tests = _spec(model.parse_ids, request.arg("tests"))
    tags = _spec(model.parse_tags, request.arg("tags"))
    test_types = _spec(model.parse_test_types, request.arg("test_types"))
    name = _spec(model.our_name, request.arg("name") or "")
    enabled = validation.boolean("enabled", request.arg("enabled") or "1")
    make_token = validation.boolean("create_hec_token", request.arg("create_hec_token"))
    pasted = (request.arg("hec_token") or "").strip()
    redaction.register_secret(pasted)
    if make_token == bool(pasted):
        raise RestError(400, "Paste the HEC token, or ask the add-on to create one (not both)")
    session = _Session(context, request)
    created_name = None
    try:
        if make_token:
            created_name, token = _create_hec_token(context, session.name, session.aid, index,
                                                    sourcetype)  # fmt: skip
        else:
            token = pasted
        body = _spec(model.create_body, name, hec_url, token, signal, tests, tags, test_types,
                     index, sourcetype, enabled)  # fmt: skip
        try:
            stream = session.call("POST", "/streams", body)
        except RestError:
            if created_name:
                _delete_hec_token(context, created_name)
            raise
    finally:
        session.close()
    view = model.public_view(stream if isinstance(stream, dict) else {})
    logger.info("created stream %s (%s) for connection %s account group %s",
                view["id"], view["name"], session.name, session.aid)  # fmt: skip
    return json_reply(201, {"stream": view, "hec_token_created": bool(created_name),
                            "hec_token_name": created_name or ""})  # fmt: skip


def edit_stream(context: Any, request: Request, stream_id: str) -> Dict:
    validation.only(request, "connection", "aid", *EDIT_FIELDS)
    stream_id = _stream_id(stream_id)
    given = {name: request.arg(name) for name in EDIT_FIELDS if request.arg(name) is not None}
    if not given:
        raise RestError(400, "Nothing to change")
    new_token = (given.pop("hec_token", None) or "").strip()
    redaction.register_secret(new_token)
    session = _Session(context, request)
    try:
        current = session.stream(stream_id)
        body = {}  # type: Dict[str, Any]
        if "name" in given:
            body["name"] = _spec(model.our_name, given["name"])
        if "enabled" in given:
            body["enabled"] = validation.boolean("enabled", given["enabled"])
        if "tests" in given:
            body["testMatch"] = [{"id": i, "domain": "cea"}
                                 for i in _spec(model.parse_ids, given["tests"])]  # fmt: skip
        if "tags" in given:
            body["tagMatch"] = _spec(model.parse_tags, given["tags"])
        if "test_types" in given:
            types = _spec(model.parse_test_types, given["test_types"])
            body["filters"] = {"testTypes": {"values": types}} if types else {}
        if "hec_url" in given:
            body["streamEndpointUrl"] = _hec_url(given["hec_url"])
        if new_token or "index" in given or "sourcetype" in given:
            hec = (current.get("exporterConfig") or {}).get("splunkHec") or {}
            token = new_token or str(hec.get("token") or "")
            if not token:
                raise RestError(400, "ThousandEyes does not return the HEC token: give it again "
                                    "to change the index or sourcetype")  # fmt: skip
            index = _index(given["index"]) if "index" in given else str(hec.get("index") or "")
            sourcetype = str(hec.get("sourceType") or "")
            if "sourcetype" in given:
                sourcetype = validation.printable("Sourcetype", given["sourcetype"], 128)
            sourcetype = sourcetype or model.SOURCETYPES.get(str(current.get("signal")), "")
            body["exporterConfig"] = {"splunkHec": model.hec_config(token, index, sourcetype)}
        updated = session.call("PUT", "/streams/" + stream_id, body)
        if not isinstance(updated, dict):  # 204: read it back
            updated = session.call("GET", "/streams/" + stream_id)
    finally:
        session.close()
    logger.info("updated stream %s (%s) of connection %s", stream_id,
                ", ".join(sorted(body)), session.name)  # fmt: skip
    return json_reply(200, {"stream": model.public_view(updated if isinstance(updated, dict)
                                                        else {})})  # fmt: skip


def delete_stream(context: Any, request: Request, stream_id: str) -> Dict:
    validation.only(request, "connection", "aid")
    stream_id = _stream_id(stream_id)
    session = _Session(context, request)
    try:
        session.stream(stream_id)
        session.call("DELETE", "/streams/" + stream_id)
    finally:
        session.close()
    logger.info("deleted stream %s of connection %s", stream_id, session.name)
    return json_reply(200, {"deleted": stream_id})


ROUTES = (
    route("GET", "streams", list_streams),
    route("POST", "streams", create_stream),
    route("POST", r"streams/(?P<stream_id>[^/]+)", edit_stream),
    route("POST", r"streams/(?P<stream_id>[^/]+)/delete", delete_stream),
)
