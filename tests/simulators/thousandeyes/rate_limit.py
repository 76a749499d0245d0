"""Per-organization and per-client request budgets per minute of the simulated clock.

Every API response carries X-Organization-Rate-Limit-Limit/-Remaining/-Reset (Reset is the
UTC epoch second the current minute ends). A spent budget answers 429 with a problem body
"Exhausted rate limit for the organization" (or "... for the client") and Retry-After.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int
    exhausted: str = ""  # "organization" or "client" when refused

    def headers(self) -> Dict[str, str]:
        return {
            "X-Organization-Rate-Limit-Limit": str(self.limit),
            "X-Organization-Rate-Limit-Remaining": str(self.remaining),
            "X-Organization-Rate-Limit-Reset": str(self.reset),
        }


class RateLimiter:
    def __init__(self, org_per_minute: int = 240, client_per_minute: int = 240) -> None:
        self.org_per_minute = org_per_minute
        self.client_per_minute = client_per_minute
        self._lock = threading.Lock()
        self._counts: Dict[Tuple[str, str, int], int] = {}

    def check(self, org_id: str, client_id: Optional[str], now: float) -> Verdict:
        minute = int(now // 60)
        reset = (minute + 1) * 60
        retry_after = max(1, math.ceil(reset - now))
        with self._lock:
            self._forget_before(minute)
            org_key = ("org", org_id, minute)
            client_key = ("client", client_id or "", minute)
            org_used = self._counts.get(org_key, 0)
            client_used = self._counts.get(client_key, 0) if client_id else 0
            if org_used >= self.org_per_minute:
                return Verdict(False, self.org_per_minute, 0, reset, retry_after, "organization")
            if client_id and client_used >= self.client_per_minute:
                remaining = self.org_per_minute - org_used
                return Verdict(False, self.org_per_minute, remaining, reset, retry_after, "client")
            self._counts[org_key] = org_used + 1
            if client_id:
                self._counts[client_key] = client_used + 1
            remaining = self.org_per_minute - org_used - 1
            return Verdict(True, self.org_per_minute, remaining, reset, retry_after)

    def _forget_before(self, minute: int) -> None:
        for key in [k for k in self._counts if k[2] < minute]:
            del self._counts[key]
