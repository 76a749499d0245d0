"""Build the app and package it into dist/, exactly as `make package` does (minus AppInspect)."""

import subprocess
import sys
from pathlib import Path

from .console import DemoFailure


def build_package(root: Path) -> Path:
    """Run tools/build.py build, then package; returns the .tgz path."""
    for command in ("build", "package"):
        completed = subprocess.run(
            [sys.executable, str(root / "tools" / "build.py"), command],
            cwd=str(root),
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr).strip().splitlines()
            raise DemoFailure(
                f"`python tools/build.py {command}` failed (exit {completed.returncode}):\n    "
                + "\n    ".join(output[-15:])
            )
    packages = sorted(
        (root / "dist").glob("TA-thousandeyes-*.tgz"), key=lambda p: p.stat().st_mtime
    )
    if not packages:
        raise DemoFailure("the build wrote no dist/TA-thousandeyes-*.tgz")
    return packages[-1]
