"""Thread-safe record of every request the simulator answered."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from typing import Dict, Iterable, List, Optional


@dataclass(frozen=True)
class RequestRecord:
    time: float  # simulated clock
    region: str
    method: str
    path: str
    query: Dict[str, str]
    client_id: Optional[str]
    token_id: Optional[str]
    status: int
    # issued secrets (tokens, codes, client secrets; not user codes) anywhere in the request:
    # headers, query or body, whatever its path (a request to a wrong path still carried them)
    secrets: int = 0
    # the OAuth parameters of a request to an OAuth endpoint (RFC 6749 §3.2 / RFC 8628 §3.1 /
    # RFC 7009 §2.1: form fields; RFC 7591 §3.1: the JSON client metadata) and the top-level
    # members of a stream write's JSON body, for in-process tests to read (``params``); they
    # hold secrets (refresh tokens, device codes, PKCE verifiers, HEC tokens), so they are in
    # no repr and not in ``to_dict`` (the /_sim/requests listing)
    params: Dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "params"}


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: List[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> List[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def carrying_secrets_outside(self, regions: Iterable[str]) -> List[RequestRecord]:
        """Requests that carried an issued secret to a host of a region not in ``regions``."""
        allowed = set(regions)
        return [r for r in self.records() if r.secrets and r.region not in allowed]

    def count(self, path_prefix: str = "", method: Optional[str] = None) -> int:
        return sum(
            1
            for r in self.records()
            if r.path.startswith(path_prefix) and (method is None or r.method == method)
        )
