"""The one transport policy: requests sessions for every outbound call, and the URL policy.

Every outbound call of the add-on (OAuth flows, identity, token refreshes, the collectors' v7
API calls, instant tests and streams) goes through a session from ``build_session``: TLS
verification always on (the settings' CA bundle, or certifi's, requests' default), a timeout on
every call, the add-on's user agent, urllib3's ``Retry`` (through requests' ``HTTPAdapter``)
for connection-level failures only, the admin's proxy (credentials sent as a
``Proxy-Authorization`` header, never written into a URL), no redirect ever followed (a
redirect must not carry a secret anywhere) and, when origins are given, every request checked
against them before it leaves. Failures are requests' one exception family
(``requests.RequestException``). Status-based retries (429, 5xx) are left to the API client,
which knows the rate-limit budget and the run's deadline.

The URL policy (``destination``) decides where a request goes, for every request that carries
a secret: it parses with urllib3's parser, the one that opens the connection (requests
prepares with it and urllib3 parses again before connecting), and admits only URLs on which
every parser agrees: printable ASCII, no backslash, no userinfo, no fragment, and a scheme and
authority (host and port) written exactly as urllib3 writes them back. Hosts are lower-case DNS
names, canonical dotted IPv4 addresses or canonical bracketed IPv6 addresses; non-ASCII (IDN)
hosts, percent-encoded hosts, trailing dots and numeric forms such as ``0x7f.1`` are refused
(parsers disagree about them, and ThousandEyes' hosts need none). Path and query are not
canonicalised: they cannot change the destination.
"""

import functools
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, Optional, Tuple, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import LocationParseError
from urllib3.util import make_headers, parse_url
from urllib3.util.retry import Retry

from . import USER_AGENT

DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds
DEFAULT_PORTS = {"https": 443, "http": 80}
MAX_URL_LENGTH = 8192
SessionT = TypeVar("SessionT", bound=requests.Session)

_VISIBLE_ASCII = re.compile(r"[!-~]+")  # no space, no control character, no non-ASCII
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DNS_NAME = re.compile(_LABEL + r"(?:\." + _LABEL + r")*")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")  # WHATWG reads such a host as IPv4
_AUTHORITY_END = re.compile(r"[/?#]")


class UnsafeUrlError(ValueError):
    """A URL the policy does not admit for a request that carries a secret."""


class UnsafeDestinationError(requests.exceptions.InvalidURL):
    """A request carrying credentials was about to go to an origin nobody configured."""


def destination(url: str) -> str:
    """``scheme://host:port`` (port always explicit) a request to ``url`` connects to.

    Raises UnsafeUrlError for any URL the policy (module docstring) does not admit.
    """
    return parse_destination(url)[0]


def parse_destination(url: str) -> Tuple[str, str]:
    """destination() and the request target (path and query as written, "/" when empty).

    urllib3 ends the authority at the first ``/``, ``?``, ``#`` or backslash; with
    backslashes and fragments refused, parsing ``scheme://authority`` alone gives what parsing
    the whole URL gives for scheme, userinfo, host and port, without urllib3's per-character
    re-encoding of path and query (about 0.2 ms for a long API URL, on every page).
    """
    if not isinstance(url, str) or not url:
        raise UnsafeUrlError("empty URL")
    if len(url) > MAX_URL_LENGTH or not _VISIBLE_ASCII.fullmatch(url):
        raise UnsafeUrlError("URL with spaces, control or non-ASCII characters")
    if "\\" in url:
        raise UnsafeUrlError("URL with a backslash")
    if "#" in url:
        raise UnsafeUrlError("URL with a fragment")
    scheme, separator, rest = url.partition("://")
    if scheme not in DEFAULT_PORTS or not separator:
        raise UnsafeUrlError("not a lower-case http(s) URL")
    written = _AUTHORITY_END.split(rest, 1)[0]
    target = rest[len(written) :]
    if target.startswith("?"):
        target = "/" + target
    return _origin_of(scheme, written), target or "/"


@functools.lru_cache(maxsize=256)
def _origin_of(scheme: str, written: str) -> str:
    """The origin of ``scheme://written`` as urllib3 parses it, when written canonically."""
    try:
        parts = parse_url(f"{scheme}://{written}")
    except LocationParseError:
        raise UnsafeUrlError("URL that does not parse")
    if parts.auth is not None or "@" in written:
        raise UnsafeUrlError("URL with user information (user@host)")
    host = parts.host or ""
    _check_host(host)
    port = parts.port
    if port is not None and not 0 < port < 65536:
        raise UnsafeUrlError("URL with an invalid port")
    if written != (host if port is None else f"{host}:{port}"):
        raise UnsafeUrlError("URL whose host or port is not written canonically")
    return f"{scheme}://{host}:{port or DEFAULT_PORTS[scheme]}"


