"""What the inputs write to the KV store survives its type rules: the stand-in stores values as
the add-on's collections.conf declares them and drops what does not convert (enforceTypes is
false), so every declared field the API gave must come back, of its declared type."""

import json
import os

from ta_thousandeyes.checkpoints import COLLECTION
from ta_thousandeyes.collectors.inventory import COLLECTIONS, LOOKUP_FIELDS

from tests.simulators.splunk.conffile import AppConf

from .conftest import APP
from .helpers import create_input, run_ok

PYTHON_TYPES = {"number": float, "time": float, "bool": bool, "string": str}
GROUND_TRUTH_KEYS = {"tests": "testId", "agents": "agentId"}


def _declared(splunk, collection):
    settings = AppConf(splunk.app_dir(APP), "collections").stanzas()[collection]
    return {k[len("field.") :]: v for k, v in settings.items() if k.startswith("field.")}


def test_inventory_rows_and_checkpoints_keep_every_declared_field(
    service, connected, runner, sim, splunk
):
    stanza = create_input(service, "thousandeyes_inventory", "inv", account_groups="2001")
    run_ok(runner, stanza)
    stanza = create_input(service, "thousandeyes_alerts", "alerts", start_from="4h")
    run_ok(runner, stanza)
    for kind, collection in COLLECTIONS.items():
        declared = _declared(splunk, collection)
        rows = service.kvstore[collection].data.query()
        assert rows, collection
        if kind in GROUND_TRUTH_KEYS:
            truth = {str(r[GROUND_TRUTH_KEYS[kind]]): r for r in sim.ground_truth(kind, aid="2001")}
            rows = [r for r in rows if r["aid"] == "2001"]
            assert {r[GROUND_TRUTH_KEYS[kind]] for r in rows} == set(truth)
        for row in rows:
            for name, kind_name in declared.items():
                if name in row:
                    assert isinstance(row[name], PYTHON_TYPES[kind_name]), (collection, name)
            if kind in GROUND_TRUTH_KEYS:
                record = truth[row[GROUND_TRUTH_KEYS[kind]]]
                for name in LOOKUP_FIELDS[kind]:
                    if record.get(name) is not None:
                        assert name in row, (collection, name, record[name])
            assert "snapshot" in row
    declared = _declared(splunk, COLLECTION)
    documents = service.kvstore[COLLECTION].data.query()
    assert documents
    for document in documents:
        for name in ("updated", "state"):
            assert isinstance(document[name], PYTHON_TYPES[declared[name]]), name
        assert isinstance(json.loads(document["state"]), dict)
        if "journal_of" not in document:
            assert isinstance(document["owner"], str)
    assert os.path.isdir(os.path.join(splunk.home, "var", "kvstore"))
