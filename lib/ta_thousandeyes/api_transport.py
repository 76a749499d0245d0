"""Requests to the v7 API straight on urllib3's connection pools, the collectors' hot path.

requests costs about 1 ms of CPU per call on top of urllib3 (request preparation, settings
merging, cookie handling, URL parsing done twice); for a collector that reads hundreds of
pages a run that is more than the JSON parsing of the pages themselves. The OAuth flows keep
using requests (and requests-oauthlib); this transport applies the same policy as
``http.build_session``: TLS verification always on (optionally against a CA bundle), the
add-on's user agent, a timeout on every call, urllib3's own retries for connection-level
failures, the admin's proxy (CONNECT tunnel, basic credentials) and credentials only to the
region's origins, decided by the one URL policy (``http.parse_destination``), which also
splits off the path and query sent. Redirects are not followed: the API does not redirect,
and a redirect must never carry the bearer token anywhere. ``post`` (the alert action's
instant tests) is never retried once sent: urllib3 retries only connections that failed
before the request went out, since a repeated POST would run a second test.
"""

from typing import Any, Dict, Iterable, Optional
from urllib.parse import unquote, urlsplit

import urllib3
from urllib3.util import make_headers

from . import USER_AGENT
from .http import (
    DEFAULT_TIMEOUT,
    UnsafeDestinationError,
    UnsafeUrlError,
    connection_retry,
    parse_destination,
)


class Reply:
    """What the API client reads from a response (the names requests uses)."""

    __slots__ = ("status_code", "headers", "content", "reason")

    def __init__(self, status_code: int, headers: Any, content: bytes, reason: str) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive, as urllib3 and requests both provide
        self.content = content
        self.reason = reason


class ApiTransport:
    """``get(url, headers) -> Reply`` for URLs on the allowed origins only.

    Raises urllib3's exceptions (``urllib3.exceptions.HTTPError``) when the connection
    fails after urllib3's retries.
    """

    def __init__(
        self,
        allowed_origins: Iterable[str],
        ca_bundle: Optional[str] = None,
        proxy_url: Optional[str] = None,
        timeout: tuple = DEFAULT_TIMEOUT,
        connect_retries: int = 3,
    ) -> None:
        self.allowed_origins = frozenset(allowed_origins)
        retry = connection_retry(
            connect_retries, frozenset({"GET"}), redirect=False, raise_on_redirect=False
        )
        options = {
            "cert_reqs": "CERT_REQUIRED",
            "timeout": urllib3.Timeout(connect=timeout[0], read=timeout[1]),
            "retries": retry,
            "headers": {"User-Agent": USER_AGENT},
        }  # type: Dict[str, Any]
        if ca_bundle:
            options["ca_certs"] = ca_bundle
        else:
            import certifi  # the same default trust as requests

            options["ca_certs"] = certifi.where()
        self._proxied = bool(proxy_url)
        if proxy_url:
            self._manager = urllib3.ProxyManager(
                _without_credentials(proxy_url),
                proxy_headers=_proxy_authorization(proxy_url),
                **options,
            )  # type: urllib3.PoolManager
        else:
            self._manager = urllib3.PoolManager(**options)
        self._pools = {}  # type: Dict[str, Any]

    def get(self, url: str, headers: Optional[Dict[str, str]] = None) -> Reply:
        return self._request("GET", url, headers, None)

    def post(self, url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Reply:
        return self._request("POST", url, headers, body)

    def put(self, url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Reply:
        return self._request("PUT", url, headers, body)

    def delete(self, url: str, headers: Optional[Dict[str, str]] = None) -> Reply:
        return self._request("DELETE", url, headers, None)

    def _request(
        self, method: str, url: str, headers: Optional[Dict[str, str]], body: Optional[bytes]
    ) -> Reply:
        try:
            where, target = parse_destination(url)
        except UnsafeUrlError as error:
            raise UnsafeDestinationError(f"Refusing to send credentials to a {error}")
        if where not in self.allowed_origins:
            raise UnsafeDestinationError(f"Refusing to send credentials to {where}")
        all_headers = dict(self._manager.headers)
        all_headers.update(headers or {})
        if where.startswith("https:") or not self._proxied:
            # The pool of the origin (direct, or tunnelled through the proxy) takes the path:
            # no second URL parse and pool lookup per call.
            pool = self._pools.get(where)
            if pool is None:
                pool = self._pools[where] = self._manager.connection_from_url(where)
            response = pool.urlopen(method, target, body=body, headers=all_headers, redirect=False)
        else:  # plain http through a proxy: absolute-form requests, the manager's way
            response = self._manager.urlopen(
                method, url, body=body, headers=all_headers, redirect=False
            )
        return Reply(response.status, response.headers, response.data, response.reason or "")

    def close(self) -> None:
        self._manager.clear()
        self._pools.clear()


def _without_credentials(proxy_url: str) -> str:
    parts = urlsplit(proxy_url)
    host = parts.hostname or ""
    if ":" in host:
        host = "[" + host + "]"
    return "{}://{}{}".format(parts.scheme, host, f":{parts.port}" if parts.port else "")


def _proxy_authorization(proxy_url: str) -> Optional[Dict[str, str]]:
    parts = urlsplit(proxy_url)
    if not parts.username:
        return None
    credentials = unquote(parts.username) + ":" + unquote(parts.password or "")
    return make_headers(proxy_basic_auth=credentials)
