"""streams: the scope check, ThousandEyes' refusals shown as such, ours only, and the HEC token
never in an answer (the ThousandEyes side is a stub client; the real one is in the acceptance
test tests/acceptance/setup_page/test_streams_page.py)."""

import copy

from ta_thousandeyes import api_client, assembly, connections
from ta_thousandeyes import streams as model
from ta_thousandeyes.rest import handlers
from ta_thousandeyes.rest import streams as rest_streams

TOKEN = "6f1c2a3b-0000-4000-8000-1234567890ab"


class _Client:
    def __init__(self, streams=None, fail=None):
        self.streams = {s["id"]: s for s in streams or []}
        self.fail = fail
        self.sent = []

    def send(self, method, path, body=None, aid=None):
        self.sent.append((method, path, copy.deepcopy(body), aid))
        if self.fail and method in ("POST", "PUT"):
            raise api_client.ApiError(*self.fail)
        parts = path.strip("/").split("/")
        if method == "GET" and len(parts) == 1:
            return list(self.streams.values())
        if method == "POST":
            stream = dict(body, id="s1", streamStatus={"status": "pending"})
            self.streams["s1"] = stream
            return stream
        if method == "GET":
            return self.streams[parts[1]]
        if method == "PUT":
            self.streams[parts[1]].update(body)
            return self.streams[parts[1]]
        del self.streams[parts[1]]
        return None


class _Connection:
    def __init__(self, auth_method=connections.API_TOKEN, scopes=()):
        self.config = connections.ConnectionConfig(
            name="prod", region="us1", auth_method=auth_method, scopes=list(scopes),
            account_groups=[{"aid": "2001", "name": "Prod"}],
        )  # fmt: skip

    def close(self):
        pass


def _wire(monkeypatch, client, connection=None):
    monkeypatch.setattr(assembly, "open_connection", lambda s, n: connection or _Connection())
    monkeypatch.setattr(rest_streams, "client_for", lambda connection, name: client)


def _form(**extra):
    form = {"connection": "prod", "aid": "2001", "name": "metrics", "tests": "11, 12",
            "hec_url": "https://hec.example.com:8088/services/collector/event",
            "hec_token": TOKEN, "index": "te", "test_types": "agent-to-server"}  # fmt: skip
    form.update(extra)
    return [(k, v) for k, v in form.items() if v is not None]


def test_create_list_toggle_delete_and_the_token_is_never_answered(call, monkeypatch):
    client = _Client([{"id": "x9", "name": "Someone else's", "type": "opentelemetry"}])
    _wire(monkeypatch, client)
    created = call(handlers.StreamsHandler, "POST", "streams", form=_form())
    assert created.status == 201, created.text
    body = client.sent[-1][2]
    assert body["name"] == "TA-thousandeyes: metrics" and body["dataModelVersion"] == "v2"
    assert body["testMatch"] == [{"id": "11", "domain": "cea"}, {"id": "12", "domain": "cea"}]
    assert body["exporterConfig"]["splunkHec"] == {
        "token": TOKEN, "index": "te",
        "sourceType": "cisco:thousandeyes:metric", "source": "cisco:thousandeyes:stream",
    }  # fmt: skip
    assert body["filters"] == {"testTypes": {"values": ["agent-to-server"]}}
    listed = call(handlers.StreamsHandler, "GET", "streams",
                  query=[("connection", "prod"), ("aid", "2001")])  # fmt: skip
    assert [(s["id"], s["ours"]) for s in listed.json["streams"]] == [("x9", False), ("s1", True)]
    off = call(handlers.StreamsHandler, "POST", "streams/s1",
               form=[("connection", "prod"), ("aid", "2001"), ("enabled", "0")])  # fmt: skip
    assert off.status == 200 and off.json["stream"]["enabled"] is False
    assert client.sent[-1][2] == {"enabled": False}  # PUT carries only what changed
    moved = call(handlers.StreamsHandler, "POST", "streams/s1",
                 form=[("connection", "prod"), ("aid", "2001"), ("index", "te2")])  # fmt: skip
    assert client.sent[-1][2]["exporterConfig"]["splunkHec"]["token"] == TOKEN  # kept
    assert moved.json["stream"]["index"] == "te2"
    theirs = call(handlers.StreamsHandler, "POST", "streams/x9/delete",
                  form=[("connection", "prod"), ("aid", "2001")])  # fmt: skip
    assert theirs.status == 403
    gone = call(handlers.StreamsHandler, "POST", "streams/s1/delete",
                form=[("connection", "prod"), ("aid", "2001")])  # fmt: skip
    assert gone.status == 200 and "s1" not in client.streams
    for reply in (created, listed, off, moved):
        assert TOKEN not in reply.text and reply.json is not None


