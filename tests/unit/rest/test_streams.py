"""streams: the scope check, ThousandEyes' refusals shown as such, ours only, and the HEC token
never in an answer, against the simulator's /v7/streams (its endpoint check off unless a test
turns it on; the whole page is in tests/acceptance/setup_page/test_streams_page.py)."""

import contextlib
import json
import socket
import threading

import pytest
import requests
from ta_thousandeyes import connections
from ta_thousandeyes import streams as model
from ta_thousandeyes.rest import handlers

from .conftest import connect_by_device

TOKEN = "6f1c2a3b-0000-4000-8000-1234567890ab"
H = handlers.StreamsHandler
AID = "2001"


@pytest.fixture
def streams_sim(sim):
    sim.sim.ctx.streams.endpoint_check = False
    sim.sim.streams.auto_push = False  # nothing listens at hec.example.com
    return sim


def connect_with_api_token(call, sim):
    connections.create_connection(call.service, "prod", "us1", "api_token")
    form = [("api_token", sim.api_token)]
    reply = call(handlers.ConnectionsHandler, "POST", "connections/prod/token", form=form)
    assert reply.status == 200, reply.text


def api(sim, method, path, body=None):
    """A call another ThousandEyes client makes (the user's own API token)."""
    url = sim.sim.region_urls("us1")["api_base_url"] + path
    answer = requests.request(method, url, json=body, params={"aid": AID}, timeout=10,
                              headers={"Authorization": f"Bearer {sim.api_token}"},
                              verify=sim.ca_path)  # fmt: skip
    assert answer.status_code < 300, answer.text
    return answer.json()


def sent(sim, method):
    """The JSON members of the add-on's stream writes with this method, decoded, in order."""
    return [{k: json.loads(v) if v[:1] in "[{" or v in ("true", "false") else v
             for k, v in r.params.items()}
            for r in sim.sim.request_log
            if r.method == method and "/streams" in r.path]  # fmt: skip


def _form(**extra):
    form = {"connection": "prod", "aid": AID, "name": "metrics", "tests": "11, 12",
            "hec_url": "https://hec.example.com:8088/services/collector/event",
            "hec_token": TOKEN, "index": "te", "test_types": "agent-to-server"}  # fmt: skip
    form.update(extra)
    return [(k, v) for k, v in form.items() if v is not None]


def test_create_list_toggle_delete_and_the_token_is_never_answered(call, streams_sim):
    sim = streams_sim
    connect_with_api_token(call, sim)
    otel = {"type": "opentelemetry", "signal": "metric", "endpointType": "http",
            "streamEndpointUrl": "https://otel.example.com/v1/metrics",
            "name": "Someone else's"}  # fmt: skip
    theirs = api(sim, "POST", "/streams", otel)
    created = call(H, "POST", "streams", form=_form())
    assert created.status == 201, created.text
    (body,) = sent(sim, "POST")[1:]
    assert body["name"] == "TA-thousandeyes: metrics" and body["dataModelVersion"] == "v2"
    assert body["testMatch"] == [{"id": "11", "domain": "cea"}, {"id": "12", "domain": "cea"}]
    assert body["exporterConfig"]["splunkHec"] == {
        "token": TOKEN, "index": "te",
        "sourceType": "cisco:thousandeyes:metric", "source": "cisco:thousandeyes:stream",
    }  # fmt: skip
    assert body["filters"] == {"testTypes": {"values": ["agent-to-server"]}}
    ours = created.json["stream"]["id"]
    listed = call(H, "GET", "streams", query=[("connection", "prod"), ("aid", AID)])
    assert [(s["id"], s["ours"]) for s in listed.json["streams"]] == [
        (theirs["id"], False), (ours, True)]  # fmt: skip
    off = call(H, "POST", f"streams/{ours}",
               form=[("connection", "prod"), ("aid", AID), ("enabled", "0")])  # fmt: skip
    assert off.status == 200 and off.json["stream"]["enabled"] is False
    assert sent(sim, "PUT")[-1] == {"enabled": False}  # PUT carries only what changed
    moved = call(H, "POST", f"streams/{ours}",
                 form=[("connection", "prod"), ("aid", AID), ("index", "te2")])  # fmt: skip
    assert sent(sim, "PUT")[-1]["exporterConfig"]["splunkHec"]["token"] == TOKEN  # kept
    assert moved.json["stream"]["index"] == "te2"
    refused = call(H, "POST", f"streams/{theirs['id']}/delete",
                   form=[("connection", "prod"), ("aid", AID)])  # fmt: skip
    assert refused.status == 403
    gone = call(H, "POST", f"streams/{ours}/delete", form=[("connection", "prod"), ("aid", AID)])
    assert gone.status == 200
    assert [r.stream_id for r in sim.sim.streams.records()] == [theirs["id"]]
    for reply in (created, listed, off, moved):
        assert TOKEN not in reply.text and reply.json is not None


