"""Where the tests find the build and the bare interpreters that stand in for Splunk's Pythons."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_APP = ROOT / "build" / "TA-thousandeyes"
BUILD_LIB = BUILD_APP / "lib"
RUNTIME_REQUIREMENTS = ROOT / "requirements" / "runtime.txt"

# Environment variables `make test` sets: venvs that hold pytest and nothing else.
BARE_PYTHONS = {"3.9": "TA_BARE_PYTHON39", "3.13": "TA_BARE_PYTHON313"}


def bare_python(version: str) -> str:
    """The bare interpreter for a Splunk Python version (skipped outside make test, fails in CI)."""
    path = os.environ.get(BARE_PYTHONS[version], "")
    if path and os.access(path, os.X_OK):
        return path
    message = f"bare Python {version} not provided ({BARE_PYTHONS[version]}); run `make test`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_build() -> Path:
    if not (BUILD_LIB / "ta_thousandeyes").is_dir():
        message = "build/TA-thousandeyes is missing; run `make build`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return BUILD_APP


def runtime_requirement_names() -> list:
    names = []
    for line in RUNTIME_REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.split(r"[=<>!~\[ ]", line, maxsplit=1)[0])
    return names
