"""The tiny app's persistent handler through splunkd: request JSON, auth, capabilities."""

import json
import os
import sys
import time

import pytest
import requests

PYTHON_39 = "/root/.pyenv/versions/3.9.18/bin/python3.9"
PYTHONS = [sys.executable] + ([PYTHON_39] if os.path.exists(PYTHON_39) else [])


def _wait_for_log(emulator, *needles, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        log = emulator.splunkd_log()
        if all(needle in log for needle in needles) or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def _call(emulator, method, path, key=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if key:
        headers["Authorization"] = "Splunk " + key
    return requests.request(
        method,
        emulator.splunkd_uri + path,
        headers=headers,
        verify=emulator.ca_bundle_path,
        timeout=60,
        **kwargs,
    )


@pytest.mark.parametrize("python", PYTHONS)
def test_handler_receives_splunk_request_json(splunk_emulator, python):
    splunk_emulator.set_handler_python(python)
    key = splunk_emulator.login("admin", "changeme")
    response = _call(
        splunk_emulator,
        "POST",
        "/servicesNS/nobody/tiny_app/tiny/echo/sub/path?output_mode=json&a=1&a=2",
        key,
        data=json.dumps({"hello": "world"}),
        headers={"Content-Type": "application/json", "X-Custom": "v"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["X-Tiny-Echo"] == "yes"
    echoed = response.json()
    request = echoed["request"]
    version = [
        int(x)
        for x in os.popen(
            python + " -c 'import sys;print(sys.version_info[0], sys.version_info[1])'"
        )
        .read()
        .split()
    ]
    assert echoed["python"] == version
    assert echoed["requests_importable"] is False  # -I -S: only the app's bin/ is importable
    assert echoed["command_line"] == []  # script.arg.<N>: none in this stanza
    assert echoed["command_arg"] is None  # no script.param
    assert echoed["input_type"] == "bytes"
    assert request["method"] == "POST"
    assert request["rest_path"] == "/tiny/echo/sub/path"
    assert request["path_info"] == "sub/path"
    assert request["query"] == [["output_mode", "json"], ["a", "1"], ["a", "2"]]
    assert request["output_mode"] == "json" and request["output_mode_explicit"] is True
    assert request["ns"] == {"app": "tiny_app", "user": "nobody"}
    assert request["session"]["user"] == "admin"
    assert request["session"]["authtoken"] == key
    assert request["payload"] == json.dumps({"hello": "world"})
    assert request["form"] == []
    assert ["X-Custom", "v"] in request["headers"]
    assert request["restmap"]["name"] == "script:tiny_echo"
    assert request["restmap"]["conf"]["handler"] == "tiny_echo.EchoHandler"
    assert request["server"]["rest_uri"] == splunk_emulator.splunkd_uri
    assert request["connection"]["src_ip"] == "127.0.0.1"
    assert request["connection"]["ssl"] is True
    system = _call(splunk_emulator, "GET", "/services/server/info", request["system_authtoken"])
    assert system.status_code == 200


def test_form_arguments_and_persistence(splunk_emulator):
    key = splunk_emulator.login("admin", "changeme")
    first = _call(splunk_emulator, "POST", "/services/tiny/echo", key, data={"k": ["1", "2"]})
    second = _call(splunk_emulator, "POST", "/services/tiny/echo", key, data={"k": "3"})
    assert first.json()["request"]["form"] == [["k", "1"], ["k", "2"]]
    assert "ns" not in first.json()["request"] or first.json()["request"]["ns"] == {}
    # one long-lived process: the class attribute counts across requests
    assert second.json()["calls"] == first.json()["calls"] + 1
    assert "tiny_echo started" in _wait_for_log(splunk_emulator, "tiny_echo started")
    assert "stderr from handler" in _wait_for_log(splunk_emulator, "stderr from handler")


def test_splunklib_service_reaches_custom_endpoint(splunk_emulator):
    service = splunk_emulator.service("admin", app="tiny_app")
    response = service.get("tiny/echo", output_mode="json")
    assert json.loads(response.body.read())["request"]["method"] == "GET"


def test_authentication_and_capabilities_enforced_before_dispatch(splunk_emulator):
    assert _call(splunk_emulator, "GET", "/services/tiny/echo").status_code == 401
    user_key = splunk_emulator.login("user", "changeme")
    # capability.post only: GET is open to any authenticated user
    assert _call(splunk_emulator, "GET", "/services/tiny/echo", user_key).status_code == 200
    refused = _call(splunk_emulator, "POST", "/services/tiny/echo", user_key, data={"a": "b"})
    assert refused.status_code == 403
    assert "admin_all_objects OR edit_storage_passwords" in refused.text
    before = _call(splunk_emulator, "GET", "/services/tiny/echo", user_key).json()["calls"]
    after = _call(splunk_emulator, "GET", "/services/tiny/echo", user_key).json()["calls"]
    assert after == before + 1  # the refused POST never reached the handler
    assert _call(splunk_emulator, "GET", "/services/tiny/admin", user_key).status_code == 403
    admin_key = splunk_emulator.login("admin", "changeme")
    assert _call(splunk_emulator, "GET", "/services/tiny/admin", admin_key).status_code == 200
    public = _call(splunk_emulator, "GET", "/services/tiny/public")
    assert public.status_code == 200
    assert "session" not in public.json()["request"]


def test_handler_exception_is_a_generic_500_and_ends_the_process(splunk_emulator):
    key = splunk_emulator.login("admin", "changeme")
    response = _call(splunk_emulator, "GET", "/services/tiny/echo/boom", key)
    assert response.status_code == 500
    assert "secret-detail-xyz" not in response.text
    assert "Traceback" not in response.text
    # stderr reaches splunkd.log asynchronously, as in Splunk: wait for the whole traceback
    log = _wait_for_log(splunk_emulator, "secret-detail-xyz", "Traceback")
    assert "secret-detail-xyz" in log and "Traceback" in log
    # the process ended (S804 handle_loop.py 61: handle() is not guarded); a new one answers
    again = _call(splunk_emulator, "GET", "/services/tiny/echo", key)
    assert again.status_code == 200
    assert again.json()["calls"] == 1
    text = _call(splunk_emulator, "GET", "/services/tiny/echo/text", key)
    assert text.status_code == 200 and text.text == "plain text reply"


def test_handler_that_cannot_import_fails_with_500(splunk_emulator):
    restmap = os.path.join(splunk_emulator.app_dir("tiny_app"), "local", "restmap.conf")
    os.makedirs(os.path.dirname(restmap), exist_ok=True)
    with open(restmap, "w", encoding="utf-8") as handle:
        handle.write(
            "[script:broken]\nmatch = /tiny/broken\nscript = broken.py\nscripttype = persist\n"
        )
    with open(os.path.join(splunk_emulator.app_dir("tiny_app"), "bin", "broken.py"), "w") as f:
        f.write("import missing_module\n")
    key = splunk_emulator.login("admin", "changeme")
    response = _call(splunk_emulator, "GET", "/services/tiny/broken", key)
    assert response.status_code == 500
    assert "missing_module" in _wait_for_log(splunk_emulator, "missing_module")
