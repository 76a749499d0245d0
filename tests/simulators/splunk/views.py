"""Simple XML → the HTML page Splunk Web serves for a dashboard with isDashboard="false":
the dashboard's stylesheet(s) in <head>, its <html> panels in the body, and its script(s)
from /<locale>/static/app/<app>/ run after the DOM is built (Splunk loads them the same way,
after rendering the panels). `$C` comes as the dashboard template loads it, from
`<root>/<locale>/config?autoload=1` with crossorigin="use-credentials" (S804
share/splunk/search_mrsparkle/templates/dashboards/dashboard.html:207).
"""

import os
import xml.etree.ElementTree as ElementTree
from html import escape
from typing import List, Optional

from .conffile import AppConf


def _split(attribute: "Optional[str]") -> List[str]:
    return [part.strip() for part in (attribute or "").split(",") if part.strip()]


def _inner_html(element: ElementTree.Element) -> str:
    text = element.text or ""
    for child in element:
        text += ElementTree.tostring(child, encoding="unicode", method="html")
    return text


def view_path(app_dir: str, view: str) -> str:
    return os.path.join(app_dir, "default", "data", "ui", "views", view + ".xml")


def default_view(app_dir: str) -> str:
    """The nav's default view, else the first view, else "search" (as Splunk Web falls back)."""
    nav = os.path.join(app_dir, "default", "data", "ui", "nav", "default.xml")
    if os.path.exists(nav):
        for element in ElementTree.parse(nav).iter("view"):
            if element.get("default", "").lower() == "true" and element.get("name"):
                return element.get("name", "")
    views = os.path.join(app_dir, "default", "data", "ui", "views")
    if os.path.isdir(views):
        names = sorted(f[:-4] for f in os.listdir(views) if f.endswith(".xml"))
        if names:
            return names[0]
    return "search"


def setup_view(app_dir: str) -> "Optional[str]":
    return (AppConf(app_dir, "app").stanza("ui") or {}).get("setup_view") or None


def render_view(app: str, app_dir: str, view: str, locale: str, root: str) -> "Optional[str]":
    """The page of one view; `root` is Splunk Web's root path ("" or "/<root_endpoint>")."""
    path = view_path(app_dir, view)
    if not os.path.exists(path):
        return None
    tree = ElementTree.parse(path).getroot()
    static = f"{root}/{locale}/static/app/{app}/"
    label = tree.findtext("label") or view
    stylesheets = "".join(
        f'<link rel="stylesheet" type="text/css" href="{escape(static + name)}">'
        for name in _split(tree.get("stylesheet"))
    )
    scripts = "".join(
        f'<script src="{escape(static + name)}"></script>' for name in _split(tree.get("script"))
    )
    panels = "".join(
        '<div class="dashboard-row"><div class="dashboard-panel"><div class="panel-body html">'
        f"{_inner_html(html)}</div></div></div>"
        for html in tree.iter("html")
    )
    config = escape(f"{root}/{locale}/config?autoload=1")
    locale, label, app, view = escape(locale), escape(label), escape(app), escape(view)
    return (
        f'<!DOCTYPE html>\n<html lang="{locale}"><head><meta charset="utf-8">'
        f'<title>{label} | Splunk</title><script src="{config}" crossorigin="use-credentials">'
        f'</script>{stylesheets}</head><body class="locale-{locale}"><header class="app-bar">'
        f'{app}</header><div class="dashboard-body" data-view="{view}">'
        f'<h2 class="dashboard-title">{label}</h2>{panels}</div>{scripts}</body></html>'
    )
