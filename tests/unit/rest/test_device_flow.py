"""The device-flow handlers (start, poll, cancel) on the simulator's device authorization
grant (RFC 8628) and the in-process Splunk stand-in.

The handlers' flows run on the wall clock, the simulator on its frozen one. The add-on's own
wait between polls (``next_poll_at`` in the pending record) is passed by ``interval_passes``
(conftest), as if the admin had waited; the simulator's clock moves only when a test says so,
so a second poll with no simulated time between is one it answers ``slow_down``.
"""

from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections as model
from ta_thousandeyes.rest import handlers

from .conftest import connect_by_device, interval_passes, pending_record

H = handlers.ConnectionsHandler
PUBLIC_KEYS = {"user_code", "verification_uri", "verification_uri_complete", "expires_in",
               "interval"}  # fmt: skip


def setup_connection(call, method="device_code"):
    model.create_connection(call.service, "prod", "global", method)


def _record(call):
    return pending_record(call, "prod")


def start(call):
    reply = call(H, "POST", "connections/prod/device")
    assert reply.status == 200, reply.text
    return reply


def poll(call):
    reply = call(H, "POST", "connections/prod/poll")
    assert reply.status == 200
    return reply.json


def test_start_returns_only_the_public_part(call, sim):
    setup_connection(call)
    reply = start(call)
    assert set(reply.json) == PUBLIC_KEYS
    assert reply.json["verification_uri"].startswith(sim.base)
    device_code = _record(call)["pending"]["device_code"]
    assert [p["device_code"] for p in sim.requests("token")] == []
    assert device_code and device_code not in reply.text


def test_start_refuses_non_web_verification_links(call, monkeypatch):
    # a server answering a javascript: link (the simulator never does): what the page must not
    # be handed
    setup_connection(call)
    public = {"user_code": "ABCD-EFGH", "verification_uri": "https://te.example/device",
              "expires_in": 600, "interval": 5}  # fmt: skip
    bad = dict(public, verification_uri_complete="javascript:alert(1)")
    monkeypatch.setattr(flows, "start_device_authorization", lambda service, name: bad)
    reply = call(H, "POST", "connections/prod/device")
    assert reply.status == 502
    assert "javascript" not in reply.text


def test_start_needs_the_device_method_and_an_existing_connection(call):
    assert call(H, "POST", "connections/prod/device").status == 404
    setup_connection(call, method="api_token")
    assert call(H, "POST", "connections/prod/device").status == 409


def test_poll_states(call, sim):
    setup_connection(call)
    start(call)
    early = poll(call)  # before the interval: the add-on does not ask
    assert early["state"] == "pending" and early["interval"] == 5
    assert sim.count("token") == 0
    interval_passes(call, "prod")
    first = poll(call)  # authorization_pending
    assert first["state"] == "pending" and first["interval"] == 5
    interval_passes(call, "prod")
    second = poll(call)  # no simulated time since the last poll: slow_down (RFC 8628 §3.5)
    assert second["state"] == "pending" and second["interval"] == 10
    assert sim.statuses("token") == [400, 400]

    def denied():
        sim.approve_device(_record(call)["pending"]["user_code"], deny=True)

    def expired():
        sim.clock.advance(int(start_reply.json["expires_in"]) + 1)

    for happen, state in ((denied, "denied"), (expired, "expired"), (sim.go_down, "error")):
        start_reply = start(call)
        happen()
        interval_passes(call, "prod")
        reply = poll(call)
        assert reply["state"] == state, reply
        assert reply["message"]
        if state != "error":  # denied and expired end the flow (flows.poll_device_authorization)
            assert (_record(call) or {}).get("pending") is None


def test_poll_connected_marks_the_app_configured(call, sim):
    setup_connection(call)
    group = sim.sim.world.account_group(sim.account_groups()[0]["aid"])
    group.name = "<img src=x onerror=alert(1)>"
    assert not call.app_configured()
    reply = connect_by_device(call, sim, "prod").json
    assert reply["state"] == "connected"
    assert reply["message"] == f"Connected as {sim.email} (Default)"
    assert reply["connection"]["account_groups"] == sim.account_groups()  # raw: the page escapes
    assert group.name in [g["name"] for g in reply["connection"]["account_groups"]]
    assert call.app_configured()


def test_poll_without_pending_flow_reports_connected_when_another_tab_finished(call):
    setup_connection(call)
    assert poll(call)["state"] == "error"
    model.update_connection(call.service, "prod", allow_from_disconnected=True, state="connected")
    assert poll(call)["state"] == "connected"


def test_cancel(call, sim):
    setup_connection(call)
    start(call)
    assert _record(call)["pending"]["kind"] == "device"
    assert call(H, "DELETE", "connections/prod/device").json["state"] == "cancelled"
    assert (_record(call) or {}).get("pending") is None
    assert poll(call)["state"] == "error"  # nothing left to poll
