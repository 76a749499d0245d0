from ta_thousandeyes import connections as model
from ta_thousandeyes.oauth import errors as oauth_errors
from ta_thousandeyes.oauth import flows
from ta_thousandeyes.rest import handlers

H = handlers.ConnectionsHandler
PUBLIC = {
    "user_code": "ABCD-EFGH",
    "verification_uri": "https://global.te.example/oauth2/device",
    "verification_uri_complete": "https://global.te.example/oauth2/device?user_code=ABCD-EFGH",
    "expires_in": 600,
    "interval": 5,
}


def setup_connection(call, method="device_code"):
    model.create_connection(call.service, "prod", "global", method)


def test_start_returns_only_the_public_part(call, monkeypatch):
    setup_connection(call)
    public = dict(PUBLIC, device_code="must-not-leak")
    monkeypatch.setattr(flows, "start_device_authorization", lambda service, name: public)
    reply = call(H, "POST", "connections/prod/device")
    assert reply.status == 200
    assert reply.json == PUBLIC
    assert "must-not-leak" not in reply.text


def test_start_refuses_non_web_verification_links(call, monkeypatch):
    setup_connection(call)
    bad = dict(PUBLIC, verification_uri_complete="javascript:alert(1)")
    monkeypatch.setattr(flows, "start_device_authorization", lambda service, name: bad)
    reply = call(H, "POST", "connections/prod/device")
    assert reply.status == 502
    assert "javascript" not in reply.text


def test_start_needs_the_device_method_and_an_existing_connection(call):
    assert call(H, "POST", "connections/prod/device").status == 404
    setup_connection(call, method="api_token")
    assert call(H, "POST", "connections/prod/device").status == 409


def test_poll_states(call, monkeypatch):
    setup_connection(call)
    answers = iter(
        [
            {"status": "pending", "interval": 5},
            {"status": "slow_down", "interval": 10},
        ]
    )
    monkeypatch.setattr(flows, "poll_device_authorization", lambda s, n: next(answers))
    first = call(H, "POST", "connections/prod/poll").json
    assert first["state"] == "pending" and first["interval"] == 5
    second = call(H, "POST", "connections/prod/poll").json
    assert second["state"] == "pending" and second["interval"] == 10

    for error, state in (
        (oauth_errors.DeniedError(), "denied"),
        (oauth_errors.ExpiredError(), "expired"),
        (oauth_errors.ServerError("upstream broke"), "error"),
    ):

        def raise_it(service, name, error=error):
            raise error

        monkeypatch.setattr(flows, "poll_device_authorization", raise_it)
        reply = call(H, "POST", "connections/prod/poll")
        assert reply.status == 200
        assert reply.json["state"] == state
        assert reply.json["message"]


def test_poll_connected_marks_the_app_configured(call, monkeypatch):
    setup_connection(call)
    groups = [{"aid": "1", "name": "<img src=x onerror=alert(1)>"}]

    def connected(service, name):
        model.update_connection(
            service,
            name,
            allow_from_disconnected=True,
            state="connected",
            user_email="admin@example.com",
            account_groups=groups,
        )
        return {"status": "connected"}

    monkeypatch.setattr(flows, "poll_device_authorization", connected)
    reply = call(H, "POST", "connections/prod/poll")
    assert reply.json["state"] == "connected"
    assert reply.json["message"] == "Connected as admin@example.com (Default)"
    assert reply.json["connection"]["account_groups"] == groups  # raw: the page escapes
    assert call.service.posts == [("apps/local/TA-thousandeyes", {"configured": "1"})]


def test_poll_without_pending_flow_reports_connected_when_another_tab_finished(call, monkeypatch):
    setup_connection(call)

    def none_pending(service, name):
        raise oauth_errors.NoPendingFlowError()

    monkeypatch.setattr(flows, "poll_device_authorization", none_pending)
    assert call(H, "POST", "connections/prod/poll").json["state"] == "error"
    model.update_connection(call.service, "prod", allow_from_disconnected=True, state="connected")
    assert call(H, "POST", "connections/prod/poll").json["state"] == "connected"


def test_cancel(call, monkeypatch):
    setup_connection(call)
    cancelled = []
    monkeypatch.setattr(flows, "cancel_pending", lambda s, n: cancelled.append(n))
    assert call(H, "DELETE", "connections/prod/device").json["state"] == "cancelled"
    assert cancelled == ["prod"]
