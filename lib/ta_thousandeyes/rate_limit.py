"""Pacing against ThousandEyes' organization rate limit, shared by every process of a connection.

The API reports its budget on every response (``X-Organization-Rate-Limit-Limit``,
``-Remaining`` and ``-Reset``, the UTC epoch second the budget refills). Several inputs run as
separate processes on one connection, so the last known budget lives in a small JSON state
file per connection and organization, locked with fcntl. While plenty of budget is left,
requests go out at once; below a low-water mark the remaining budget is spread evenly over
the time left until the reset, and at the safety reserve everybody waits for the reset.
A 429 blocks all processes until the reset (or ``Retry-After``).

Urgent data goes first: alerts, events and the activity log are small and time-critical, so
the inputs behind a backlog (test results, inventory) leave ``urgent_share`` of the limit to
them (they wait for the reset where the urgent ones may still send), and urgent clients do not
queue behind the backlog's evenly spread slots.

Instant tests have a budget of their own (24 calls a minute, ``X-Instant-Test-Rate-Limit-*``
headers, developer.cisco.com/docs/thousandeyes/rate-limits): the same limiter with the
``INSTANT_TESTS`` budget and its own state file (``state_path_for(..., "instant")``), shared by
every firing of the alert action. With ``per_minute`` the state also keeps the send times of
the last minute, and no more than that many requests are planned in any 60 s, also before
(or without) an answer reporting the budget: a burst of firings that starts cold cannot
overrun a limit that small.

All times are this process's clock (``time.time``), which is what the reset header is
compared with.
"""

import fcntl
import json
import math
import os
import random
import re
import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Mapping, Optional

LIMIT_HEADER = "X-Organization-Rate-Limit-Limit"
REMAINING_HEADER = "X-Organization-Rate-Limit-Remaining"
RESET_HEADER = "X-Organization-Rate-Limit-Reset"
DEFAULT_LIMIT = 240  # requests per minute per organization (ThousandEyes default)
MAX_WAIT_SECONDS = 65.0  # a reset further away than this is clock skew, not a budget


class Budget:
    """Which headers report a budget, and its documented size per minute."""

    def __init__(self, header_prefix: str, default_limit: int) -> None:
        self.limit_header = header_prefix + "-Limit"
        self.remaining_header = header_prefix + "-Remaining"
        self.reset_header = header_prefix + "-Reset"
        self.default_limit = default_limit


ORGANIZATION = Budget("X-Organization-Rate-Limit", DEFAULT_LIMIT)
INSTANT_TESTS = Budget("X-Instant-Test-Rate-Limit", 24)


class RateLimitDeadline(Exception):
    """Waiting for the budget would run past the caller's deadline."""

    def __init__(self, wait_until: float) -> None:
        super().__init__("rate limit budget refills only after the run's deadline")
        self.wait_until = wait_until


