"""What a throughput run ingests: one account group, a fixed time range, one data kind.

Every pipeline (add-on, SDK baseline, floor) is handed the same Workload, so they ask the
simulator the same questions and receive the same response bytes.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import BinaryIO, List, TextIO

# Test types whose network results both the simulator and the add-on's collector serve.
NETWORK_TEST_TYPES = (
    "agent-to-server", "agent-to-agent", "http-server", "page-load", "web-transactions",
    "dns-server", "ftp-server", "sip-server",
)  # fmt: skip
STANZA = "thousandeyes_test_results://bench"
HOST = "bench-host"
INDEX = "thousandeyes"


@dataclass
class Workload:
    kind: str  # "network" or "alerts"
    api_base: str
    ca_bundle: str
    token: str
    aid: str
    start: int  # epoch seconds, inclusive
    end: int  # epoch seconds; the add-on's "now - settle"
    now: int  # the frozen "now" the add-on's run context sees
    test_ids: List[str] = field(default_factory=list)


class CountingBinarySink:
    """A /dev/null that counts bytes (used only in untimed calibration runs)."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        pass


class CountingTextSink(io.TextIOBase):
    """A text stream (splunklib writes str to io.TextIOBase streams, bytes to others)."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)

    def flush(self) -> None:
        pass


def null_binary() -> BinaryIO:
    """What the timed runs write to: a real file descriptor, so writes are real syscalls."""
    return open(os.devnull, "wb")


def null_text() -> TextIO:
    return open(os.devnull, "w", encoding="utf-8")
