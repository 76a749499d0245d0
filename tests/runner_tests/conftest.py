"""Fixtures for the modular input runner: a copy of the tiny app with splunklib vendored into
its lib/ (never committed), a SPLUNK_HOME, and the Pythons Splunk ships (3.9 and 3.13)."""

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import splunklib

from tests.simulators.splunk.index import IndexStore
from tests.simulators.splunk.modinput_runner import ModularInputRunner

TINY_APP = Path(__file__).resolve().parent.parent / "fixtures" / "tiny_app"
APP_NAME = "tiny_app"
SERVER_HOST = "standin-host"
SESSION_KEY = "fake-session-key-for-runner-tests"
FIND_PYTHON = Path(__file__).resolve().parents[2] / "tools" / "find_python.sh"
PYTHON_VERSIONS = ("3.9", "3.13")


@functools.cache
def python_path(version: str) -> str:
    """The interpreter the project uses for that Splunk Python (pyenv's, as tools/ finds it)."""
    found = subprocess.run(["bash", str(FIND_PYTHON), version], capture_output=True, text=True)
    return found.stdout.strip()


def splunk_python(version: str) -> list:
    """Splunk's interpreter of that version in isolated mode: only the app's lib/ is importable."""
    path = python_path(version)
    if not path or not os.access(path, os.X_OK):
        message = f"Python {version} not found by tools/find_python.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return [path, "-I"]


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    target = tmp_path / "etc" / "apps" / APP_NAME
    shutil.copytree(TINY_APP, target, ignore=shutil.ignore_patterns("local", "__pycache__"))
    source = Path(splunklib.__file__).parent
    shutil.copytree(
        source, target / "lib" / "splunklib", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


@pytest.fixture
def splunk_home(tmp_path: Path) -> Path:
    return tmp_path


def make_runner(
    splunk_home: Path, app_dir: Path, version: str = "3.13", **options
) -> ModularInputRunner:
    options.setdefault("index_store", IndexStore(str(splunk_home / "indexes")))
    return ModularInputRunner(
        splunk_home=str(splunk_home),
        app_dir=str(app_dir),
        app_name=APP_NAME,
        server_uri="https://127.0.0.1:8089",
        session_key_provider=lambda: SESSION_KEY,
        python=splunk_python(version),
        server_host=SERVER_HOST,
        **options,
    )


@pytest.fixture
def runner(splunk_home: Path, app_dir: Path) -> ModularInputRunner:
    return make_runner(splunk_home, app_dir)


def write_local_inputs(app_dir: Path, text: str) -> None:
    (app_dir / "local").mkdir(exist_ok=True)
    (app_dir / "local" / "inputs.conf").write_text(text)
