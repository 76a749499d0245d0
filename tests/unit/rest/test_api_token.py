from ta_thousandeyes import connections as model
from ta_thousandeyes import credential_store
from ta_thousandeyes.rest import handlers

H = handlers.ConnectionsHandler
TOKEN = "f3c1a2b4-5d6e-7f80-9a1b-2c3d4e5f6a7b"  # one the simulator never issued


def stored_token(call, name="prod"):
    record = credential_store.CredentialStore(call.service).read(
        credential_store.connection_key(name)
    )
    return (record or {}).get("api_token")


def test_api_token_connects_and_is_never_echoed(call, sim):
    model.create_connection(call.service, "prod", "eu", "api_token")
    reply = call(
        H, "POST", "connections/prod/token", form=[("api_token", " " + sim.api_token + " ")]
    )
    assert reply.status == 200, reply.text
    assert stored_token(call) == sim.api_token  # what the simulator accepted, stripped
    assert [r.status for r in sim.sim.request_log if r.path.endswith("/users/current")] == [200]
    assert sim.api_token not in reply.text
    assert reply.json["message"] == f"Connected as {sim.email} (EU)"


def test_api_token_validation(call, sim):
    model.create_connection(call.service, "prod", "eu", "api_token")
    for form in ([], [("api_token", "")], [("api_token", "two words")], [("token", TOKEN)]):
        assert call(H, "POST", "connections/prod/token", form=form).status == 400, form
    assert sim.sim.request_log == []  # refused before any request

    reply = call(H, "POST", "connections/prod/token", form=[("api_token", TOKEN)])
    assert reply.status == 400
    assert "rejected" in reply.json["error"]
    assert TOKEN not in reply.text
    assert stored_token(call) is None


def test_api_token_needs_the_api_token_method(call):
    model.create_connection(call.service, "prod", "eu", "device_code")
    reply = call(H, "POST", "connections/prod/token", form=[("api_token", TOKEN)])
    assert reply.status == 409
