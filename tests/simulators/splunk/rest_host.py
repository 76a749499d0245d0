"""Custom REST endpoints from restmap.conf [script:<name>] with scripttype = persist.

Each handler runs in its own long-lived Python process (started lazily, restarted if it dies)
with only the app's bin/ and Splunk's stand-in `splunk` package importable: -I -S keeps the
test venv's site-packages out, so a package the app forgot to vendor fails as in Splunk.
"""

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from .apps import is_true
from .conffile import AppConf

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD_SCRIPT = os.path.join(HERE, "persist_child.py")
STANDIN_PATH = os.path.join(HERE, "standin")


class RestEndpoint:
    """One [script:<name>] stanza of an installed app."""

    def __init__(self, app: str, app_dir: str, stanza: str, conf: Dict[str, str]) -> None:
        self.app = app
        self.app_dir = app_dir
        self.stanza = stanza
        self.conf = conf
        self.match = "/" + conf.get("match", "").strip().strip("/")
        self.handler = conf.get("handler", "")
        self.require_authentication = is_true(conf.get("requireAuthentication", "true"))
        self.pass_system_auth = is_true(conf.get("passSystemAuth", "false"))
        self.pass_payload = is_true(conf.get("passPayload", "false"))
        self.pass_headers = is_true(conf.get("passHttpHeaders", "false"))
        self.pass_cookies = is_true(conf.get("passHttpCookies", "false"))

    @property
    def key(self) -> str:
        return self.app + "/" + self.stanza

    def capability_for(self, method: str) -> "Optional[str]":
        specific = self.conf.get("capability." + method.lower())
        return specific if specific else self.conf.get("capability") or None

    def matches(self, rest_path: str) -> "Optional[str]":
        """The path_info below `match`, or None if rest_path is not under it."""
        path = "/" + rest_path.strip("/")
        if path == self.match:
            return ""
        if path.startswith(self.match + "/"):
            return path[len(self.match) + 1 :]
        return None


def load_endpoints(apps: Dict[str, str]) -> List[RestEndpoint]:
    endpoints = []
    for app, app_dir in sorted(apps.items()):
        for stanza, conf in AppConf(app_dir, "restmap").stanzas().items():
            if stanza.startswith("script:") and conf.get("scripttype", "") == "persist":
                endpoints.append(RestEndpoint(app, app_dir, stanza, conf))
    return endpoints


def find_endpoint(endpoints: List[RestEndpoint], rest_path: str) -> "Optional[Tuple]":
    """Longest `match` that rest_path falls under, with its path_info."""
    best = None
    for endpoint in endpoints:
        path_info = endpoint.matches(rest_path)
        if path_info is not None and (best is None or len(endpoint.match) > len(best[0].match)):
            best = (endpoint, path_info)
    return best


class HandlerProcess:
    def __init__(
        self, endpoint: RestEndpoint, python: str, env: Dict[str, str], log: "Any"
    ) -> None:
        self.endpoint = endpoint
        self.python = python
        self.env = env
        self.log = log
        self.lock = threading.Lock()
        self.process = None  # type: Optional[subprocess.Popen]

    def _start(self) -> subprocess.Popen:
        endpoint = self.endpoint
        config = {
            "handler": endpoint.handler,
            "path_before": [os.path.join(endpoint.app_dir, "bin")],
            "path_after": [STANDIN_PATH],
            "command_line": endpoint.conf.get("script", ""),
            "command_arg": "",
        }
        process = subprocess.Popen(
            [self.python, "-I", "-S", CHILD_SCRIPT, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=os.path.join(endpoint.app_dir, "bin"),
            env=self.env,
        )
        threading.Thread(target=self._pump_stderr, args=(process,), daemon=True).start()
        return process

    def _pump_stderr(self, process: subprocess.Popen) -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log(
                f"ERROR PersistentScript [{process.pid}] - From "
                f"{{{self.endpoint.app} {self.endpoint.stanza}}}: {line}"
            )

    def call(self, request_json: str, timeout: float = 60.0) -> "Optional[Dict[str, Any]]":
        """The child's {ok, result} answer, or None if the process died or could not start."""
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            process = self.process
            assert process.stdin is not None and process.stdout is not None
            data = request_json.encode("utf-8")
            try:
                process.stdin.write(f"{len(data)}\n".encode("ascii") + data)
                process.stdin.flush()
                header = process.stdout.readline()
                if not header:
                    raise BrokenPipeError("handler process exited")
                return json.loads(process.stdout.read(int(header.strip())).decode("utf-8"))
            except (OSError, ValueError) as error:
                process.wait(timeout=5)
                self.log(
                    f"ERROR PersistentScript - {self.endpoint.app} {self.endpoint.stanza} "
                    f"exited (code {process.returncode}): {error}"
                )
                self.process = None
                return None

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        self.process = None


class RestHost:
    """The persistent processes of every custom endpoint; stderr lines go to splunkd.log."""

    def __init__(self, log_path: str, env: Dict[str, str], python: "Optional[str]" = None) -> None:
        self.log_path = log_path
        self.env = env
        self.python = python or sys.executable
        self._processes = {}  # type: Dict[str, HandlerProcess]
        self._lock = threading.Lock()
        self._log_lock = threading.Lock()

    def log(self, line: str) -> None:
        stamp = time.strftime("%m-%d-%Y %H:%M:%S.000 %z")
        with self._log_lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {line}\n")

    def call(self, endpoint: RestEndpoint, request: Dict[str, Any]) -> "Optional[Dict[str, Any]]":
        with self._lock:
            process = self._processes.get(endpoint.key)
            if process is None or process.python != self.python:
                if process is not None:
                    process.stop()
                process = HandlerProcess(endpoint, self.python, self.env, self.log)
                self._processes[endpoint.key] = process
        return process.call(json.dumps(request))

    def pids(self) -> Dict[str, int]:
        return {key: p.process.pid for key, p in self._processes.items() if p.process is not None}

    def stop(self) -> None:
        with self._lock:
            processes = list(self._processes.values())
            self._processes.clear()
        for process in processes:
            process.stop()


def reply_to_response(answer: "Optional[Dict[str, Any]]") -> "Tuple[int, List, bytes]":
    """The child's answer as (status, headers, body); None/exception → generic 500."""
    if answer is None or not answer.get("ok"):
        return 500, [], b""
    result = answer.get("result")
    if isinstance(result, str):
        try:
            parsed = json.loads(result)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and ("payload" in parsed or "status" in parsed):
            result = parsed
        else:
            return 200, [], result.encode("utf-8")
    if not isinstance(result, dict):
        return 500, [], b""
    status = int(result.get("status", 200))
    headers = result.get("headers") or {}
    pairs = list(headers.items()) if isinstance(headers, dict) else [tuple(h) for h in headers]
    payload = result.get("payload", "")
    if isinstance(payload, str):
        body = payload.encode("utf-8")
    else:
        body = json.dumps(payload).encode("utf-8")
        if not any(k.lower() == "content-type" for k, _ in pairs):
            pairs.append(("Content-Type", "application/json; charset=UTF-8"))
    return status, pairs, body
