"""The splunkd REST stand-in: an HTTPS server on 127.0.0.1 routing to the endpoint modules.

Authentication: `Authorization: Splunk <session key>` or the `splunkd_<port>` cookie that
auth/login sets when asked with cookie=1 (splunklib then sends the cookie instead).
"""

import json
import socket
import threading
import uuid
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, unquote, urlsplit

from . import atom
from .apps import AppsEndpoint, server_info
from .auth import Authenticator, capability_expression_allows
from .confs import ConfsEndpoint
from .handler import POLL_SECONDS, StandinHandler
from .hec_endpoint import HecTokensEndpoint
from .indexes_endpoint import IndexesEndpoint
from .inputs_endpoint import InputsEndpoint
from .kvstore import KVStore
from .passwords import PasswordsEndpoint, PasswordStore
from .receivers import SimpleReceiver
from .request import SplunkdRequest
from .rest_host import RestEndpoint, RestHost, find_endpoint, load_endpoints, reply_to_response

Response = Tuple[int, List[Tuple[str, str]], bytes]


def _split_path(path: str) -> "Tuple[Optional[str], Optional[str], Optional[str]]":
    """(user, app, rest) for /servicesNS/<user>/<app>/<rest>; (None, None, rest) for /services."""
    segments = path.split("/")
    if len(segments) >= 2 and segments[1] == "services":
        return None, None, "/".join(segments[2:])
    if len(segments) >= 4 and segments[1] == "servicesNS":
        return unquote(segments[2]), unquote(segments[3]), "/".join(segments[4:])
    return None, None, None


