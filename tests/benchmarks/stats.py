"""Figures: a median of several runs, or "not measured" with the reason (never a made-up number)."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class Figure:
    """One row of the results table."""

    key: str
    label: str
    value: Optional[float]  # the median; None when not measured
    unit: str = ""
    runs: List[float] = field(default_factory=list)
    target: str = ""  # e.g. ">= 5"
    met: Optional[bool] = None  # None: no target, or not measured
    note: str = ""
    not_measured: str = ""  # the reason when value is None
    details: Dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def median(values: List[float]) -> float:
    return float(statistics.median(values))


def measured(
    key: str,
    label: str,
    runs: List[float],
    unit: str = "",
    target: str = "",
    note: str = "",
    details: Optional[Dict[str, Any]] = None,
) -> Figure:
    value = median(runs)
    return Figure(
        key, label, value, unit, list(runs), target, meets(value, target), note,
        details=details or {},
    )  # fmt: skip


def not_measured(key: str, label: str, reason: str, target: str = "") -> Figure:
    return Figure(key, label, None, target=target, not_measured=reason)


def meets(value: float, target: str) -> Optional[bool]:
    """Targets are written as '>= 5', '<= 1.05', '< 100', '== 0'."""
    if not target:
        return None
    operator, _, bound_text = target.partition(" ")
    bound = float(bound_text)
    return {
        ">=": value >= bound,
        "<=": value <= bound,
        "<": value < bound,
        ">": value > bound,
        "==": value == bound,
    }[operator]
