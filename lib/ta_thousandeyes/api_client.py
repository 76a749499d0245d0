"""ThousandEyes v7 API client: bearer auth, HAL pagination on one host, rate limits, retries.

One ApiClient serves one run of one input. It never sends the token anywhere but the
configured API host (a ``_links.next.href`` to another scheme, host or port is refused),
refreshes the token once after a 401, waits out 429s as the rate limiter says, and retries
5xx answers, connection failures and truncated bodies with exponential backoff and jitter
until the run's deadline. A complete body that strict JSON refuses (a record with raw control
characters or bytes that are not UTF-8) is salvaged once the same bytes came twice or the
retries ran out: retrying cannot change it, and a stream must not stall on it. Pages are
yielded one by one so the caller can write and checkpoint each page before the next one is
fetched; when the client gives up, the caller still holds the position of the last page it
finished. Once ``stop_requested()`` says so (splunkd stopping the input) no new request
starts: the request in flight completes and its page is handed over, the next one raises
RunStopped.

``post`` (instant tests) and ``send`` (streams: POST, PUT, DELETE) send a request once: a
401 (refreshed) and a 429 (waited out, on
the limiter the caller names) were refused before anything ran and are sent again; any other
failure is reported, never retried, since a second POST would run a second test.
``link_pages`` follows a link an answer named (``_links.testResults``) under the same rule as
next links: the configured API host only. ``post_pages`` reads the POST ``…/filter`` lists
(endpoint test results): every page, the first and each next link, carries the same body, as
the API requires while paging; a filter runs nothing, so it is retried like a GET.
"""

import json
import random
import re
import time
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Protocol, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from .http import UnsafeUrlError, destination
from .json_spans import Damage, parse_body, salvage_body
from .rate_limit import RateLimitDeadline, RateLimiter
from .redaction import redact

ACCEPT = "application/hal+json, application/json;q=0.9, application/problem+json;q=0.8"
_HAS_AID = re.compile(r"(?:^|&)aid=")


class ApiError(Exception):
    """A definitive answer that retrying will not change (4xx other than 401-after-refresh/429)."""

    def __init__(self, status: int, message: str, url: str = "") -> None:
        super().__init__(redact(f"HTTP {status} from {_path_of(url)}: {message}"))
        self.status = status


class Unauthorized(ApiError):
    """Still 401 after the token was refreshed once."""


class ApiUnavailable(Exception):
    """Retries ran out or the run's deadline came first; data stopped at the last full page."""


class RunStopped(ApiUnavailable):
    """The input was asked to stop; data stopped at the last full page."""


def _never() -> bool:
    return False


class ForeignLinkRefused(Exception):
    """A pagination link pointed away from the configured API host."""


class Page:
    """One response body and the records it holds under items_key.

    raw_items, when not None, holds each record's JSON text exactly as the API sent it
    (aligned with items), so events can be built without encoding the record again.
    last: the body has no next link (no further page will be requested).
    damage: None, or what salvaging a body strict JSON refused did (records repaired or left out).
    """

    __slots__ = ("body", "items", "url", "raw_items", "last", "damage")

    def __init__(
        self,
        body: Dict[str, Any],
        items: List[Any],
        url: str,
        raw_items: Optional[List[str]] = None,
        damage: Optional[Damage] = None,
    ) -> None:
        self.body = body
        self.items = items
        self.url = url
        self.raw_items = raw_items
        self.last = _next_href(body) is None
        self.damage = damage


class ApiStats:
    """Counters for the run's summary line."""

    def __init__(self) -> None:
        self.calls = 0
        self.pages = 0
        self.records = 0
        self.retries = 0
        self.rate_limited = 0
        self.rate_limit_remaining = None  # type: Optional[int]
        self.records_repaired = 0
        self.records_unreadable = 0

    def as_dict(self) -> Dict[str, Any]:
        return {
            "api_calls": self.calls,
            "pages": self.pages,
            "records": self.records,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "rate_limit_remaining": self.rate_limit_remaining,
            "records_repaired": self.records_repaired,
            "records_unreadable": self.records_unreadable,
        }


