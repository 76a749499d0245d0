"""The add-on installed in the Splunk stand-in and wired to a simulator's hosts."""

from __future__ import annotations

import os
import shutil
from typing import Any, Dict

from ta_thousandeyes import connections, regions, settings, splunk_service
from ta_thousandeyes.oauth import flows

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP_NAME = "TA-thousandeyes"
# The parts Splunk gets (tools/build.py ships these plus vendored packages in lib/).
SHIPPED = ("app.manifest", "LICENSE", "README.md", "README", "bin", "default", "lib",
           "metadata", "static", "appserver")  # fmt: skip


def copy_app(target: str) -> str:
    """A copy of the shipped parts of the repository (no tests, venvs or local/)."""
    os.makedirs(target, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "local")
    for name in SHIPPED:
        source = os.path.join(ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(target, name), ignore=ignore)
        elif os.path.exists(source):
            shutil.copy2(source, os.path.join(target, name))
    return target


def wire_to_simulator(service: Any, regions_conf: Dict[str, Dict[str, str]], ca: str) -> None:
    """Point every region at the simulator and trust its CA, as an admin would in local/."""
    for key, stanza in regions_conf.items():
        splunk_service.write_stanza(service, regions.CONF_NAME, key, stanza)
    splunk_service.write_stanza(service, settings.CONF_NAME, "tls", {"ca_bundle": ca})


def connect_with_api_token(service: Any, name: str, token: str, region: str = "us1") -> None:
    connections.create_connection(service, name, region, connections.API_TOKEN)
    flows.connect_api_token(service, name, token)


def comment_out_spec_continuations(app_dir: str) -> bool:
    """Workaround for the copy only: the stand-in's scheme check reads an indented
    ``a = b`` continuation of a comment as a parameter; "=" there becomes ":".
    Returns True if it changed a line."""
    path = os.path.join(app_dir, "README", "inputs.conf.spec")
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    fixed = [ln.replace("=", ":") if ln[:1] in " \t" else ln for ln in lines]
    if fixed == lines:
        return False
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(fixed)
    return True