class Splunkd:
    """State and routing; the HTTP layer below only moves bytes."""

    def __init__(
        self,
        app_dirs: "Callable[[], Dict[str, str]]",
        authenticator: Authenticator,
        passwords: PasswordStore,
        kvstore: KVStore,
        rest_host: RestHost,
        system_dir: str,
        receiver: "Optional[SimpleReceiver]" = None,
        hec_tokens: "Optional[HecTokensEndpoint]" = None,
    ) -> None:
        self.app_dirs = app_dirs
        self.auth = authenticator
        self.passwords = PasswordsEndpoint(passwords, app_dirs)
        self.kvstore = kvstore
        self.confs = ConfsEndpoint(app_dirs, system_dir)
        self.apps = AppsEndpoint(app_dirs)
        self.inputs = InputsEndpoint()
        self.indexes = IndexesEndpoint(app_dirs, system_dir)
        self.rest_host = rest_host
        self.receiver = receiver
        self.hec_tokens = hec_tokens
        self.guid = str(uuid.uuid4()).upper()
        self.port = 0
        self.base_url = ""

    def endpoints(self) -> List[RestEndpoint]:
        return load_endpoints(self.app_dirs())

    # -- authentication -----------------------------------------------------------------
    def _session_key(self, request: SplunkdRequest) -> "Optional[str]":
        authorization = request.header("authorization") or ""
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "splunk" and value.strip():
            return value.strip()
        for name, cookie_value in request.cookies():
            if name == f"splunkd_{self.port}":
                return cookie_value
        return None

    def _login(self, request: SplunkdRequest) -> Response:
        username = request.form_value("username") or ""
        password = request.form_value("password") or ""
        key = self.auth.login(username, password)
        mode = request.output_mode
        if key is None:
            body = atom.messages(
                mode, 401, "Login failed", kind="WARN", code="incorrect_username_or_password"
            )
            return self._out(body)
        headers = []  # type: List[Tuple[str, str]]
        if request.form_value("cookie") == "1":
            lifetime = int(self.auth.session_lifetime)
            cookie = f"splunkd_{self.port}={key}; Path=/; Secure; HttpOnly; Max-Age={lifetime}"
            headers.append(("Set-Cookie", cookie))
        if mode == "json":
            body = json.dumps({"sessionKey": key, "message": "", "code": ""}).encode("utf-8")
            return 200, [("Content-Type", "application/json; charset=UTF-8")] + headers, body
        xml = (
            f'<response>\n\t<sessionKey>{key}</sessionKey>\n\t<messages>\n\t\t<msg code=""></msg>'
            "\n\t</messages>\n</response>\n"
        )
        return 200, [("Content-Type", "text/xml; charset=UTF-8")] + headers, xml.encode("utf-8")

    @staticmethod
    def _out(body: atom.Body) -> Response:
        return body.status, [("Content-Type", body.content_type)] + body.headers, body.body

    # -- routing ------------------------------------------------------------------------
    def handle(self, request: SplunkdRequest) -> Response:
        user, app, rest = _split_path(urlsplit(request.raw_path).path)
        mode = request.output_mode
        if rest is None:
            return self._out(atom.messages(mode, 404, "Not Found"))
        request.ns_user, request.ns_app = user, app
        request.rest_path = rest.strip("/")
        if request.rest_path == "auth/login" and request.method == "POST":
            return self._login(request)
        request.session_key = self._session_key(request)
        request.user = self.auth.resolve(request.session_key)
        segments = [unquote(s) for s in request.rest_path.split("/") if s]
        builtin = self._builtin(request, segments)
        if builtin is not None:
            if request.user is None:
                return self._unauthenticated(mode)
            foreign = self._foreign_namespace(request)
            return self._out(foreign or builtin())
        found = find_endpoint(self.endpoints(), request.rest_path)
        if found is None:
            if request.user is None:
                return self._unauthenticated(mode)
            return self._out(atom.messages(mode, 404, "Not Found"))
        return self._custom(request, found[0], found[1])

    @staticmethod
    def _foreign_namespace(request: SplunkdRequest) -> "Optional[atom.Body]":
        """Another user's namespace (servicesNS/<other>/...) is for admin_all_objects only: a
        non-admin's GET servicesNS/admin/launcher/saved/searches is refused with 403
        (splunk/terraform-provider-splunk issues #165, #156)."""
        user = request.user
        owner = request.ns_user
        if owner in (None, "nobody", "-") or user is None or owner == user.name:
            return None
        if user.has("admin_all_objects"):
            return None
        text = f"You (user={user.name}) do not have permission to access objects of user={owner}."
        return atom.messages(request.output_mode, 403, text)

    @staticmethod
    def _unauthenticated(mode: str) -> Response:
        body = atom.messages(mode, 401, "call not properly authenticated", kind="WARN")
        return Splunkd._out(body)

    def _builtin(self, request: Any, s: List[str]) -> "Optional[Callable[[], atom.Body]]":
        if s[:2] == ["server", "info"]:
            return lambda: server_info(request, self.kvstore.enabled, self.guid)
        if s[:2] == ["authentication", "current-context"]:
            return lambda: self._current_context(request)
        if s[:2] == ["storage", "passwords"]:
            name, action = (s[2] if len(s) > 2 else None), "/".join(s[3:])
            return lambda: self.passwords.handle(request, name, action)
        if s[:2] == ["storage", "collections"] and len(s) > 2:
            return lambda: self.kvstore.handle(request, s[2:])
        if len(s) > 1 and s[0] == "configs" and s[1].startswith("conf-"):
            stanza = s[2] if len(s) > 2 else None
            action = "/".join(s[3:])
            return lambda: self.confs.configs(request, s[1][len("conf-") :], stanza, action)
        if s and s[0] == "properties":
            return lambda: self.confs.properties(request, s[1:])
        if s[:2] == ["apps", "local"]:
            name = s[2] if len(s) > 2 else None
            action = s[3] if len(s) > 3 else ""
            return lambda: self.apps.handle(request, name, action)
        if s[:2] == ["receivers", "simple"] and self.receiver is not None:
            return lambda: self.receiver.handle(request)
        if s[:2] == ["data", "indexes"]:
            return lambda: self.indexes.handle(request, s[2:])
        if s[:3] == ["data", "inputs", "http"] and self.hec_tokens is not None:
            return lambda: self.hec_tokens.handle(request, s[3:])
        if s[:2] == ["data", "inputs"] and len(s) > 2:
            return lambda: self.inputs.handle(request, s[2:])
        return None

    def is_builtin(self, rest_path: str) -> bool:
        segments = [unquote(s) for s in rest_path.strip("/").split("/") if s]
        return rest_path.strip("/") == "auth/login" or self._builtin(None, segments) is not None

    def _current_context(self, request: SplunkdRequest) -> atom.Body:
        user = request.user
        assert user is not None
        content = {
            "username": user.name,
            "roles": user.roles,
            "capabilities": sorted(user.capabilities),
        }
        path = "/services/authentication/current-context"
        entry = atom.Entry("context", path, content, atom.acl("system", sharing="system"))
        return atom.feed(request.output_mode, request.base_url, "context", path, [entry])

    # -- custom REST endpoints ----------------------------------------------------------
    def _custom(self, request: SplunkdRequest, endpoint: RestEndpoint, path_info: str) -> Response:
        mode = request.output_mode
        user = request.user
        if endpoint.require_authentication and user is None:
            return self._unauthenticated(mode)
        capability = endpoint.capability_for(request.method)
        if capability:
            if user is None or not capability_expression_allows(capability, user.capabilities):
                name = user.name if user else "nobody"
                text = (
                    f"You (user={name}) do not have permission to perform this operation "
                    f"(requires capability: {capability})."
                )
                return self._out(atom.messages(mode, 403, text))
        answer = self.rest_host.call(endpoint, self.handler_request(request, endpoint, path_info))
        if answer is None:  # load failure, exception in handle(), unserialisable reply
            text = f"Unexpected error from REST handler {endpoint.stanza}. See splunkd.log."
            return self._out(atom.messages(mode, 500, text))
        return reply_to_response(answer)

    def handler_request(
        self, request: SplunkdRequest, endpoint: RestEndpoint, path_info: str
    ) -> Dict[str, Any]:
        """The request JSON splunkd hands to PersistentServerConnectionApplication.handle."""
        host = socket.gethostname()
        document = {
            "output_mode": request.output_mode,
            "output_mode_explicit": request.output_mode_explicit,
            "server": {
                "rest_uri": self.base_url,
                "hostname": host,
                "servername": host,
                "guid": self.guid,
            },
            "restmap": {"name": endpoint.stanza, "conf": dict(endpoint.conf)},
            "query": [list(pair) for pair in request.query],
            "connection": {
                "src_ip": request.client_ip,
                "ssl": True,
                "listening_port": self.port,
            },
            "rest_path": "/" + request.rest_path,
            "lang": "en-US",
            "method": request.method,
            "ns": {},
            "form": [list(pair) for pair in request.form],
        }  # type: Dict[str, Any]
        if path_info:
            document["path_info"] = path_info
        if request.user is not None:
            document["session"] = {"user": request.user.name, "authtoken": request.session_key}
        if request.ns_app is not None:
            document["ns"] = {"app": request.ns_app, "user": request.ns_user}
        if endpoint.pass_payload and request.body:
            document["payload"] = request.body.decode("utf-8", "replace")
        if endpoint.pass_headers:
            document["headers"] = [list(pair) for pair in request.headers]
        if endpoint.pass_cookies:
            document["cookies"] = [list(pair) for pair in request.cookies()]
        if endpoint.pass_system_auth:
            document["system_authtoken"] = self.auth.system_session()
        return document


