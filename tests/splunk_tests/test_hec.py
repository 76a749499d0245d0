"""The stand-in's HTTP Event Collector and data/inputs/http answer as Splunk's do.

Sources (details in ``tests/simulators/splunk/hec.py`` and ``hec_endpoint.py``):
help.splunk.com "HTTP Event Collector REST API endpoints", "Format events for HTTP Event
Collector", "Use cURL to manage HTTP Event Collector tokens, events, and services",
"Troubleshoot HTTP Event Collector"; HEC's status codes as Splunk's table gives them
(SplunkAdmins app ``splunkadmins_hec_reply_code_lookup.csv``; OpenTelemetry
splunkhecreceiver constants); batches stop at the first bad event (moby/moby#35862,
open-telemetry/opentelemetry-collector-contrib#36113); token entries named ``http://<name>``
with ``indexes`` a list (splunk/terraform-provider-splunk client models).
"""

import os

import pytest
import requests

from tests.simulators.splunk import SplunkEmulator


@pytest.fixture
def splunk(tmp_path):
    with SplunkEmulator(splunk_home=tmp_path / "splunk", hec_enabled=True) as emulator:
        emulator.admin = {"Authorization": "Splunk " + emulator.login("admin", "changeme")}
        yield emulator


def _rest(splunk, method, path, **data):
    return requests.request(method, splunk.splunkd_uri + path, data=data or None,
                            params={"output_mode": "json"}, headers=splunk.admin,
                            verify=splunk.ca_bundle_path, timeout=10)  # fmt: skip


def _send(splunk, body, token=None, header=None, path="/services/collector/event"):
    headers = {"Authorization": header or f"Splunk {token}"} if (token or header) else {}
    answer = requests.post(splunk.hec_url + path, data=body, headers=headers,
                           verify=splunk.ca_bundle_path, timeout=10)  # fmt: skip
    return answer.status_code, answer.json()


def test_token_created_through_rest_is_in_the_entry_content(splunk):
    """POST data/inputs/http name=... answers 201 with the token; the stanza is
    [http://<name>] in the namespace app's local/inputs.conf (splunk_httpinput here)."""
    answer = _rest(splunk, "POST", "/servicesNS/nobody/splunk_httpinput/data/inputs/http",
                   name="te", index="te_metrics", indexes="te_metrics,main",
                   sourcetype="cisco:thousandeyes:metric")  # fmt: skip
    assert answer.status_code == 201, answer.text
    entry = answer.json()["entry"][0]
    assert entry["name"] == "http://te" and entry["acl"]["app"] == "splunk_httpinput"
    content = entry["content"]
    assert len(content["token"]) == 36 and content["indexes"] == ["te_metrics", "main"]
    assert content["disabled"] is False
    conf = os.path.join(splunk.apps_dir, "splunk_httpinput", "local", "inputs.conf")
    with open(conf, encoding="utf-8") as handle:
        text = handle.read()
    assert "[http://te]" in text and content["token"] in text
    listed = _rest(splunk, "GET", "/services/data/inputs/http").json()["entry"]
    assert [e["name"] for e in listed] == ["http://te"]  # the global [http] is not a token
    assert _rest(splunk, "POST", "/services/data/inputs/http", name="te").status_code == 409


def test_disable_enable_delete(splunk):
    token = splunk.create_hec_token("t1")
    assert _rest(splunk, "POST", "/services/data/inputs/http/t1/disable").status_code == 200
    assert _send(splunk, '{"event":"x"}', token) == (403, {"text": "Token disabled", "code": 1})
    assert _rest(splunk, "POST", "/services/data/inputs/http/t1/enable").status_code == 200
    assert _send(splunk, '{"event":"x"}', token)[0] == 200
    assert _rest(splunk, "DELETE", "/services/data/inputs/http/t1").status_code == 200
    assert _send(splunk, '{"event":"x"}', token) == (403, {"text": "Invalid token", "code": 4})
    assert _rest(splunk, "GET", "/services/data/inputs/http/t1").status_code == 404


