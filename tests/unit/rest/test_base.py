import json
import logging

from ta_thousandeyes import connections as model
from ta_thousandeyes import redaction
from ta_thousandeyes.oauth import errors as oauth_errors
from ta_thousandeyes.rest import base, handlers

from .conftest import StubContext


def test_unparseable_request_is_a_json_400():
    handler = handlers.ConnectionsHandler("", "")
    handler.context_factory = StubContext
    for body in ("{not json", "[1, 2]", b"\xff\xfe"):
        reply = handler.handle(body)
        assert reply["status"] == 400
        assert json.loads(reply["payload"]) == {"error": "The request could not be parsed"}


def test_unknown_path_is_404_and_wrong_method_is_405(call):
    assert call(handlers.ConnectionsHandler, "GET", "connections/a/b/c").status == 404
    reply = call(handlers.ConnectionsHandler, "PUT", "connections")
    assert reply.status == 405
    assert "PUT" in reply.json["error"]
    assert call(handlers.RegionsHandler, "POST", "regions").status == 405


def test_rest_path_with_namespace_prefix_still_routes(monkeypatch):
    monkeypatch.setattr(model, "list_connections", lambda service: [])
    monkeypatch.setattr("ta_thousandeyes.rest.status.inputs_by_connection", lambda s: {})
    monkeypatch.setattr("ta_thousandeyes.rest.summary.region_labels", lambda s: {})
    handler = handlers.ConnectionsHandler("", "")
    handler.context_factory = StubContext
    document = {
        "method": "GET",
        "rest_path": "/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes/connections",
        "query": [["output_mode", "json"]],
    }
    reply = handler.handle(json.dumps(document))
    assert reply["status"] == 200
    assert json.loads(reply["payload"])["connections"] == []


def test_every_route_runs_the_admin_check_first(call, monkeypatch):
    called = []
    monkeypatch.setattr(model, "list_connections", lambda service: called.append(1) or [])
    StubContext.admin = False
    reply = call(handlers.ConnectionsHandler, "GET", "connections")
    assert reply.status == 403
    assert "capability" in reply.json["error"]
    assert called == []
    for handler_class, method, path in (
        (handlers.ConnectionsHandler, "POST", "connections"),
        (handlers.ConnectionsHandler, "POST", "connections/prod/device"),
        (handlers.ConnectionsHandler, "POST", "connections/prod/poll"),
        (handlers.ConnectionsHandler, "POST", "connections/prod/token"),
        (handlers.ConnectionsHandler, "POST", "connections/prod/logout"),
        (handlers.ConnectionsHandler, "DELETE", "connections/prod"),
        (handlers.ConnectionsHandler, "POST", "connections/prod/authorize"),
        (handlers.OAuthCallbackHandler, "GET", "oauth/callback"),
        (handlers.SettingsHandler, "GET", "settings"),
        (handlers.SettingsHandler, "POST", "settings"),
        (handlers.RegionsHandler, "GET", "regions"),
        (handlers.InputsStatusHandler, "GET", "inputs-status"),
        (handlers.CatalogHandler, "GET", "catalog"),
    ):
        assert call(handler_class, method, path).status == 403, path


def test_duplicate_and_overlong_parameters_are_refused(call):
    form = [("name", "a"), ("name", "b"), ("region", "us1"), ("auth_method", "device_code")]
    reply = call(handlers.ConnectionsHandler, "POST", "connections", form=form)
    assert reply.status == 400
    assert "more than once" in reply.json["error"]
    long_form = [("name", "x" * (base.MAX_FIELD_LENGTH + 1))]
    assert call(handlers.ConnectionsHandler, "POST", "connections", form=long_form).status == 400


def test_unexpected_exception_is_a_plain_500_without_secret_or_traceback(call, monkeypatch):
    secret = "s3cr3t-refresh-token-value"
    redaction.register_secret(secret)

    def explode(service):
        raise RuntimeError("boom with " + secret)

    monkeypatch.setattr(model, "list_connections", explode)
    records = []
    recorder = logging.Handler(level=logging.ERROR)
    recorder.emit = records.append
    base.logger.addHandler(recorder)
    try:
        reply = call(handlers.ConnectionsHandler, "GET", "connections")
    finally:
        base.logger.removeHandler(recorder)
    assert reply.status == 500
    assert reply.json == {"error": "Internal error in the add-on; see splunkd.log for details"}
    assert "Traceback" not in reply.text
    package = logging.getLogger("ta_thousandeyes")
    ours = next(h for h in package.handlers if isinstance(h, redaction.RedactingStderrHandler))
    logged = "\n".join(ours.formatter.format(record) for record in records)
    assert "boom with" in logged and "Traceback" in logged  # splunkd.log gets the detail
    assert secret not in logged


def test_known_errors_map_to_4xx_with_redacted_text(call, monkeypatch):
    secret = "abcdef-device-code-123"
    redaction.register_secret(secret)

    def refuse(service):
        raise oauth_errors.InvalidClientError("client rejected for " + secret)

    monkeypatch.setattr(model, "list_connections", refuse)
    reply = call(handlers.ConnectionsHandler, "GET", "connections")
    assert reply.status == 400
    assert secret not in reply.text
    assert redaction.MASK in reply.json["error"]


def test_splunkd_http_errors_become_502(call, monkeypatch):
    class HTTPError(Exception):  # the shape of splunklib.binding.HTTPError
        status = 500

    def fail(service):
        raise HTTPError("splunkd said no")

    monkeypatch.setattr(model, "list_connections", fail)
    reply = call(handlers.ConnectionsHandler, "GET", "connections")
    assert reply.status == 502
    assert reply.json["error"] == "splunkd answered HTTP 500 to the add-on"


def test_json_answers_are_not_cached_and_not_sniffed(call, monkeypatch):
    monkeypatch.setattr(model, "list_connections", lambda service: [])
    monkeypatch.setattr("ta_thousandeyes.rest.status.inputs_by_connection", lambda s: {})
    monkeypatch.setattr("ta_thousandeyes.rest.summary.region_labels", lambda s: {})
    reply = call(handlers.ConnectionsHandler, "GET", "connections")
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Content-Type"].startswith("application/json")
