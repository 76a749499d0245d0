"""Deterministic pseudo-randomness from (seed, parts...) so nothing generated has to be stored."""

from __future__ import annotations

import hashlib
import random

_blake2b = hashlib.blake2b
_c_seed = random.Random.__mro__[1].seed  # _random.Random.seed: the C part of Random.seed


def stable_text(seed: int, *parts: object) -> str:
    """The text the stable_* functions hash: seed and parts joined by U+001F."""
    return "\x1f".join([str(seed)] + [str(p) for p in parts])


def digest_int(data: bytes) -> int:
    """stable_int's hash of already-joined, encoded parts (lets hot loops prebuild prefixes)."""
    return int.from_bytes(_blake2b(data, digest_size=8).digest(), "big")


def stable_int(seed: int, *parts: object) -> int:
    """A 64-bit integer that depends only on the seed and the parts."""
    return digest_int(stable_text(seed, *parts).encode())


def stable_unit(seed: int, *parts: object) -> float:
    """A float in [0, 1) that depends only on the seed and the parts."""
    return stable_int(seed, *parts) / 2**64


def stable_rng(seed: int, *parts: object) -> random.Random:
    return random.Random(stable_int(seed, *parts))


def reseed(rng: random.Random, value: int) -> random.Random:
    """``rng.seed(value)`` for an int, minus the Python-level wrapper: the same generator
    state as ``random.Random(value)`` without building a new object (hot loops reuse one)."""
    _c_seed(rng, value)
    rng.gauss_next = None  # what Random.seed resets besides the C state
    return rng


def stable_uuid(seed: int, *parts: object) -> str:
    digest = _blake2b(stable_text(seed, *parts).encode(), digest_size=16).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"