class _Handler(StandinHandler):
    def _serve(self) -> None:
        splunkd = self.server.splunkd  # type: ignore[attr-defined]
        body = self.read_body()
        parts = urlsplit(self.path)
        request = SplunkdRequest(
            self.command,
            self.path,
            parse_qsl(parts.query, keep_blank_values=True),
            list(self.headers.items()),
            body,
            self.client_address[0],
            splunkd.port,
            splunkd.base_url,
        )
        try:
            status, headers, payload = splunkd.handle(request)
        except Exception as error:  # a stand-in bug must show up as a 500, not a hang
            splunkd.rest_host.log(f"ERROR splunkd - internal error: {error!r}")
            body_ = atom.messages(request.output_mode, 500, "Internal Server Error")
            status, headers, payload = (
                body_.status,
                [("Content-Type", body_.content_type)],
                body_.body,
            )
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if not any(key.lower() == "cache-control" for key, _ in headers):
            # splunkd's own (ECHO persistent_examples.md captures); a handler's replaces it
            self.send_header("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
        if (self.headers.get("Connection") or "").lower() == "close":
            # http.client (splunklib) keeps the body readable only when told the server closes.
            self.send_header("Connection", "Close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _serve  # noqa: N815 - stdlib names


class SplunkdServer:
    """Runs Splunkd on an ephemeral HTTPS port in a background thread."""

    def __init__(self, splunkd: Splunkd, ssl_context: Any) -> None:
        self.splunkd = splunkd
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = ssl_context.wrap_socket(
            self.httpd.socket, server_side=True, do_handshake_on_connect=False
        )  # the handshake then happens in the request thread, not in the accept loop
        self.httpd.splunkd = splunkd  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        splunkd.port = self.port
        splunkd.base_url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
