"""Conformance: the KV store's limits and collections.conf field types (the stand-in alone).

Sources (tests/simulators/splunk/kvlimits.py cites them in full):
- limits.conf.spec (9.4) [kvstore]: max_documents_per_batch_save = 1000, max_rows_per_query =
  50000 ("larger results are cut").
- splunkd's refusal of a larger batch, HTTP 400 "Request exceeds API limits - see limits.conf
  for details. (Too many documents for a single batch save, max_documents_per_batch_save=1000)"
  (quoted from a splunk.BadRequest in a public add-on's comment).
- REST API reference, KV store endpoint descriptions (6.2.3/6.4.0): 16 MB per document.
- collections.conf.spec (9.4): field.<name> = number|bool|string|time, untyped fields keep their
  JSON type; enforceTypes default false: an invalid field is dropped; true: the insert fails.
"""

import json

import pytest
import requests

APP = "tiny_app"
TYPES = {"n": "number", "flag": "bool", "when": "time", "s": "string"}


class Kv:
    def __init__(self, emulator):
        self.emulator = emulator
        self.key = emulator.login("admin", "changeme")

    def url(self, collection, rest=""):
        base = f"{self.emulator.splunkd_uri}/servicesNS/nobody/{APP}/storage/collections/data/"
        return base + collection + (("/" + rest) if rest else "")

    def call(self, method, collection, rest="", body=None, **params):
        return requests.request(
            method,
            self.url(collection, rest),
            params=params,
            data=None if body is None else json.dumps(body),
            headers={"Authorization": "Splunk " + self.key, "Content-Type": "application/json"},
            verify=self.emulator.ca_bundle_path,
        )

    def documents(self, collection, **params):
        response = self.call("GET", collection, **params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def kv(splunk_emulator):
    service = splunk_emulator.service("admin", app=APP)
    service.kvstore.create("typed", fields=TYPES)
    service.kvstore.create("strict", fields=TYPES, enforceTypes="true")
    return Kv(splunk_emulator)


def test_batch_save_takes_at_most_1000_documents(kv):
    refused = kv.call("POST", "typed", "batch_save", [{"_key": str(i)} for i in range(1001)])
    assert refused.status_code == 400
    assert refused.json()["messages"][0]["text"] == (
        "Request exceeds API limits - see limits.conf for details. (Too many documents for a "
        "single batch save, max_documents_per_batch_save=1000)"
    )
    assert kv.documents("typed") == []  # nothing of the refused batch was written
    saved = kv.call("POST", "typed", "batch_save", [{"_key": str(i)} for i in range(1000)])
    assert saved.status_code == 200 and len(saved.json()) == 1000
    assert len(kv.documents("typed")) == 1000


def test_a_document_over_16_mb_is_refused(kv):
    big = {"_key": "big", "s": "x" * (16 * 1024 * 1024)}
    for response in (
        kv.call("POST", "typed", body=big),
        kv.call("POST", "typed", "batch_save", [big]),
    ):
        assert response.status_code == 400
        assert response.json()["messages"][0]["text"].startswith("Request exceeds API limits")
    assert kv.documents("typed") == []
    fits = {"_key": "fits", "s": "x" * (15 * 1024 * 1024)}
    assert kv.call("POST", "typed", body=fits).status_code == 201


def test_values_are_stored_as_the_declared_type(kv):
    document = {"_key": "a", "n": "5", "flag": "true", "when": "1700000000", "s": 7, "free": 3}
    assert kv.call("POST", "typed", body=document).status_code == 201
    stored = kv.call("GET", "typed", "a").json()
    assert stored["n"] == 5.0 and isinstance(stored["n"], float)
    assert stored["flag"] is True
    assert stored["when"] == 1700000000.0 and isinstance(stored["when"], float)
    assert stored["s"] == "7"
    assert stored["free"] == 3 and isinstance(stored["free"], int)  # untyped: its JSON type
    kv.call("POST", "typed", "batch_save", [{"_key": "b", "flag": 0, "n": [1, "2"]}])
    second = kv.call("GET", "typed", "b").json()
    assert second["flag"] is False and second["n"] == [1.0, 2.0]
    assert kv.documents("typed", query=json.dumps({"n": {"$gt": 4}})) == [stored]


def test_invalid_field_is_dropped_unless_enforce_types(kv):
    bad = {"_key": "x", "n": "five", "flag": "maybe", "s": "kept"}
    assert kv.call("POST", "typed", body=bad).status_code == 201
    stored = kv.call("GET", "typed", "x").json()
    assert "n" not in stored and "flag" not in stored and stored["s"] == "kept"

    refused = kv.call("POST", "strict", body=bad)
    assert refused.status_code == 400
    batch = kv.call("POST", "strict", "batch_save", [{"_key": "ok", "n": 1}, bad])
    assert batch.status_code == 400
    update = kv.call("POST", "strict", "x", {"n": "five"})
    assert update.status_code == 400
    assert kv.documents("strict") == []
    assert kv.call("POST", "strict", body={"_key": "ok", "n": "1"}).status_code == 201


def test_queries_return_at_most_50000_rows(kv, splunk_emulator):
    splunk_emulator.kvstore.save(APP, "typed", [{"_key": str(i)} for i in range(50001)])
    assert len(kv.documents("typed")) == 50000
    assert len(kv.documents("typed", limit=60000)) == 50000
    assert len(kv.documents("typed", skip=49999, limit=10)) == 2
