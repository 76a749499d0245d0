"""Programmable faults, matched per request by region, method, path regex, count, probability.

Kinds:
  ``status``      answer ``status`` (default 503) with a problem body (5xx bursts)
  ``rate_limit``  answer 429 "Exhausted rate limit for the organization"; Retry-After
                  ``retry_after`` (None: as the limiter sends it, by default not at all)
  ``slow``        delay the response by ``delay`` seconds (real time)
  ``drop``        send headers and part of the body, then close the connection
                  (both after the endpoint acted: a token refresh has rotated by then)
  ``truncate``    send a cut-off JSON body with a matching Content-Length
  ``revoke_token`` revoke the presented access token before handling (the request gets 401)
  ``clock_skew``  Date header off by ``skew`` seconds
  ``bad_record``  the first string of the page's record number ``record`` (from 0; -1 = the
                  last) starts with ``bad``: ``control`` (a raw ESC, which JSON forbids in
                  strings), ``latin1`` (the byte 0xE9, not UTF-8, as a server that encodes
                  names in Latin-1 sends it) or ``noncharacter`` (U+FFFF: valid JSON, not XML)
``count`` limits how many requests a fault hits (None = unlimited); ``probability`` draws
from a RNG seeded with the simulator seed, so runs repeat.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import List, Optional

KINDS = {
    "status",
    "rate_limit",
    "slow",
    "drop",
    "truncate",
    "revoke_token",
    "clock_skew",
    "bad_record",
}
BAD_BYTES = {"control": b"\x1b", "latin1": b"\xe9", "noncharacter": "\uffff".encode()}


@dataclass
class Fault:
    kind: str
    path: str = ".*"  # regex searched in the request path
    method: Optional[str] = None
    region: Optional[str] = None
    count: Optional[int] = None
    probability: float = 1.0
    status: int = 503
    delay: float = 0.0
    skew: int = 0
    retry_after: Optional[int] = None
    bad: str = "control"
    record: int = 0
    fault_id: int = 0
    hits: int = field(default=0)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class FaultPlan:
    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._faults: List[Fault] = []
        self._rng = random.Random(seed)
        self._next_id = 1

    def add(self, kind: str, **options: object) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        fault = Fault(kind=kind, **options)  # type: ignore[arg-type]
        if fault.bad not in BAD_BYTES:
            raise ValueError(f"unknown bad record {fault.bad!r}; one of {sorted(BAD_BYTES)}")
        re.compile(fault.path)
        with self._lock:
            fault.fault_id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def remove(self, fault_id: int) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f.fault_id != fault_id]

    def list(self) -> List[Fault]:
        with self._lock:
            return list(self._faults)

    def match(self, region: str, method: str, path: str) -> List[Fault]:
        """Faults that fire for this request (each fires at most once per request)."""
        fired = []
        with self._lock:
            for fault in self._faults:
                if fault.count is not None and fault.hits >= fault.count:
                    continue
                if fault.region and fault.region != region:
                    continue
                if fault.method and fault.method.upper() != method:
                    continue
                if not re.search(fault.path, path):
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                fault.hits += 1
                fired.append(fault)
        return fired
