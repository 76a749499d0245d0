"""requests sessions as every outbound call of the add-on needs them.

TLS verification is always on (a custom CA bundle may replace the default one), every call
has a timeout, the user agent names the add-on, and connection-level failures are retried by
urllib3's own machinery. Status-based retries (429, 5xx) are left to the API client, which
knows the rate-limit budget and the run's deadline.
"""

from typing import Iterable, Optional
from urllib.parse import SplitResult, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import USER_AGENT

DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds


class UnsafeDestinationError(requests.exceptions.InvalidURL):
    """A request carrying credentials was about to go to an origin nobody configured."""


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL, with the default port made explicit."""
    return origin_of(urlsplit(url))


def origin_of(parts: SplitResult) -> str:
    """origin() of a URL already split."""
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return "{}://{}:{}".format(scheme, (parts.hostname or "").lower(), port)


class _TimeoutAdapter(HTTPAdapter):
    """An adapter that applies a default timeout to calls that do not pass their own.

    When ``authorization_origins`` is set, a request with an Authorization header to any
    other origin is refused before it leaves (this also covers redirects and pagination).
    """

    authorization_origins = None  # type: Optional[FrozenSet[str]]

    def __init__(self, timeout: tuple, **kwargs: object) -> None:
        self._timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        if self.authorization_origins is not None and "Authorization" in request.headers:
            if origin(request.url or "") not in self.authorization_origins:
                raise UnsafeDestinationError(
                    "Refusing to send credentials to {}".format(origin(request.url or ""))
                )
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def connection_retry(count: int, methods: frozenset, **options: object) -> Retry:
    """urllib3 retries for connection-level failures only (statuses are the caller's)."""
    return Retry(
        total=count,
        connect=count,
        read=count,
        status=0,
        other=0,
        backoff_factor=0.5,
        backoff_jitter=0.5,
        allowed_methods=methods,
        raise_on_status=False,
        **options,
    )


def build_session(
    ca_bundle: Optional[str] = None,
    proxy_url: Optional[str] = None,
    timeout: tuple = DEFAULT_TIMEOUT,
    connect_retries: int = 3,
) -> requests.Session:
    """A session with verification on, a timeout, our user agent and connection retries.

    ca_bundle: path of a PEM bundle to trust instead of certifi's; proxy_url: e.g.
    ``http://user:password@proxy:3128`` (the caller builds it from the credential store).
    """
    session = requests.Session()
    session.verify = ca_bundle or True
    session.trust_env = False  # Splunk's environment is not the admin's proxy configuration
    if proxy_url:
        session.proxies = {"http": proxy_url, "https": proxy_url}
    session.headers["User-Agent"] = USER_AGENT
    retry = connection_retry(connect_retries, frozenset({"GET", "HEAD", "OPTIONS"}))
    adapter = _TimeoutAdapter(timeout, max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def restrict_authorization(session: requests.Session, origins: Iterable[str]) -> None:
    """Let requests with an Authorization header go only to these ``scheme://host:port``s."""
    allowed = frozenset(origins)
    for adapter in session.adapters.values():
        if isinstance(adapter, _TimeoutAdapter):
            adapter.authorization_origins = allowed
