"""Runs an app's modular inputs as splunkd's ExecProcessor does.

For each launch: the input definition XML (server_host, server_uri, session_key,
checkpoint_dir = $SPLUNK_HOME/var/lib/splunk/modinputs/<scheme>, and the stanzas) is written to
the script's stdin, which is then closed; stdout is parsed as the event stream and the events
are indexed through the sourcetype's index-time props (props.py: LINE_BREAKER, TRUNCATE,
TIME_FORMAT); stderr lines go to splunkd.log. One process per enabled stanza, or one process
with every enabled stanza when the scheme says use_single_instance. Processes run with the
app's bin/ as cwd and a clean environment (SPLUNK_HOME, ... plus the caller's extra_env).
Inputs come from inputs.conf merged across apps and etc/system (modinput_config).

Scheduling (inputs.conf.spec `interval`, lines 1382-1399 at dff5abf): a number launches at
start-up and then every so many seconds, `0` relaunches as soon as the script exits, `-1`
runs once at start-up, and "when you specify a cron schedule, the input does not run the
script on start-up": it first runs at the schedule's next matching minute.

Stopping (an input edited, disabled or deleted, or splunkd shutting down): splunkd signals
the process and "after a grace period" force-terminates it, logging "WARN ProcessRunner -
Process with pid N did not exit within a given grace period after being signaled to exit.
Will have to forcibly terminate." (quoted in splunk/splunk-sdk-java issue #92; a validation
run seen "killed by signal 9" in gjanders/SplunkVersionControl issue #17). Neither the
signal nor the length of the grace period is documented. The stand-in's choice: SIGTERM (the
conventional "please exit" signal, the one a graceful exit can be written for) to the script's
process, then SIGKILL to its whole process group after STOP_GRACE_SECONDS (10 s, kept short
so that an input that needs longer fails here first). kill() stays the tests' SIGKILL crash.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from tests.simulators.splunk import modinput_config as config
from tests.simulators.splunk import modinput_log
from tests.simulators.splunk.index import IndexStore, IndexWriter
from tests.simulators.splunk.modinput_schedule import parse_interval
from tests.simulators.splunk.modinput_stream import (
    RawEvent,
    SimpleLineStream,
    StreamFormatError,
    XmlEventStream,
)
from tests.simulators.splunk.props import IndexTimeProps
from tests.simulators.splunk.scheme import Scheme, SchemeError, load_schemes, script_path
from tests.simulators.splunk.script_host import ScriptHost

DEFAULT_INDEX = "main"  # indexes.conf defaultDatabase: where `index = default` lands
MAX_STDERR_LINES_KEPT = 10000
STOP_GRACE_SECONDS = 10.0  # not documented by Splunk: the stand-in's choice (module docstring)


@dataclass
class RunResult:
    """What one launch (or, for a per-stanza scheme run, all its launches) did."""

    stanzas: List[str]
    exit_code: Optional[int]  # negative signal number when killed, as subprocess reports
    events_written: int
    stderr_lines: List[str]
    duration: float
    killed: bool = False  # SIGKILLed: kill(), the run's timeout, or a stop past its grace
    timed_out: bool = False
    stopped: bool = False  # asked to exit with SIGTERM (see "Stopping" above)
    forced: bool = False  # ... and SIGKILLed because it outlived the grace period
    stream_error: Optional[str] = None
    dropped_events: int = 0
    runs: "List[RunResult]" = field(default_factory=list)


class _Launch:
    """A running script process and the bookkeeping to stop it."""

    def __init__(
        self,
        key: str,
        scheme: str,
        stanzas: List[str],
        process: subprocess.Popen,
        log: "Callable[[str, str, str], None]",
    ):
        self.key = key
        self.scheme = scheme
        self.stanzas = stanzas
        self.process = process
        self.log = log
        self.killed = False
        self.timed_out = False
        self.stopped = False
        self.forced = False
        self.exited = threading.Event()

    def kill(self) -> None:
        self.killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self, grace: float) -> None:
        """SIGTERM now; SIGKILL the process group if it is still running after grace."""
        if self.stopped or self.exited.is_set():
            return
        self.stopped = True
        try:
            os.kill(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return

        def enforce() -> None:
            if self.exited.wait(grace):
                return
            self.forced = True
            self.log(
                "WARN",
                "ProcessRunner",
                f"Process with pid {self.process.pid} did not exit within a given grace period "
                "after being signaled to exit. Will have to forcibly terminate.",
            )
            self.kill()

        threading.Thread(target=enforce, name="modinput stop " + self.key, daemon=True).start()


class ModularInputRunner:
    def __init__(
        self,
        splunk_home: str,
        app_dir: str,
        app_name: str,
        server_uri: str,
        session_key_provider: "Union[Callable[[], str], str]",
        python: "Union[str, Sequence[str]]" = sys.executable,
        extra_env: "Optional[Dict[str, str]]" = None,
        index_store: Optional[IndexStore] = None,
        server_host: Optional[str] = None,
        clock: Callable[[], float] = time.time,
        allowed_indexes: "Optional[Iterable[str]]" = None,
        stop_grace_seconds: float = STOP_GRACE_SECONDS,
    ) -> None:
        self.host = ScriptHost.of(
            splunk_home, app_dir, app_name, server_uri, python, extra_env, server_host
        )
        self.session_key_provider = session_key_provider
        self.index_store = index_store or IndexStore(
            os.path.join(splunk_home, "var", "lib", "splunk", "indexes")
        )
        self.clock = clock
        self.allowed_indexes = set(allowed_indexes) if allowed_indexes is not None else None
        self.stop_grace_seconds = stop_grace_seconds
        self._schemes = None  # type: Optional[Dict[str, Scheme]]
        self._running = {}  # type: Dict[str, _Launch]
        self._lock = threading.RLock()
        self._next_due = {}  # type: Dict[str, Optional[float]]
        self._scheduler = None  # type: Optional[threading.Thread]
        self._scheduler_stop = threading.Event()

    # --- configuration -------------------------------------------------------------------
    @property
    def env(self) -> dict:
        return config.child_env(self.host.splunk_home, self.host.server_host, self.host.extra_env)

    @property
    def splunkd_log_path(self) -> str:
        return modinput_log.splunkd_log_path(self.host.splunk_home)

    def session_key(self) -> str:
        provider = self.session_key_provider
        return provider if isinstance(provider, str) else provider()

    def schemes(self) -> "Dict[str, Scheme]":
        """Introspect (once) every scheme the app's spec names; raises SchemeError."""
        with self._lock:
            if self._schemes is None:
                self._schemes = load_schemes(self.host.app_dir, self.host.interpreter(), self.env)
            return self._schemes

    def reload_schemes(self) -> None:
        with self._lock:
            self._schemes = None

    def scheme(self, name: str) -> Scheme:
        schemes = self.schemes()
        if name not in schemes:
            raise SchemeError(f"no modular input scheme {name!r} in app {self.host.app_name}")
        return schemes[name]

    def input_stanzas(self, scheme: Optional[str] = None) -> "OrderedDict[str, OrderedDict]":
        return config.input_stanzas(self.host.app_dir, scheme)

    def enabled_stanzas(self, scheme: str) -> "OrderedDict[str, OrderedDict]":
        return OrderedDict(
            (name, params)
            for name, params in self.input_stanzas(scheme).items()
            if not config.is_true(params.get("disabled"))
        )

    def checkpoint_dir(self, scheme: str) -> str:
        return config.checkpoint_dir(self.host.splunk_home, scheme)

    def command_line(self, scheme: str) -> "List[str]":
        return self.host.interpreter() + [script_path(self.host.app_dir, scheme)]

    # --- validation ----------------------------------------------------------------------
    def validate_arguments(
        self, scheme: str, name: str, params: "Mapping[str, str]", timeout: float = 60.0
    ) -> None:
        """Run `--validate-arguments`; a refusal raises ValueError(the script's message)."""
        command = self.command_line(scheme)
        document = config.validation_xml(
            self.host.server_host,
            self.host.server_uri,
            self.session_key(),
            self.checkpoint_dir(scheme),
            name,
            params,
        )
        completed = subprocess.run(
            command + ["--validate-arguments"],
            cwd=os.path.dirname(command[-1]),
            env=self.env,
            input=document,
            capture_output=True,
            timeout=timeout,
        )
        for line in completed.stderr.decode("utf-8", "replace").splitlines():
            if line.strip():
                modinput_log.log_stderr_line(self.host.splunk_home, " ".join(command), line)
        if completed.returncode == 0:
            return
        raise ValueError(_validation_message(completed.stdout, completed.returncode))

    # --- running -------------------------------------------------------------------------
    def run_once(
        self,
        target: str,
        timeout: float = 300.0,
        kill_after_events: Optional[int] = None,
        stop_after_events: Optional[int] = None,
    ) -> RunResult:
        """Run one stanza (`scheme://name`) or a whole scheme once, to completion.

        For a per-stanza scheme, naming the scheme runs each enabled stanza in turn. For a
        single-instance scheme, either form launches the one process with every enabled
        stanza. `kill_after_events=N` SIGKILLs the process once N events have been read (what
        it had already written to the pipe is still read and indexed, as splunkd would);
        `stop_after_events=N` stops it then as splunkd stops an input (SIGTERM, grace, SIGKILL).
        """
        scheme_name, launches = self._plan(target)
        scheme = self.scheme(scheme_name)
        limits = (kill_after_events, stop_after_events)
        results = [self._launch(scheme, key, stanzas, timeout, limits) for key, stanzas in launches]
        if len(results) == 1:
            return results[0]
        return _combine(results)

    def run_in_background(self, target: str, **options: object) -> "Future[RunResult]":
        """run_once in a thread; tests kill() it or wait on the future."""
        future = Future()  # type: Future
        plan = self._plan(target)  # fail fast in the caller for unknown or disabled inputs

        def work() -> None:
            try:
                future.set_result(self.run_once(target, **options))  # type: ignore[arg-type]
            except BaseException as error:  # noqa: BLE001 - handed to the waiting test
                future.set_exception(error)

        threading.Thread(target=work, name="modinput " + plan[0], daemon=True).start()
        return future

    def running(self) -> "List[str]":
        """Stanza names of inputs whose process is running now."""
        with self._lock:
            return [stanza for launch in self._running.values() for stanza in launch.stanzas]

    def wait_until_running(self, target: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._matching(target):
                return True
            time.sleep(0.01)
        return False

    def kill(self, target: str) -> bool:
        """SIGKILL the process running a stanza or a scheme (a crash); False if none ran."""
        launches = self._matching(target)
        for launch in launches:
            launch.kill()
        return bool(launches)

    def stop(self, target: str, grace: Optional[float] = None, wait: bool = False) -> bool:
        """Stop the process running a stanza or a scheme as splunkd does: SIGTERM, then
        SIGKILL after the grace period. wait: return only once it has exited."""
        launches = self._matching(target)
        for launch in launches:
            launch.stop(self.stop_grace_seconds if grace is None else grace)
        if wait:
            for launch in launches:
                launch.exited.wait()
        return bool(launches)

    def restart_input(self, target: str) -> None:
        """What splunkd does when an input is edited, enabled, disabled or deleted: stop the
        process that runs it, and launch it again at the next scheduling pass if enabled."""
        self.stop(target)
        with self._lock:
            scheme = target.partition("://")[0]
            self._next_due.pop(target, None)
            self._next_due.pop(scheme, None)

    def _matching(self, target: str) -> "List[_Launch]":
        with self._lock:
            return [
                launch
                for launch in self._running.values()
                if target == launch.scheme or target == launch.key or target in launch.stanzas
            ]

    def _plan(self, target: str) -> "tuple":
        """(scheme, [(launch key, OrderedDict of stanza -> params)])."""
        parts = config.split_stanza(target)
        scheme_name = parts[0] if parts else target
        scheme = self.scheme(scheme_name)
        enabled = self.enabled_stanzas(scheme_name)
        if parts is not None and target not in enabled:
            known = target in self.input_stanzas(scheme_name)
            raise ValueError("input {} is {}".format(target, "disabled" if known else "unknown"))
        if scheme.use_single_instance:
            return scheme_name, [(scheme_name, enabled)] if enabled else []
        names = [target] if parts is not None else list(enabled)
        return scheme_name, [(name, OrderedDict([(name, enabled[name])])) for name in names]

    def _launch(
        self,
        scheme: Scheme,
        key: str,
        stanzas: "OrderedDict[str, OrderedDict]",
        timeout: float,
        limits: "tuple",
    ) -> RunResult:
        checkpoint_dir = self.checkpoint_dir(scheme.name)
        os.makedirs(checkpoint_dir, exist_ok=True)
        command = self.command_line(scheme.name)
        shown = " ".join(command)
        resolved = OrderedDict(
            (name, self._params_for_script(params)) for name, params in stanzas.items()
        )
        document = config.input_definition_xml(
            self.host.server_host,
            self.host.server_uri,
            self.session_key(),
            checkpoint_dir,
            self.host.app_name,
            resolved,
            config.defining_apps(self.host.app_dir),
        )
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=os.path.dirname(command[-1]),
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a kill reaches the script's own children too
        )
        launch = _Launch(key, scheme.name, list(stanzas), process, self._log)
        with self._lock:
            self._running[key] = launch
        modinput_log.write_line(
            self.host.splunk_home, "INFO", "ExecProcessor", "New scheduled exec process: " + shown
        )
        stderr_lines = []  # type: List[str]
        helpers = [
            threading.Thread(target=_feed_stdin, args=(process, document), daemon=True),
            threading.Thread(
                target=self._read_stderr, args=(process, shown, stderr_lines), daemon=True
            ),
        ]
        for helper in helpers:
            helper.start()

        def on_timeout() -> None:
            launch.timed_out = True
            launch.kill()

        watchdog = threading.Timer(timeout, on_timeout)
        watchdog.daemon = True
        watchdog.start()
        try:
            counts = self._index_stdout(scheme, resolved, process, launch, limits)
            exit_code = process.wait()
        finally:
            launch.exited.set()
            watchdog.cancel()
            for helper in helpers:
                helper.join(timeout=10)
            with self._lock:
                self._running.pop(key, None)
        modinput_log.write_line(
            self.host.splunk_home,
            "INFO" if exit_code == 0 else "ERROR",
            "ExecProcessor",
            f"{shown} exited with code {exit_code}",
        )
        return RunResult(
            stanzas=list(stanzas),
            exit_code=exit_code,
            events_written=counts["written"],
            stderr_lines=stderr_lines,
            duration=time.monotonic() - started,
            killed=launch.killed,
            timed_out=launch.timed_out,
            stream_error=counts["error"],
            dropped_events=counts["dropped"],
            stopped=launch.stopped,
            forced=launch.forced,
        )

    def _log(self, level: str, component: str, message: str) -> None:
        modinput_log.write_line(self.host.splunk_home, level, component, message)

    def _params_for_script(self, params: "Mapping[str, str]") -> "OrderedDict[str, str]":
        resolved = OrderedDict(params)
        resolved["host"] = config.resolve_host(params, self.host.server_host)
        return resolved

    def _index_stdout(
        self,
        scheme: Scheme,
        stanzas: "OrderedDict[str, OrderedDict]",
        process: subprocess.Popen,
        launch: _Launch,
        limits: "tuple",
    ) -> dict:
        kill_after_events, stop_after_events = limits
        parser = XmlEventStream() if scheme.streaming_mode == "xml" else SimpleLineStream()
        counts = {"written": 0, "dropped": 0, "error": None}  # type: dict
        props = IndexTimeProps.load(self.host.app_dir)
        descriptor = process.stdout.fileno()
        with self.index_store.writer() as writer:
            while True:
                chunk = os.read(descriptor, 1 << 16)
                events = None
                if counts["error"] is None:
                    events = parser.feed(chunk) if chunk else parser.close()
                try:
                    for raw in events or ():
                        self._store(scheme, stanzas, raw, writer, counts, props)
                        seen = counts["written"] + counts["dropped"]
                        if kill_after_events is not None and seen >= kill_after_events:
                            if not launch.killed:
                                launch.kill()
                        if stop_after_events is not None and seen >= stop_after_events:
                            launch.stop(self.stop_grace_seconds)
                except StreamFormatError as error:
                    counts["error"] = str(error)
                    modinput_log.write_line(
                        self.host.splunk_home,
                        "ERROR",
                        "ExecProcessor",
                        "XML stream from {} is not valid, ignoring the rest: {}".format(
                            " ".join(self.command_line(scheme.name)), error
                        ),
                    )
                if not chunk:
                    break
        process.stdout.close()
        return counts

    def _store(
        self,
        scheme: Scheme,
        stanzas: "OrderedDict[str, OrderedDict]",
        raw: RawEvent,
        writer: IndexWriter,
        counts: dict,
        props: "Optional[IndexTimeProps]" = None,
    ) -> None:
        read_time = self.clock()
        event = self.finalize_event(scheme, stanzas, raw, read_time)
        if self.allowed_indexes is not None and event["index"] not in self.allowed_indexes:
            counts["dropped"] += len(self._parsed(event, raw, props, read_time))
            modinput_log.write_line(
                self.host.splunk_home,
                "WARN",
                "IndexProcessor",
                "Received event for unconfigured/disabled/deleted index={} "
                "with source={}. So far received events from 1 missing index(es).".format(
                    event["index"], event["source"]
                ),
            )
            return
        for parsed in self._parsed(event, raw, props, read_time):
            writer.write(parsed)
            counts["written"] += 1

    def _parsed(
        self, event: dict, raw: RawEvent, props: "Optional[IndexTimeProps]", read_time: float
    ) -> "List[dict]":
        """The events the parsing pipeline makes of one streamed event (props.py)."""
        if props is None:
            return [event]
        rules = props.for_sourcetype(event["sourcetype"])
        where = 'data_source="{}", data_host="{}", data_sourcetype="{}"'.format(
            event["source"], event["host"], event["sourcetype"]
        )
        input_time = _epoch(raw.get("time"))
        parsed = []
        for text in rules.events(event["_raw"], self._log, where):
            one = dict(event)
            one["_raw"] = text
            one["_time"] = rules.event_time(text, input_time, read_time, self._log, where)
            parsed.append(one)
        return parsed

    def finalize_event(
        self,
        scheme: Scheme,
        stanzas: "Mapping[str, Mapping[str, str]]",
        raw: RawEvent,
        read_time: Optional[float] = None,
    ) -> dict:
        """Fill what the script left out as splunkd does, from the stanza it belongs to."""
        stanza = raw.get("stanza")
        if stanza not in stanzas:
            # Per-stanza launches know their one input; a single instance needs the attribute.
            stanza = next(iter(stanzas)) if len(stanzas) == 1 else None
        params = stanzas.get(stanza, {}) if stanza else {}
        index_time = self.clock() if read_time is None else read_time
        index = raw.get("index") or params.get("index") or "default"
        return {
            "_time": _event_time(raw.get("time"), index_time),
            "index": DEFAULT_INDEX if index == "default" else index,
            "sourcetype": raw.get("sourcetype") or params.get("sourcetype") or scheme.name,
            "source": raw.get("source") or params.get("source") or stanza or scheme.name,
            "host": raw.get("host") or config.resolve_host(params, self.host.server_host),
            "_raw": raw.get("data") or "",
            "_indextime": int(index_time),
            "stanza": stanza,
        }

    def _read_stderr(self, process: subprocess.Popen, shown: str, kept: "List[str]") -> None:
        for line in iter(process.stderr.readline, b""):
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            if not text.strip():
                continue
            modinput_log.log_stderr_line(self.host.splunk_home, shown, text)
            kept.append(text)
            if len(kept) > MAX_STDERR_LINES_KEPT:
                del kept[0]
        process.stderr.close()

    # --- scheduling ----------------------------------------------------------------------
    def tick(self, now: Optional[float] = None, wait: bool = True) -> "List[RunResult]":
        """Launch whatever is due at `now` (default: the clock). With wait, runs them to
        completion one after another and returns their results; without, starts threads."""
        now = self.clock() if now is None else now
        due = []  # type: List[str]
        # A cron input's first run is its schedule's next minute, never start-up (spec 1397).
        for scheme_name, scheme in self.schemes().items():
            enabled = self.enabled_stanzas(scheme_name)
            if scheme.use_single_instance:
                # splunkd launches a single-instance script once ("interval: run once").
                if enabled and scheme_name not in self._next_due:
                    due.append(scheme_name)
                    self._next_due[scheme_name] = None
                continue
            for stanza, params in enabled.items():
                try:
                    schedule = parse_interval(params.get("interval"))
                except ValueError as error:
                    modinput_log.write_line(
                        self.host.splunk_home, "ERROR", "ExecProcessor", f"{stanza}: {error}"
                    )
                    continue
                if stanza not in self._next_due and schedule.cron is not None:
                    self._next_due[stanza] = schedule.next_after(now)
                    continue
                when = self._next_due.get(stanza, now)
                if when is None or when > now or self._matching(stanza):
                    continue
                due.append(stanza)
                self._next_due[stanza] = schedule.next_after(now)
        if not wait:
            for target in due:
                self.run_in_background(target)
            return []
        return [self.run_once(target) for target in due]

    def next_due(self, stanza: str) -> Optional[float]:
        return self._next_due.get(stanza)

    def start_scheduler(self, poll_seconds: float = 0.5) -> None:
        """Run tick() on a background thread until stop_scheduler()."""
        if self._scheduler is not None:
            return
        self._scheduler_stop.clear()

        def loop() -> None:
            while not self._scheduler_stop.is_set():
                try:
                    self.tick(wait=False)
                except Exception as error:  # noqa: BLE001 - keep scheduling, as splunkd does
                    modinput_log.write_line(
                        self.host.splunk_home, "ERROR", "ExecProcessor", f"scheduler: {error}"
                    )
                self._scheduler_stop.wait(poll_seconds)

        self._scheduler = threading.Thread(target=loop, name="modinput scheduler", daemon=True)
        self._scheduler.start()

    def stop_scheduler(self, kill_running: bool = True) -> None:
        """As splunkd shutting down: no more launches, and (kill_running) every running input
        stopped (SIGTERM, grace period, SIGKILL), waiting until they have exited."""
        if self._scheduler is None:
            return
        self._scheduler_stop.set()
        self._scheduler.join(timeout=10)
        self._scheduler = None
        if kill_running:
            with self._lock:
                launches = list(self._running.values())
            for launch in launches:
                launch.stop(self.stop_grace_seconds)
            for launch in launches:
                launch.exited.wait(self.stop_grace_seconds + 10)


