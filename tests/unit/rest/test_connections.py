from ta_thousandeyes import checkpoints
from ta_thousandeyes import connections as model
from ta_thousandeyes.rest import handlers

from .conftest import connect_by_device, pending_record

H = handlers.ConnectionsHandler


def create(call, name="prod", region="us1", method="device_code"):
    form = [("name", name), ("region", region), ("auth_method", method)]
    return call(H, "POST", "connections", form=form)


def test_create_then_list_shows_status_and_inputs(call):
    reply = create(call)
    assert reply.status == 201
    assert reply.json["connection"]["state"] == "disconnected"
    assert reply.json["connection"]["region_label"] == "US1"
    call.write_conf(
        "inputs", {"thousandeyes_alerts://prod_alerts": {"connection": "prod", "index": "te"}}
    )
    call.insert_documents(
        checkpoints.COLLECTION,
        [
            {"_key": "a", "owner": "thousandeyes_alerts|prod|te", "updated": 1700000000.5},
            {"_key": "b", "owner": "thousandeyes_alerts|prod|te", "updated": 1700000100.0},
        ],
    )
    listing = call(H, "GET", "connections").json["connections"]
    assert [item["name"] for item in listing] == ["prod"]
    (item,) = listing
    assert item["inputs"][0]["name"] == "prod_alerts"
    assert item["inputs"][0]["last_success"] == 1700000100
    assert item["needs_reauthorization"] is False


def test_create_validates_every_parameter(call):
    cases = [
        (
            [
                ("name", "<img src=x onerror=alert(1)>"),
                ("region", "us1"),
                ("auth_method", "device_code"),
            ],
            "names",
        ),
        ([("name", "prod"), ("region", "mars"), ("auth_method", "device_code")], "Region"),
        ([("name", "prod"), ("region", "us1"), ("auth_method", "password")], "Method"),
        ([("name", "prod"), ("region", "us1")], "Method"),
        (
            [("name", "prod"), ("region", "us1"), ("auth_method", "device_code"), ("x", "1")],
            "Unknown",
        ),
        ([("name", "default"), ("region", "us1"), ("auth_method", "device_code")], "names"),
    ]
    for form, word in cases:
        reply = call(H, "POST", "connections", form=form)
        assert reply.status == 400, form
        assert word in reply.json["error"]
        assert "<img" not in reply.json["error"]
    assert model.list_connections(call.service) == []


def test_changing_region_of_an_authorized_connection_is_refused(call):
    create(call)
    model.update_connection(call.service, "prod", allow_from_disconnected=True, state="connected")
    reply = create(call, region="eu")
    assert reply.status == 409
    assert model.get_connection(call.service, "prod").region == "us1"
    # Method changes are fine (reconnecting another way); region stays.
    assert create(call, method="api_token").status == 200
    assert model.get_connection(call.service, "prod").auth_method == "api_token"


def test_get_unknown_connection_is_404(call):
    reply = call(H, "GET", "connections/nope")
    assert reply.status == 404
    assert "nope" in reply.json["error"]


def test_logout_and_delete_revoke_and_answer_without_secrets(call, sim):
    create(call)
    connect_by_device(call, sim, "prod")
    issued = pending_record(call, "prod")
    secrets = [issued["access_token"], issued["refresh_token"]]
    reply = call(H, "POST", "connections/prod/logout")
    assert reply.status == 200
    assert reply.json["message"] == "Logged out"
    assert reply.json["revoked"] is True
    assert reply.json["connection"]["state"] == "disconnected"
    assert sorted(p["token"] for p in sim.requests("revoke")) == sorted(secrets)
    assert pending_record(call, "prod") is None
    reply = call(H, "DELETE", "connections/prod")
    assert reply.status == 200
    assert sim.count("revoke") == 2  # nothing was left to revoke
    assert model.list_connections(call.service) == []
    assert call(H, "POST", "connections/prod/logout").status == 404
    assert not any(secret in reply.text for secret in secrets)


def test_logout_refuses_parameters_and_bad_names(call):
    assert call(H, "POST", "connections/prod/logout", form=[("force", "1")]).status == 400
    assert call(H, "POST", "connections/..%2F/logout").status == 400


def test_features_accept_only_known_keys(call):
    """POST connections/<name>/features takes feature keys, never scopes: anything outside
    the map is a 400 and changes nothing."""
    create(call)
    path = "connections/prod/features"
    for value in ("bogus", "streams:manage", "streams,tests:manage", "streams,admin"):
        reply = call(H, "POST", path, form=[("features", value)])
        assert reply.status == 400, value
        assert "Unknown feature" in reply.json["error"]
    assert call(H, "POST", path, form=[]).status == 400  # features= is required (empty: none)
    assert call(H, "POST", path, form=[("features", "streams"), ("scope", "x")]).status == 400
    assert model.get_connection(call.service, "prod").features == []
    create(call, name="new", method="authorization_code")
    refused = call(
        H,
        "POST",
        "connections",
        form=[("name", "other"), ("region", "us1"), ("auth_method", "device_code"),
              ("features", "tests:manage")],
    )  # fmt: skip
    assert refused.status == 400
    assert [c.name for c in model.list_connections(call.service)] == ["new", "prod"]


def test_features_show_requested_and_granted(call):
    create(call)
    reply = call(H, "POST", "connections/prod/features", form=[("features", "streams")])
    assert reply.status == 200
    item = reply.json["connection"]
    by_key = {f["key"]: f for f in item["features"]}
    assert list(by_key) == ["streams", "instant_tests", "endpoint_agents"]
    assert by_key["streams"]["scope"] == "streams:manage"
    assert by_key["streams"]["requested"] and not by_key["streams"]["granted"]
    assert "streams:manage" in item["requested_scopes"]
    assert item["missing_scopes"] == []  # nothing to reconnect for while logged out
    # connected with the base scopes only: the page offers "Reconnect to grant streams:manage"
    model.update_connection(
        call.service,
        "prod",
        allow_from_disconnected=True,
        state="connected",
        scopes=["organization:read", "tests:read", "alerts:read", "offline_access"],
    )
    item = call(H, "GET", "connections/prod").json["connection"]
    assert item["missing_scopes"] == ["streams:manage"]
    # granted, then turned off: the next authorization gives it up
    model.update_connection(call.service, "prod", scopes=item["requested_scopes"])
    reply = call(H, "POST", "connections/prod/features", form=[("features", "")])
    item = reply.json["connection"]
    by_key = {f["key"]: f for f in item["features"]}
    assert by_key["streams"]["granted"] and not by_key["streams"]["requested"]
    assert item["missing_scopes"] == [] and item["unneeded_scopes"] == ["streams:manage"]
    # the create form may carry features too; absent, an existing connection keeps its own
    form = [("name", "prod"), ("region", "us1"), ("auth_method", "device_code")]
    call(H, "POST", "connections", form=form + [("features", "streams,instant_tests")])
    assert model.get_connection(call.service, "prod").features == ["streams", "instant_tests"]
    call(H, "POST", "connections", form=form)
    assert model.get_connection(call.service, "prod").features == ["streams", "instant_tests"]
