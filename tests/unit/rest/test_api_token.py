from ta_thousandeyes import connections as model
from ta_thousandeyes.oauth import errors as oauth_errors
from ta_thousandeyes.oauth import flows
from ta_thousandeyes.rest import handlers

H = handlers.ConnectionsHandler
TOKEN = "f3c1a2b4-5d6e-7f80-9a1b-2c3d4e5f6a7b"


def test_api_token_connects_and_is_never_echoed(call, monkeypatch):
    model.create_connection(call.service, "prod", "eu", "api_token")
    received = []

    def connect(service, name, token):
        received.append(token)
        return model.update_connection(
            service, name, allow_from_disconnected=True, state="connected", user_email="x@y.z"
        )

    monkeypatch.setattr(flows, "connect_api_token", connect)
    reply = call(H, "POST", "connections/prod/token", form=[("api_token", " " + TOKEN + " ")])
    assert reply.status == 200
    assert received == [TOKEN]
    assert TOKEN not in reply.text
    assert reply.json["message"] == "Connected as x@y.z (EU)"


def test_api_token_validation(call, monkeypatch):
    model.create_connection(call.service, "prod", "eu", "api_token")
    for form in ([], [("api_token", "")], [("api_token", "two words")], [("token", TOKEN)]):
        assert call(H, "POST", "connections/prod/token", form=form).status == 400, form

    def reject(service, name, token):
        raise oauth_errors.ApiTokenRejectedError("ThousandEyes rejected the token (HTTP 401)")

    monkeypatch.setattr(flows, "connect_api_token", reject)
    reply = call(H, "POST", "connections/prod/token", form=[("api_token", TOKEN)])
    assert reply.status == 400
    assert "rejected" in reply.json["error"]
    assert TOKEN not in reply.text


def test_api_token_needs_the_api_token_method(call):
    model.create_connection(call.service, "prod", "eu", "device_code")
    reply = call(H, "POST", "connections/prod/token", form=[("api_token", TOKEN)])
    assert reply.status == 409