def _check_host(host: str) -> None:
    if host.startswith("["):
        inner = host[1:-1] if host.endswith("]") else ""
        try:
            canonical = ipaddress.IPv6Address(inner).compressed
        except ValueError:
            raise UnsafeUrlError("URL with an invalid IPv6 address")
        if canonical != inner or "." in inner:  # dotted tails print differently per parser
            raise UnsafeUrlError("URL with a non-canonical IPv6 address")
        return
    if len(host) > 253 or not _DNS_NAME.fullmatch(host):
        raise UnsafeUrlError("URL whose host is not a lower-case ASCII DNS name or IP address")
    if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        try:
            canonical = str(ipaddress.IPv4Address(host))
        except ValueError:
            raise UnsafeUrlError("URL with a non-canonical IPv4 address")
        if canonical != host:
            raise UnsafeUrlError("URL with a non-canonical IPv4 address")


def admits(url: str, origins: FrozenSet[str]) -> bool:
    """Whether the policy admits ``url`` and it goes to one of ``origins``."""
    try:
        return destination(url) in origins
    except UnsafeUrlError:
        return False


@dataclass(frozen=True)
class Proxy:
    """The admin's forward proxy, from the settings (the password from the credential store)."""

    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        """``scheme://host:port``, never with credentials (they go in a header)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{int(self.port)}"

    def headers(self) -> Dict[str, str]:
        """Proxy-Authorization (basic) when a user name is set."""
        if not self.username:
            return {}
        return make_headers(proxy_basic_auth=f"{self.username}:{self.password}")


class PolicyAdapter(HTTPAdapter):
    """requests' adapter with the policy: default timeout, origin check, proxy credentials.

    When ``allowed_origins`` is set, every request is checked with the URL policy on the URL
    as prepared for sending, and refused before it leaves unless it goes to one of them: a
    secret may ride in a header or in the body, so no request is exempt.
    """

    def __init__(
        self,
        timeout: tuple,
        allowed_origins: Optional[FrozenSet[str]] = None,
        proxy: Optional[Proxy] = None,
        **kwargs: Any,
    ) -> None:
        self._timeout = timeout
        self.allowed_origins = allowed_origins
        self._proxy = proxy
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.allowed_origins is not None:
            try:
                where = destination(request.url or "")
            except UnsafeUrlError as error:
                raise UnsafeDestinationError(f"Refusing to send a request to a {error}")
            if where not in self.allowed_origins:
                raise UnsafeDestinationError(f"Refusing to send credentials to {where}")
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)

    def proxy_headers(self, proxy: str) -> Dict[str, str]:
        # requests would parse credentials out of the proxy URL; ours never put them there.
        return self._proxy.headers() if self._proxy else {}


def connection_retry(count: int, methods: frozenset, **options: object) -> Retry:
    """urllib3 retries for connection-level failures only (statuses are the caller's).

    A request that failed before it was sent (connect) is retried whatever its method; a read
    failure only for ``methods``: a POST that reached the server (an instant test) is not sent
    twice."""
    return Retry(
        total=count,
        connect=count,
        read=count,
        status=0,
        other=0,
        redirect=False,
        backoff_factor=0.5,
        backoff_jitter=0.5,
        allowed_methods=methods,
        raise_on_status=False,
        raise_on_redirect=False,
        **options,
    )


def _no_redirect(response: requests.Response) -> None:
    return None


def build_session(
    allowed_origins: Optional[Iterable[str]] = None,
    ca_bundle: Optional[str] = None,
    proxy: Optional[Proxy] = None,
    timeout: tuple = DEFAULT_TIMEOUT,
    connect_retries: int = 3,
) -> requests.Session:
    """A new session under the policy of the module docstring. allowed_origins:
    ``scheme://host:port``s (destination()); ca_bundle: path of a PEM bundle to trust instead
    of certifi's. An OAuth2Session takes it over with adopt_policy()."""
    session = requests.Session()
    session.verify = ca_bundle or True
    session.trust_env = False  # Splunk's environment is not the admin's proxy configuration
    if proxy is not None:
        session.proxies = {"http": proxy.url, "https": proxy.url}
    session.headers["User-Agent"] = USER_AGENT
    # requests asks this of every answer before following it: no answer is followed.
    session.get_redirect_target = _no_redirect  # type: ignore[method-assign]
    origins = None if allowed_origins is None else frozenset(allowed_origins)
    retry = connection_retry(connect_retries, frozenset({"GET", "HEAD", "OPTIONS"}))
    adapter = PolicyAdapter(timeout, origins, proxy, max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def adopt_policy(source: requests.Session, target: SessionT) -> SessionT:
    """``target`` (e.g. an OAuth2Session) under ``source``'s policy: the same adapters (origin
    check, retries, connection pool), CA bundle, proxy, user agent, no redirects."""
    target.verify = source.verify
    target.trust_env = source.trust_env
    target.proxies = dict(source.proxies)
    target.headers["User-Agent"] = source.headers["User-Agent"]
    target.get_redirect_target = _no_redirect  # type: ignore[method-assign]
    for prefix, adapter in source.adapters.items():
        target.mount(prefix, adapter)
    return target


def restrict_destinations(session: requests.Session, origins: Iterable[str]) -> None:
    """Let the session's requests go only to these ``scheme://host:port``s (destination())."""
    allowed = frozenset(origins)
    for adapter in session.adapters.values():
        if isinstance(adapter, PolicyAdapter):
            adapter.allowed_origins = allowed