def test_scope_missing_is_refused_with_what_to_do(call, streams_sim):
    sim = streams_sim
    connections.create_connection(call.service, "prod", "us1", "device_code")
    connect_by_device(call, sim, "prod")  # the base scopes: no streams:manage
    refused = call(H, "GET", "streams", query=[("connection", "prod"), ("aid", AID)])
    assert refused.status == 409 and "streams:manage" in refused.json["error"]
    assert "connect" in refused.json["error"]
    assert not [r for r in sim.sim.request_log if "/streams" in r.path]
    # what to do is the setup page's checkbox, not a conf edit
    assert '"Streams (streams:manage)"' in refused.json["error"]
    assert "Reconnect to grant streams:manage" in refused.json["error"]
    assert ".conf" not in refused.json["error"]
    form = [("features", "streams")]
    assert (
        call(handlers.ConnectionsHandler, "POST", "connections/prod/features", form).status == 200
    )
    connect_by_device(call, sim, "prod")  # reconnect: streams:manage asked for and granted
    assert call(H, "GET", "streams", query=[("connection", "prod"), ("aid", AID)]).status == 200


@contextlib.contextmanager
def not_tls_listener():
    """An HTTPS URL whose server speaks no TLS: ThousandEyes' handshake with it fails."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer():
        with contextlib.suppress(OSError):
            while True:
                peer, _ = server.accept()
                with peer:
                    peer.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.getsockname()[1]}/services/collector/event"
    finally:
        server.close()


def test_limit_and_endpoint_errors_are_named(call, streams_sim):
    sim = streams_sim
    connect_with_api_token(call, sim)
    sim.sim.ctx.streams.endpoint_check = True
    with not_tls_listener() as not_tls:
        reply = call(H, "POST", "streams", form=_form(hec_url=not_tls))
    assert reply.status == 400 and "bad certificate" in reply.json["error"], reply.text
    closed = "https://127.0.0.1:9/services/collector/event"
    reply = call(H, "POST", "streams", form=_form(hec_url=closed))
    assert reply.status == 400 and "reachable from ThousandEyes" in reply.json["error"]
    sim.sim.ctx.streams.endpoint_check = False
    for number in range(model.MAX_STREAMS_PER_GROUP):
        assert call(H, "POST", "streams", form=_form(name=f"m{number}")).status == 201
    reply = call(H, "POST", "streams", form=_form())
    assert reply.status == 409 and "at most 10" in reply.json["error"], reply.text
    assert TOKEN not in reply.text


def test_a_token_without_the_scope_is_named_when_the_record_claims_it(call, streams_sim):
    """The saved scopes say streams:manage, ThousandEyes answers 403 (the grant changed)."""
    sim = streams_sim
    connections.create_connection(call.service, "prod", "us1", "device_code")
    connect_by_device(call, sim, "prod")
    claimed = connections.get_connection(call.service, "prod").scopes + ["streams:manage"]
    connections.update_connection(call.service, "prod", scopes=claimed)
    reply = call(H, "POST", "streams", form=_form())
    assert reply.status == 409 and "streams:manage" in reply.json["error"], reply.text
    assert TOKEN not in reply.text


def test_bad_parameters(call, streams_sim):
    connect_with_api_token(call, streams_sim)
    for form in (_form(hec_url="http://plain:8088/x"), _form(tests="abc"),
                 _form(tags="Bad Key=1"), _form(test_types="nope"),
                 _form(create_hec_token="1"), _form(hec_token=None), _form(aid="999")):  # fmt: skip
        reply = call(H, "POST", "streams", form=form)
        assert reply.status == 400, form
    assert sent(streams_sim, "POST") == []  # nothing reached ThousandEyes


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
