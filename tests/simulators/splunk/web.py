"""Splunk Web stand-in (HTTP on 127.0.0.1): login, app views, static files, the splunkd proxy.

- Login sets `splunkd_<port>` (the splunkd session) and `splunkweb_csrf_token_<port>`
  (readable by page scripts) cookies.
- `/<locale>/splunkd/__raw/<path>` forwards to splunkd with the user's session. Requests
  other than GET/HEAD need `X-Splunk-Form-Key` equal to the CSRF cookie and
  `X-Requested-With: XMLHttpRequest`. Custom (restmap.conf) endpoints are reachable only when an
  app's web.conf [expose:<name>] pattern/methods allows them.
"""

import http.client
import mimetypes
import os
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlsplit

from .apps import app_is_configured
from .conffile import AppConf
from .views import default_view, render_view, setup_view

LOGIN_FORM = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Login | Splunk</title>
</head><body><form method="post" action="/{locale}/account/login">
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
        self._csrf = {}  # type: Dict[str, str]
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def session_cookie(self) -> str:
        return f"splunkd_{self.port}"

    @property
    def csrf_cookie(self) -> str:
        return f"splunkweb_csrf_token_{self.port}"

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
        url = f"http://127.0.0.1:{self.port}"
        return [
            {"name": self.session_cookie, "value": session_key, "url": url, "httpOnly": True},
            {"name": self.csrf_cookie, "value": self.csrf_for(session_key), "url": url},
        ]

    def access_log(self, line: str) -> None:
        path = os.path.join(self.emulator.logs_dir, "web_access.log")
        with self._lock, open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class _WebHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Splunk Web stand-in"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

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
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        if not segments:
            return self._redirect("/en-US/")
        locale = segments[0]
        rest = segments[1:]
        if rest[:2] == ["account", "login"]:
            return self._login(locale, body, parts.query)
        if rest[:2] == ["account", "logout"]:
            expire = "; Path=/; Max-Age=0"
            cookies = [self.web.session_cookie, self.web.csrf_cookie]
            headers = [("Set-Cookie", name + "=" + expire) for name in cookies]
            return self._redirect(f"/{locale}/account/login", headers)
        if rest[:2] == ["static", "app"] and len(rest) > 3:
            return self._static(rest[2], rest[3:])
        key, user = self._session()
        if rest[:2] == ["splunkd", "__raw"]:
            if user is None:
                return self._send(401, b"Unauthorized", "text/plain")
            raw_path = "/" + "/".join(parts.path.split("/")[4:])
            return self._proxy(key, raw_path, parts.query, body)
        if user is None:
            target = "/{}/account/login?return_to={}".format(locale, quote(self.path, safe=""))
            return self._redirect(target)
        if not rest:
            return self._redirect(f"/{locale}/app/launcher/home")
        if rest[0] == "app" and len(rest) >= 2:
            return self._app(locale, rest[1], rest[2] if len(rest) > 2 else None, user)
        return self._send(404, b"Not Found", "text/plain")

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _serve  # noqa: N815 - stdlib names

    def _login(self, locale: str, body: bytes, query: str) -> None:
        if self.command != "POST":
            return_to = dict(parse_qsl(query)).get("return_to", "")
            page = LOGIN_FORM.format(locale=locale, return_to=return_to, error="")
            return self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        key = self.web.emulator.auth.login(form.get("username", ""), form.get("password", ""))
        return_to = form.get("return_to") or f"/{locale}/app/launcher/home"
        if key is None:
            page = LOGIN_FORM.format(locale=locale, return_to=return_to, error="Login failed")
            return self._send(401, page.encode("utf-8"), "text/html; charset=utf-8")
        if not return_to.startswith("/") or return_to.startswith("//"):
            return_to = f"/{locale}/"  # no open redirects, as Splunk Web
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

    def _app(self, locale: str, app: str, view: "Optional[str]", user: Any) -> None:
        apps = self.web.emulator.installed_apps()
        if app not in apps:
            return self._send(404, b"App not found", "text/plain")
        app_dir = apps[app]
        if not view:
            setup = setup_view(app_dir)
            if setup and not app_is_configured(app_dir):
                return self._redirect(f"/{locale}/app/{app}/{setup}")
            return self._redirect(f"/{locale}/app/{app}/{default_view(app_dir)}")
        page = render_view(app, app_dir, view, locale, user.name, self.web.csrf_cookie)
        if page is None:
            return self._send(404, b"View not found", "text/plain")
        return self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _proxy(self, key: str, raw_path: str, query: str, body: bytes) -> None:
        method = self.command
        if method not in SAFE_METHODS:
            form_key = self.headers.get("X-Splunk-Form-Key")
            expected = self._cookies().get(self.web.csrf_cookie)
            if (
                not form_key
                or not expected
                or not secrets.compare_digest(form_key, expected)
                or expected != self.web.csrf_for(key)
            ):
                return self._send(
                    401,
                    b"Splunk cannot authenticate the request. CSRF validation failed.",
                    "text/plain",
                )
            if self.headers.get("X-Requested-With") != "XMLHttpRequest":
                return self._send(401, b"Missing X-Requested-With header", "text/plain")
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