class TokenSource(Protocol):
    """Where ApiClient gets its bearer tokens (tokens.TokenManager, tokens.ApiTokenSource)."""

    def access_token(self) -> str:
        """A token valid now, refreshed ahead of its expiry when the source can."""

    def refresh_after_unauthorized(self, rejected_token: str) -> str:
        """A new token after the API answered 401 to ``rejected_token``; raises
        tokens.ReauthorizationRequired when none can be had."""


class ApiClient:
    """GETs against one v7 base URL (e.g. ``https://api.thousandeyes.com/v7``).

    transport: a requests session under http's policy (``http.build_session``: the region's
    origins only, no redirects followed, connection failures as ``requests.RequestException``).
    token_source: a ``TokenSource``.
    deadline: epoch seconds (this process's clock) after which no new attempt starts.
    """

    def __init__(
        self,
        base_url: str,
        transport: requests.Session,
        token_source: TokenSource,
        rate_limiter: Optional[RateLimiter] = None,
        deadline: Optional[float] = None,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        stop_requested: Callable[[], bool] = _never,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = destination(self.base_url)
        self.transport = transport
        self.token_source = token_source
        self.rate_limiter = rate_limiter or RateLimiter(clock=clock, sleep=sleep)
        self.deadline = deadline
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._clock = clock
        self._sleep = sleep
        self._stop_requested = stop_requested
        self.stats = ApiStats()

    # -- public ----------------------------------------------------------------------------
    def get(
        self, path: str, params: Optional[Mapping[str, Any]] = None, aid: Optional[str] = None
    ) -> Dict[str, Any]:
        """One GET of path (relative to base_url); returns the parsed JSON body."""
        return self._get_url(self.url_for(path, params, aid))[0]

    def pages(
        self,
        path: str,
        params: Optional[Mapping[str, Any]] = None,
        aid: Optional[str] = None,
        items_key: Optional[str] = None,
    ) -> Iterator[Page]:
        """Yield every page of a list, following ``_links.next.href`` on the same host only."""
        return self._pages(self.url_for(path, params, aid), aid, items_key)

    def post_pages(
        self,
        path: str,
        body: Mapping[str, Any],
        params: Optional[Mapping[str, Any]] = None,
        aid: Optional[str] = None,
        items_key: Optional[str] = None,
    ) -> Iterator[Page]:
        """pages() of a POST ``…/filter`` list: body (JSON) is sent unchanged with every page."""
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        return self._pages(self.url_for(path, params, aid), aid, items_key, data)

    def _pages(
        self,
        first: str,
        aid: Optional[str],
        items_key: Optional[str],
        request_body: Optional[bytes] = None,
    ) -> Iterator[Page]:
        url = first  # type: Optional[str]
        seen = set()
        while url:
            body, raw_items, damage = self._get_url(url, items_key, request_body)
            items = body.get(items_key) if items_key else None
            if not isinstance(items, list):
                items, raw_items = [], None
            self.stats.pages += 1
            self.stats.records += len(items)
            next_url = _next_href(body)
            yield Page(body, items, url, raw_items, damage)
            if next_url is None:
                return
            next_url = self._checked_next(next_url, aid)
            if next_url in seen:  # a server that repeats its cursor would loop forever
                return
            seen.add(next_url)
            url = next_url

    def link_pages(
        self, href: str, aid: Optional[str] = None, items_key: Optional[str] = None
    ) -> Iterator[Page]:
        """pages() of a link from an answer (absolute or host-relative); another host is
        refused with ForeignLinkRefused before anything is sent."""
        return self._pages(self._checked_next(href, aid), aid, items_key)

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        aid: Optional[str] = None,
        rate_limiter: Optional[RateLimiter] = None,
    ) -> Dict[str, Any]:
        """POST body as JSON to path; returns the parsed answer (see the module docstring)."""
        answer = self.send("POST", path, body, aid, rate_limiter)
        if not isinstance(answer, dict):
            raise ApiError(200, "answer is not a JSON object", self.url_for(path, None, aid))
        return answer

    def send(
        self,
        method: str,
        path: str,
        body: Optional[Mapping[str, Any]] = None,
        aid: Optional[str] = None,
        rate_limiter: Optional[RateLimiter] = None,
    ) -> Any:
        """One POST, PUT, DELETE (or unretried GET) under post's rules: a 401 (refreshed once)
        and a 429 (waited out) are sent again, any other failure is reported, never retried.
        Returns the parsed JSON answer (any JSON value), None for an empty one (204)."""
        url = self.url_for(path, None, aid)
        limiter = rate_limiter or self.rate_limiter
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        refreshed = False
        replacement = None  # type: Optional[str]
        while True:
            self._check_stop()
            try:
                limiter.acquire(self.deadline)
            except RateLimitDeadline:
                raise ApiUnavailable("rate limit budget exhausted until after the deadline")
            token = replacement or self.token_source.access_token()
            replacement = None
            self.stats.calls += 1
            headers = {"Authorization": "Bearer " + token, "Accept": ACCEPT}
            if data is not None:
                headers["Content-Type"] = "application/json"
            try:
                if method == "GET":
                    response = self.transport.get(url, headers=headers)
                elif method == "DELETE":
                    response = self.transport.delete(url, headers=headers)
                elif method == "PUT":
                    response = self.transport.put(url, data or b"", headers=headers)
                else:
                    response = self.transport.post(url, data or b"", headers=headers)
            except requests.RequestException as error:
                raise ApiUnavailable(f"connection failed, not retried: {type(error).__name__}")
            limiter.observe(response.headers)
            status = response.status_code
            if status == 401 and not refreshed:
                replacement = self.token_source.refresh_after_unauthorized(token)
                refreshed = True
                continue
            if status == 401:
                raise Unauthorized(401, _problem(response), url)
            if status == 429:
                self.stats.rate_limited += 1
                until = limiter.block(response.headers)
                if self.deadline is not None and until > self.deadline:
                    raise ApiUnavailable("rate limited until after the deadline")
                continue
            if status < 200 or status >= 300:
                raise ApiError(status, _problem(response), url)
            if not response.content or not response.content.strip():
                return None
            try:
                return json.loads(response.content)
            except ValueError:
                raise ApiError(status, "answer is not JSON", url)

    def url_for(
        self, path: str, params: Optional[Mapping[str, Any]] = None, aid: Optional[str] = None
    ) -> str:
        query = [(k, _param(v)) for k, v in (params or {}).items() if v is not None]
        if aid:
            query.append(("aid", str(aid)))
        url = self.base_url + "/" + path.lstrip("/")
        return url + ("?" + urlencode(query) if query else "")

    # -- internals -------------------------------------------------------------------------
    def _checked_next(self, href: str, aid: Optional[str]) -> str:
        if href.startswith("/"):  # relative to the API host
            href = self._origin + href
        try:
            where = destination(href)
        except UnsafeUrlError as error:
            raise ForeignLinkRefused(redact(f"refusing to follow a next link: {error}"))
        if where != self._origin:
            raise ForeignLinkRefused(
                redact(f"refusing to follow a next link to another host: {where}")
            )
        if aid:
            parts = urlsplit(href)
            if _HAS_AID.search(parts.query):  # the usual next link: nothing to add
                return href
            query = parse_qsl(parts.query, keep_blank_values=True)
            if not any(key == "aid" for key, _ in query):
                query.append(("aid", str(aid)))
                href = urlunsplit(parts._replace(query=urlencode(query)))
        return href

    def _get_url(
        self, url: str, items_key: Optional[str] = None, request_body: Optional[bytes] = None
    ) -> Tuple[Dict[str, Any], Optional[List[str]], Optional[Damage]]:
        """The parsed body, each item's raw JSON text when items_key names a list, and what
        salvaging did to the body (None when it parsed). With request_body: a POST of it."""
        attempt = 0
        refreshed = False
        replacement = None  # type: Optional[str]
        refused = None  # type: Optional[bytes]  # the last body strict JSON refused
        while True:
            self._acquire()
            # Asked at send time: a rate-limit wait or a backoff may have outlived a token
            # fetched earlier, and the refresh margin only has to cover this one request.
            token = replacement or self.token_source.access_token()
            replacement = None
            self.stats.calls += 1
            headers = {"Authorization": "Bearer " + token, "Accept": ACCEPT}
            try:
                if request_body is None:
                    response = self.transport.get(url, headers=headers)
                else:
                    headers["Content-Type"] = "application/json"
                    response = self.transport.post(url, request_body, headers=headers)
            except requests.RequestException as error:
                attempt = self._back_off(attempt, f"connection failed: {type(error)}")
                continue
            self._observe(response)
            status = response.status_code
            if status == 401:
                if refreshed:
                    raise Unauthorized(401, _problem(response), url)
                replacement = self.token_source.refresh_after_unauthorized(token)
                refreshed = True
                continue
            if status == 429:
                self.stats.rate_limited += 1
                until = self.rate_limiter.block(response.headers)
                if self.deadline is not None and until > self.deadline:
                    raise ApiUnavailable("rate limited until after the run's deadline")
                continue
            if status >= 500 or status in (408,):
                attempt = self._back_off(attempt, f"HTTP {status}")
                continue
            if status >= 300:  # the API does not redirect; the token never follows one
                raise ApiError(status, _problem(response), url)
            content = response.content
            try:
                return parse_body(content, items_key) + (None,)
            except ValueError:
                pass
            if content == refused:  # the same bytes again: the API's data, not a cut-off body
                salvaged = self._salvage(content, items_key)
                if salvaged is not None:
                    return salvaged
            refused = content
            try:
                # A body cut short by a dropped connection; the next try gets it whole.
                attempt = self._back_off(attempt, "truncated or invalid JSON body")
            except ApiUnavailable:
                salvaged = self._salvage(content, items_key)
                if salvaged is None:
                    raise
                return salvaged

    def _salvage(
        self, content: bytes, items_key: Optional[str]
    ) -> Optional[Tuple[Dict[str, Any], Optional[List[str]], Damage]]:
        try:
            body, raw, damage = salvage_body(content, items_key)
        except ValueError:
            return None  # cut off or broken outside the records: the next link is unknown
        self.stats.records_repaired += len(damage.repaired)
        self.stats.records_unreadable += len(damage.unreadable)
        return body, raw, damage

    def _acquire(self) -> None:
        self._check_stop()
        try:
            self.rate_limiter.acquire(self.deadline)
        except RateLimitDeadline:
            raise ApiUnavailable("rate limit budget exhausted until after the run's deadline")
        self._check_stop()  # a stop ends the wait early (the caller's sleep returns)

    def _check_stop(self) -> None:
        if self._stop_requested():
            raise RunStopped("asked to stop; no new request started")

    def _observe(self, response: Any) -> None:
        self.rate_limiter.observe(response.headers)
        if self.rate_limiter.last_remaining is not None:
            self.stats.rate_limit_remaining = self.rate_limiter.last_remaining

    def _back_off(self, attempt: int, reason: str) -> int:
        attempt += 1
        if attempt >= self.max_attempts:
            raise ApiUnavailable(f"giving up after {attempt} attempts: {reason}")
        # Full jitter: spreads retries of many processes over the whole backoff interval.
        delay = random.uniform(0, min(self.backoff_cap, self.backoff_base * (2**attempt)))
        if self.deadline is not None and self._clock() + delay > self.deadline:
            raise ApiUnavailable(f"run deadline reached while retrying: {reason}")
        self.stats.retries += 1
        self._sleep(delay)
        return attempt


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _path_of(url: str) -> str:
    return urlsplit(url).path if url else ""


def _next_href(body: Dict[str, Any]) -> Optional[str]:
    links = body.get("_links")
    if not isinstance(links, dict):
        return None
    nxt = links.get("next")
    if isinstance(nxt, dict):
        href = nxt.get("href")
        return href if isinstance(href, str) and href else None
    return None


def _problem(response: Any) -> str:
    """A one-line reason from an RFC 7807 problem or OAuth error body."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return (response.reason or "").strip() or "no details"
    if isinstance(body, dict):
        for key in ("detail", "title", "error_description", "error", "message"):
            if body.get(key):
                return str(body[key])[:300]
        errors = body.get("errors")  # {timestamp, httpStatus, errors[], path} (streams)
        if isinstance(errors, list) and errors:
            return str(errors[0])[:300]
        if isinstance(errors, str) and errors:
            return errors[:300]
    return "no details"
