"""The ThousandEyes simulator in a child process, so its CPU never counts as ours.

The benchmark process measures its own CPU time (time.process_time); a simulator running in
threads of the same process would add its work to that figure and compete for the GIL.
The child is driven through the simulator's documented control API (/_sim/...).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

import requests

from tests.simulators.fixed_time import DEFAULT_START

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_EMAIL = "admin@example.com"


class SimulatorProcess:
    """``with SimulatorProcess(tests=30, agents=50, rate_limit=10**6) as sim: sim.api_base``"""

    def __init__(
        self,
        seed: int = 1,
        tests: Optional[int] = None,
        agents: Optional[int] = None,
        rate_limit: int = 240,
        access_token_lifetime: int = 600,
        region: str = "us1",
        start_time: Optional[float] = None,
        frozen_clock: bool = False,
    ) -> None:
        self.region = region
        # Fixed here so a benchmark can rebuild the same World (its origin is this day).
        self.start_time = DEFAULT_START if start_time is None else start_time
        self._args = [
            sys.executable, "-m", "tests.simulators.thousandeyes", "--https",
            "--seed", str(seed), "--rate-limit", str(rate_limit),
            "--access-token-lifetime", str(access_token_lifetime),
            "--start-time", str(self.start_time),
        ]  # fmt: skip
        if frozen_clock:
            self._args.append("--frozen-clock")
        if tests is not None:
            self._args += ["--tests", str(tests)]
        if agents is not None:
            self._args += ["--agents", str(agents)]
        self._process: Optional[subprocess.Popen] = None
        self.info: Dict[str, Any] = {}
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> SimulatorProcess:
        self._process = subprocess.Popen(
            self._args, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=_child_env()
        )
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the simulator exited before it printed its addresses")
        self.info = json.loads(line)
        self.session.verify = self.info["ca_bundle_path"]
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        self.session.close()

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ facts
    @property
    def pid(self) -> int:
        return self.info["pid"]

    @property
    def ca_bundle(self) -> str:
        return self.info["ca_bundle_path"]

    @property
    def api_base(self) -> str:
        return self.info["regions"][self.region]["api_base_url"]

    @property
    def regions_conf(self) -> Dict[str, Dict[str, str]]:
        return self.info["regions"]

    @property
    def control_url(self) -> str:
        return self.info["control_url"]

    # --------------------------------------------------------------- control
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.control_url + path, timeout=120, **kwargs)
        response.raise_for_status()
        return response.json()

    def now(self) -> float:
        return float(self._call("GET", "/info")["now"])

    def advance(self, seconds: float) -> float:
        return float(self._call("POST", "/clock/advance", json={"seconds": seconds})["now"])

    def api_token(self, email: str = DEMO_EMAIL) -> str:
        return self._call("POST", "/api-tokens", json={"email": email})["token"]

    def requests_log(self) -> List[Dict[str, Any]]:
        return self._call("GET", "/requests")

    def clear_requests_log(self) -> None:
        self._call("DELETE", "/requests")


class SimulatedClock:
    """The simulator's clock as seen from this process: real time plus the child's offset.

    ``sleep`` advances the child's clock instead of waiting, so rate-limit pacing costs no
    real time and shows up, exactly, as simulated time.
    """

    def __init__(self, sim: SimulatorProcess) -> None:
        self._sim = sim
        self._offset = sim.now() - time.time()
        self.slept = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.slept += seconds
        self._offset = self._sim.advance(seconds) - time.time()


class FrozenClock:
    """The clock of a simulator started with ``frozen_clock``: only ``sleep`` moves it, so the
    time work takes (and the machine's load) never shows up as simulated time. The new time
    is known here before the simulator acts on it (it pushes streams during ``advance``)."""

    def __init__(self, sim: SimulatorProcess) -> None:
        self._sim = sim
        self._now = sim.now()
        self.slept = 0.0

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.slept += seconds
        self._now += seconds
        self._now = self._sim.advance(seconds)


def _child_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"), ROOT])
    return env
