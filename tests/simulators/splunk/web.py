"""Splunk Web stand-in (HTTP on 127.0.0.1): login, app views, static files, /config, the proxy.

- `etc/system/local/web.conf [settings]`: `httpport` is the port Splunk Web is configured on
  (splunkd passes it as the exposed UI port); cookies are named after it and pages see it as
  `$C.MRSPARKLE_PORT_NUMBER`. The stand-in itself listens on an ephemeral port, standing in for
  a reverse proxy in front of Splunk Web, so the address bar's port can differ from the cookie
  port (S804 root.py:335-363). `root_endpoint` puts every page under a path prefix, `/`
  redirects to it and `$C.MRSPARKLE_ROOT_PATH` carries it (S804 root.py:505,704-716,
  lib/config.py:15-19,34; SPEC94 web.conf.spec:297-301).
- Login sets `splunkd_<port>` (the splunkd session) and `splunkweb_csrf_token_<port>`
  (readable by page scripts) cookies.
- `<root>/<locale>/config` answers `$C` as JSON; `?autoload=1` as a script that sets
  `window.$C`, only for a same-origin request carrying Origin, else a bootstrap that fetches the
  JSON (S804 controllers/config.py:24-93).
- `<root>/<locale>/splunkd/__raw/<path>` forwards to splunkd with the user's session. POST, PUT
  and DELETE need the form key: an XHR (`X-Requested-With: XMLHttpRequest`) in
  `X-Splunk-Form-Key`, any other request in the `splunk_form_key` query or form parameter; it
  must equal the session's token and the CSRF cookie (S804 lib/util.py:1360-1424, proxy.py:
  149-153). Custom (restmap.conf) endpoints are reachable only when an app's web.conf
  [expose:<name>] pattern/methods allows them.
"""

import http.client
import json
import mimetypes
import os
import re
import secrets
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlsplit

from .apps import app_is_configured
from .atom import SPLUNK_VERSION
from .conffile import AppConf
from .handler import POLL_SECONDS, StandinHandler
from .views import default_view, render_view, setup_view

