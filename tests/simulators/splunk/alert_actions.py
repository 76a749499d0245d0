"""Runs an app's custom alert action as splunkd's sendmodalert does when an alert fires.

Sources (each checked by ``tests/runner_tests/test_alert_actions.py``):
- docs.splunk.com "Create a custom alert action script" (AdvancedDev/CustomAlertScript,
  6.6-8.1): the script gets one argument, ``--execute``; it reads the configuration payload
  from stdin (XML unless ``payload_format = json``); the payload holds the splunkd session
  key and management URL, the sid, the saved search name, the path of the results file, the
  results URL, the alert action configuration ("the merged parameters of alert_actions.conf
  and savedsearches.conf") and the first search result; the script runs once per triggered
  alert and is "forcefully" terminated past its runtime threshold.
- alert_actions.conf.spec (livehybrid/splunk-spec-files): ``is_custom``, ``payload_format``,
  ``alert.execute.cmd`` (a .py script is prefixed with the bundled Python), ``maxtime``
  (default 5m), ``python.version`` / ``python.required``.
- Search Reference "sendalert": the payload is handed over on STDIN and ``maxtime`` is
  honoured by terminating the process.
- Public alert action scripts (code index): the payload's keys ``results_file`` (a gzipped
  CSV opened with ``gzip.open`` and read with ``csv.DictReader``), ``session_key``,
  ``server_uri``, ``search_name``, ``configuration``; splunk-app-examples' slack action exits
  with non-zero codes that Splunk reports as "Alert script returned error code N".
- Splunk's results CSV encodes a multivalue field as the values joined by newlines in the
  field's column plus ``__mv_<field>`` holding ``$v1$;$v2$`` (``$`` doubled inside).

Not found, so the stand-in's choices: the exact splunkd.log lines (component ``sendmodalert``,
``action=<name> STDERR - <line>`` at the line's own level, as ExecProcessor does, and one
completion line with the exit code), the signal at ``maxtime`` (SIGKILL of the process
group), and the dispatch path ``var/run/splunk/dispatch/<sid>/results.csv.gz``.
"""

import csv
import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import global_conf, modinput_log
from .script_host import ScriptHost

DEFAULT_MAXTIME = 300.0  # alert_actions.conf.spec: maxtime default 5m


@dataclass
class ActionRun:
    action: str
    sid: str
    exit_code: Optional[int]
    stderr_lines: List[str]
    payload: Dict[str, Any]
    results_file: str
    timed_out: bool
    duration: float


def maxtime_seconds(text: Optional[str]) -> float:
    """alert_actions.conf maxtime: <integer>[m|s|h|d] (no unit: seconds)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text or "")
    if not match:
        return DEFAULT_MAXTIME
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def write_results_csv(path: str, results: Sequence[Mapping[str, Any]]) -> None:
    """Splunk's results file: gzipped CSV, a list value as newline-joined text plus __mv_."""
    fields = []  # type: List[str]
    for row in results:
        for name, value in row.items():
            if name not in fields:
                fields.append(name)
    multi = [name for name in fields if any(isinstance(r.get(name), list) for r in results)]
    header = fields + ["__mv_" + name for name in multi]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in results:
        line = []
        for name in fields:
            value = row.get(name, "")
            line.append("\n".join(map(str, value)) if isinstance(value, list) else str(value))
        for name in multi:
            value = row.get(name)
            encoded = ";".join("$" + str(v).replace("$", "$$") + "$" for v in value)
            line.append(encoded if isinstance(value, list) else "")
        writer.writerow(line)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())


class AlertActionRunner:
    def __init__(
        self,
        splunk_home: str,
        app_dir: str,
        app_name: str,
        server_uri: str,
        python: "Union[str, Sequence[str]]" = sys.executable,
        extra_env: "Optional[Dict[str, str]]" = None,
        server_host: Optional[str] = None,
        web_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self.host = ScriptHost.of(
            splunk_home, app_dir, app_name, server_uri, python, extra_env, server_host
        )
        self.web_url = web_url

    def stanza(self, action: str) -> Dict[str, str]:
        stanzas = global_conf.merged(self.host.app_dir, "alert_actions")[0]
        if action not in stanzas:
            raise ValueError(f"no alert action {action!r} in alert_actions.conf")
        stanza = dict(stanzas[action])
        if stanza.get("is_custom", "0").strip().lower() not in ("1", "true"):
            raise ValueError(f"alert action {action!r} is not a custom alert action")
        return stanza

    def fire(
        self,
        action: str,
        search_name: str,
        results: Sequence[Mapping[str, Any]],
        params: "Optional[Mapping[str, str]]" = None,
        session_key: str = "",
        owner: str = "admin",
        app: str = "search",
        sid: Optional[str] = None,
        maxtime: Optional[float] = None,
    ) -> ActionRun:
        """One firing: params are the saved search's action.<action>.param.* values."""
        stanza = self.stanza(action)
        if stanza.get("payload_format", "xml").strip() != "json":
            raise NotImplementedError("the stand-in sends JSON payloads only")
        sid = sid or f"scheduler__{owner}__{app}__RMD5{uuid.uuid4().hex[:16]}_at_{int(time.time())}"
        results_file = os.path.join(
            self.host.splunk_home, "var", "run", "splunk", "dispatch", sid, "results.csv.gz"
        )
        write_results_csv(results_file, results)
        configuration = {k[len("param.") :]: v for k, v in stanza.items() if k.startswith("param.")}
        configuration.update(params or {})
        payload = {
            "app": app,
            "owner": owner,
            "results_file": results_file,
            "results_link": f"{self.web_url}/app/{app}/search?sid={sid}",
            "search_uri": f"/servicesNS/{owner}/{app}/saved/searches/{search_name}",
            "server_host": self.host.server_host,
            "server_uri": self.host.server_uri,
            "session_key": session_key,
            "sid": sid,
            "search_name": search_name,
            "configuration": configuration,
            "result": dict(results[0]) if results else {},
        }
        script = os.path.join(
            self.host.app_dir, "bin", stanza.get("alert.execute.cmd") or action + ".py"
        )
        interpreter = self.host.interpreter() if script.endswith(".py") else []
        command = interpreter + [script, "--execute"]
        limit = maxtime if maxtime is not None else maxtime_seconds(stanza.get("maxtime"))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "SPLUNK_HOME": self.host.splunk_home, "LANG": "C.UTF-8"}  # fmt: skip
        env.update(self.host.extra_env)
        self._log("INFO", f'Invoking modular alert action={action} for search="{search_name}" '
                  f'sid="{sid}" in app="{app}" owner="{owner}" type="saved"')  # fmt: skip
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=os.path.dirname(script), env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        timed_out = False
        try:
            _, stderr = process.communicate(json.dumps(payload).encode("utf-8"), timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        for line in lines:
            self._log(modinput_log.level_of(line), f"action={action} STDERR - {line}")
        duration_ms = int((time.monotonic() - started) * 1000)
        code = process.returncode
        if timed_out:
            self._log("WARN", f"action={action} - Alert action script timed out after {limit:g}s")
        level = "INFO" if code == 0 else "ERROR"
        self._log(level, f"action={action} - Alert action script completed in "
                  f"duration={duration_ms} ms with exit code={code}")  # fmt: skip
        if code:
            self._log("WARN", f"action={action} - Alert action script returned error code={code}")
        return ActionRun(action, sid, code, lines, payload, results_file, timed_out,
                         duration_ms / 1000.0)  # fmt: skip

    def _log(self, level: str, message: str) -> None:
        modinput_log.write_line(self.host.splunk_home, level, "sendmodalert", message)
