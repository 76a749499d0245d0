"""Per-organization, per-client and instant-test request budgets on the simulated clock.

Source: developer.cisco.com/docs/thousandeyes/rate-limits ("The limit rolls over one minute
from the first request in a batch"; instant tests "allow up to 24 calls per minute" with
X-Instant-Test-Rate-Limit-Limit/-Remaining/-Reset) and the ThousandEyes MCP server
documentation (each OAuth client has its own 240/min apart from the organization's).

Window (``window``): ``rolling`` (default, as documented: a batch's minute starts at its
first request) or ``aligned`` (to the clock minute, the simulator's old behaviour).
X-Organization-Rate-Limit-Reset is the UTC epoch second the current window ends. A spent
budget answers 429 "Exhausted rate limit for the organization" (or "... for the client").
``Retry-After`` is not sent by default: the documentation promises none and a third-party
summary of it says it is never sent; ``retry_after=True`` sends the seconds to the reset.
A refused request does not count against any budget.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

WINDOWS = ("rolling", "aligned")
ORG_HEADERS = "X-Organization-Rate-Limit"
INSTANT_HEADERS = "X-Instant-Test-Rate-Limit"


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: Optional[int]  # None: send no Retry-After
    exhausted: str = ""  # "organization" or "client" when refused
    prefix: str = ORG_HEADERS

    def headers(self) -> Dict[str, str]:
        return {
            f"{self.prefix}-Limit": str(self.limit),
            f"{self.prefix}-Remaining": str(self.remaining),
            f"{self.prefix}-Reset": str(self.reset),
        }


class RateLimiter:
    def __init__(
        self,
        org_per_minute: int = 240,
        client_per_minute: int = 240,
        window: str = "rolling",
        retry_after: bool = False,
        instant_per_minute: int = 24,
    ) -> None:
        if window not in WINDOWS:
            raise ValueError(f"window must be one of {WINDOWS}")
        self.org_per_minute = org_per_minute
        self.client_per_minute = client_per_minute
        self.instant_per_minute = instant_per_minute
        self.window = window
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._windows: Dict[Tuple[str, str], Tuple[float, int]] = {}  # key -> (start, used)

    def check(self, org_id: str, client_id: Optional[str], now: float) -> Verdict:
        """One ordinary API request of org_id (and client_id, None for API tokens)."""
        with self._lock:
            org_start, org_used = self._current(("org", org_id), now)
            reset = _reset(org_start)
            if org_used >= self.org_per_minute:
                return self._refused(self.org_per_minute, 0, reset, now, "organization")
            if client_id:
                client_start, client_used = self._current(("client", client_id), now)
                if client_used >= self.client_per_minute:
                    # The organization headers keep describing the organization's budget.
                    remaining = self.org_per_minute - org_used
                    verdict = self._refused(self.org_per_minute, remaining, reset, now, "client")
                    verdict.retry_after = self._seconds_to(_reset(client_start), now)
                    return verdict
                self._windows[("client", client_id)] = (client_start, client_used + 1)
            self._windows[("org", org_id)] = (org_start, org_used + 1)
            remaining = self.org_per_minute - org_used - 1
            return Verdict(True, self.org_per_minute, remaining, reset, None)

    def check_instant(self, org_id: str, now: float) -> Verdict:
        """One instant-test request: its own budget and X-Instant-Test-Rate-Limit-* headers."""
        with self._lock:
            start, used = self._current(("instant", org_id), now)
            reset = _reset(start)
            limit = self.instant_per_minute
            if used >= limit:
                verdict = self._refused(limit, 0, reset, now, "organization")
                verdict.prefix = INSTANT_HEADERS
                return verdict
            self._windows[("instant", org_id)] = (start, used + 1)
            return Verdict(True, limit, limit - used - 1, reset, None, prefix=INSTANT_HEADERS)

    def org_window_reset(self, org_id: str, now: float) -> int:
        """The reset of the organization's current window (the 429-storm fault reports it)."""
        with self._lock:
            start, _ = self._current(("org", org_id), now)
            return _reset(start)

    def retry_after_for(self, reset: int, now: float) -> Optional[int]:
        return self._seconds_to(reset, now)

    # -------------------------------------------------------------------- internals
    def _current(self, key: Tuple[str, str], now: float) -> Tuple[float, int]:
        """(window start, requests counted) of key's window that contains now."""
        start, used = self._windows.get(key, (None, 0))
        if start is None or now >= start + 60:
            start = float(int(now // 60) * 60) if self.window == "aligned" else now
            used = 0
            self._windows[key] = (start, used)
        return start, used

    def _refused(self, limit: int, remaining: int, reset: int, now: float, who: str) -> Verdict:
        return Verdict(False, limit, remaining, reset, self._seconds_to(reset, now), who)

    def _seconds_to(self, reset: int, now: float) -> Optional[int]:
        return max(1, math.ceil(reset - now)) if self.retry_after else None


def _reset(window_start: float) -> int:
    """The first whole epoch second at or after the window's end: waiting until it suffices."""
    return int(math.ceil(window_start + 60))
