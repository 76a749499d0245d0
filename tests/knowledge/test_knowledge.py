"""Every search the add-on ships, checked without a search engine (see tests/knowledge/spl.py):
it parses, its macros exist with the right arity, its sourcetypes are produced, and every
field it reads is in the real events of those sourcetypes, derived by props/transforms, a
Splunk default, or made earlier in the same search. Views validate against the Simple XML
schema of simplexml.py; the data model's datasets select real events and name real fields."""

import re

import pytest

from tests.knowledge import corpus, field_report, simplexml
from tests.knowledge.analysis import analyze
from tests.knowledge.knowledge import DEFAULT, ROOT, read_conf, views
from tests.knowledge.spl import parse, parse_eval

VIEWS = views()
VIEW_IDS = [name for name, _ in VIEWS]
DASHBOARDS = [(n, r) for n, r in VIEWS if r.get("isDashboard") != "false"]
EXPECTED = {"overview", "health", "network", "application", "voice", "dns", "bgp", "alerts",
            "events", "activity"}  # fmt: skip


def test_the_views_the_issue_asks_for_exist_and_are_in_the_navigation():
    names = {n[len("ta_thousandeyes_") :] for n in VIEW_IDS}
    assert EXPECTED <= names
    nav = (DEFAULT / "data" / "ui" / "nav" / "default.xml").read_text()
    for name in EXPECTED:
        assert f'<view name="ta_thousandeyes_{name}" />' in nav, name


@pytest.mark.parametrize("name, root", VIEWS, ids=VIEW_IDS)
def test_view_validates_against_the_simple_xml_schema(name, root):
    assert simplexml.validate(root) == []


def test_the_schema_refuses_what_it_does_not_know():
    import xml.etree.ElementTree as ET

    def problems(text):
        return simplexml.validate(ET.fromstring(text))

    good = '<dashboard version="1.1"><label>x</label><row><panel><table><search><query>q</query></search><option name="count">5</option></table></panel></row></dashboard>'  # noqa: E501
    assert problems(good) == []
    assert problems(good.replace('version="1.1"', 'version="2"'))
    assert problems(good.replace("<table>", '<table bogus="1">'))
    assert problems(good.replace('name="count"', 'name="charting.nope"'))
    assert problems(good.replace("<row>", "<row><wat/>"))
    assert problems(good.replace("<label>x</label>", ""))
    html = good.replace("<table>", '<html><div onclick="x()">a</div></html><table>')
    assert any("only in pages" in p for p in problems(html))
    page = html.replace('version="1.1"', 'version="1.1" isDashboard="false"')
    assert any("event handler" in p for p in problems(page))
    assert problems(
        page.replace('onclick="x()"', "").replace("a</div>", "<script>x</script></div>")
    )


def _view_searches(root):
    defined = simplexml.defined_tokens(root)
    for view_search in simplexml.searches(root):
        yield view_search, defined


@pytest.mark.parametrize("name, root", DASHBOARDS, ids=[n for n, _ in DASHBOARDS])
def test_every_dashboard_search_checks_out(name, root, knowledge):
    problems = []
    count = 0
    for view_search, defined in _view_searches(root):
        count += 1
        where = f"{name} / {view_search.where}"
        problems += [f"{where}: {p}" for p in simplexml.token_problems(view_search, defined)]
        problems += [f"{where}: {p}" for p in simplexml.drilldown_problems(view_search, defined)]
        analysis = analyze(view_search.query, knowledge)
        problems += [f"{where}: {p}" for p in analysis.problems]
        if analysis.problems:
            continue
        returned = set(analysis.result_fields)
        for field in simplexml.row_fields(view_search.row_tokens) + view_search.value_fields:
            if field not in returned and not analysis.open_result:
                problems.append(f"{where}: uses {field!r}, which the search does not return")
        raw = view_search.query
        if re.search(r"\bindex\s*=\s*(?!_internal\b)", raw):
            problems.append(f"{where}: names an index; use the thousandeyes_index_* macros")
    assert count, "no searches"
    assert problems == []


def test_no_search_reaches_index_main(knowledge):
    for name, root in VIEWS:
        for view_search, _ in _view_searches(root):
            assert "index=main" not in analyze(view_search.query, knowledge).text.replace(" ", "")


def test_every_macro_expands_and_parses(knowledge):
    for key, macro in knowledge.macros.items():
        text = macro.definition
        for arg in macro.args:
            text = text.replace(f"${arg}$", "network")
        analysis = analyze(text, knowledge)
        problems = [p for p in analysis.problems if "names no sourcetype" not in p]
        assert problems == [], key


@pytest.mark.parametrize("conf", ["eventtypes", "savedsearches"])
def test_every_eventtype_and_saved_search_checks_out(conf, knowledge):
    searches = knowledge.eventtypes if conf == "eventtypes" else knowledge.savedsearches
    for name, search in searches.items():
        assert analyze(search, knowledge).problems == [], name
    for name in read_conf(DEFAULT / "tags.conf"):
        assert name.split("=", 1)[1] in knowledge.eventtypes, name


def test_every_props_eval_parses(knowledge):
    for sourcetype, stanza in knowledge.props.items():
        for key, value in stanza.items():
            if key.startswith("EVAL-"):
                parse_eval(value)


def test_every_sourcetype_the_add_on_produces_has_props(knowledge):
    produced = {s for s in knowledge.sources if s != "splunkd"}
    assert produced == set(knowledge.props)


