"""Conformance: `data/indexes` lists the indexes of indexes.conf as splunkd does.

Sources (tests/simulators/splunk/indexes_endpoint.py cites them too): REST API reference,
Introspection endpoint descriptions, `data/indexes` GET (help.splunk.com .../rest-api-reference/
9.4/introspection-endpoints): the recognized indexes of the server, `datatype` event (default),
metric or all, the common paging parameters (count 30 by default, 0 for all: "REST API
reference and user guide", RESTintro); "By default, all users can list all indexes". The
indexes are those of indexes.conf in the global context's precedence (Admin Manual,
"Configuration file precedence").
"""

import os

import requests

APP = "tiny_app"


def _list(emulator, user="admin", **params):
    key = emulator.login(user, "changeme")
    response = requests.get(
        f"{emulator.splunkd_uri}/servicesNS/nobody/{APP}/data/indexes",
        params=dict(params, output_mode="json"),
        headers={"Authorization": "Splunk " + key},
        verify=emulator.ca_bundle_path,
    )
    assert response.status_code == 200, response.text
    document = response.json()
    return {e["name"]: e["content"] for e in document["entry"]}, document["paging"]


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def test_built_in_event_indexes_by_default_metric_ones_on_request(splunk_emulator):
    names, _ = _list(splunk_emulator, count="0")
    assert {"main", "summary", "_internal", "_audit"} <= set(names)
    assert "_metrics" not in names and names["main"]["datatype"] == "event"
    metric, _ = _list(splunk_emulator, count="0", datatype="metric")
    assert "_metrics" in metric and "main" not in metric
    everything, _ = _list(splunk_emulator, count="0", datatype="all")
    assert set(everything) == set(names) | set(metric)


def test_indexes_conf_of_apps_and_system_local_add_indexes(splunk_emulator):
    home = splunk_emulator.home
    _write(os.path.join(splunk_emulator.app_dir(APP), "local", "indexes.conf"),
           "[volume:hot]\npath = /x\n[te_app]\nhomePath = $SPLUNK_DB/te_app/db\n")  # fmt: skip
    _write(os.path.join(home, "etc", "system", "local", "indexes.conf"),
           "[te_local]\ndisabled = 1\n[te_metrics]\ndatatype = metric\n")  # fmt: skip
    names, _ = _list(splunk_emulator, count="0")
    assert "te_app" in names and "volume:hot" not in names
    assert names["te_local"]["disabled"] == "1"
    assert "te_metrics" not in names


def test_listing_is_paged_at_30_and_every_user_may_list(splunk_emulator):
    extra = "".join(f"[idx{n:02d}]\n" for n in range(40))
    _write(os.path.join(splunk_emulator.home, "etc", "system", "local", "indexes.conf"), extra)
    first, paging = _list(splunk_emulator)
    assert len(first) == 30 and paging["perPage"] == 30 and paging["total"] > 40
    second, _ = _list(splunk_emulator, offset="30", count="30")
    assert not set(first) & set(second)
    everything, _ = _list(splunk_emulator, user="user", count="0")
    assert len(everything) == paging["total"]
