"""Conformance: the stand-in runs persistent REST handlers as Splunk's own driver does.

Each test drives the stand-in with handler scripts of its own (not the add-on) and names the
lines of Splunk's driver it follows. S804 = repository vncloudsco/splunk (Splunk 8.0.4), files
under lib/python3.7/site-packages/splunk/persistconn/; ECHO = jherbage-splunk/splunk-rest-demo
doc/persistent_examples.md; S804 proxy = .../splunk/appserver/mrsparkle/controllers/proxy.py.
"""

import os
import textwrap
import time

import pytest
import requests

from tests.simulators.splunk import SplunkEmulator

APP = "conformance_app"
BASE_IMPORT = "from splunk.persistconn.application import PersistentServerConnectionApplication"

SCRIPTS = {
    # Two handler classes in one file.
    "two_classes.py": f"""
        {BASE_IMPORT}

        class First(PersistentServerConnectionApplication):
            def handle(self, in_bytes):
                return "first"

        class Second(PersistentServerConnectionApplication):
            def handle(self, in_bytes):
                return "second"
    """,
    "no_class.py": f"""
        {BASE_IMPORT}

        def handle(in_bytes):
            return "a function is not a handler"
    """,
    # A module next to the scripts (not itself an endpoint) holding a handler subclass.
    "shared_base.py": f"""
        {BASE_IMPORT}

        class SharedHandler(PersistentServerConnectionApplication):
            def __init__(self, command_line, command_arg):
                super().__init__()

            def handle(self, in_bytes):
                return "shared " + type(self).__name__
    """,
    # Only imports a subclass: the imported class is the handler.
    "imports_one.py": """
        import os, sys
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from shared_base import SharedHandler
    """,
    # Imports a subclass and defines another one: two candidates.
    "imports_and_defines.py": """
        import os, sys
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from shared_base import SharedHandler

        class Child(SharedHandler):
            pass
    """,
    # Relies on its own directory being on sys.path.
    "needs_own_dir.py": """
        from shared_base import SharedHandler
    """,
    "counting.py": f"""
        import json, os
        {BASE_IMPORT}

        class Counting(PersistentServerConnectionApplication):
            constructed = 0  # class state lives as long as the process

            def __init__(self, command_line, command_arg):
                super().__init__()
                Counting.constructed += 1
                self.command_line = command_line
                self.command_arg = command_arg
                self.handled = 0

            def handle(self, in_bytes):
                self.handled += 1
                request = json.loads(in_bytes)
                if request.get("path_info") == "boom":
                    raise RuntimeError("exploded on purpose")
                return {{
                    "payload": {{
                        "constructed": Counting.constructed,
                        "handled_by_this_instance": self.handled,
                        "instance": id(self),
                        "input_type": type(in_bytes).__name__,
                        "command_line": self.command_line,
                        "command_arg": self.command_arg,
                        "pid": os.getpid(),
                    }}
                }}
    """,
    # Passes splunkd's arguments on to Splunk's base class.
    "passes_args_to_base.py": f"""
        {BASE_IMPORT}

        class PassesArgs(PersistentServerConnectionApplication):
            def __init__(self, command_line, command_arg):
                super().__init__(command_line, command_arg)

            def handle(self, in_bytes):
                return "unreachable"
    """,
    "replies.py": f"""
        import json
        {BASE_IMPORT}

        class Replies(PersistentServerConnectionApplication):
            def __init__(self, command_line, command_arg):
                super().__init__()

            def handle(self, in_bytes):
                kind = json.loads(in_bytes).get("path_info")
                if kind == "str":
                    return "caf\\u00e9 as text"
                if kind == "bytes":
                    return b"\\x00raw\\xffbytes"
                if kind == "none":
                    return None
                if kind == "list":
                    return ["a list is not serialisable"]
                if kind == "headers":
                    return {{
                        "status": [202, "Accepted"],
                        "headers": {{
                            "Cache-Control": "no-store",
                            "X-Content-Type-Options": "nosniff",
                            "X-Repeated": ["one", "two"],
                        }},
                        "payload": {{"ok": True}},
                    }}
                return {{"payload": {{"kind": kind}}}}
    """,
    "prints.py": f"""
        {BASE_IMPORT}

        class Prints(PersistentServerConnectionApplication):
            def __init__(self, command_line, command_arg):
                super().__init__()

            def handle(self, in_bytes):
                print("a handler's print goes where the driver's answers go")
                return "answered"
    """,
}

