import os

import pytest

from tests.acceptance.wiring import point_addon_at_simulator
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.thousandeyes import ThousandEyesSimulator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


@pytest.fixture
def sim(request):
    """Parametrize indirectly with a dict of simulator modes (refresh_rotation, hosts, ...)."""
    modes = getattr(request, "param", None) or {}
    with ThousandEyesSimulator(seed=7, size="small", https=True, **modes) as simulator:
        yield simulator


@pytest.fixture
def splunk(tmp_path):
    with SplunkEmulator(
        splunk_home=tmp_path / "splunk", apps={"TA-thousandeyes": ROOT}
    ) as emulator:
        yield emulator


@pytest.fixture
def service(splunk, sim):
    """The add-on as installed in the Splunk stand-in, wired to the simulator's hosts."""
    return point_addon_at_simulator(splunk, sim)


@pytest.fixture
def lock_dir(tmp_path):
    return str(tmp_path / "locks")


@pytest.fixture(autouse=True)
def _no_ambient_ca_bundle(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE override a session's verify= when trust_env is on (the
    # simulator's page client); our own sessions ignore the environment.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