def test_managing_tokens_needs_edit_token_http(splunk):
    splunk.add_user("bob", "pw", roles=["user"])
    bob = {"Authorization": "Splunk " + splunk.login("bob", "pw")}
    answer = requests.post(splunk.splunkd_uri + "/services/data/inputs/http", data={"name": "b"},
                           headers=bob, verify=splunk.ca_bundle_path, timeout=10)  # fmt: skip
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "header, status, code, text",
    [
        (None, 401, 2, "Token is required"),
        ("Bearer abc", 401, 3, "Invalid authorization"),
        ("Splunk not-a-token", 403, 4, "Invalid token"),
    ],
)
def test_authorization_answers(splunk, header, status, code, text):
    assert _send(splunk, '{"event":"x"}', header=header) == (status, {"text": text, "code": code})


def test_data_answers(splunk):
    token = splunk.create_hec_token("t1", indexes="main")
    assert _send(splunk, "", token) == (400, {"text": "No data", "code": 5})
    assert _send(splunk, '{"event":', token) == (
        400,
        {"text": "Invalid data format", "code": 6, "invalid-event-number": 0},
    )
    assert _send(splunk, '{"time":1}', token) == (
        400,
        {"text": "Event field is required", "code": 12, "invalid-event-number": 0},
    )
    assert _send(splunk, '{"event":""}', token) == (
        400,
        {"text": "Event field cannot be blank", "code": 13, "invalid-event-number": 0},
    )
    assert _send(splunk, '{"event":"x","index":"other"}', token) == (
        400,
        {"text": "Incorrect index", "code": 7, "invalid-event-number": 0},
    )
    assert _send(splunk, '{"event":"x","fields":{"a":{"b":1}}}', token) == (
        400,
        {"text": "Error in handling indexed fields", "code": 15, "invalid-event-number": 0},
    )
    assert _send(splunk, "", token, path="/services/collector/health") == (
        200,
        {"text": "HEC is healthy", "code": 17},
    )


def test_batch_indexes_with_event_then_token_then_default_metadata(splunk):
    token = splunk.create_hec_token("t1", index="te", sourcetype="st:token")
    body = (
        '{"event":"one","time":1700000000.123,"host":"h1","source":"s1","sourcetype":"st:ev",'
        '"index":"main","fields":{"metric_name:x":1.5,"k":"v"}}\n'
        '{"event":{"two":2}}'
    )
    assert _send(splunk, body, token) == (200, {"text": "Success", "code": 0})
    first, second = splunk.indexed_events(index="main") + splunk.indexed_events(index="te")
    assert (first["_time"], first["host"], first["source"], first["sourcetype"]) == (
        1700000000.123,
        "h1",
        "s1",
        "st:ev",
    )
    assert first["fields"] == {"metric_name:x": 1.5, "k": "v"} and first["_raw"] == "one"
    assert second["index"] == "te" and second["sourcetype"] == "st:token"
    assert second["source"] == "http:t1" and second["_raw"] == '{"two":2}'
    assert second["stanza"] == "http://t1"


def test_defaults_without_token_settings(splunk):
    token = splunk.create_hec_token("plain")
    _send(splunk, '{"event":"x"}', token)
    (event,) = splunk.indexed_events()
    assert (event["index"], event["sourcetype"], event["source"]) == (
        "main",
        "httpevent",
        "http:plain",
    )


def test_a_bad_event_stops_the_batch_after_the_good_ones(splunk):
    token = splunk.create_hec_token("t1")
    body = '{"event":"a"}{"event":"b"}{"nope":1}{"event":"c"}'
    assert _send(splunk, body, token) == (
        400,
        {"text": "Event field is required", "code": 12, "invalid-event-number": 2},
    )
    assert [e["_raw"] for e in splunk.indexed_events()] == ["a", "b"]


def test_collector_alias_and_global_switch(tmp_path):
    """/services/collector takes the same protocol; with [http] disabled (Splunk's default)
    HEC takes no connections, and data/inputs/http/http turns it on."""
    with SplunkEmulator(splunk_home=tmp_path / "splunk") as splunk:
        splunk.admin = {"Authorization": "Splunk " + splunk.login("admin", "changeme")}
        token = splunk.create_hec_token("t1")
        with pytest.raises(requests.exceptions.ConnectionError):
            _send(splunk, '{"event":"x"}', token)
        glob = _rest(splunk, "POST", "/services/data/inputs/http/http", disabled="0")
        assert glob.json()["entry"][0]["content"]["disabled"] is False
        assert _send(splunk, '{"event":"x"}', token, path="/services/collector")[0] == 200
