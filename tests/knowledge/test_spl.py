"""The SPL parser the static checks rely on: what it accepts, what it reads, what it refuses."""

import pytest

from tests.knowledge.spl import Macro, MacroCall, SplError, expand_macros, parse, parse_eval

MACROS = {
    "idx": Macro("idx", [], "index=te"),
    "kind(1)": Macro("kind(1)", ["k"], 'sourcetype="cisco:thousandeyes:test:$k$"'),
    "nested": Macro("nested", [], "`idx` `kind(network)`"),
    "loop": Macro("loop", [], "`loop`"),
}


def commands(text):
    return [c.name for c in parse(text).commands]


def test_pipes_split_commands_but_not_inside_strings_or_comments():
    pipeline = parse('index=x "a|b" ```ignored | stats``` | eval s="c | d" | table s')
    assert [c.name for c in pipeline.commands] == ["search", "eval", "table"]
    assert pipeline.commands[0].search.terms == ["a|b"]
    assert pipeline.commands[1].writes == ["s"]


def test_escaped_quotes_stay_inside_a_string():
    pipeline = parse(r'index=x | eval q="say \"hi\" | now", r=q')
    assert pipeline.commands[1].writes == ["q", "r"]
    assert pipeline.commands[1].reads == []  # r reads q, which the same eval made


def test_search_comparisons_in_lists_and_boolean_structure():
    search = parse('index=* sourcetype="a:b" (x=1 OR NOT y!=2) z IN (p, "q r") w>=3').commands[0]
    assert [(c.field, c.op, c.values) for c in search.search.comparisons] == [
        ("index", "=", ["*"]),
        ("sourcetype", "=", ["a:b"]),
        ("x", "=", ["1"]),
        ("y", "!=", ["2"]),
        ("z", "IN", ["p", "q r"]),
        ("w", ">=", ["3"]),
    ]
    assert search.reads == ["index", "sourcetype", "x", "y", "z", "w"]


@pytest.mark.parametrize(
    "text", ["index=x (a=1", "index=x a=1)", "index=x a=", "index=x OR", "x IN ()", 'x "open']
)
def test_broken_searches_are_refused(text):
    with pytest.raises(SplError):
        parse(text)


def test_subsearches_parse_recursively():
    pipeline = parse("index=x [ search index=y | fields aid | head 1 ] | stats count by aid")
    sub = pipeline.commands[0].subsearches[0]
    assert [c.name for c in sub.commands] == ["search", "fields", "head"]
    assert commands("index=x [ | inputlookup l | fields a ]") == ["search"]
    with pytest.raises(SplError):
        parse("index=x [ search index=y")
    with pytest.raises(SplError):
        parse("index=x ] y")


def test_generating_commands_start_with_a_pipe():
    pipeline = parse('| inputlookup thousandeyes_tests_lookup where aid="1" | table testId')
    assert pipeline.generating and pipeline.commands[0].source == "thousandeyes_tests_lookup"
    assert pipeline.commands[0].reads == ["aid"]
    assert parse("| rest /services/x splunk_server=local").commands[0].source == "/services/x"
    with pytest.raises(SplError):
        parse("| stats count")  # not a generating command
    with pytest.raises(SplError):
        parse("|")


def test_stats_functions_names_and_by_clause():
    stats = parse("x | stats count, avg(loss) as l, p95(latency) max(eval(a*2)) by t, u").commands[
        1
    ]
    assert stats.writes == ["count", "l", "p95(latency)", "max(eval(a*2))", "t", "u"]
    assert stats.reads == ["loss", "latency", "a", "t", "u"]
    assert stats.replaces
    with pytest.raises(SplError):
        parse("x | stats bogus(a)")
    with pytest.raises(SplError):
        parse("x | stats avg by a")  # avg needs a field
    with pytest.raises(SplError):
        parse("x | stats count by")


def test_timechart_and_chart_write_open_columns_when_split():
    timechart = parse("x | timechart span=5m limit=10 avg(loss) by testName").commands[1]
    assert timechart.options == {"span": "5m", "limit": "10"}
    assert timechart.reads == ["loss", "testName"] and timechart.open_writes
    chart = parse("x | chart count over agentName by testName").commands[1]
    assert chart.reads == ["agentName", "testName"] and "agentName" in chart.writes


