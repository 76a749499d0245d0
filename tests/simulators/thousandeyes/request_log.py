"""Thread-safe record of every request the simulator answered."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
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

    def to_dict(self) -> dict:
        return asdict(self)


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
