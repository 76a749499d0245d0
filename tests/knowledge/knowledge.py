"""The add-on's search-time knowledge and what each data source holds, for the static checks.

``Knowledge.load(events, splunkd_lines)`` reads ``default/`` (macros, props, transforms,
eventtypes, savedsearches, the data model, the views) and takes the fields of every source
from real data (``corpus.py``):

- each ``cisco:thousandeyes:*`` sourcetype: the JSON fields (KV_MODE = json naming) of the
  events the collectors wrote for it, plus what props.conf derives from them (FIELDALIAS,
  EVAL, EXTRACT, REPORT through transforms.conf, LOOKUP outputs);
- ``splunkd`` (index=_internal): Splunk's own extraction for splunkd.log (system/default
  props.conf ``[splunkd] EXTRACT-fields``, checked here against the real lines) and the
  ``key="value"`` pairs of the add-on's run summary lines (Splunk's automatic key-value
  extraction, KV_MODE = auto);
- KV store lookups: transforms.conf ``fields_list``;
- ``| rest`` of the connections' configuration: the keys the add-on writes
  (``ConnectionConfig.to_stanza``) and the entry fields every splunkd EAI listing carries.

Every field has an origin (which collector, which props setting, which Splunk feature), which
``field_report.py`` lists per dashboard.
"""

import configparser
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from ta_thousandeyes.connections import ConnectionConfig

from tests.knowledge import corpus
from tests.knowledge.spl import Macro, parse_eval

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "default"
VIEWS = DEFAULT / "data" / "ui" / "views"
MODELS = DEFAULT / "data" / "models"

# Fields Splunk gives every event ("Use default fields", Knowledge Manager Manual).
DEFAULT_FIELDS = (
    "_time", "_raw", "_indextime", "_cd", "_serial", "_bkt", "_si", "_sourcetype", "index",
    "sourcetype", "source", "host", "splunk_server", "linecount", "punct", "eventtype", "tag",
    "timestartpos", "timeendpos", "date_hour", "date_mday", "date_minute", "date_month",
    "date_second", "date_wday", "date_year", "date_zone",
)  # fmt: skip
# Search terms that are not fields: time modifiers and the data model's node names.
NOT_FIELDS = ("earliest", "latest", "_index_earliest", "_index_latest", "nodename")
# Splunk's system/default/props.conf [splunkd] EXTRACT-fields (log_level, component,
# event_message). The public copy found predates the "[<pid> <thread>]" that 9.x lines carry
# after the component; the optional group for it is ours.
SPLUNKD_EXTRACT = (
    r"(?i)^(?:[^ ]* ){2}(?:[+\-]\d+ )?(?P<log_level>[^ ]*)\s+(?P<component>[^ ]+)"
    r"(?: \[[^\]]*\])? - (?P<event_message>.+)"
)
SPLUNKD = "splunkd"
CONNECTIONS_REST = "/servicesNS/nobody/TA-thousandeyes/configs/conf-ta_thousandeyes_connections"
# Fields of every entry of a splunkd EAI listing as `| rest` returns it.
REST_ENTRY_FIELDS = ("title", "id", "updated", "author", "splunk_server", "eai:acl.app",
                     "eai:acl.owner", "eai:acl.sharing", "eai:appName", "eai:userName")  # fmt: skip
# props.conf settings that do not create search-time fields.
PROPS_NOT_FIELDS = {
    "description", "SHOULD_LINEMERGE", "LINE_BREAKER", "TRUNCATE", "KV_MODE", "TZ",
    "TIME_PREFIX", "TIME_FORMAT", "MAX_TIMESTAMP_LOOKAHEAD", "category", "pulldown_type",
}  # fmt: skip
_NAMED = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


def read_conf(path: Path) -> Dict[str, Dict[str, str]]:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # Splunk's keys are case-sensitive
    if path.exists():
        parser.read(path, encoding="utf-8")
    return {name: dict(parser[name]) for name in parser.sections()}


@dataclass
class Source:
    """What a search over one data source can read: field -> where it comes from."""

    name: str
    fields: Dict[str, str] = field(default_factory=dict)


