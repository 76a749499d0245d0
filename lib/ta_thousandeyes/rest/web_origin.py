"""Splunk Web's own origins: the only places an OAuth redirect_uri may send the browser.

The handler cannot see the browser's Host header (Splunk Web's ``/splunkd/__raw`` proxy
forwards only the session, Content-Type and Content-Length), so the page sends
``window.location.origin`` and the handler admits it only when it is Splunk Web as splunkd
describes it: with web.conf ``tools.proxy.on`` and ``tools.proxy.base`` (Splunk Web behind a
reverse proxy), exactly that base's origin; otherwise web.conf's scheme
(``enableSplunkWebSSL``) and port (``httpport``) on one of this server's own names (splunkd's
hostname and server name, or the loopback names). The path must be the callback under
web.conf's ``root_endpoint`` and a locale. When splunkd gives no web.conf ``[settings]``, the
scheme and port cannot be checked and only the host and path are.
"""

import re
from dataclasses import dataclass
from typing import FrozenSet, Optional

from .. import APP_NAME, http, splunk_service

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
CALLBACK_SUFFIX = f"/splunkd/__raw/servicesNS/nobody/{APP_NAME}/ta_thousandeyes/oauth/callback"
_LOCALE = r"/[a-z]{2}(?:[-_][A-Za-z]{2,4})?"
_TRUE = ("1", "true", "yes", "on", "t", "y")


@dataclass(frozen=True)
class WebOrigins:
    hosts: FrozenSet[str]
    scheme: Optional[str] = None  # None: not known (no web.conf [settings] from splunkd)
    port: Optional[int] = None
    root: Optional[str] = None  # root_endpoint without its trailing "/" ("" for "/")

    def admits(self, url: str) -> bool:
        try:
            where, target = http.parse_destination(url)
        except http.UnsafeUrlError:
            return False
        if "?" in target:
            return False
        scheme, rest = where.split("://", 1)
        host, _, port = rest.rpartition(":")
        if host not in self.hosts:
            return False
        if self.scheme is not None and (scheme, int(port)) != (self.scheme, self.port):
            return False
        root = re.escape(self.root) if self.root is not None else r"(?:/[A-Za-z0-9._~-]+)*"
        return re.fullmatch(root + _LOCALE + re.escape(CALLBACK_SUFFIX), target) is not None


def _truthy(value: object) -> bool:
    return str(value or "").strip().lower() in _TRUE


def splunk_web_origins(service: object, server_names: tuple) -> WebOrigins:
    """Where this Splunk Web can be reached, from web.conf [settings] as splunkd merges it."""
    web = splunk_service.read_stanza(service, "web", "settings") or {}
    root = None  # type: Optional[str]
    if web:
        root = "/" + (web.get("root_endpoint") or "/").strip().strip("/")
        root = root.rstrip("/")
    base = (web.get("tools.proxy.base") or "").strip()
    if _truthy(web.get("tools.proxy.on")) and base:
        try:
            where = http.destination(base)
        except http.UnsafeUrlError:
            return WebOrigins(frozenset())  # a base nobody can reach: admit nothing
        scheme, rest = where.split("://", 1)
        host, _, port = rest.rpartition(":")
        return WebOrigins(frozenset({host}), scheme, int(port), root)
    hosts = set(LOOPBACK_HOSTS) | {str(name).lower() for name in server_names if name}
    if not web:
        return WebOrigins(frozenset(hosts))
    scheme = "https" if _truthy(web.get("enableSplunkWebSSL")) else "http"
    try:
        port = int(str(web.get("httpport") or "8000").strip())
    except ValueError:
        return WebOrigins(frozenset())
    return WebOrigins(frozenset(hosts), scheme, port, root)
