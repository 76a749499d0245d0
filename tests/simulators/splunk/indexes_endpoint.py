"""`data/indexes` (GET): the indexes splunkd knows, from indexes.conf, as an EAI listing.

Sources:
- REST API reference, Introspection endpoint descriptions, `data/indexes` (help.splunk.com
  .../rest-api-reference/9.4/introspection-endpoints): GET lists "the recognized indexes on
  the server"; `datatype` picks `event` (the default), `metric` or `all`; the usual paging
  and filtering parameters apply (count 30 by default, splunk-behaviour.md section 3). Each
  entry carries the index's indexes.conf settings, among them `datatype` and `disabled`.
- Authorization (same reference, quoted by the Splunk Terraform/Pulumi provider docs for
  `splunk_indexes`): "By default, all users can list all indexes"; only a
  `[capability::indexes_list_all]` stanza in authorize.conf narrows it (not modelled).
- The indexes: every `[<name>]` of indexes.conf merged across etc/system/default (Splunk's
  own list below), apps' default/ and local/, and etc/system/local. `[default]` and
  `[volume:...]` stanzas are not indexes. `datatype` defaults to `event`.

Only GET is modelled (creating indexes over REST is not something the add-on does).
"""

import os
from collections import OrderedDict
from typing import Callable, Dict

from . import atom, conffile, listing
from .request import SplunkdRequest

# etc/system/default/indexes.conf of Splunk Enterprise 9.x (the indexes every instance has).
SYSTEM_DEFAULT_INDEXES = OrderedDict(
    [
        ("main", {}),
        ("history", {}),
        ("summary", {}),
        ("splunklogger", {"disabled": "true"}),
        ("_audit", {}),
        ("_configtracker", {}),
        ("_internal", {}),
        ("_introspection", {}),
        ("_metrics", {"datatype": "metric"}),
        ("_metrics_rollup", {"datatype": "metric"}),
        ("_telemetry", {}),
        ("_thefishbucket", {}),
    ]
)
DATATYPES = ("event", "metric", "all")


class IndexesEndpoint:
    def __init__(self, app_dirs: "Callable[[], Dict[str, str]]", system_dir: str) -> None:
        self.app_dirs = app_dirs
        self.system_dir = system_dir

    def indexes(self) -> "OrderedDict[str, OrderedDict[str, str]]":
        """name -> merged settings, lowest precedence first so higher layers override."""
        merged = OrderedDict()  # type: OrderedDict
        for name, settings in SYSTEM_DEFAULT_INDEXES.items():
            merged[name] = OrderedDict(settings)
        layers = [os.path.join(self.system_dir, "default", "indexes.conf")]
        apps = sorted(self.app_dirs().items(), reverse=True)  # ASCII order wins: last applied
        for folder in ("default", "local"):
            layers.extend(os.path.join(path, folder, "indexes.conf") for _, path in apps)
        layers.append(os.path.join(self.system_dir, "local", "indexes.conf"))
        for path in layers:
            for stanza, settings in conffile.read_file(path).items():
                if stanza == conffile.DEFAULT_STANZA or stanza.startswith("volume:"):
                    continue
                merged.setdefault(stanza, OrderedDict()).update(settings)
        return merged

    def handle(self, request: SplunkdRequest, parts: "list") -> atom.Body:
        mode = request.output_mode
        if request.method != "GET":
            return atom.messages(mode, 405, "Method Not Allowed")
        wanted = (request.query_value("datatype") or "event").strip().lower()
        if wanted not in DATATYPES:
            return atom.messages(mode, 400, f"Invalid datatype {wanted!r}: event, metric or all")
        entries = []
        collection = request.namespace_path + "/data/indexes"
        for name, settings in self.indexes().items():
            content = OrderedDict([("datatype", "event"), ("disabled", "0")])
            content.update(settings)
            if wanted != "all" and content["datatype"] != wanted:
                continue
            if parts and name != parts[0]:
                continue
            entries.append(atom.Entry(name, "/services/data/indexes", content, atom.acl("system")))
        if parts:
            if not entries:
                return atom.messages(mode, 404, f"Could not find object id={parts[0]}")
            return atom.feed(mode, request.base_url, "indexes", collection, entries)
        return listing.feed(request, "indexes", collection, entries)