ENDPOINTS = {
    "two_classes": "two_classes.py",
    "no_class": "no_class.py",
    "imports_one": "imports_one.py",
    "imports_and_defines": "imports_and_defines.py",
    "needs_own_dir": "needs_own_dir.py",
    "counting": "counting.py",
    "passes_args": "passes_args_to_base.py",
    "replies": "replies.py",
    "prints": "prints.py",
    "missing": "does_not_exist.py",
}


def _write_app(root):
    app = root / APP
    (app / "bin").mkdir(parents=True)
    (app / "default").mkdir()
    for name, source in SCRIPTS.items():
        (app / "bin" / name).write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    (app / "default" / "app.conf").write_text("[install]\nis_configured = true\n", "utf-8")
    restmap = []
    for name, script in ENDPOINTS.items():
        restmap.append(
            f"[script:conf_{name}]\nmatch = /conf/{name}\nscript = {script}\n"
            # handler= names a class that does not exist: it must not matter (HW restmap.conf
            # does the same with `handler = application.HelloWorld`).
            "scripttype = persist\nhandler = nowhere.NoSuchClass\nrequireAuthentication = true\n"
            "output_modes = json\npython.version = python3\n"
        )
    restmap.append(
        "[script:conf_args]\nmatch = /conf/args\nscript = counting.py\nscripttype = persist\n"
        "script.arg.2 = second\nscript.arg.1 = $SPLUNK_HOME/first\n"
        "script.param = free form\noutput_modes = json\n"
    )
    (app / "default" / "restmap.conf").write_text("\n".join(restmap), encoding="utf-8")
    (app / "default" / "web.conf").write_text(
        "[expose:conf]\npattern = conf/**\nmethods = GET\n", encoding="utf-8"
    )
    return app


@pytest.fixture
def splunk(tmp_path):
    source = _write_app(tmp_path / "source")
    emulator = SplunkEmulator(splunk_home=tmp_path / "splunk", apps={APP: str(source)})
    with emulator:
        yield emulator


def _get(splunk, path):
    return requests.get(
        splunk.splunkd_uri + "/services/conf/" + path,
        headers={"Authorization": "Splunk " + splunk.login("admin", "changeme")},
        verify=splunk.ca_bundle_path,
        timeout=60,
    )


def _log(splunk, needle, timeout=10.0):
    """splunkd.log once it holds needle (handler stderr arrives asynchronously)."""
    deadline = time.monotonic() + timeout
    while needle not in splunk.splunkd_log() and time.monotonic() < deadline:
        time.sleep(0.05)
    return splunk.splunkd_log()


def _pid(splunk, stanza):
    return splunk.rest_host.pids().get(f"{APP}/script:conf_{stanza}")


def test_two_handler_classes_in_one_file_fail_to_load(splunk):
    """S804 appserver.py 105-109: more than one match raises NotImplementedError("More than one
    class implements PersistentServerConnectionApplication"); handle_loop.py 39-41 sends that
    text as the start answer and re-raises, which ends the driver."""
    assert _get(splunk, "two_classes").status_code == 500
    log = _log(splunk, "More than one class implements PersistentServerConnectionApplication")
    assert "More than one class implements PersistentServerConnectionApplication" in log
    assert _pid(splunk, "two_classes") is None  # the driver exited


def test_a_file_without_a_handler_class_fails_to_load(splunk):
    """S804 appserver.py 106-107: no match raises "No class implements ..."."""
    assert _get(splunk, "no_class").status_code == 500
    assert "No class implements PersistentServerConnectionApplication" in _log(
        splunk, "No class implements"
    )


