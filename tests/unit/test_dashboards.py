"""Dashboards and navigation only name knowledge objects the add-on ships."""

import configparser
import fnmatch
import re
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "default" / "data" / "ui" / "views"


def _stanzas(conf: str) -> set:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ROOT / "default" / conf)
    return set(parser.sections())


def _queries():
    for view in sorted(VIEWS.glob("*.xml")):
        root = ET.parse(view).getroot()
        for query in root.iter("query"):
            yield view.name, query.text or ""


def test_every_view_parses_and_declares_version_1_1():
    views = list(VIEWS.glob("*.xml"))
    assert len(views) >= 3
    for view in views:
        root = ET.parse(view).getroot()
        assert root.tag in ("dashboard", "form"), view.name
        assert root.get("version") == "1.1", view.name  # jQuery 3.5 dashboards (AppInspect)


def test_queries_use_only_shipped_macros_and_sourcetypes():
    macros = _stanzas("macros.conf")
    sourcetypes = _stanzas("props.conf")
    queries = list(_queries())
    assert queries
    for view, query in queries:
        for macro in re.findall(r"`([A-Za-z0-9_]+)`", query):
            assert macro in macros, f"{view}: unknown macro {macro}"
        for pattern in re.findall(r'sourcetype="(cisco:thousandeyes:[^"]+)"', query):
            assert fnmatch.filter(sourcetypes, pattern), f"{view}: no sourcetype {pattern}"


def test_navigation_names_existing_views():
    nav = ET.parse(ROOT / "default" / "data" / "ui" / "nav" / "default.xml").getroot()
    names = {view.stem for view in VIEWS.glob("*.xml")} | {"search"}
    for view in nav.iter("view"):
        assert view.get("name") in names, view.get("name")