LOGIN_FORM = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Login | Splunk</title>
</head><body><form method="post" action="{root}/{locale}/account/login">
<input type="hidden" name="return_to" value="{return_to}">
<label>Username <input name="username" id="username"></label>
<label>Password <input name="password" id="password" type="password"></label>
<input type="submit" value="Sign In" id="login-submit">
<p class="error">{error}</p></form></body></html>"""

SAFE_METHODS = ("GET", "HEAD")


def expose_allows(apps: Dict[str, str], rest_path: str, method: str) -> bool:
    """web.conf [expose:*]: `*` matches within a segment, `**` across segments."""
    for app_dir in apps.values():
        for stanza, settings in AppConf(app_dir, "web").stanzas().items():
            if not stanza.startswith("expose:"):
                continue
            pattern = settings.get("pattern", "").strip().strip("/")
            regex = "".join(
                ".*" if token == "**" else "[^/]*" if token == "*" else re.escape(token)
                for token in re.split(r"(\*\*|\*)", pattern)
            )
            methods = [m.strip().upper() for m in settings.get("methods", "GET").split(",")]
            if re.fullmatch(regex, rest_path.strip("/")) and method in methods:
                return True
    return False


CSRF_CHECKED = ("POST", "PUT", "DELETE")  # S804 lib/util.py:1405
CSRF_FAILED = b"Splunk cannot authenticate the request. CSRF validation failed."


def root_path(root_endpoint: str) -> str:
    """web.conf root_endpoint as a prefix: "" for "/", else "/<name>" (S804 root.py:505)."""
    name = (root_endpoint or "/").strip().strip("/")
    return "/" + name if name else ""


# Set by this server itself for the answer it sends (framing, and send_response's own).
_OWN_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "date", "server"})


def proxied_headers(splunkd_headers: "List[Tuple[str, str]]") -> "List[Tuple[str, str]]":
    """What `__raw` sends back of splunkd's headers (S804 controllers/proxy.py 209-214): all of
    them, Content-Type only if splunkd sent one. splunk.rest reads them with httplib2, whose
    Response keeps one lower-cased entry per name and joins repeats with ", " (S804
    httplib2/__init__.py 2021-2027)."""
    merged = {}  # type: Dict[str, str]
    for name, value in splunkd_headers:
        key = name.lower()
        merged[key] = merged[key] + ", " + value if key in merged else value
    return [(name, value) for name, value in merged.items() if name not in _OWN_HEADERS]


class SplunkWeb:
    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _WebHandler)
        self.httpd.daemon_threads = True
        self.httpd.web = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        system = os.path.join(emulator.home, "etc", "system")
        settings = AppConf(system, "web").stanza("settings") or {}
        self.root = root_path(settings.get("root_endpoint", "/"))
        self.cookie_port = int(settings.get("httpport") or 0) or self.port
        self._csrf = {}  # type: Dict[str, str]
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    @property
    def session_cookie(self) -> str:
        return f"splunkd_{self.cookie_port}"

    @property
    def csrf_cookie(self) -> str:
        return f"splunkweb_csrf_token_{self.cookie_port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def csrf_for(self, session_key: str) -> str:
        with self._lock:
            return self._csrf.setdefault(session_key, str(secrets.randbits(64)))

    def session_cookies(self, session_key: str) -> List[Dict[str, Any]]:
        """Playwright add_cookies() records for a logged-in browser."""
        url = f"http://127.0.0.1:{self.port}/"  # Path=/, as the login response sets them
        return [
            {"name": self.session_cookie, "value": session_key, "url": url, "httpOnly": True},
            {"name": self.csrf_cookie, "value": self.csrf_for(session_key), "url": url},
        ]

    def config(self, locale: str, user: Any) -> Dict[str, Any]:
        """The `$C` values a page may read (S804 lib/config.py:31-110): fewer without a session."""
        values = {
            "MRSPARKLE_ROOT_PATH": self.root,
            "MRSPARKLE_PORT_NUMBER": str(self.cookie_port),
            "LOCALE": locale,
            "SPLUNKD_PATH": f"{self.root}/{locale}/splunkd/__raw",
            "UI_INACTIVITY_TIMEOUT": 60,
        }  # type: Dict[str, Any]
        if user is not None:
            values["USERNAME"] = user.name
            values["VERSION_LABEL"] = SPLUNK_VERSION
        return values

    def access_log(self, line: str) -> None:
        path = os.path.join(self.emulator.logs_dir, "web_access.log")
        with self._lock, open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class _WebHandler(StandinHandler):
    server_version = "Splunk Web stand-in"

    @property
    def web(self) -> SplunkWeb:
        return self.server.web  # type: ignore[attr-defined]

    def _cookies(self) -> Dict[str, str]:
        cookies = {}
        for header in self.headers.get_all("Cookie") or []:
            for part in header.split(";"):
                name, _, value = part.strip().partition("=")
                if name:
                    cookies[name] = value
        return cookies

    def _session(self) -> "Tuple[Optional[str], Any]":
        key = self._cookies().get(self.web.session_cookie)
        user = self.web.emulator.auth.resolve(key) if key else None
        return (key, user) if user is not None else (None, None)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: "Optional[str]",
        headers: "Optional[List]" = None,
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers or []:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.web.access_log(
            '{} - - [{}] "{} {}" {} {}'.format(
                self.client_address[0],
                time.strftime("%d/%b/%Y:%H:%M:%S %z"),
                self.command,
                self.path,
                status,
                len(body),
            )
        )

    def _redirect(self, location: str, headers: "Optional[List]" = None) -> None:
        self._send(303, b"", "text/html", [("Location", location)] + (headers or []))

    def _serve(self) -> None:
        body = self.read_body()
        parts = urlsplit(self.path)
        root = self.web.root
        if root and parts.path != root and not parts.path.startswith(root + "/"):
            if parts.path == "/":
                return self._redirect(root + "/")  # S804 root.py:240-244,704-706
            return self._send(404, b"Not Found", "text/plain")
        path = parts.path[len(root) :]
        segments = [s for s in path.split("/") if s]
        if not segments:
            return self._redirect(f"{root}/en-US/")
        locale = segments[0]
        rest = segments[1:]
        if rest[:2] == ["account", "login"]:
            return self._login(locale, body, parts.query)
        if rest[:2] == ["account", "logout"]:
            expire = "; Path=/; Max-Age=0"
            cookies = [self.web.session_cookie, self.web.csrf_cookie]
            headers = [("Set-Cookie", name + "=" + expire) for name in cookies]
            return self._redirect(f"{root}/{locale}/account/login", headers)
        if rest[:2] == ["static", "app"] and len(rest) > 3:
            return self._static(rest[2], rest[3:])
        key, user = self._session()
        if rest == ["config"] and self.command in SAFE_METHODS:
            return self._config(locale, user, parts.query)
        if rest[:2] == ["splunkd", "__raw"]:
            if user is None:
                return self._send(401, b"Unauthorized", "text/plain")
            raw_path = "/" + "/".join(path.split("/")[4:])
            return self._proxy(key, raw_path, parts.query, body)
        if user is None:
            target = "{}/{}/account/login?return_to={}".format(
                root, locale, quote(self.path, safe="")
            )
            return self._redirect(target)
        if not rest:
            return self._redirect(f"{root}/{locale}/app/launcher/home")
        if rest[0] == "app" and len(rest) >= 2:
            return self._app(locale, rest[1], rest[2] if len(rest) > 2 else None, user)
        return self._send(404, b"Not Found", "text/plain")

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _serve  # noqa: N815 - stdlib names

    def _login(self, locale: str, body: bytes, query: str) -> None:
        if self.command != "POST":
            return_to = dict(parse_qsl(query)).get("return_to", "")
            page = LOGIN_FORM.format(
                root=self.web.root, locale=locale, return_to=return_to, error=""
            )
            return self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        key = self.web.emulator.auth.login(form.get("username", ""), form.get("password", ""))
        root = self.web.root
        return_to = form.get("return_to") or f"{root}/{locale}/app/launcher/home"
        if key is None:
            page = LOGIN_FORM.format(
                root=root, locale=locale, return_to=return_to, error="Login failed"
            )
            return self._send(401, page.encode("utf-8"), "text/html; charset=utf-8")
        if not return_to.startswith("/") or return_to.startswith("//"):
            return_to = f"{root}/{locale}/"  # no open redirects, as Splunk Web
        cookies = [
            ("Set-Cookie", f"{self.web.session_cookie}={key}; Path=/; HttpOnly"),
            ("Set-Cookie", f"{self.web.csrf_cookie}={self.web.csrf_for(key)}; Path=/"),
        ]
        return self._redirect(return_to, cookies)

    def _static(self, app: str, path: List[str]) -> None:
        apps = self.web.emulator.installed_apps()
        if app not in apps or any(p in ("..", ".") for p in path):
            return self._send(404, b"Not Found", "text/plain")
        file_path = os.path.join(apps[app], "appserver", "static", *path)
        if not os.path.isfile(file_path):
            return self._send(404, b"Not Found", "text/plain")
        with open(file_path, "rb") as handle:
            data = handle.read()
        content_type = mimetypes.guess_type(file_path)[0] or "application/octet-stream"
        return self._send(200, data, content_type)

    def _config(self, locale: str, user: Any, query: str) -> None:
        values = self.web.config(locale, user)
        args = dict(parse_qsl(query))
        if args.get("autoload", "") in ("", "0", "false"):
            return self._send(200, json.dumps(values).encode("utf-8"), "application/json")
        # Only a same-origin request that names its Origin gets $C inline (SPL-133569); any
        # other gets a script that fetches the JSON with the page's own credentials.
        origin = urlsplit(self.headers.get("Origin") or "").netloc
        host = urlsplit(
            "//" + (self.headers.get("X-Forwarded-Host") or self.headers.get("Host") or "")
        )
        if origin and origin == host.netloc:
            script = "window.$C = " + json.dumps(values).replace("</", "<\\/") + ";"
        else:
            url = f"{self.web.root}/{locale}/config"
            script = (
                "(function(x){x.open('GET','" + url + "',false);x.send();"
                "window.$C=JSON.parse(x.responseText)})(new XMLHttpRequest());"
            )
        return self._send(200, script.encode("utf-8"), "application/javascript")

    def _app(self, locale: str, app: str, view: "Optional[str]", user: Any) -> None:
        apps = self.web.emulator.installed_apps()
        if app not in apps:
            return self._send(404, b"App not found", "text/plain")
        app_dir = apps[app]
        base = f"{self.web.root}/{locale}/app/{app}"
        if not view:
            setup = setup_view(app_dir)
            if setup and not app_is_configured(app_dir):
                return self._redirect(f"{base}/{setup}")
            return self._redirect(f"{base}/{default_view(app_dir)}")
        page = render_view(app, app_dir, view, locale, self.web.root)
        if page is None:
            return self._send(404, b"View not found", "text/plain")
        return self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _form_key_valid(self, key: str, query: str, body: bytes) -> bool:
        """An XHR sends the key as X-Splunk-Form-Key, any other request as splunk_form_key."""
        if self.headers.get("X-Requested-With") == "XMLHttpRequest":
            form_key = self.headers.get("X-Splunk-Form-Key") or ""
        else:
            params = dict(parse_qsl(query))
            content_type = (self.headers.get("Content-Type") or "").lower()
            if body and (not content_type or "x-www-form-urlencoded" in content_type):
                params.update(parse_qsl(body.decode("utf-8", "replace")))  # root.py:234-236
            form_key = params.get("splunk_form_key") or ""
        expected = self.web.csrf_for(key)
        cookie = self._cookies().get(self.web.csrf_cookie) or ""
        return (
            bool(form_key)
            and secrets.compare_digest(form_key.encode(), expected.encode())
            and secrets.compare_digest(form_key.encode(), cookie.encode())
        )

    def _proxy(self, key: str, raw_path: str, query: str, body: bytes) -> None:
        method = self.command
        if method in CSRF_CHECKED and not self._form_key_valid(key, query, body):
            return self._send(401, CSRF_FAILED, "text/plain")
        splunkd = self.web.emulator.splunkd
        from .splunkd import _split_path

        _, _, rest = _split_path(raw_path)
        if rest is None:
            return self._send(404, b"Not Found", "text/plain")
        if not splunkd.is_builtin(rest) and not expose_allows(
            self.web.emulator.installed_apps(), rest, method
        ):
            return self._send(404, b"Not Found", "text/plain")
        headers = {"Authorization": "Splunk " + key}
        for name in ("Content-Type", "Accept"):
            if self.headers.get(name):
                headers[name] = self.headers[name]
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.web.emulator.splunkd_port,
            context=self.web.emulator.tls.client_context(),
            timeout=120,
        )
        try:
            target = raw_path + ("?" + query if query else "")
            connection.request(
                method, quote(target, safe="/?&=%:@-._~+,"), body=body or None, headers=headers
            )
            response = connection.getresponse()
            data = response.read()
            return self._send(response.status, data, None, proxied_headers(response.getheaders()))
        finally:
            connection.close()