def test_imported_subclasses_count_like_defined_ones(splunk):
    """S804 appserver.py 96-105: inspect.getmembers() over the module namespace, matching any
    class with PersistentServerConnectionApplication in its MRO, wherever it was defined."""
    alone = _get(splunk, "imports_one")
    assert alone.status_code == 200 and alone.text == "shared SharedHandler"
    assert _get(splunk, "imports_and_defines").status_code == 500
    assert "More than one class implements" in _log(splunk, "More than one class implements")


def test_the_scripts_directory_is_not_on_sys_path(splunk):
    """S804 appserver.py 52-57: the file is found in its directory and loaded by path; nothing
    adds that directory to sys.path, so a sibling module is not importable by itself."""
    assert _get(splunk, "needs_own_dir").status_code == 500
    assert "No module named 'shared_base'" in _log(splunk, "No module named 'shared_base'")


def test_handler_is_found_by_script_and_handler_setting_is_ignored(splunk):
    """S804 appserver.py 19-22: the class comes from command[0], the `script` file; restmap
    `handler` (here a module that does not exist) is never read."""
    assert _get(splunk, "counting").status_code == 200


def test_every_request_gets_a_new_instance_in_the_same_process(splunk):
    """S804 appserver.py 26-27 (handler_class.__new__ then __init__ on every start packet) and
    39-45 (the class is cached per file for the life of the process)."""
    first = _get(splunk, "counting").json()
    second = _get(splunk, "counting").json()
    assert first["pid"] == second["pid"]  # one driver process...
    assert second["constructed"] == first["constructed"] + 1  # ...one constructor call each
    assert first["handled_by_this_instance"] == second["handled_by_this_instance"] == 1


def test_handle_receives_bytes(splunk):
    """S804 packet.py 101 (the block is read as it is) and 188 (from sys.stdin.buffer)."""
    assert _get(splunk, "counting").json()["input_type"] == "bytes"


def test_constructor_gets_script_args_and_param(splunk):
    """S804 appserver.py 27: __init__(command[1:], command_arg); packet.py 95-99: an empty
    argument arrives as None. restmap.conf.spec (S804 etc/system/README/restmap.conf.spec
    164-184): script.arg.<N> and script.param, environment variables substituted."""
    plain = _get(splunk, "counting").json()
    assert plain["command_line"] == [] and plain["command_arg"] is None
    response = requests.get(
        splunk.splunkd_uri + "/services/conf/args",
        headers={"Authorization": "Splunk " + splunk.login("admin", "changeme")},
        verify=splunk.ca_bundle_path,
        timeout=60,
    )
    configured = response.json()
    assert configured["command_line"] == [os.path.join(splunk.home, "first"), "second"]
    assert configured["command_arg"] == "free form"


def test_base_class_constructor_takes_no_arguments(splunk):
    """S804 application.py 8: __init__(self). Passing splunkd's arguments on is a TypeError at
    load time, so the request fails (handle_loop.py 39-41)."""
    assert _get(splunk, "passes_args").status_code == 500
    assert "TypeError" in _log(splunk, "TypeError")


def test_exception_in_handle_ends_the_process(splunk):
    """S804 handle_loop.py 61: handle() is called unguarded, so its exception leaves run() and
    the driver exits; splunkd starts a new one for the next request. The caller gets 500 (our
    choice: the sources do not say which status splunkd sends)."""
    before = _get(splunk, "counting").json()
    failed = _get(splunk, "counting/boom")
    assert failed.status_code == 500
    assert "exploded on purpose" not in failed.text
    assert "exploded on purpose" in _log(splunk, "exploded on purpose")
    after = _get(splunk, "counting").json()
    assert after["pid"] != before["pid"]
    assert after["constructed"] == 1  # class state went with the old process


