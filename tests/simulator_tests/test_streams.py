"""/v7/streams (and /v7/stream) conform to the official streaming SDK and the reference.

Sources: ``shared/reference/thousandeyes-streams-endpoint.md`` section 1 — SDK-ST
(``thousandeyes-sdk-streaming`` 5.0.2 models and ``streaming_api.py``: statuses, ``?type``,
``Stream``/``PutStream`` fields, ``splunk-hec`` rules, ``Signal``/``DataModelVersion`` rules,
``ExporterConfigSplunkHec`` defaults), SDK-STD (10 streams, then 412), OA-S (``/v7/stream``,
error bodies), DOC-OA (``streams:manage``), DOC-V2 (metric names and attributes), DOC-SL
(BGP is event-driven), OTEL-HEC (the HEC event shape).
"""

from __future__ import annotations

import pytest
import requests
from thousandeyes_sdk.streaming.models import (
    ApiErrorIntegrationLimits,
    BadRequestError,
    CreateStreamResponse,
    GetStreamResponse,
)

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.stream_push import V2_METRICS, point_key

from .helpers import device_login
from .strict_models import strict_parse

HEC_BODY = {
    "type": "splunk-hec", "signal": "metric", "endpointType": "http", "dataModelVersion": "v2",
    "streamEndpointUrl": "https://hec.example:8088/services/collector/event",
    "exporterConfig": {"splunkHec": {"token": "abc", "index": "te"}},
}  # fmt: skip


@pytest.fixture(scope="module")
def sim():
    with ThousandEyesSimulator(seed=7, size="small", stream_endpoint_check=False,
                               rate_limit_per_minute=100000,
                               client_rate_limit_per_minute=100000) as running:  # fmt: skip
        running.token = running.create_api_token("admin@example.com")
        running.streams.auto_push = False  # nothing listens at hec.example
        yield running


def _call(sim, method, path, body=None, token=None, **params):
    url = sim.region_urls("us1")["api_base_url"] + path
    headers = {"Authorization": f"Bearer {token or sim.token}"}
    return requests.request(method, url, json=body, params=params or None, headers=headers,
                            timeout=10)  # fmt: skip


def _clear(sim):
    for record in sim.streams.records():
        answer = _call(sim, "DELETE", f"/streams/{record.stream_id}", aid=record.aid)
        assert answer.status_code == 204


def test_create_get_list_update_delete(sim):
    """SDK-ST: create 201 CreateStreamResponse (created audit pair only), get 200
    GetStreamResponse, list a bare array, PUT overwrites what it carries and keeps the
    rest (name kept when omitted), delete 204, then 404."""
    _clear(sim)
    created = _call(sim, "POST", "/streams", HEC_BODY)
    assert created.status_code == 201, created.text
    strict_parse(CreateStreamResponse, created.json())
    body = created.json()
    assert body["auditOperation"].keys() == {"createdBy", "createdDate"}
    assert body["streamStatus"] == {"status": "pending"}
    assert body["exporterConfig"]["splunkHec"]["source"] == "ThousandEyesOTel"  # SDK default
    stream_id = body["id"]
    assert created.headers["Location"].endswith(f"/streams/{stream_id}")
    listed = _call(sim, "GET", "/streams").json()
    assert [s["id"] for s in listed] == [stream_id]
    for item in listed:
        strict_parse(GetStreamResponse, item)
    assert _call(sim, "GET", "/streams", type="opentelemetry").json() == []
    updated = _call(sim, "PUT", f"/streams/{stream_id}", {"enabled": False, "testMatch": [
        {"id": "10001", "domain": "cea"}]})  # fmt: skip
    assert updated.status_code == 200
    # the log keeps what a stream write asked for (it may hold a HEC token: never listed)
    put = [r for r in sim.request_log if r.method == "PUT"][-1]
    assert put.params == {"enabled": "false", "testMatch": '[{"id": "10001", "domain": "cea"}]'}
    post = [r for r in sim.request_log if r.method == "POST"][-1]
    assert '"token": "abc"' in post.params["exporterConfig"]
    assert "params" not in post.to_dict() and "abc" not in repr(post)
    got = strict_parse(GetStreamResponse, _call(sim, "GET", f"/streams/{stream_id}").json())
    assert got.enabled is False and got.name == body["name"] and got.test_match[0].id == "10001"
    assert got.audit_operation.updated_by == 3001 and got.type.value == "splunk-hec"
    assert _call(sim, "DELETE", f"/streams/{stream_id}").status_code == 204
    assert _call(sim, "GET", f"/streams/{stream_id}").status_code == 404


