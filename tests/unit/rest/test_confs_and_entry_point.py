"""restmap.conf / web.conf as Splunk reads them, and the bin/ entry point they name."""

import configparser
import importlib.util
import json
import os
import re

from ta_thousandeyes.rest import base, context, handler, handlers

from tests.simulators.splunk import persist_child

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def read_conf(name):
    parser = configparser.RawConfigParser(strict=True, delimiters=("=",))
    parser.optionxform = str
    parser.read(os.path.join(ROOT, "default", name), encoding="utf-8")
    return {section: dict(parser.items(section)) for section in parser.sections()}


def load_script(script):
    """A bin/ script as Splunk's driver loads it: by path, under a name of its own."""
    path = os.path.join(ROOT, "bin", script)
    spec = importlib.util.spec_from_file_location("pschand__" + script[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_restmap_stanza_is_a_locked_down_persistent_handler():
    stanzas = read_conf("restmap.conf")
    assert len(stanzas) == 7
    scripts = set()
    for name, settings in stanzas.items():
        assert name.startswith("script:")
        assert settings["scripttype"] == "persist"
        assert settings["python.version"] == "python3"
        assert settings["python.required"] == "3.9, 3.13"
        assert settings["requireAuthentication"] == "true"
        assert settings["capability"] == "admin_all_objects OR edit_storage_passwords"
        assert not any(key.startswith("capability.") for key in settings)
        assert settings["output_modes"] == "json"
        script = settings["script"]
        scripts.add(script)
        # Splunk's rule for the class (the stand-in driver implements it): exactly one
        # PersistentServerConnectionApplication subclass among the module's names.
        handler_class = persist_child.find_handler(load_script(script))
        assert issubclass(handler_class, handler.RestHandler)
        assert handler_class is not handler.RestHandler
        # handler= is not read for persist; ours names the same class for the reader
        assert settings["handler"] == script[:-3] + "." + handler_class.__name__
    assert len(scripts) == 7  # one script per endpoint


def test_handlers_construct_as_splunk_does_and_take_bytes():
    """new instance per request, __init__(command[1:], command_arg), handle(bytes)."""
    for settings in read_conf("restmap.conf").values():
        handler_class = persist_child.find_handler(load_script(settings["script"]))
        handler = handler_class.__new__(handler_class)
        handler.__init__([], None)
        reply = handler.handle(b'{"method": "GET", "rest_path": "/ta_thousandeyes/x/y/z/q"}')
        assert reply["status"] in (401, 404), reply


def test_web_conf_exposes_exactly_the_routes_with_pattern_and_methods_only():
    exposes = read_conf("web.conf")
    restmap = read_conf("restmap.conf")
    matches = {settings["match"].strip("/") for settings in restmap.values()}
    samples = {
        ("GET", "ta_thousandeyes/connections"),
        ("POST", "ta_thousandeyes/connections"),
        ("GET", "ta_thousandeyes/connections/prod"),
        ("DELETE", "ta_thousandeyes/connections/prod"),
        ("POST", "ta_thousandeyes/connections/prod/device"),
        ("POST", "ta_thousandeyes/connections/prod/poll"),
        ("DELETE", "ta_thousandeyes/connections/prod/device"),
        ("POST", "ta_thousandeyes/connections/prod/authorize"),
        ("POST", "ta_thousandeyes/connections/prod/token"),
        ("POST", "ta_thousandeyes/connections/prod/logout"),
        ("GET", "ta_thousandeyes/oauth/callback"),
        ("GET", "ta_thousandeyes/settings"),
        ("POST", "ta_thousandeyes/settings"),
        ("GET", "ta_thousandeyes/regions"),
        ("GET", "ta_thousandeyes/inputs-status"),
        ("GET", "ta_thousandeyes/catalog"),
        ("GET", "ta_thousandeyes/streams"),
        ("POST", "ta_thousandeyes/streams"),
        ("POST", "ta_thousandeyes/streams/s1"),
        ("POST", "ta_thousandeyes/streams/s1/delete"),
    }

    def exposed(method, path):
        for settings in exposes.values():
            regex = re.escape(settings["pattern"]).replace(r"\*", "[^/]*")
            methods = [m.strip() for m in settings["methods"].split(",")]
            if re.fullmatch(regex, path) and method in methods:
                return True
        return False

    for name, settings in exposes.items():
        assert name.startswith("expose:")
        assert set(settings) == {"pattern", "methods"}
        assert any(settings["pattern"].startswith(match) for match in matches)
    for method, path in samples:
        assert exposed(method, path), (method, path)
    assert not exposed("POST", "ta_thousandeyes/regions")
    assert not exposed("GET", "ta_thousandeyes/connections/prod/device")  # state changes: POST
    assert not exposed("GET", "storage/passwords")


def test_handlers_route_every_exposed_sample():
    classes = {
        "connections": handlers.ConnectionsHandler,
        "oauth": handlers.OAuthCallbackHandler,
        "settings": handlers.SettingsHandler,
        "regions": handlers.RegionsHandler,
        "inputs-status": handlers.InputsStatusHandler,
        "catalog": handlers.CatalogHandler,
        "streams": handlers.StreamsHandler,
    }
    for cls in classes.values():
        for method, pattern, function in cls.routes:
            assert method in ("GET", "POST", "DELETE")
            assert callable(function)
            assert pattern.pattern.startswith("^")


class FakeResponse:
    def __init__(self, capabilities):
        body = {"entry": [{"content": {"capabilities": capabilities}}]}
        self.body = self
        self._data = json.dumps(body).encode()

    def read(self):
        return self._data


def test_context_checks_capabilities_with_the_callers_own_session(monkeypatch):
    connected = []

    class Service:
        def __init__(self, uri, token):
            connected.append(token)
            self.token = token

        def get(self, path, **kwargs):
            assert path == "authentication/current-context"
            caps = ["admin_all_objects"] if self.token == "admin-token" else ["search"]
            return FakeResponse(caps)

    monkeypatch.setattr(context.splunk_service, "connect", Service)
    document = {
        "session": {"user": "admin", "authtoken": "admin-token"},
        "system_authtoken": "system-token",
        "server": {"rest_uri": "https://127.0.0.1:8089"},
    }
    ctx = context.SplunkContext(base.Request(document))
    ctx.require_admin()
    assert ctx.service.token == "system-token"
    assert connected == ["admin-token", "system-token"]
    document["session"]["authtoken"] = "plain-token"
    plain = context.SplunkContext(base.Request(document))
    try:
        plain.require_admin()
    except base.RestError as error:
        assert error.status == 403
    else:
        raise AssertionError("a plain user passed the admin check")
    nobody = context.SplunkContext(base.Request({"server": {"rest_uri": "https://x:1"}}))
    try:
        nobody.require_admin()
    except base.RestError as error:
        assert error.status == 401
    else:
        raise AssertionError("a request without session passed")
