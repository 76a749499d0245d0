"""/v7/test-results/{testId}/{type}: lazily generated rounds, cursor pagination.

No time parameters: the latest published round only. With ``window`` or ``startDate``/
``endDate``: every round overlapping the range (one that started just before it included).
Records are ordered by round, then agent (then direction).

A page body is a pure function of the request and the rounds published at that moment, so
bodies are cached, and the page a ``next`` link points to is built in the background while
the client is busy with the current one: a client walking the cursor finds it ready.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from typing import Callable, Dict, Optional, Tuple

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response
from .pagination import CursorError, page_url
from .problems import problem
from .representations import link, test_json, test_result_texts
from .rounds import latest_published_round, record_count, round_span
from .timefmt import TimeParamError, iso, resolve_range
from .world import RESULT_KINDS, Test

PAGE_CACHE_BYTES = 64 * 2**20
_ENCODER = json.JSONEncoder(separators=(",", ":"))  # what hal() / json.dumps(...) writes


def test_results(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    parts = req.path.strip("/").split("/")  # v7, test-results, id, kind
    if len(parts) != 4 or parts[3] not in RESULT_KINDS:
        return problem(404, "Not found", req.path)
    test_id, kind = parts[2], parts[3]
    if "max" in req.query:  # max exists only on alerts and events
        return problem(400, "Unknown query parameter: max", req.path)
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    test = ctx.world.test_with_results(test_id)
    if test is None or test.aid != aid:
        return problem(404, f"Test {test_id} not found in account group {aid}", req.path)
    if kind not in test.result_kinds:
        return problem(400, f"Test {test_id} ({test.test_type}) has no {kind} results", req.path)
    now = ctx.clock.now()
    try:
        start, end, offset = _range_and_offset(ctx, req, test, now)
    except (TimeParamError, CursorError) as exc:
        return problem(400, str(exc), req.path)
    first, rounds = round_span(test, start, end, now)
    page = _Page(
        ctx, api, req.path, tuple(req.query.items()), test, kind, start, end, offset, first,
        record_count(test, rounds), ctx.page_sizes["test-results"],
    )  # fmt: skip
    cache = page_cache(ctx)
    body = cache.get_or_build(page.key(), page.body)
    following = page.following()
    if following is not None:
        cache.prefetch(following.key(), following.body)
    return Response(200, body, {"Content-Type": "application/hal+json"})


class _Page:
    """One page of one request: everything its body depends on, and how to build it."""

    def __init__(
        self, ctx: SimContext, api: str, path: str, query: Tuple[Tuple[str, str], ...],
        test: Test, kind: str, start: float, end: float, offset: int, first: int,
        total: int, size: int,
    ) -> None:  # fmt: skip
        self.ctx, self.api, self.path, self.query = ctx, api, path, query
        self.test, self.kind, self.start, self.end = test, kind, start, end
        self.offset, self.first, self.total, self.size = offset, first, total, size
        self.test_text = _ENCODER.encode(test_json(test, api))

    def key(self) -> tuple:
        return (
            self.ctx.cursor, self.api, self.path, self.query, self.test_text, self.kind,
            self.start, self.end, self.offset, self.first, self.total, self.size,
        )  # fmt: skip

    def _next_params(self) -> Optional[Dict[str, str]]:
        if self.offset + self.size >= self.total:
            return None
        state = {"s": self.start, "e": self.end, "o": self.offset + self.size,
                 "t": self.test.test_id, "k": self.kind}  # fmt: skip
        params = dict(self.query)
        params["cursor"] = self.ctx.cursor.encode(state)
        return params

    def following(self) -> Optional[_Page]:
        """The page this one's ``next`` link asks for, as that request will arrive."""
        params = self._next_params()
        if params is None:
            return None
        return _Page(
            self.ctx, self.api, self.path, tuple(params.items()), self.test, self.kind,
            self.start, self.end, self.offset + self.size, self.first, self.total, self.size,
        )  # fmt: skip

    def body(self) -> bytes:
        """Exactly ``json.dumps`` of {results, test, startDate, endDate, _links}."""
        stop = min(self.total, self.offset + self.size)
        records = test_result_texts(
            self.ctx.world, self.test, self.kind, self.first, self.offset, stop
        )
        links = {"self": link(page_url(self.api, self.path[3:], dict(self.query)))}
        params = self._next_params()
        if params is not None:
            links["next"] = link(page_url(self.api, self.path[3:], params))
        text = "".join(
            (
                '{"results":[', ",".join(records), '],"test":', self.test_text,
                ',"startDate":', _ENCODER.encode(iso(self.start)),
                ',"endDate":', _ENCODER.encode(iso(self.end)),
                ',"_links":', _ENCODER.encode(links), "}",
            )
        )  # fmt: skip
        return text.encode()


class PageCache:
    """Page bodies by key, least recently used dropped beyond ``max_bytes``. A body being
    built (by a request or a prefetch) is built once; others asking for it wait."""

    def __init__(self, max_bytes: int = PAGE_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._bodies: OrderedDict = OrderedDict()
        self._building: Dict[tuple, threading.Event] = {}
        self._bytes = 0
        self.hits = self.builds = self.prefetches = 0

    def get_or_build(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            body = self._lookup(key)
            if body is not None:
                return body
            pending = self._building.get(key)
            if pending is None:
                self._building[key] = threading.Event()
        if pending is not None:
            pending.wait()
            with self._lock:
                body = self._lookup(key)
            if body is not None:
                return body
            return build()  # the other builder failed or it was dropped already
        return self._build(key, build)

    def prefetch(self, key: tuple, build: Callable[[], bytes]) -> None:
        with self._lock:
            if key in self._bodies or key in self._building:
                return
            self._building[key] = threading.Event()
            self.prefetches += 1
        thread = threading.Thread(
            target=self._build, args=(key, build), name="te-sim-prefetch", daemon=True
        )
        thread.start()

    def _lookup(self, key: tuple) -> Optional[bytes]:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
            self.hits += 1
        return body

    def _build(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        body: Optional[bytes] = None
        try:
            body = build()
            return body
        finally:
            with self._lock:
                if body is not None and len(body) <= self.max_bytes:
                    self.builds += 1
                    self._bodies[key] = body
                    self._bytes += len(body)
                    self._shrink()
                self._building.pop(key).set()

    def _shrink(self) -> None:
        while self._bytes > self.max_bytes:
            _, dropped = self._bodies.popitem(last=False)
            self._bytes -= len(dropped)


_CACHES: weakref.WeakKeyDictionary[object, PageCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def page_cache(ctx: SimContext) -> PageCache:
    """The cache serving ``ctx``'s result pages: one per simulated world (a context has one
    world and lives as long)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(ctx.world)
        if cache is None:
            cache = _CACHES[ctx.world] = PageCache()
        return cache


def _range_and_offset(ctx: SimContext, req: Request, test, now: float) -> tuple:  # noqa: ANN001
    cursor = req.query.get("cursor")
    if cursor:
        state = ctx.cursor.decode(cursor)
        if state.get("t") != test.test_id or state.get("k") != req.path.rsplit("/", 1)[-1]:
            raise CursorError("Cursor does not belong to this request")
        return state["s"], state["e"], state["o"]
    time_range = resolve_range(req.query, now)
    if time_range is None:
        latest = latest_published_round(test, now)
        if latest is None:
            return now, now, 0
        return latest, latest, 0
    return time_range[0], time_range[1], 0