def test_singular_path_is_the_same_collection(sim):
    """OA-S and the official Splunk app use /v7/stream and /v7/stream/{id}."""
    _clear(sim)
    created = _call(sim, "POST", "/stream", HEC_BODY).json()
    assert _call(sim, "GET", f"/stream/{created['id']}").json()["id"] == created["id"]
    assert [s["id"] for s in _call(sim, "GET", "/streams").json()] == [created["id"]]


@pytest.mark.parametrize(
    "change, words",
    [
        ({"type": "kafka"}, "type"),
        ({"endpointType": "grpc"}, "http when type is splunk-hec"),
        ({"exporterConfig": {"splunkHec": {"index": "te"}}}, "token is required"),
        ({"streamEndpointUrl": "http://hec.example:8088/x"}, "HTTPS"),
        ({"signal": "trace", "dataModelVersion": "v1"}, "requires dataModelVersion v2"),
        ({"filters": {"testTypes": {"values": ["ping"]}}}, "Invalid test type"),
        ({"tagMatch": [{"key": "Bad Key", "value": "x"}]}, "OpenTelemetry attribute"),
        ({"testMatch": [{"id": "1", "domain": "mobile"}]}, "domain"),
        ({"name": ""}, "255"),
    ],
)
def test_validation_errors_are_bad_requests(sim, change, words):
    """400 BadRequestError {timestamp, httpStatus, errors[], path} (SDK-ST, OA-S)."""
    answer = _call(sim, "POST", "/streams", {**HEC_BODY, **change})
    assert answer.status_code == 400
    error = strict_parse(BadRequestError, answer.json())
    assert error.http_status == "BAD_REQUEST" and words in error.errors[0]
    assert error.path.endswith("/v7/streams")


def test_grpc_url_without_path_and_otel_type(sim):
    _clear(sim)
    grpc = {"type": "opentelemetry", "endpointType": "grpc",
            "streamEndpointUrl": "https://otel.example:4317/collector"}  # fmt: skip
    assert _call(sim, "POST", "/streams", grpc).status_code == 400
    grpc["streamEndpointUrl"] = "https://otel.example:4317"
    assert _call(sim, "POST", "/streams", grpc).status_code == 201


def test_eleventh_stream_is_412(sim):
    """SDK-STD: at most 10 data streams per account group; ApiErrorIntegrationLimits."""
    _clear(sim)
    for _ in range(10):
        assert _call(sim, "POST", "/streams", HEC_BODY).status_code == 201
    answer = _call(sim, "POST", "/streams", HEC_BODY)
    assert answer.status_code == 412
    error = strict_parse(ApiErrorIntegrationLimits, answer.json())
    assert error.http_status == "PRECONDITION_FAILED" and "10" in error.errors[0]
    assert _call(sim, "POST", "/streams", HEC_BODY, aid="2002").status_code == 201  # per group
    _clear(sim)


def test_other_account_group_cannot_see_the_stream(sim):
    _clear(sim)
    created = _call(sim, "POST", "/streams", HEC_BODY).json()
    assert _call(sim, "GET", f"/streams/{created['id']}", aid="2002").status_code == 404
    assert _call(sim, "DELETE", f"/streams/{created['id']}", aid="2002").status_code == 404


def test_writes_need_streams_manage(sim):
    """DOC-OA: streams:manage. A token without it gets 403 insufficient_scope."""
    narrow = device_login(sim, scope="tests:read offline_access")["access_token"]
    for method, path in (("GET", "/streams"), ("POST", "/streams"), ("DELETE", "/streams/x")):
        answer = _call(sim, method, path, HEC_BODY, token=narrow)
        assert answer.status_code == 403
        assert 'scope="streams:manage"' in answer.headers["WWW-Authenticate"]


def test_unreachable_endpoint_is_refused_on_create():
    """ThousandEyes checks the endpoint (SDK: "Be reachable"); the official app reads
    "connection issue" / "TLS/SSL" in the 400 (TA)."""
    with ThousandEyesSimulator(seed=7, size="tiny") as checking:
        token = checking.create_api_token("admin@example.com")
        body = {**HEC_BODY, "streamEndpointUrl": "https://127.0.0.1:9/services/collector/event"}
        answer = _call(checking, "POST", "/streams", body, token=token)
        assert answer.status_code == 400 and "connection issue" in answer.json()["errors"][0]
        body["enabled"] = False  # a disabled stream is not checked
        assert _call(checking, "POST", "/streams", body, token=token).status_code == 201


# ----------------------------------------------------------------- what a stream sends
def _stream(sim, **extra):
    _clear(sim)
    return _call(sim, "POST", "/streams", {**HEC_BODY, **extra}).json()["id"]