class RateLimiter:
    """Decides when the next request may go out; see the module docstring.

    state_path: the shared state file (None keeps the state in this process only).
    low_water: fraction of the limit below which requests are spread over the time to reset.
    reserve: requests left untouched for other clients of the organization.
    budget: ORGANIZATION (default) or INSTANT_TESTS.
    per_minute: at most this many requests planned in any 60 s (None: no such cap).
    urgent_share: fraction of the limit this (background) client leaves to urgent ones.
    urgent: this client does not wait in the evenly spread slots, only at the reserve.
    """

    def __init__(
        self,
        state_path: Optional[str] = None,
        low_water: float = 0.5,
        reserve: int = 2,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        budget: Budget = ORGANIZATION,
        per_minute: Optional[int] = None,
        urgent_share: float = 0.0,
        urgent: bool = False,
    ) -> None:
        self.state_path = state_path
        self.urgent_share = urgent_share
        self.urgent = urgent
        self.budget = budget
        self.per_minute = per_minute
        self.low_water = low_water
        self.reserve = reserve
        self._clock = clock
        self._sleep = sleep
        self._memory = {}  # type: Dict[str, float]
        self.waited_seconds = 0.0
        self.last_remaining = None  # type: Optional[int]
        if state_path:
            os.makedirs(os.path.dirname(state_path) or ".", exist_ok=True)

    # -- shared state ----------------------------------------------------------------------
    @contextmanager
    def _state(self) -> Iterator[Dict[str, float]]:
        if not self.state_path:
            yield self._memory
            return
        with open(self.state_path + ".lock", "a+") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                state = _read_json(self.state_path)
                yield state
                _write_json(self.state_path, state)
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    # -- public ----------------------------------------------------------------------------
    def acquire(self, deadline: Optional[float] = None) -> float:
        """Wait until one request may be sent; returns the seconds waited.

        Raises RateLimitDeadline (without waiting) when the wait would end after deadline.
        """
        with self._state() as state:
            now = self._clock()
            send_at = self._plan(state, now)
            if deadline is not None and send_at > deadline:
                raise RateLimitDeadline(send_at)
        wait = max(0.0, send_at - now)
        if wait > 0:
            self._sleep(wait)
            self.waited_seconds += wait
        return wait

    def observe(self, headers: Mapping[str, str]) -> None:
        """Record the budget a response reported."""
        limit = _int_header(headers, self.budget.limit_header)
        remaining = _int_header(headers, self.budget.remaining_header)
        reset = _int_header(headers, self.budget.reset_header)
        if remaining is None or reset is None:
            return
        self.last_remaining = remaining
        with self._state() as state:
            if limit:
                state["limit"] = limit
            if state.get("reset") == reset and "remaining" in state:
                # Answers from concurrent processes arrive out of order: the lowest is newest.
                state["remaining"] = min(state["remaining"], remaining)
            elif reset >= state.get("reset", 0):
                state["reset"] = reset
                state["remaining"] = remaining

    def block(self, headers: Mapping[str, str]) -> float:
        """After a 429: every process waits until the reset or Retry-After; returns that time."""
        now = self._clock()
        until = retry_after = _retry_after(headers, now)
        reset = _int_header(headers, self.budget.reset_header)
        if until is None and reset is not None:
            until = float(reset)
        if until is None:
            until = now + 60.0  # a full rate-limit window when the server names no time
        until = min(until, now + MAX_WAIT_SECONDS) + random.uniform(0.0, 0.5)
        with self._state() as state:
            state["blocked_until"] = max(state.get("blocked_until", 0.0), until)
            if retry_after is not None:
                # The server named the retry time: after it the budget is unknown again (the
                # next answer reports it), even if this answer's headers said none was left.
                state.pop("remaining", None)
            else:
                state["remaining"] = 0
            if reset is not None:
                state["reset"] = reset
        return until

    # -- planning --------------------------------------------------------------------------
    def _plan(self, state: Dict[str, Any], now: float) -> float:
        send_at = self._plan_budget(state, now)
        if self.per_minute:
            sent = sorted(t for t in state.get("sent", []) if t > now - 60.0)
            if len(sent) >= self.per_minute:
                # The slot frees a minute after the send per_minute places back.
                send_at = max(send_at, sent[-self.per_minute] + 60.0 + random.uniform(0.0, 0.5))
            state["sent"] = (sent + [send_at])[-self.per_minute :]
        return send_at

    def _plan_budget(self, state: Dict[str, Any], now: float) -> float:
        send_at = now
        blocked_until = state.get("blocked_until", 0.0)
        if blocked_until > now:
            send_at = blocked_until
        reset = state.get("reset")
        remaining = state.get("remaining")
        if reset is None or remaining is None or reset <= now:
            # Budget unknown or refilled: go, and learn it from the answer.
            state.pop("remaining", None)
            return send_at
        reset_at = min(float(reset), now + MAX_WAIT_SECONDS)
        limit = state.get("limit") or self.budget.default_limit
        budget = remaining - max(self.reserve, math.ceil(limit * self.urgent_share))
        if budget <= 0:
            send_at = max(send_at, reset_at + random.uniform(0.0, 0.5))
            state.pop("remaining", None)
            return send_at
        if remaining < limit * self.low_water and not self.urgent:
            spacing = (reset_at - now) / budget
            slot = max(state.get("next_slot", 0.0), now)
            send_at = max(send_at, slot)
            state["next_slot"] = slot + spacing
        state["remaining"] = remaining - 1  # reserve ours before the answer arrives
        return send_at


def _int_header(headers: Mapping[str, str], name: str) -> Optional[int]:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


_HTTP_DATE = re.compile(r"[A-Za-z]")


def _retry_after(headers: Mapping[str, str], now: float) -> Optional[float]:
    value = headers.get("Retry-After")
    if not value:
        return None
    value = str(value).strip()
    if _HTTP_DATE.search(value):
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None
    try:
        return now + float(value)
    except ValueError:
        return None


def _read_json(path: str) -> Dict[str, float]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_json(path: str, state: Dict[str, float]) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(temporary, path)


def state_path_for(run_dir: str, connection: str, org_key: str) -> str:
    """The shared state file of one connection and organization under run_dir."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{connection}__{org_key}")
    return os.path.join(run_dir, "ratelimit", safe + ".json")
