"""The add-on installed in the Splunk stand-in and wired to a simulator's hosts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections

from tests.acceptance.wiring import write_simulator_settings
from tools import build as builder

APP_NAME = "TA-thousandeyes"


def copy_app(target: str) -> str:
    """A copy of the shipped parts of the repository (no tests, venvs or local/)."""
    return str(builder.copy_shipped(Path(target)))


def wire_to_simulator(service: Any, regions_conf: Dict[str, Dict[str, str]], ca: str) -> None:
    """Point every region at the simulator and trust its CA, as an admin would in local/
    (the benchmark's simulator runs in another process, so it hands over its settings)."""
    write_simulator_settings(service, regions_conf, ca)


def connect_with_api_token(service: Any, name: str, token: str, region: str = "us1") -> None:
    connections.create_connection(service, name, region, connections.API_TOKEN)
    flows.connect_api_token(service, name, token)