def test_scope_missing_is_refused_with_what_to_do(call, monkeypatch):
    client = _Client()
    _wire(monkeypatch, client, _Connection(connections.DEVICE_CODE, ["tests:read"]))
    refused = call(handlers.StreamsHandler, "GET", "streams",
                   query=[("connection", "prod"), ("aid", "2001")])  # fmt: skip
    assert refused.status == 409 and "streams:manage" in refused.json["error"]
    assert "connect" in refused.json["error"] and client.sent == []
    # what to do is the setup page's checkbox, not a conf edit
    assert '"Streams (streams:manage)"' in refused.json["error"]
    assert "Reconnect to grant streams:manage" in refused.json["error"]
    assert ".conf" not in refused.json["error"]
    _wire(monkeypatch, client, _Connection(connections.DEVICE_CODE, ["streams:manage"]))
    assert call(handlers.StreamsHandler, "GET", "streams",
                query=[("connection", "prod"), ("aid", "2001")]).status == 200  # fmt: skip


def test_limit_and_endpoint_errors_are_named(call, monkeypatch):
    cases = [
        ((412, "Maximum of 10 data streams per account group reached"), 409, "at most 10"),
        ((400, "Endpoint TLS/SSL handshake failed"), 400, "bad certificate"),
        ((400, "Endpoint connection issue: refused"), 400, "reachable from ThousandEyes"),
        ((403, "Insufficient scope"), 409, "streams:manage"),
    ]
    for fail, status, words in cases:
        _wire(monkeypatch, _Client(fail=fail))
        reply = call(handlers.StreamsHandler, "POST", "streams", form=_form())
        assert reply.status == status and words in reply.json["error"], reply.text
        assert TOKEN not in reply.text


def test_bad_parameters(call, monkeypatch):
    _wire(monkeypatch, _Client())
    for form in (_form(hec_url="http://plain:8088/x"), _form(tests="abc"),
                 _form(tags="Bad Key=1"), _form(test_types="nope"),
                 _form(create_hec_token="1"), _form(hec_token=None), _form(aid="999")):  # fmt: skip
        reply = call(handlers.StreamsHandler, "POST", "streams", form=form)
        assert reply.status == 400, form


def test_coverage_since_counts_only_what_surely_arrives():
    """Issue 19 point 5: only enabled, not failing splunk-hec metric v2 streams with dates
    cover, through their testMatch cea ids, since their last change (epoch ms -> s)."""
    made = {"createdDate": 1_700_000_000_000}
    hec = {"type": "splunk-hec", "signal": "metric", "dataModelVersion": "v2",
           "auditOperation": made}  # fmt: skip
    streams = [
        dict(hec, enabled=True,
             testMatch=[{"id": "11", "domain": "cea"}, {"id": "5", "domain": "endpoint"}]),
        dict(hec, enabled=False, testMatch=[{"id": "12", "domain": "cea"}]),
        dict(hec, testMatch=[{"id": "13", "domain": "cea"}],
             filters={"testTypes": {"values": ["bgp"]}}),
        dict(hec, testMatch=[{"id": "14", "domain": "cea"}], streamStatus={"status": "failing"}),
        dict(hec, testMatch=[{"id": "15", "domain": "cea"}], auditOperation={}),
        dict(hec, signal="trace", testMatch=[{"id": "16", "domain": "cea"}]),
        {"type": "opentelemetry", "signal": "metric", "testMatch": [{"id": "17"}],
         "auditOperation": made},
        dict(hec),  # no test named: covers nothing here
    ]  # fmt: skip
    assert model.coverage_since(streams) == {"11": 1_700_000_000.0}
    later = dict(hec, testMatch=[{"id": "11"}, {"id": "18"}],
                 auditOperation=dict(made, updatedDate=1_700_000_600_000))  # fmt: skip
    assert model.coverage_since(streams + [later]) == {"11": 1_700_000_000.0,
                                                       "18": 1_700_000_600.0}  # fmt: skip


def test_scope_of_a_connection():
    assert model.holds_scope(connections.API_TOKEN, [])
    assert model.holds_scope(connections.DEVICE_CODE, ["tests:read", "streams:manage"])
    assert not model.holds_scope(connections.DEVICE_CODE, ["tests:read"])
