"""Simple XML (dashboard version 1.1) as far as the add-on's views use it, and their searches.

The schema is written down from Splunk's Simple XML reference (Dashboards and Visualizations
manual, "Simple XML Reference"): for each element the attributes and child elements it may
have. Only what the views need is listed, so an element or attribute used for the first time
has to be looked up and added here. ``<html>`` is allowed only in pages
(``isDashboard="false"``, the setup page), and never with scripts, inline event handlers or
``<iframe>``/``<object>``/``<embed>`` (AppInspect rejects inline code in dashboards).

``searches(root)`` yields every search of a view with the view's tokens replaced by sample
values (``*``), and checks that every token a search uses is defined in the view (an input's
``token``, a drilldown's ``<set>``, ``<eval>`` or an ``<init>``).
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Set

_VISUALIZATIONS = {"table", "chart", "single", "event", "map"}
_PANEL_CHILDREN = {"title", "description", "input", "html"} | _VISUALIZATIONS
_SEARCH_CHILDREN = {"query", "earliest", "latest", "refresh", "refreshType", "sampleRatio",
                    "done", "progress", "cancelled", "error", "fail"}  # fmt: skip
_ROOT_ATTRS = {"version", "theme", "script", "stylesheet", "isDashboard", "hideEdit",
               "hideExport", "hideTitle", "hideChrome", "hideAppBar", "hideSplunkBar",
               "hideFilters", "refresh", "onunloadCancelJobs", "hidden"}  # fmt: skip
_VIS_CHILDREN = {"title", "search", "option", "drilldown", "format", "fields"}
_DRILLDOWN_ACTIONS = {"set", "unset", "link", "eval", "condition"}

SCHEMA = {
    # element: (attributes, children)
    "dashboard": (_ROOT_ATTRS, {"label", "description", "row", "search", "init"}),
    "form": (_ROOT_ATTRS, {"label", "description", "fieldset", "row", "search", "init"}),
    "label": (set(), set()),
    "description": (set(), set()),
    "init": (set(), {"set", "unset", "eval"}),
    "fieldset": ({"submitButton", "autoRun"}, {"input", "html"}),
    "input": (
        {"type", "token", "searchWhenChanged", "id", "depends", "rejects"},
        {
            "label",
            "default",
            "initialValue",
            "choice",
            "search",
            "fieldForLabel",
            "fieldForValue",
            "prefix",
            "suffix",
            "valuePrefix",
            "valueSuffix",
            "delimiter",
            "change",
            "selectFirstChoice",
            "showClearButton",
            "allowCustomValues",
        },
    ),  # fmt: skip
    "default": (set(), {"earliest", "latest"}),
    "initialValue": (set(), set()),
    "choice": ({"value"}, set()),
    "fieldForLabel": (set(), set()),
    "fieldForValue": (set(), set()),
    "prefix": (set(), set()),
    "suffix": (set(), set()),
    "change": (set(), {"set", "unset", "eval", "condition", "link"}),
    "row": ({"depends", "rejects", "id"}, {"panel"}),
    "panel": ({"depends", "rejects", "id"}, _PANEL_CHILDREN),
    "title": (set(), set()),
    "html": ({"depends", "rejects", "id"}, None),  # free markup, checked by _check_html
    "search": ({"id", "base", "ref", "depends", "rejects"}, _SEARCH_CHILDREN),
    "query": (set(), set()),
    "earliest": (set(), set()),
    "latest": (set(), set()),
    "refresh": (set(), set()),
    "refreshType": (set(), set()),
    "option": ({"name"}, set()),
    "drilldown": ({"target"}, _DRILLDOWN_ACTIONS),
    "condition": ({"field", "match", "value", "label"}, _DRILLDOWN_ACTIONS - {"condition"}),
    "set": ({"token"}, set()),
    "unset": ({"token"}, set()),
    "eval": ({"token"}, set()),
    "link": ({"target", "field"}, set()),
    "format": ({"type", "field"}, {"colorPalette", "scale", "option"}),
    "colorPalette": ({"type"}, set()),
    "scale": ({"type"}, set()),
    "fields": (set(), set()),
}
for _vis in _VISUALIZATIONS:
    SCHEMA[_vis] = ({"id", "depends", "rejects"}, _VIS_CHILDREN)

INPUT_TYPES = {"time", "dropdown", "multiselect", "text", "radio", "checkbox", "link"}
# <option name> values the views use, per visualization (Simple XML Reference, "Chart options"
# and "Table options").
OPTIONS = {
    "table": {
        "count",
        "drilldown",
        "rowNumbers",
        "wrap",
        "dataOverlayMode",
        "totalsRow",
        "percentagesRow",
        "refresh.display",
    },  # fmt: skip
    "chart": {
        "charting.chart",
        "charting.chart.stackMode",
        "charting.axisTitleX.text",
        "charting.axisTitleY.text",
        "charting.legend.placement",
        "charting.drilldown",
        "charting.chart.nullValueMode",
        "refresh.display",
    },  # fmt: skip
    "single": {
        "drilldown",
        "unit",
        "numberPrecision",
        "colorBy",
        "rangeColors",
        "rangeValues",
        "useColors",
        "refresh.display",
    },  # fmt: skip
}
CHART_TYPES = {"line", "area", "column", "bar", "pie", "scatter", "bubble"}
TABLE_DRILLDOWN = {"none", "cell", "row"}
_TOKEN = re.compile(r"\$([A-Za-z0-9_.:-]+)(\|[a-z]+)?\$")
_HTML_FORBIDDEN = {"script", "iframe", "object", "embed", "form"}


def validate(root: ET.Element) -> List[str]:
    """Every element, attribute and option name of the view against the schema."""
    problems = []  # type: List[str]
    if root.tag not in ("dashboard", "form"):
        return [f"root element <{root.tag}> is neither <dashboard> nor <form>"]
    if root.get("version") != "1.1":
        problems.append("version must be 1.1 (jQuery 3.5 dashboards; AppInspect)")
    is_page = root.get("isDashboard") == "false"
    if not is_page and (root.get("script") or root.get("stylesheet")):
        problems.append("dashboards carry no custom script or stylesheet")
    labels = root.findall("label")
    if len(labels) != 1 or not (labels[0].text or "").strip():
        problems.append("a view has exactly one non-empty <label>")
    _validate(root, problems, is_page, root.tag)
    return problems


def _validate(element: ET.Element, problems: List[str], is_page: bool, path: str) -> None:
    attributes, children = SCHEMA.get(element.tag, (None, None))
    if attributes is None:
        problems.append(f"{path}: <{element.tag}> is not in the schema")
        return
    for name in element.attrib:
        if name not in attributes:
            problems.append(f"{path}: <{element.tag}> has no attribute {name!r}")
    if element.tag == "html":
        if not is_page:
            problems.append(f"{path}: <html> panels only in pages (isDashboard=false)")
        _check_html(element, problems, path)
        return
    if element.tag == "input" and element.get("type") not in INPUT_TYPES:
        problems.append(f"{path}: input type {element.get('type')!r}")
    if element.tag == "input" and not element.get("token"):
        problems.append(f"{path}: an input needs a token")
    if element.tag == "option":
        _check_option(element, path, problems)
    if element.tag == "search" and element.find("query") is None and not element.get("ref"):
        problems.append(f"{path}: <search> without <query>")
    for child in element:
        if child.tag not in children:
            problems.append(f"{path}: <{child.tag}> is not a child of <{element.tag}>")
            continue
        _validate(child, problems, is_page, f"{path}/{child.tag}")
        if child.tag in ("title", "label", "query") and len(child):
            problems.append(f"{path}/{child.tag}: text only")


def _check_option(element: ET.Element, path: str, problems: List[str]) -> None:
    visualization = path.split("/")[-2]
    name, value = element.get("name"), (element.text or "").strip()
    if name not in OPTIONS.get(visualization, set()):
        problems.append(f"{path}: option {name!r} is not known for <{visualization}>")
    if name == "charting.chart" and value not in CHART_TYPES:
        problems.append(f"{path}: chart type {value!r}")
    if visualization == "table" and name == "drilldown" and value not in TABLE_DRILLDOWN:
        problems.append(f"{path}: table drilldown {value!r}")


def _check_html(element: ET.Element, problems: List[str], path: str) -> None:
    for node in element.iter():
        if node.tag in _HTML_FORBIDDEN:
            problems.append(f"{path}: <{node.tag}> inside <html>")
        for name in node.attrib:
            if name.lower().startswith("on"):
                problems.append(f"{path}: inline event handler {name} inside <html>")


# --------------------------------------------------------------------------- searches
@dataclass
class ViewSearch:
    where: str  # panel title or input label
    kind: str  # "panel" or "input"
    query: str  # tokens replaced
    tokens: Set[str]
    element: ET.Element  # the <search>
    owner: ET.Element  # the visualization or input that shows it
    row_tokens: Set[str] = field(default_factory=set)  # $row.x$ / $click.value$ of its drilldown
    value_fields: List[str] = field(default_factory=list)  # fieldForLabel / fieldForValue


def defined_tokens(root: ET.Element) -> Set[str]:
    tokens = {"env:user", "env:app", "env:page"}
    for element in root.iter():
        token = element.get("token")
        if element.tag == "input" and token:
            tokens.add(token)
            tokens.add("form." + token)
            if element.get("type") == "time":
                tokens |= {token + ".earliest", token + ".latest"}
        elif element.tag in ("set", "eval", "unset") and token:
            tokens.add(token)
            if token.startswith("form."):
                tokens.add(token[len("form.") :])
    return tokens


def searches(root: ET.Element) -> Iterator[ViewSearch]:
    parents = {child: parent for parent in root.iter() for child in parent}
    for search in root.iter("search"):
        query = search.findtext("query")
        if query is None:
            continue
        owner = parents.get(search)
        if owner is None:
            continue
        panel = owner
        while panel is not None and panel.tag not in ("panel", "input"):
            panel = parents.get(panel)
        where = (panel.findtext("title") or panel.findtext("label") or "?") if panel is not None \
            else "?"  # fmt: skip
        texts = [query] + [search.findtext(t) or "" for t in ("earliest", "latest")]
        tokens = {m.group(1) for text in texts for m in _TOKEN.finditer(text)}
        result = ViewSearch(
            where.strip(),
            "input" if owner.tag == "input" else "panel",
            substitute(query),
            tokens,
            search,
            owner,
        )
        if owner.tag == "input":
            result.value_fields = [
                owner.findtext(t) for t in ("fieldForLabel", "fieldForValue") if owner.findtext(t)
            ]
        drilldown = owner.find("drilldown")
        if drilldown is not None:
            for node in drilldown.iter():
                for text in [node.text or ""] + list(node.attrib.values()):
                    for match in _TOKEN.finditer(text):
                        result.row_tokens.add(match.group(1))
        yield result


def substitute(text: str, value: str = "*") -> str:
    """Tokens replaced by a sample value (``|s`` quotes it, as Splunk's filter does)."""

    def replace(match: "re.Match") -> str:
        return f'"{value}"' if match.group(2) == "|s" else value

    return _TOKEN.sub(replace, text)


def row_fields(tokens: Set[str]) -> List[str]:
    return sorted(t[len("row.") :] for t in tokens if t.startswith("row."))


def drilldown_problems(view: ViewSearch, defined: Set[str]) -> List[str]:
    problems = []
    for token in view.row_tokens:
        if token.startswith(("row.", "click.", "earliest", "latest")):
            continue
        if token not in defined:
            problems.append(f"{view.where}: drilldown uses undefined token ${token}$")
    return problems


def token_problems(view: ViewSearch, defined: Set[str]) -> List[str]:
    return [f"{view.where}: undefined token ${t}$" for t in sorted(view.tokens - defined)]


def first_text(element: Optional[ET.Element], tag: str) -> str:
    return (element.findtext(tag) or "").strip() if element is not None else ""


def all_options(root: ET.Element) -> Dict[str, str]:
    return {o.get("name"): (o.text or "") for o in root.iter("option")}
