"""Walk one search through its pipeline and check every field it reads.

The first command decides the data: a search's ``sourcetype=`` terms (patterns allowed) and
``eventtype=`` terms (their own searches, recursively) select sources from ``Knowledge``;
``| inputlookup``, ``| rest`` and ``| tstats`` read a lookup, a REST listing or a data model.
Then each command's reads must be among the fields available at that point: the sources'
fields (events, props, Splunk defaults) and whatever earlier commands wrote. A transforming
command (stats, timechart, ...) leaves only what it writes; ``table`` and ``fields`` narrow.
"""

import fnmatch
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from tests.knowledge.knowledge import DEFAULT_FIELDS, NOT_FIELDS, SPLUNKD, Knowledge
from tests.knowledge.spl import Command, MacroCall, Pipeline, SplError, expand_macros, parse

CREATED = "created in the search"


@dataclass
class Analysis:
    text: str  # the search as expanded
    problems: List[str] = field(default_factory=list)
    sources: Set[str] = field(default_factory=set)  # sourcetypes, lookups, REST paths, models
    reads: List[Tuple[str, str]] = field(default_factory=list)  # (field, origin), data only
    result_fields: Dict[str, str] = field(default_factory=dict)  # what the search returns
    open_result: bool = False  # the result's columns depend on the data (split by a field)
    macro_calls: List[MacroCall] = field(default_factory=list)


def analyze(text: str, knowledge: Knowledge, depth: int = 0) -> Analysis:
    calls = []  # type: List[MacroCall]
    try:
        expanded = expand_macros(text, knowledge.macros, calls)
        pipeline = parse(expanded)
    except SplError as error:
        analysis = Analysis(text, macro_calls=calls)
        analysis.problems.append(f"does not parse: {error}")
        return analysis
    analysis = Analysis(expanded, macro_calls=calls)
    _walk(pipeline, knowledge, analysis, depth)
    return analysis


def _walk(pipeline: Pipeline, knowledge: Knowledge, analysis: Analysis, depth: int) -> None:
    first = pipeline.commands[0]
    available = _initial_fields(first, knowledge, analysis, depth)
    open_fields = False
    for command in pipeline.commands:
        for sub in command.subsearches:
            inner = Analysis(analysis.text)
            _walk(sub, knowledge, inner, depth)
            analysis.problems.extend(f"subsearch: {p}" for p in inner.problems)
            analysis.reads.extend(inner.reads)
        for name in command.reads:
            if command is first and command.name == "search" and name in NOT_FIELDS:
                continue
            origin = _lookup(name, available, open_fields)
            if origin is None:
                analysis.problems.append(
                    f"{command.name} reads {name!r}, which no source or earlier command has"
                )
            elif origin != CREATED and origin != "open":
                analysis.reads.append((name, origin))
        if command.name == "lookup":
            _check_lookup(command, knowledge, analysis)
        available, open_fields = _apply(command, available, open_fields, knowledge)
    analysis.result_fields = available
    analysis.open_result = open_fields


def _lookup(name: str, available: Dict[str, str], open_fields: bool) -> Optional[str]:
    if name in available:
        return available[name]
    if "*" in name:
        matched = fnmatch.filter(available, name)
        if matched:
            return available[matched[0]]
    return "open" if open_fields else None


def _apply(command: Command, available: Dict[str, str], open_fields: bool, knowledge):
    if command.replaces and command.name not in ("inputlookup", "rest", "tstats"):
        available = {}
        open_fields = False
    if command.keeps_only is not None:
        kept = {}
        for pattern in command.keeps_only:
            for name in fnmatch.filter(available, pattern) or ([pattern] if open_fields else []):
                kept[name] = available.get(name, CREATED)
        available, open_fields = kept, False
    for name in command.removes:
        for match in fnmatch.filter(list(available), name):
            available.pop(match, None)
    for name in command.writes:
        available[name] = CREATED
    if command.name == "lookup" and command.open_writes:
        source = knowledge.lookups.get(command.source)
        for name in source.fields if source else ():
            available[name] = source.fields[name]
    return available, open_fields or command.open_writes and command.name != "lookup"


def _check_lookup(command: Command, knowledge: Knowledge, analysis: Analysis) -> None:
    source = knowledge.lookups.get(command.source)
    if source is None:
        analysis.problems.append(f"lookup {command.source!r} is not defined in transforms.conf")
        return
    analysis.sources.add(f"lookup:{command.source}")
    names = command.options["lookup_inputs"].split(",")
    names += [n for n in command.options["lookup_outputs"].split(",") if n]
    for name in names:
        if name not in source.fields:
            analysis.problems.append(f"lookup {command.source} has no field {name!r}")


def _initial_fields(first: Command, knowledge: Knowledge, analysis: Analysis, depth: int):
    fields = {}  # type: Dict[str, str]
    if first.name == "inputlookup":
        source = knowledge.lookups.get(first.source)
        if source is None:
            analysis.problems.append(f"inputlookup {first.source!r}: no such lookup")
            return fields
        analysis.sources.add(f"lookup:{first.source}")
        return dict(source.fields)
    if first.name == "rest":
        source = knowledge.rest.get(first.source)
        if source is None:
            analysis.problems.append(f"rest {first.source!r}: no model of this endpoint")
            return fields
        analysis.sources.add(f"rest:{first.source}")
        return dict(source.fields)
    if first.name == "tstats":
        model, _, dataset = first.source.partition(".")
        if model not in knowledge.datamodels or dataset not in knowledge.datamodel_datasets(model):
            analysis.problems.append(f"tstats: no data model dataset {first.source}")
            return fields
        analysis.sources.add(f"datamodel:{first.source}")
        return dict(knowledge.datamodel_fields(model, dataset))
    if first.name == "makeresults":
        return fields
    selected = _selected_sources(first, knowledge, analysis, depth)
    for name in DEFAULT_FIELDS:
        fields[name] = "Splunk default field"
    for sourcetype in sorted(selected):
        for name, origin in knowledge.sources[sourcetype].fields.items():
            fields.setdefault(name, f"{sourcetype}: {origin}")
    return fields


def _selected_sources(first: Command, knowledge: Knowledge, analysis: Analysis, depth: int):
    selected = set()  # type: Set[str]
    named = False
    for comparison in first.search.comparisons:
        if comparison.field == "sourcetype" and comparison.op in ("=", "IN"):
            named = True
            for pattern in comparison.values:
                matched = fnmatch.filter(knowledge.sources, pattern)
                if not matched:
                    analysis.problems.append(f"sourcetype {pattern!r} is not produced")
                selected.update(matched)
        elif comparison.field == "eventtype" and comparison.op == "=":
            named = True
            for name in comparison.values:
                if name not in knowledge.eventtypes:
                    analysis.problems.append(f"eventtype {name!r} is not defined")
                    continue
                if depth > 5:
                    analysis.problems.append(f"eventtype {name!r} nests too deep")
                    continue
                inner = analyze(knowledge.eventtypes[name], knowledge, depth + 1)
                analysis.problems.extend(f"eventtype {name}: {p}" for p in inner.problems)
                selected |= {s for s in inner.sources if not s.startswith(("lookup:", "rest:"))}
    if not named:
        analysis.problems.append("the search names no sourcetype or eventtype")
    if SPLUNKD in selected and not any(
        c.field == "index" and c.values == ["_internal"] for c in first.search.comparisons
    ):
        analysis.problems.append("splunkd.log is searched without index=_internal")
    analysis.sources |= selected
    return selected
