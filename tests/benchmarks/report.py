"""The results table on stdout and tests/benchmarks/results.json."""

from __future__ import annotations

import json
import os
import platform
import time
from typing import Any, Dict, List

import psutil

from .stats import Figure

RESULTS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")


def machine() -> Dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _value(figure: Figure) -> str:
    if figure.value is None:
        return "not measured: " + figure.not_measured
    value = figure.value
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return f"{text} {figure.unit}".strip()


def table(figures: List[Figure]) -> str:
    rows = [("figure", "median", "target", "met", "runs")]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.label, _value(f), f.target, met, str(len(f.runs)) if f.runs else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)] + [row[4]]
        lines.append("  ".join(cells).rstrip())
        if index and figures[index - 1].note:
            lines.append("    " + figures[index - 1].note)
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ----")
    return "\n".join(lines)


def write(figures: List[Figure], config: Dict[str, Any], seconds: float,
          path: str = RESULTS_PATH) -> str:  # fmt: skip
    document = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "config": config,
        "wall_seconds": round(seconds, 1),
        "figures": [f.as_dict() for f in figures],
    }
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(document, fh, indent=2, default=str)
    os.replace(path + ".tmp", path)
    return path