def test_replies_are_serialised_as_splunks_driver_does(splunk):
    """S804 packet.py 153-165: bytes as they are, str as UTF-8, dict as compact JSON, anything
    else TypeError; handle_loop.py 62-63: None becomes "". A reply that is not a reply object
    is the body (ECHO "Multiformat Requests": no Content-Type then)."""
    text = _get(splunk, "replies/str")
    assert text.status_code == 200 and text.content == "café as text".encode()
    assert "Content-Type" not in text.headers
    raw = _get(splunk, "replies/bytes")
    assert raw.status_code == 200 and raw.content == b"\x00raw\xffbytes"
    empty = _get(splunk, "replies/none")
    assert empty.status_code == 200 and empty.content == b""
    pid = _pid(splunk, "replies")
    assert _get(splunk, "replies/list").status_code == 500
    assert "Don't know how to serialize list" in _log(splunk, "Don't know how to serialize")
    assert _get(splunk, "replies/dict").json() == {"kind": "dict"}
    assert _pid(splunk, "replies") != pid  # the TypeError ended the driver


def test_handler_headers_pass_through_splunkd_and_the_raw_proxy(splunk):
    """ECHO "Persistent Request Reply Format": status may be [code, reason], headers an object
    whose values may be lists. S804 proxy.py 209-214: Splunk Web copies every splunkd response
    header back (one per name: httplib2 joins repeats, S804 httplib2/__init__.py 2021-2027)."""
    direct = _get(splunk, "replies/headers")
    assert direct.status_code == 202 and direct.json() == {"ok": True}
    assert direct.headers["Cache-Control"] == "no-store"  # the handler's, not splunkd's default
    assert direct.headers["X-Content-Type-Options"] == "nosniff"
    assert direct.raw.headers.getlist("X-Repeated") == ["one", "two"]
    web = requests.Session()
    web.cookies.update({c["name"]: c["value"] for c in splunk.web_login_cookies()})
    proxied = web.get(splunk.web_url + "/en-US/splunkd/__raw/services/conf/replies/headers")
    assert proxied.status_code == 202 and proxied.json() == {"ok": True}
    assert proxied.headers["Cache-Control"] == "no-store"
    assert proxied.headers["X-Content-Type-Options"] == "nosniff"
    assert proxied.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert proxied.raw.headers.getlist("X-Repeated") == ["one, two"]
    untyped = web.get(splunk.web_url + "/en-US/splunkd/__raw/services/conf/replies/str")
    assert untyped.status_code == 200 and "Content-Type" not in untyped.headers


def test_a_print_to_stdout_corrupts_the_answers(splunk):
    """S804 packet.py 145-174 and 192-193: the driver's answers go to sys.stdout and are flushed
    with it, so a handler's print() lands in the stream splunkd reads answers from."""
    first = _get(splunk, "prints")
    assert first.status_code == 200 and first.text == "answered"
    assert _get(splunk, "prints").status_code == 500
    assert "is not an answer" in _log(splunk, "is not an answer")


def test_a_script_that_is_not_there_fails_but_the_driver_lives_on(splunk):
    """S804 appserver.py 52-54 (find_module fails: None) and handle_loop.py 37-50 ("Can't load
    script" as the start answer, later packets ignored, no exception)."""
    assert _get(splunk, "missing").status_code == 500
    pid = _pid(splunk, "missing")
    assert pid is not None
    assert "Can't load script" in _log(splunk, "Can't load script")
    assert _get(splunk, "missing").status_code == 500
    assert _pid(splunk, "missing") == pid


def test_an_idle_driver_exits_and_the_next_request_starts_another(tmp_path):
    """ECHO README.md, "Persistence": a persistent handler exits after 60 s fully idle (not
    configurable in Splunk; the stand-in takes the time as handler_idle_seconds)."""
    source = _write_app(tmp_path / "source")
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk", apps={APP: str(source)}, handler_idle_seconds=3.0
    )
    with emulator:
        first = _get(emulator, "counting").json()
        soon = _get(emulator, "counting").json()
        assert soon["pid"] == first["pid"]
        time.sleep(3.5)
        later = _get(emulator, "counting").json()
        assert later["pid"] != first["pid"] and later["constructed"] == 1
