"""The add-on installed in the Splunk stand-in and wired to a simulator's hosts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from ta_thousandeyes import connections, regions, settings, splunk_service
from ta_thousandeyes.oauth import flows

from tools import build as builder

APP_NAME = "TA-thousandeyes"


def copy_app(target: str) -> str:
    """A copy of the shipped parts of the repository (no tests, venvs or local/)."""
    return str(builder.copy_shipped(Path(target)))


def wire_to_simulator(service: Any, regions_conf: Dict[str, Dict[str, str]], ca: str) -> None:
    """Point every region at the simulator and trust its CA, as an admin would in local/."""
    for key, stanza in regions_conf.items():
        splunk_service.write_stanza(service, regions.CONF_NAME, key, stanza)
    splunk_service.write_stanza(service, settings.CONF_NAME, "tls", {"ca_bundle": ca})


def connect_with_api_token(service: Any, name: str, token: str, region: str = "us1") -> None:
    connections.create_connection(service, name, region, connections.API_TOKEN)
    flows.connect_api_token(service, name, token)
