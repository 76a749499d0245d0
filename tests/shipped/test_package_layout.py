"""The .tgz Splunk installs: layout, identity, and nothing that must not ship."""

import configparser
import json
import tarfile

import pytest

from tests.pythons import ROOT, require_build
from tools import build as builder

APP = "TA-thousandeyes"


@pytest.fixture(scope="module")
def members():
    require_build()
    target = builder.package()
    with tarfile.open(target) as archive:
        return {member.name: member for member in archive.getmembers()}


def test_layout(members):
    for required in [
        "app.manifest",
        "README.md",
        "LICENSE",
        "bin",
        "default/app.conf",
        "appserver/static",
        "lib/ta_thousandeyes/__init__.py",
        "README/inputs.conf.spec",
        "metadata/default.meta",
        "static/appIcon.png",
        "static/appIcon_2x.png",
        "lib/splunklib/client.py",
        "lib/splunklib/modularinput/script.py",
        "lib/requests/__init__.py",
        "lib/urllib3/__init__.py",
        "lib/oauthlib/__init__.py",
        "lib/requests_oauthlib/__init__.py",
        "lib/idna/__init__.py",
        "lib/certifi/cacert.pem",
        "lib/charset_normalizer/__init__.py",
    ]:
        assert f"{APP}/{required}" in members, required


def test_every_rest_script_ships_in_bin(members):
    """Splunk's persistent driver loads restmap.conf `script` from the app's bin/."""
    restmap = configparser.ConfigParser(interpolation=None, strict=False)
    restmap.read(ROOT / "default" / "restmap.conf")
    scripts = {restmap[section]["script"] for section in restmap.sections()}
    assert len(scripts) == len(restmap.sections()) == 7  # one script per endpoint
    for script in scripts:
        assert f"{APP}/bin/{script}" in members, script
        assert members[f"{APP}/bin/{script}"].mode & 0o111, script


def test_nothing_that_must_not_ship(members):
    for name, member in members.items():
        parts = name.split("/")
        assert parts[0] == APP, name
        assert "__pycache__" not in parts and not name.endswith((".pyc", ".pyo")), name
        assert not any(part.startswith(".") for part in parts), name
        assert parts[1:2] != ["local"], name
        assert not name.endswith("local.meta"), name
        assert not name.endswith((".so", ".pyd")), name
        assert "splunklib/searchcommands" not in name, name
        if member.isfile() and member.mode & 0o111:
            assert parts[1] == "bin", "execute bit outside bin/: " + name


def test_identity_is_consistent():
    conf = configparser.ConfigParser(interpolation=None, strict=False)
    conf.read(ROOT / "default" / "app.conf")
    manifest = json.loads((ROOT / "app.manifest").read_text())
    assert conf["package"]["id"] == APP == manifest["info"]["id"]["name"]
    assert conf["id"]["version"] == manifest["info"]["id"]["version"] == conf["launcher"]["version"]
    assert conf["install"]["is_configured"] == "false"
    assert conf["ui"]["setup_view"]
    view = ROOT / "default" / "data" / "ui" / "views" / (conf["ui"]["setup_view"] + ".xml")
    assert view.exists()
    assert manifest["schemaVersion"] == "2.0.0"
    assert set(manifest["targetWorkloads"]) >= {"_search_heads", "_forwarders"}