@dataclass
class Knowledge:
    macros: Dict[str, Macro]
    props: Dict[str, Dict[str, str]]
    transforms: Dict[str, Dict[str, str]]
    eventtypes: Dict[str, str]
    savedsearches: Dict[str, str]
    sources: Dict[str, Source]  # sourcetype (or splunkd) -> fields
    lookups: Dict[str, Source]
    rest: Dict[str, Source]
    datamodels: Dict[str, dict]

    @classmethod
    def load(cls, events: List[Dict], splunkd_lines: List[str]) -> "Knowledge":
        macros = {}
        for name, stanza in read_conf(DEFAULT / "macros.conf").items():
            args = [a.strip() for a in stanza.get("args", "").split(",") if a.strip()]
            macros[name] = Macro(name, args, stanza["definition"])
        props = read_conf(DEFAULT / "props.conf")
        transforms = read_conf(DEFAULT / "transforms.conf")
        knowledge = cls(
            macros=macros,
            props=props,
            transforms=transforms,
            eventtypes={k: v["search"] for k, v in read_conf(DEFAULT / "eventtypes.conf").items()},
            savedsearches={
                k: v["search"]
                for k, v in read_conf(DEFAULT / "savedsearches.conf").items()
                if "search" in v
            },
            sources={},
            lookups={},
            rest={},
            datamodels={p.stem: json.loads(p.read_text()) for p in sorted(MODELS.glob("*.json"))},
        )
        for name, stanza in transforms.items():
            if "fields_list" in stanza:
                names = [f.strip() for f in stanza["fields_list"].split(",")]
                origin = f"lookup {name} (transforms.conf fields_list)"
                knowledge.lookups[name] = Source(name, {n: origin for n in names})
        knowledge._event_sources(events)
        knowledge._splunkd_source(splunkd_lines)
        knowledge._rest_sources()
        return knowledge

    # -- sources ---------------------------------------------------------------------------
    def _event_sources(self, events: List[Dict]) -> None:
        for event in events:
            source = self.sources.setdefault(event["sourcetype"], Source(event["sourcetype"]))
            origin = f"event ({event['collector']} collector)"
            for name in corpus.json_fields(corpus.event_json(event)):
                source.fields.setdefault(name, origin)
        for sourcetype, source in self.sources.items():
            for name, origin in self.props_fields(sourcetype).items():
                source.fields.setdefault(name, origin)

    def props_fields(self, sourcetype: str) -> Dict[str, str]:
        """Fields props.conf (and transforms.conf) derive at search time for a sourcetype."""
        derived = {}
        for key, value in self.props.get(sourcetype, {}).items():
            kind, _, name = key.partition("-")
            origin = f"props.conf {key}"
            if key in PROPS_NOT_FIELDS:
                continue
            if kind == "FIELDALIAS":
                for target in re.findall(r"\S+\s+AS(?:NEW)?\s+(\S+)", value, re.I):
                    derived[target] = origin
            elif kind == "EVAL":
                parse_eval(value)  # must parse
                derived[name] = origin
            elif kind == "EXTRACT":
                for group in _NAMED.findall(value):
                    derived[group] = origin
            elif kind == "REPORT":
                for transform in (t.strip() for t in value.split(",")):
                    stanza = self.transforms[transform]
                    for group in _NAMED.findall(stanza.get("REGEX", "")):
                        derived[group] = f"{origin} (transforms.conf {transform})"
            elif kind == "LOOKUP":
                outputs = re.split(r"\bOUTPUT(?:NEW)?\b", value)
                for target in re.findall(r"(?:AS\s+)?(\S+)\s*(?:,|$)", outputs[-1]):
                    derived[target] = origin
            else:
                raise AssertionError(f"props.conf [{sourcetype}] {key}: not modelled here")
        return derived

    def _splunkd_source(self, lines: List[str]) -> None:
        source = Source(SPLUNKD)
        extract = re.compile(SPLUNKD_EXTRACT)
        for line in lines:
            match = extract.match(line)
            assert match, f"Splunk's splunkd extraction does not match {line!r}"
            for name in match.groupdict():
                source.fields[name] = "Splunk (system props.conf [splunkd] EXTRACT-fields)"
            for name in re.findall(r'(?:^|\s)([A-Za-z_]\w*)="[^"]*"', line):
                source.fields.setdefault(
                    name, "run summary line (modinputs/base.py log_summary; Splunk key=value)"
                )
        self.sources[SPLUNKD] = source

    def _rest_sources(self) -> None:
        stanza = ConnectionConfig("example", "global", "device_code").to_stanza()
        fields = {n: "connections conf (connections.py ConnectionConfig)" for n in stanza}
        fields.update({n: "splunkd REST entry" for n in REST_ENTRY_FIELDS})
        self.rest[CONNECTIONS_REST] = Source(CONNECTIONS_REST, fields)

    # -- data model --------------------------------------------------------------------------
    def datamodel_datasets(self, model: str) -> Dict[str, dict]:
        return {obj["objectName"]: obj for obj in self.datamodels[model]["objects"]}

    def datamodel_fields(self, model: str, dataset: str) -> Dict[str, str]:
        """``Root.field`` names of a dataset and its ancestors, as tstats reads them."""
        datasets = self.datamodel_datasets(model)
        obj = datasets[dataset]
        root = obj["lineage"].split(".")[0]
        names = {}
        while obj is not None:
            for item in obj["fields"]:
                names[f"{root}.{item['fieldName']}"] = f"data model {model}.{obj['objectName']}"
            for calculation in obj.get("calculations", []):
                for item in calculation["outputFields"]:
                    names[f"{root}.{item['fieldName']}"] = f"data model {model} calculation"
            obj = datasets.get(obj["parentName"])
        return names


def views() -> List[Tuple[str, ET.Element]]:
    return [(p.stem, ET.parse(p).getroot()) for p in sorted(VIEWS.glob("*.xml"))]