def test_eval_precedence_functions_and_field_quoting():
    node = parse_eval('if(a > 1 AND NOT b="x|y", \'agent.agentName\' . "-" . c, null())')
    assert node.kind == "call" and node.value == "if"
    assert node.fields() == ["a", "b", "agent.agentName", "c"]
    assert parse_eval("1 + 2 * 3").children[1].value == "*"  # * binds tighter than +
    assert parse_eval("a OR b AND c").value == "OR"
    with pytest.raises(SplError):
        parse_eval("if(a, b)")  # if takes three
    with pytest.raises(SplError):
        parse_eval("nosuch(a)")
    with pytest.raises(SplError):
        parse_eval("a +")
    with pytest.raises(SplError):
        parse_eval("(a")
    with pytest.raises(SplError):
        parse_eval("'unterminated")


def test_eval_assignments_split_at_top_level_commas():
    command = parse('x | eval a=coalesce(b, c), d=a+1, \'e.f\'=replace(g, ",", ";")').commands[1]
    assert command.writes == ["a", "d", "e.f"]
    assert command.reads == ["b", "c", "g"]
    with pytest.raises(SplError):
        parse("x | eval a")
    with pytest.raises(SplError):
        parse("x | eval a=")


def test_table_fields_rename_sort_dedup():
    pipeline = parse(
        'x | rename a AS b, c as "d e" | table b, "d e" f | fields - f'
        " | sort - b, +num(c) | dedup 2 b sortby -c | head 5"
    )
    rename, table, fields, sort, dedup, head = pipeline.commands[1:]
    assert rename.reads == ["a", "c"] and rename.writes == ["b", "d e"]
    assert table.keeps_only == ["b", "d e", "f"]
    assert fields.removes == ["f"]
    assert sort.reads == ["b", "c"]
    assert dedup.reads == ["b", "c"]
    with pytest.raises(SplError):
        parse("x | head many")
    with pytest.raises(SplError):
        parse("x | rename a b")


def test_rex_spath_lookup_and_friends():
    rex = parse('x | rex field=m "run summary (?<rest>.*) (?P<last>\\w+)"').commands[1]
    assert rex.reads == ["m"] and rex.writes == ["rest", "last"]
    with pytest.raises(SplError):
        parse('x | rex "(?<a>unclosed"')
    with pytest.raises(SplError):
        parse('x | rex "no groups"')
    spath = parse("x | spath path=pathTraces{}.numberOfHops output=hops").commands[1]
    assert spath.writes == ["hops"]
    lookup = parse("x | lookup l testId AS id OUTPUT testName AS name, type").commands[1]
    assert lookup.reads == ["id"] and lookup.writes == ["name", "type"]
    assert lookup.source == "l"
    fill = parse("x | fillnull value=0 a b | bin _time span=1h | mvexpand a").commands
    assert fill[1].writes == ["a", "b"] and fill[2].writes == ["_time"]


def test_tstats_over_a_data_model():
    command = parse(
        "| tstats count avg(Results.loss) as loss from datamodel=ThousandEyes.Results"
        " where Results.dataType=network by Results.testName span=1h"
    ).commands[0]
    assert command.source == "ThousandEyes.Results"
    assert command.reads == ["Results.loss", "Results.dataType", "Results.testName"]
    assert command.options["span"] == "1h"


def test_unknown_commands_are_refused():
    with pytest.raises(SplError, match="unknown command"):
        parse("x | frobnicate a")


def test_macros_expand_recursively_with_arguments_and_record_arity():
    calls = []
    text = expand_macros('`nested` | eval s="`not a macro`" ```a `comment` ```', MACROS, calls)
    assert text.startswith('index=te sourcetype="cisco:thousandeyes:test:network"')
    assert calls == [MacroCall("nested", 0), MacroCall("idx", 0), MacroCall("kind", 1)]
    assert "`not a macro`" in text
    with pytest.raises(SplError, match=r"no macro kind\(2\)"):
        expand_macros("`kind(a, b)`", MACROS)
    with pytest.raises(SplError, match="no macro missing"):
        expand_macros("`missing`", MACROS)
    with pytest.raises(SplError, match="nested"):
        expand_macros("`loop`", MACROS)
    with pytest.raises(SplError):
        expand_macros("`idx", MACROS)


def test_macro_arguments_split_outside_quotes_and_parentheses():
    macros = {"two(2)": Macro("two(2)", ["a", "b"], "$a$ $b$")}
    assert expand_macros('`two("x,y", f(1,2))`', macros) == '"x,y" f(1,2)'
