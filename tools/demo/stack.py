"""Start and stop everything the demo runs: the ThousandEyes simulator (or a real region), the
Splunk stand-in with the built package installed, and the modular input runner.

Every child process (REST handlers, modular inputs) runs under Splunk's Python in isolated
mode, so only what the package vendors is importable, and, against the simulator, under
libfaketime so it sees the simulator's clock (docs/design.md, "Stand-ins").
"""

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from .console import DemoFailure

APP_ID = "TA-thousandeyes"
# The index the demo's inputs write to, as an admin would create it in indexes.conf.
DEMO_INDEX = "thousandeyes"
KNOWN_INDEXES = ("main", "_internal", DEMO_INDEX)


def splunk_python(root: Path) -> str:
    """The interpreter Splunk would run the add-on with: 3.9 (its oldest), else 3.13."""
    for version in ("3.9", "3.13"):
        found = subprocess.run(
            ["bash", str(root / "tools" / "find_python.sh"), version],
            capture_output=True,
            text=True,
        )
        path = found.stdout.strip()
        if found.returncode == 0 and path and os.access(path, os.X_OK):
            return path
    raise DemoFailure("no Python 3.9 or 3.13 found (tools/find_python.sh); install one with pyenv")


class DemoStack:
    """Owns every server and process of one demo run; stop() is safe to call at any point."""

    def __init__(self, root: Path, workdir: str) -> None:
        """workdir is wiped and then kept after the run, so its logs and index can be read."""
        self.root = root
        self.workdir = os.path.abspath(workdir)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.sim: Optional[Any] = None
        self.splunk: Optional[Any] = None
        self.runner: Optional[Any] = None
        self.python = ""
        self.now: Optional[Callable[[], float]] = None

    # -- the ThousandEyes side ------------------------------------------------------------
    def start_simulator(
        self,
        seed: int,
        size: str,
        start_time: float,
        access_token_lifetime: int,
        modes: Optional[Dict[str, Any]] = None,
    ) -> Any:
        """modes: more ThousandEyesSimulator keyword arguments (its rate-limit, refresh-token
        and host modes)."""
        from tests.simulators.thousandeyes import ThousandEyesSimulator

        self.sim = ThousandEyesSimulator(
            seed=seed,
            size=size,
            https=True,
            start_time=start_time,
            access_token_lifetime=access_token_lifetime,
            **(modes or {}),
        ).start()
        self.now = self.sim.clock.now
        return self.sim

    def faketime_env(self) -> Dict[str, str]:
        """The simulator's clock for child processes (the project's one way to build it)."""
        if self.sim is None:
            return {}
        from tests.simulators.faketime import faketime_env

        try:
            return faketime_env(self.sim.clock.offset_file)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            raise DemoFailure(
                f"the simulated clock needs libfaketime and gcc (apt-get install libfaketime "
                f"gcc libc6-dev): {error}"
            )

    # -- the Splunk side ------------------------------------------------------------------
    def start_splunk(self, package: Path) -> object:
        """Install the package as Splunk does (from the .tgz) and start splunkd + Splunk Web."""
        from tests.simulators.splunk import SplunkEmulator
        from tests.simulators.splunk.modinput_package import PackageError, install_package

        self.python = splunk_python(self.root)
        staging = os.path.join(self.workdir, "package")
        try:
            extracted = install_package(str(package), staging)
        except PackageError as error:
            raise DemoFailure(f"the package is not installable: {error}")
        if os.path.basename(extracted) != APP_ID:
            raise DemoFailure(f"the package holds {os.path.basename(extracted)}, not {APP_ID}")
        self.splunk = SplunkEmulator(
            splunk_home=os.path.join(self.workdir, "splunk"),
            extra_env=self.faketime_env(),
            handler_python=self.python,
        )
        self.splunk.install_app(APP_ID, extracted)
        shutil.rmtree(staging, ignore_errors=True)
        self.splunk.start()
        if self.now is None:  # a real region: real time
            self.now = time.time
        return self.splunk

    @property
    def app_dir(self) -> str:
        return self.splunk.app_dir(APP_ID)

    def write_local_conf(self, name: str, stanzas: Dict[str, Dict[str, str]]) -> str:
        """An admin's override in the installed app's local/<name>.conf."""
        local = os.path.join(self.app_dir, "local")
        os.makedirs(local, exist_ok=True)
        path = os.path.join(local, name + ".conf")
        lines = []
        for stanza, settings in stanzas.items():
            lines.append(f"[{stanza}]")
            lines.extend(f"{key} = {value}" for key, value in settings.items())
            lines.append("")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        return path

    def start_runner(self) -> object:
        """splunkd's modular input side: schemes, data/inputs REST, scheduling, indexing."""
        from tests.simulators.splunk.inputs_manager import InputsManager
        from tests.simulators.splunk.modinput_runner import ModularInputRunner
        from tests.simulators.splunk.scheme import SchemeError

        splunk = self.splunk
        self.runner = ModularInputRunner(
            splunk_home=splunk.home,
            app_dir=self.app_dir,
            app_name=APP_ID,
            server_uri=splunk.splunkd_uri,
            session_key_provider=lambda: splunk.login("admin", "changeme"),
            python=[self.python, "-I"],
            extra_env=self.faketime_env(),
            clock=self.now,
            allowed_indexes=KNOWN_INDEXES,
        )
        splunk.set_input_manager(InputsManager(self.app_dir, APP_ID, self.runner))
        try:
            schemes = self.runner.schemes()
        except SchemeError as error:
            raise DemoFailure(f"the add-on's modular inputs cannot be introspected: {error}")
        if not schemes:
            raise DemoFailure(
                "the package declares no modular inputs (README/inputs.conf.spec is missing "
                "or names no scheme)"
            )
        return self.runner

    @property
    def index_dir(self) -> str:
        return self.runner.index_store.directory

    @property
    def log_dir(self) -> str:
        return self.splunk.logs_dir

    # -- shutdown ---------------------------------------------------------------------------
    def stop(self) -> List[str]:
        """Stop everything; returns what could not be stopped cleanly (empty when all is well)."""
        problems = []
        if self.runner is not None:
            try:
                self.runner.stop_scheduler(kill_running=True)
                for stanza in self.runner.running():
                    self.runner.kill(stanza)
            except Exception as error:  # keep stopping the rest
                problems.append(f"modular input runner: {error}")
        if self.splunk is not None:
            try:
                self.splunk.stop()
            except Exception as error:
                problems.append(f"Splunk stand-in: {error}")
        if self.sim is not None:
            try:
                self.sim.stop()
            except Exception as error:
                problems.append(f"simulator: {error}")
        problems.extend(_reap_children())
        return problems


def _reap_children() -> List[str]:
    """Kill any child process still alive (there should be none) and say so."""
    import psutil

    leftovers = []
    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            leftovers.append(f"process {child.pid} ({' '.join(child.cmdline()[:3])}) was left")
            child.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(children, timeout=5)
    return leftovers