def test_ground_truth_is_hec_metric_events_of_data_model_v2(sim):
    """OTEL-HEC shape, DOC-V2 names and common attributes; every test type of the default
    group that has v2 metrics appears; API and voice tests send none (not retrieved)."""
    stream_id = _stream(sim)
    now = sim.clock.now()
    events = sim.streams.ground_truth(stream_id, now, now + 3600)
    assert events
    types = set()
    for event in events:
        assert event["event"] == "metric" and event["host"] == "unknown"
        assert event["index"] == "te" and event["sourcetype"] == "ThousandEyesOTel"
        fields = event["fields"]
        names = [k for k in fields if k.startswith("metric_name:")]
        assert len(names) == 1 and fields["metric_type"] == "Gauge"
        assert fields["thousandeyes.stream.id"] == stream_id
        assert fields["thousandeyes.account.id"] == "2001"
        assert fields["thousandeyes.data.version"] == "v2"
        assert all(
            isinstance(v, str) for k, v in fields.items() if not k.startswith("metric_name:")
        )
        types.add(fields["thousandeyes.test.type"])
    assert "api" not in types and "voice" not in types
    assert {"agent-to-server", "http-server", "page-load", "dns-server"} <= types
    keys = [point_key(e) for e in events]
    assert len(keys) == len(set(keys))  # one event per data point
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
    assert sim.streams.ground_truth(stream_id, now, now + 3600) == events  # reproducible


def test_http_server_tests_send_every_layer(sim):
    """DOC-V2 http-server metrics plus the network layer (DOC-SL)."""
    test = next(t for t in sim.world.tests_in("2001") if t.test_type == "http-server")
    stream_id = _stream(sim, testMatch=[{"id": test.test_id, "domain": "cea"}])
    now = sim.clock.now()
    events = sim.streams.ground_truth(stream_id, now, now + test.interval)
    names = {k for e in events for k in e["fields"] if k.startswith("metric_name:")}
    assert names == {
        "metric_name:http.server.request.availability", "metric_name:http.server.throughput",
        "metric_name:http.client.request.duration", "metric_name:network.latency",
        "metric_name:network.loss", "metric_name:network.jitter",
    }  # fmt: skip
    assert {e["fields"]["thousandeyes.test.id"] for e in events} == {test.test_id}
    per_agent = len(test.agent_ids) * 6
    assert len(events) == per_agent  # one round


def test_filters_select_tests(sim):
    """testMatch and tagMatch pick tests, filters.testTypes keeps only those types; tag
    values become attributes carrying the list of the tag's values (DOC-V1)."""
    tests = sim.world.tests_in("2001")
    production = [t for t in tests if sim.streams.tags_of(t.test_id)["env"] == ["production"]]
    stream_id = _stream(
        sim,
        tagMatch=[{"key": "env", "value": "production"}],
        filters={"testTypes": {"values": ["agent-to-agent", "page-load"]}},
    )
    now = sim.clock.now()
    events = sim.streams.ground_truth(stream_id, now, now + 3600)
    chosen = {e["fields"]["thousandeyes.test.id"] for e in events}
    expected = {t.test_id for t in production if t.test_type in ("agent-to-agent", "page-load")}
    assert chosen == expected and expected
    assert all(e["fields"]["env"] == '["production"]' for e in events)


def test_v2_metric_names_cover_the_reference_table():
    assert set(V2_METRICS) == {"network", "http-server", "page-load", "web-transactions",
                               "dns-server", "dns-trace", "dnssec", "ftp-server", "sip-server",
                               "bgp"}  # fmt: skip


def test_trace_streams_send_spans_in_the_hec_exporters_shape(sim):
    """OTEL-HEC ``tracedata_to_splunk.go``: one event per span, ``event`` the span (trace_id,
    span_id, parent_span_id, name, kind, start_time/end_time in ns, status{code, message},
    attributes), ``fields`` the resource attributes, ``time`` the start in seconds. Which
    tests: page-load, web-transactions and API (TA's trace test list)."""
    tests = sim.world.tests_in("2001")
    stream_id = _stream(sim, signal="trace",
                        testMatch=[{"id": t.test_id, "domain": "cea"} for t in tests])  # fmt: skip
    now = sim.clock.now()
    events = sim.streams.ground_truth(stream_id, now, now + 3600)
    assert events
    assert {e["fields"]["thousandeyes.test.type"] for e in events} == {
        "page-load",
        "web-transactions",
        "api",
    }
    for event in events:
        span = event["event"]
        assert set(span) == {"trace_id", "span_id", "parent_span_id", "name", "kind",
                             "start_time", "end_time", "status", "attributes"}  # fmt: skip
        assert span["start_time"] == int(event["time"]) * 1_000_000_000 <= span["end_time"]
        assert len(span["trace_id"]) == 32 and len(span["span_id"]) == 16
        assert event["fields"]["thousandeyes.source.agent.id"]
    assert sim.streams.ground_truth(stream_id, now, now + 3600) == events  # reproducible
