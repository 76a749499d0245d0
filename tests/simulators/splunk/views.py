"""Simple XML → the HTML page Splunk Web serves for a dashboard with isDashboard="false":
the dashboard's stylesheet(s) in <head>, its <html> panels in the body, and its script(s)
from /<locale>/static/app/<app>/ run after the DOM is built (Splunk loads them the same way,
after rendering the panels). `$C` carries the few Splunk Web settings a page may read.
"""

import json
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


def render_view(
    app: str, app_dir: str, view: str, locale: str, username: str, csrf_cookie: str
) -> "Optional[str]":
    path = view_path(app_dir, view)
    if not os.path.exists(path):
        return None
    root = ElementTree.parse(path).getroot()
    static = f"/{locale}/static/app/{app}/"
    label = root.findtext("label") or view
    stylesheets = "".join(
        f'<link rel="stylesheet" type="text/css" href="{escape(static + name)}">'
        for name in _split(root.get("stylesheet"))
    )
    scripts = "".join(
        f'<script src="{escape(static + name)}"></script>' for name in _split(root.get("script"))
    )
    panels = "".join(
        '<div class="dashboard-row"><div class="dashboard-panel"><div class="panel-body html">'
        f"{_inner_html(html)}</div></div></div>"
        for html in root.iter("html")
    )
    settings = {
        "LOCALE": locale,
        "SPLUNKD_PATH": f"/{locale}/splunkd",
        "MRSPARKLE_ROOT_PATH": "",
        "APP": app,
        "PAGE": view,
        "USERNAME": username,
        "CSRF_COOKIE_NAME": csrf_cookie,
    }
    return (
        '<!DOCTYPE html>\n<html lang="{locale}"><head><meta charset="utf-8">'
        "<title>{label} | Splunk</title><script>window.$C = {settings};</script>{styles}"
        '</head><body class="locale-{locale}"><header class="app-bar">{app}</header>'
        '<div class="dashboard-body" data-view="{view}"><h2 class="dashboard-title">{label}</h2>'
        "{panels}</div>{scripts}</body></html>"
    ).format(
        locale=escape(locale),
        label=escape(label),
        settings=json.dumps(settings).replace("</", "<\\/"),
        styles=stylesheets,
        app=escape(app),
        view=escape(view),
        panels=panels,
        scripts=scripts,
    )
