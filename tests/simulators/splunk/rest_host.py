"""Custom REST endpoints from restmap.conf [script:<name>] with scripttype = persist.

Each stanza gets a long-lived driver process (persist_child.py, started lazily, started again
after it died) with only Python's stdlib and Splunk's stand-in `splunk` package importable:
-I -S keeps the test venv's site-packages out, so a package the app forgot to vendor fails as
in Splunk. splunkd talks to it in Splunk's packet framing (S804 persistconn/packet.py): each
request is one start+block+end packet whose command is the stanza's `script` (resolved under
the app's bin/, environment variables substituted) followed by its `script.arg.<N>` values,
with `script.param` as the command argument (restmap.conf.spec, S804
etc/system/README/restmap.conf.spec 164-184). `handler` plays no part (S804 appserver.py 19-28).

A handler that fails to load, raises in handle() or returns something the driver cannot
serialise leaves no answer: the caller gets 500 and the process is started again for the next
request, as splunkd starts a new driver. (What status real splunkd sends then is not in the
sources; 500 is our choice.) A driver idle for 60 s is ended too (ECHO README.md,
"Persistence"; `idle_seconds`, 0 gives every request a new process).
"""

import base64
import json
import os
import re
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
        self.require_authentication = is_true(conf.get("requireAuthentication", "true"))
        self.pass_system_auth = is_true(conf.get("passSystemAuth", "false"))
        self.pass_payload = is_true(conf.get("passPayload", "false"))
        self.pass_headers = is_true(conf.get("passHttpHeaders", "false"))
        self.pass_cookies = is_true(conf.get("passHttpCookies", "false"))

    @property
    def key(self) -> str:
        return self.app + "/" + self.stanza

    def command(self, env: Dict[str, str]) -> "Tuple[List[str], str]":
        """The driver's command (script path, then script.arg.<N> in order) and argument."""

        def expand(value: str) -> str:
            return _expand_vars(value, env)

        script = expand(self.conf.get("script", "").strip())
        path = script if os.path.isabs(script) else os.path.join(self.app_dir, "bin", script)
        numbered = []
        for key, value in self.conf.items():
            if key.startswith("script.arg.") and key[len("script.arg.") :].isdigit():
                numbered.append((int(key[len("script.arg.") :]), expand(value)))
        args = [value for _, value in sorted(numbered)]
        return [path] + args, expand(self.conf.get("script.param", ""))

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


_VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")


def _expand_vars(value: str, env: Dict[str, str]) -> str:
    """$NAME / ${NAME} from the driver's environment; unknown names stay as written."""

    def replace(match: "re.Match") -> str:
        name = match.group(1) or match.group(2)
        return env.get(name, match.group(0))

    return _VARIABLE.sub(replace, value)


OPCODE_START_BLOCK_END = 0x01 | 0x02 | 0x04  # one packet per request (S804 packet.py 67-69)


def _chunk(data: bytes) -> bytes:
    return f"{len(data)}\n".encode("ascii") + data


def request_packet(command: List[str], command_arg: str, block: bytes) -> bytes:
    """Splunk's framing (S804 packet.py 72-102): opcode, command, argument, block."""
    packet = bytes([OPCODE_START_BLOCK_END]) + f"{len(command)}\n".encode("ascii")
    for piece in command:
        packet += _chunk(piece.encode("utf-8"))
    return packet + _chunk(command_arg.encode("utf-8")) + _chunk(block)


def _read_answer(stream: Any) -> bytes:
    """One "<len>\\n<bytes>" answer (S804 packet.py 145-174); EOF or garbage raises."""
    header = stream.readline()
    if not header:
        raise EOFError("handler process exited")
    try:
        length = int(header.strip())
    except ValueError:
        raise ValueError(f"handler wrote something that is not an answer: {header[:80]!r}")
    data = stream.read(length)
    if len(data) != length:
        raise EOFError("handler process exited mid-answer")
    return data