# ----------------------------------------------------------------------- data model
def _predicate(constraint):
    """A data model child's constraint (field="value" terms, ANDed) as a test of one event."""
    command = parse(constraint).commands[0]
    assert not command.search.terms and not command.search.subsearches, constraint
    for comparison in command.search.comparisons:
        assert comparison.op == "=", constraint

    def matches(event):
        return all(str(event.get(c.field)) in c.values for c in command.search.comparisons)

    return matches


def test_datamodels_conf_ships_the_model_unaccelerated(knowledge):
    conf = read_conf(DEFAULT / "datamodels.conf")
    assert set(conf) == set(knowledge.datamodels) == {"ThousandEyes"}
    assert conf["ThousandEyes"]["acceleration"] == "false"


def test_data_model_datasets_select_real_events_and_name_real_fields(knowledge, collected):
    events = [dict(e, json=corpus.event_json(e)) for e in collected[0]]
    model = knowledge.datamodels["ThousandEyes"]
    assert model["modelName"] == "ThousandEyes"
    datasets = knowledge.datamodel_datasets("ThousandEyes")
    expected = {"Test_Results", "Path_Vis", "Alerts", "Events", "Activity", "Network", "BGP",
                "HTTP_Server", "Page_Load", "Web_Transactions", "API", "DNS_Server", "DNS_Trace",
                "DNSSEC", "SIP_Server", "RTP_Server", "FTP_Server"}  # fmt: skip
    assert set(datasets) == expected
    for name, obj in datasets.items():
        assert obj["lineage"].split(".")[-1] == name
        root_name = obj["lineage"].split(".")[0]
        root = datasets[root_name]
        (constraint,) = [c["search"] for c in root["constraints"]]
        analysis = analyze(constraint, knowledge)
        assert analysis.problems == [], name
        selected = [e for e in events if e["sourcetype"] in analysis.sources]
        chain = []
        node = obj
        while node["parentName"] != "BaseEvent":
            chain.append(node["constraints"][0]["search"])
            node = datasets[node["parentName"]]
        for child_constraint in chain:
            matches = _predicate(child_constraint)
            selected = [e for e in selected if matches(e["json"])]
        assert selected, f"{name}: its constraints select no real event"
        sourcetypes = {e["sourcetype"] for e in selected}
        available = set()
        for sourcetype in sourcetypes:
            available |= set(knowledge.sources[sourcetype].fields)
        for item in obj["fields"]:
            if item["owner"] == "BaseEvent":
                continue
            assert item["fieldName"] in available, (name, item["fieldName"])
            assert item["type"] in ("string", "number", "boolean", "ipv4"), item
        for calculation in obj.get("calculations", []):
            assert calculation["calculationType"] == "Eval"
            reads = parse_eval(calculation["expression"]).fields()
            assert set(reads) <= available, (name, reads)


def test_the_data_model_serves_tstats(knowledge):
    search = (
        "| tstats count avg(Test_Results.testId) as x from datamodel=ThousandEyes.Test_Results"
        " where Test_Results.dataType=network by Test_Results.testName span=1h"
    )
    assert analyze(search, knowledge).problems == []
    wrong = search.replace("Test_Results.testName", "Test_Results.nope")
    assert analyze(wrong, knowledge).problems


# ----------------------------------------------------------------------- the checker itself
@pytest.mark.parametrize(
    "search, problem",
    [
        ("`thousandeyes_results(network)` | stats avg(nope) by testName", "reads 'nope'"),
        ("`thousandeyes_results(network)` | stats count by testName | table loss", "reads 'loss'"),
        ('`thousandeyes_index_alerts` sourcetype="cisco:thousandeyes:nope"', "not produced"),
        ("`thousandeyes_results(network, x)`", "no macro"),
        ("`thousandeyes_index_alerts` | stats count", "names no sourcetype"),
        ("eventtype=nope", "not defined"),
        ("index=_internal sourcetype=splunkd | table message", "reads 'message'"),
        ("| inputlookup nope", "no such lookup"),
        ("`thousandeyes_results(network)` | eval x=lower(", "does not parse"),
        (
            "`thousandeyes_results(network)` | lookup thousandeyes_tests_lookup testId OUTPUT nope",
            "has no field 'nope'",
        ),
    ],
)
def test_the_checker_catches_mistakes(search, problem, knowledge):
    problems = analyze(search, knowledge).problems
    assert any(problem in p for p in problems), problems


def test_fields_made_in_the_search_and_by_props_count(knowledge):
    search = (
        '`thousandeyes_index_alerts` sourcetype="cisco:thousandeyes:alerts" severity=high'
        " | eval minutes=duration/60 | rename alertType AS kind"
        " | stats avg(minutes) as m by kind signature | where m > 1"
    )
    analysis = analyze(search, knowledge)
    assert analysis.problems == []
    origins = dict(analysis.reads)
    assert origins["severity"].endswith("props.conf EVAL-severity")
    assert origins["signature"].endswith("props.conf FIELDALIAS-thousandeyes_alerts")
    assert origins["duration"].endswith("event (alerts collector)")


# ----------------------------------------------------------------------- the field list
def test_the_field_list_in_docs_is_current(knowledge):
    written = (ROOT / field_report.DOC).read_text(encoding="utf-8")
    assert written == field_report.render(knowledge), (
        "docs/dashboard-fields.md is stale: run "
        "PYTHONPATH=lib:. .venv/bin/python -m tests.knowledge.field_report"
    )
