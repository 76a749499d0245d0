"""The add-on's inputs as Splunk runs them: the built app in the Splunk stand-in, its modular
input runner launching real processes (isolated Python 3.9 or 3.13 on the simulator's clock
through libfaketime) against the ThousandEyes simulator over HTTPS.

Fixtures: ``sim`` (small world, small pages so every list paginates), ``splunk`` (emulator
with the app installed), ``service`` (the app's namespace, wired to the simulator),
``connected`` (a device-flow connection named ``prod``), ``runner`` (modular input runner
for Python 3.13) and ``make_runner(version)``.
"""

import os
import subprocess

import pytest
from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections

from tests.acceptance.wiring import point_addon_at_simulator
from tests.simulators.faketime import faketime_env
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.modinput_runner import ModularInputRunner
from tests.simulators.thousandeyes import ThousandEyesSimulator
from tools import build as builder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
APP = "TA-thousandeyes"
SERVER_HOST = "standin-host"
SCOPES = ["organization:read", "tests:read", "alerts:read", "offline_access"]
# Simulator modes a test can run under: pytest.mark.parametrize("sim", [...], indirect=True).
SIM_MODES = {
    "kind-rate-limits": {"rate_limit_window": "aligned", "retry_after": True},
    "refresh-grace": {"refresh_rotation": "grace"},
    "refresh-reuse": {"refresh_rotation": "reuse"},
    "refresh-omit": {"refresh_rotation": "omit"},
    "hosts-split": {"hosts": "split"},
    "hosts-separate": {"hosts": "separate"},
}


def sim_modes(*names):
    """pytest.param per mode name, for an indirect parametrization of ``sim``."""
    return [pytest.param(SIM_MODES[name], id=name) for name in names]


# Small pages so every list the inputs read takes several pages.
PAGE_SIZES = {"test-results": 7, "alerts": 5, "events": 5, "audit-user-events": 5}


def python_for(version: str) -> str:
    found = subprocess.run(
        ["bash", os.path.join(ROOT, "tools", "find_python.sh"), version],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert found and os.access(found, os.X_OK), f"Python {version} not found by find_python.sh"
    return found


@pytest.fixture(scope="session")
def built_app(tmp_path_factory):
    """This checkout's shipped files plus the vendored runtime packages of `make build`."""
    return str(builder.assemble_from_last_build(tmp_path_factory.mktemp("app") / APP))


@pytest.fixture(autouse=True)
def _no_ambient_ca_bundle(monkeypatch):
    # The simulator's page client honours REQUESTS_CA_BUNDLE (trust_env); ours never does.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sim(request):
    """A test module may set SIM_PAGE_SIZES to override some of PAGE_SIZES; a test may
    parametrize ``sim`` indirectly with a dict of simulator modes (see SIM_MODES)."""
    sizes = dict(PAGE_SIZES, **getattr(request.module, "SIM_PAGE_SIZES", {}))
    modes = getattr(request, "param", None) or {}
    with ThousandEyesSimulator(seed=7, size="small", https=True, page_sizes=sizes, **modes) as s:
        yield s


@pytest.fixture
def splunk(tmp_path, sim, built_app):
    emulator = SplunkEmulator(
        splunk_home=tmp_path / "splunk",
        apps={APP: built_app},
        extra_env=faketime_env(sim.clock.offset_file),
    )
    with emulator:
        yield emulator


@pytest.fixture
def service(splunk, sim):
    return point_addon_at_simulator(splunk, sim)


def lock_dir_of(splunk) -> str:
    """The lock folder the inputs use (modinputs.base.run_dir under SPLUNK_HOME)."""
    return os.path.join(splunk.home, "var", "run", "splunk", APP, "locks")


def connect_device(service, sim, splunk, name="prod", region="global", scopes=SCOPES):
    """A connection authorized the way an admin does it: device code approved on the pages."""
    lock_dir = lock_dir_of(splunk)
    connections.create_connection(service, name, region, "device_code", list(scopes))
    public = flows.start_device_authorization(service, name, sim.clock.now, lock_dir)
    sim.approve_device_via_pages(public["user_code"], region=region)
    sim.clock.advance(public["interval"])
    result = flows.poll_device_authorization(service, name, sim.clock.now, lock_dir)
    assert result["status"] == "connected", result
    return connections.get_connection(service, name)


@pytest.fixture
def connected(service, sim, splunk):
    return connect_device(service, sim, splunk)


@pytest.fixture
def make_runner(splunk):
    made = []

    def make(version: str = "3.13") -> ModularInputRunner:
        runner = splunk.modular_inputs(APP, [python_for(version), "-I"], server_host=SERVER_HOST)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop_scheduler()


@pytest.fixture
def runner(make_runner):
    return make_runner("3.13")