class HandlerProcess:
    def __init__(
        self,
        endpoint: RestEndpoint,
        python: str,
        env: Dict[str, str],
        log: "Any",
        idle_seconds: float = 60.0,
    ) -> None:
        self.endpoint = endpoint
        self.python = python
        self.env = env
        self.log = log
        self.idle_seconds = idle_seconds
        self.lock = threading.Lock()
        self.process = None  # type: Optional[subprocess.Popen]
        self.starts = 0
        self.last_answer = 0.0  # time.monotonic() of the last answer

    def _start(self) -> subprocess.Popen:
        endpoint = self.endpoint
        config = {"path_after": [STANDIN_PATH]}
        process = subprocess.Popen(
            [self.python, "-I", "-S", CHILD_SCRIPT, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=os.path.join(endpoint.app_dir, "bin"),
            env=self.env,
        )
        self.starts += 1
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

    def _fail(self, process: subprocess.Popen, reason: str) -> None:
        """A process that broke the protocol or died is done: the next request gets a new one."""
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        self.log(
            f"ERROR PersistentScript - {self.endpoint.app} {self.endpoint.stanza} "
            f"exited (code {process.returncode}): {reason}"
        )
        self.process = None

    def call(self, request_json: str) -> "Optional[bytes]":
        """The handler's answer as the driver wrote it, or None if there is none to give."""
        with self.lock:
            idle = time.monotonic() - self.last_answer >= self.idle_seconds
            if self.process is not None and idle:
                self.stop()  # the driver would have exited on its own by now
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            process = self.process
            assert process.stdin is not None and process.stdout is not None
            command, command_arg = self.endpoint.command(self.env)
            try:
                process.stdin.write(
                    request_packet(command, command_arg, request_json.encode("utf-8"))
                )
                process.stdin.flush()
                load_error = _read_answer(process.stdout)
                if load_error:
                    self.log(
                        f"ERROR PersistentScript - {self.endpoint.app} {self.endpoint.stanza} "
                        "failed to start: " + load_error.decode("utf-8", "replace")
                    )
                # After a load error the driver either exits (an exception, re-raised) or
                # answers the block with nothing (script not found): S804 handle_loop.py 37-50.
                answer = _read_answer(process.stdout)
            except (OSError, ValueError, EOFError) as error:
                self._fail(process, str(error))
                return None
            self.last_answer = time.monotonic()
            return None if load_error else answer

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

    def __init__(
        self,
        log_path: str,
        env: Dict[str, str],
        python: "Optional[str]" = None,
        idle_seconds: float = 60.0,
    ) -> None:
        self.log_path = log_path
        self.env = env
        self.python = python or sys.executable
        self.idle_seconds = idle_seconds
        self._processes = {}  # type: Dict[str, HandlerProcess]
        self._lock = threading.Lock()
        self._log_lock = threading.Lock()

    def log(self, line: str) -> None:
        stamp = time.strftime("%m-%d-%Y %H:%M:%S.000 %z")
        with self._log_lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {line}\n")

    def call(self, endpoint: RestEndpoint, request: Dict[str, Any]) -> "Optional[bytes]":
        with self._lock:
            process = self._processes.get(endpoint.key)
            if process is None or process.python != self.python:
                if process is not None:
                    process.stop()
                process = HandlerProcess(
                    endpoint, self.python, self.env, self.log, self.idle_seconds
                )
                self._processes[endpoint.key] = process
            process.endpoint = endpoint  # restmap.conf as it is now
        return process.call(json.dumps(request))

    def pids(self) -> Dict[str, int]:
        return {key: p.process.pid for key, p in self._processes.items() if p.process is not None}

    def stop(self) -> None:
        with self._lock:
            processes = list(self._processes.values())
            self._processes.clear()
        for process in processes:
            process.stop()


REPLY_KEYS = ("status", "payload", "payload_base64")


def _header_pairs(headers: Any) -> List[Tuple[str, str]]:
    """A list of pairs, or an object whose values may be lists (one header per value)."""
    if isinstance(headers, dict):
        pairs = []
        for name, value in headers.items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((str(name), str(item)))
        return pairs
    return [(str(pair[0]), str(pair[1])) for pair in headers or []]


def reply_to_response(answer: "Optional[bytes]") -> "Tuple[int, List, bytes]":
    """The driver's answer as (status, headers, body), after ECHO persistent_examples.md
    ("Persistent Request Reply Format" and the "Multiformat Requests" captures): a reply object
    gives status ([code, reason] too), headers and payload (a string as it is, an object or
    array as JSON with a JSON Content-Type and nosniff, null as 204); any other answer is the
    raw body, with no Content-Type. None (no answer) is a 500."""
    if answer is None:
        return 500, [], b""
    try:
        reply = json.loads(answer.decode("utf-8"))
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or not any(key in reply for key in REPLY_KEYS):
        return 200, [], answer
    status = reply.get("status", 200)
    status = int(status[0] if isinstance(status, list) else status)
    pairs = _header_pairs(reply.get("headers"))
    names = {name.lower() for name, _ in pairs}
    if "payload_base64" in reply:
        return status, pairs, base64.b64decode(reply["payload_base64"] or "")
    payload = reply.get("payload", "")
    if payload is None:
        return 204, pairs, b""
    if isinstance(payload, str):
        return status, pairs, payload.encode("utf-8")
    if "content-type" not in names:
        pairs.append(("Content-Type", "application/json; charset=UTF-8"))
    if "x-content-type-options" not in names:
        pairs.append(("X-Content-Type-Options", "nosniff"))
    return status, pairs, json.dumps(payload).encode("utf-8")
