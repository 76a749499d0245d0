"""Deterministic pseudo-randomness from (seed, parts...) so nothing generated has to be stored."""

from __future__ import annotations

import hashlib
import random


def stable_int(seed: int, *parts: object) -> int:
    """A 64-bit integer that depends only on the seed and the parts."""
    text = "\x1f".join([str(seed)] + [str(p) for p in parts])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def stable_unit(seed: int, *parts: object) -> float:
    """A float in [0, 1) that depends only on the seed and the parts."""
    return stable_int(seed, *parts) / 2**64


def stable_rng(seed: int, *parts: object) -> random.Random:
    return random.Random(stable_int(seed, *parts))


def stable_uuid(seed: int, *parts: object) -> str:
    digest = hashlib.blake2b(
        "\x1f".join([str(seed)] + [str(p) for p in parts]).encode(), digest_size=16
    ).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"
