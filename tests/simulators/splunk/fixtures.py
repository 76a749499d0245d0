"""Pytest fixtures: `from tests.simulators.splunk.fixtures import splunk_emulator`."""

import os

import pytest

from . import SplunkEmulator

TINY_APP = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "tiny_app")


@pytest.fixture
def splunk_emulator(tmp_path):
    """A started emulator with tests/fixtures/tiny_app installed as `tiny_app`."""
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk", apps={"tiny_app": os.path.abspath(TINY_APP)}
    )
    with emulator:
        yield emulator
