"""(c) The floor: json.loads of the response bodies the add-on received, plus writing as
many output bytes as the add-on wrote (one write and flush per body, as the add-on does)."""

from __future__ import annotations

import json
from typing import Any, List


def output_chunks(bodies: List[bytes], total_output_bytes: int) -> List[bytes]:
    """Pre-built output per body, proportional to body size (built outside the timing)."""
    total_input = sum(len(body) for body in bodies) or 1
    return [b"x" * (total_output_bytes * len(body) // total_input) for body in bodies]


def run(bodies: List[bytes], chunks: List[bytes], output: Any) -> int:
    """Parse every body and write its chunk; returns the bytes parsed (a sanity figure)."""
    parsed = 0
    loads = json.loads
    for body, chunk in zip(bodies, chunks):
        loads(body)
        output.write(chunk)
        output.flush()
        parsed += len(body)
    return parsed
