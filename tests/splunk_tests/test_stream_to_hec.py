"""End to end through both stand-ins: a HEC token made with data/inputs/http, a splunk-hec
stream in the simulator pointing at the stand-in's HEC, the clock moved: the index holds
exactly the data points of ground truth; a wrong token makes the stream failing; a deleted
stream pushes no more.

Sources: as ``tests/simulator_tests/test_streams.py`` (the stream, its data points and
``streamStatus``) and ``tests/splunk_tests/test_hec.py`` (HEC); the stream the official Splunk
app creates (sourcetype ``cisco:thousandeyes:metric``, source ``cisco:thousandeyes:stream``,
URL ``https://{host}:{port}/services/collector/event``, TA in
``shared/reference/thousandeyes-streams-endpoint.md``).
"""

import pytest
import requests

from tests.simulators.splunk import SplunkEmulator
from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.rounds import PUBLISH_DELAY
from tests.simulators.thousandeyes.stream_push import point_key

SOURCETYPE = "cisco:thousandeyes:metric"


@pytest.fixture
def world(tmp_path):
    with SplunkEmulator(splunk_home=tmp_path / "splunk", hec_enabled=True) as splunk, \
            ThousandEyesSimulator(seed=7, size="small") as sim:  # fmt: skip
        sim.streams.trust(splunk.ca_bundle_path)  # ThousandEyes trusts the HEC's certificate
        sim.streams.batch_size = 40  # several requests per push
        sim.token = sim.create_api_token("admin@example.com")
        yield splunk, sim


def _hec_token(splunk):
    session = {"Authorization": "Splunk " + splunk.login("admin", "changeme")}
    answer = requests.post(
        splunk.splunkd_uri + "/servicesNS/nobody/splunk_httpinput/data/inputs/http",
        data={"name": "thousandeyes", "index": "te", "indexes": "te", "sourcetype": SOURCETYPE},
        params={"output_mode": "json"}, headers=session, verify=splunk.ca_bundle_path,
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()["entry"][0]["content"]["token"]


def _api(sim, method, path, body=None):
    return requests.request(
        method, sim.region_urls("us1")["api_base_url"] + path, json=body,
        headers={"Authorization": f"Bearer {sim.token}"}, timeout=10,
    )  # fmt: skip


def _stream_body(splunk, token, tests):
    return {
        "name": "Tests Stream - metrics", "type": "splunk-hec", "endpointType": "http",
        "signal": "metric", "dataModelVersion": "v2",
        "streamEndpointUrl": splunk.hec_event_url,
        "testMatch": [{"id": t.test_id, "domain": "cea"} for t in tests],
        "exporterConfig": {"splunkHec": {"token": token, "index": "te",
                                         "sourceType": SOURCETYPE,
                                         "source": "cisco:thousandeyes:stream"}},
    }  # fmt: skip


def _indexed_keys(splunk):
    events = splunk.indexed_events(index="te", sourcetype=SOURCETYPE)
    return [point_key({"time": e["_time"], "fields": e["fields"]}) for e in events]


def test_index_holds_exactly_ground_truth_then_wrong_token_fails_then_delete_stops(world):
    splunk, sim = world
    token = _hec_token(splunk)
    tests = [t for t in sim.world.tests_in("2001")
             if t.test_type in ("agent-to-server", "http-server", "dns-server")]  # fmt: skip
    created = _api(sim, "POST", "/streams", _stream_body(splunk, token, tests))
    assert created.status_code == 201, created.text
    stream_id = created.json()["id"]
    start = sim.streams.get(stream_id).cursor_time

    sim.clock.advance(1800)  # pushes what became due before advance returns
    end = int(sim.clock.now()) - PUBLISH_DELAY + 1
    truth = [point_key(e) for e in sim.streams.ground_truth(stream_id, start, end)]
    indexed = _indexed_keys(splunk)
    assert len(truth) > 40 and len(set(indexed)) == len(indexed)  # no duplicates
    assert sorted(indexed) == sorted(truth)  # nothing missing, nothing extra
    assert [point_key(e) for e in sim.streams.delivered(stream_id)] == truth
    status = _api(sim, "GET", f"/streams/{stream_id}").json()["streamStatus"]
    assert status["status"] == "connected" and status["lastSuccess"] >= start * 1000
    (event,) = splunk.indexed_events(index="te", predicate=lambda e: point_key(
        {"time": e["_time"], "fields": e["fields"]}) == truth[0])  # fmt: skip
    assert event["source"] == "cisco:thousandeyes:stream" and event["_raw"] == "metric"

    body = _stream_body(splunk, "00000000-0000-0000-0000-000000000000", tests)
    assert _api(sim, "PUT", f"/streams/{stream_id}", {"exporterConfig": body["exporterConfig"]}).ok
    sim.clock.advance(600)
    status = _api(sim, "GET", f"/streams/{stream_id}").json()["streamStatus"]
    assert status["status"] == "failing" and status["lastFailure"] > status["lastSuccess"]
    assert "Invalid token" in sim.streams.get(stream_id).last_error
    assert len(_indexed_keys(splunk)) == len(truth)

    assert _api(sim, "PUT", f"/streams/{stream_id}", {"exporterConfig": {"splunkHec": {
        "token": token, "index": "te", "sourceType": SOURCETYPE}}}).ok  # fmt: skip
    sim.clock.advance(300)
    assert _api(sim, "GET", f"/streams/{stream_id}").json()["streamStatus"]["status"] == "connected"
    before_delete = len(_indexed_keys(splunk))
    assert before_delete > len(truth)

    assert _api(sim, "DELETE", f"/streams/{stream_id}").status_code == 204
    posts = len(sim.streams.deliveries(stream_id))
    sim.clock.advance(1800)
    assert len(sim.streams.deliveries(stream_id)) == posts
    assert len(_indexed_keys(splunk)) == before_delete


def test_untrusted_certificate_is_refused_and_fails(world):
    """The endpoint check names TLS/SSL (as the official app expects); a stream whose
    endpoint certificate stops being trusted turns failing with the TLS reason."""
    splunk, sim = world
    token = _hec_token(splunk)
    tests = sim.world.tests_in("2001")[:1]
    sim.streams.trust(None)  # the system's CAs: the stand-in's CA is not among them
    refused = _api(sim, "POST", "/streams", _stream_body(splunk, token, tests))
    assert refused.status_code == 400 and "TLS/SSL" in refused.json()["errors"][0]

    sim.streams.trust(splunk.ca_bundle_path)
    stream_id = _api(sim, "POST", "/streams", _stream_body(splunk, token, tests)).json()["id"]
    sim.streams.trust(None)
    sim.clock.advance(600)
    record = sim.streams.get(stream_id)
    assert record.status == "failing" and "TLS/SSL" in record.last_error
    assert splunk.indexed_events(index="te") == []
    sim.streams.trust(splunk.ca_bundle_path)  # transient: the same points are sent now
    sim.streams.push_due()
    assert record.status == "connected"
    assert len(splunk.indexed_events(index="te")) == len(sim.streams.delivered(stream_id)) > 0