def _feed_stdin(process: subprocess.Popen, document: bytes) -> None:
    try:
        process.stdin.write(document)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the script exited without reading its definition


def _event_time(text: Optional[str], index_time: float) -> float:
    found = _epoch(text)
    return index_time if found is None else found


def _epoch(text: Optional[str]) -> Optional[float]:
    """The stream's <time> (epoch seconds), or None: the extractor or read time decides."""
    if text:
        try:
            return float(text.strip())
        except ValueError:
            pass
    return None


def _validation_message(stdout: bytes, exit_code: int) -> str:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(stdout)
        message = root.findtext("message") if root.tag == "error" else None
    except ET.ParseError:
        message = None
    return message or f"script exited with code {exit_code} during argument validation"


def _combine(results: "List[RunResult]") -> RunResult:
    failed = [result.exit_code for result in results if result.exit_code != 0]
    return RunResult(
        stanzas=[stanza for result in results for stanza in result.stanzas],
        exit_code=failed[0] if failed else 0,
        events_written=sum(result.events_written for result in results),
        stderr_lines=[line for result in results for line in result.stderr_lines],
        duration=sum(result.duration for result in results),
        killed=any(result.killed for result in results),
        timed_out=any(result.timed_out for result in results),
        stream_error=next((r.stream_error for r in results if r.stream_error), None),
        dropped_events=sum(result.dropped_events for result in results),
        runs=results,
    )
