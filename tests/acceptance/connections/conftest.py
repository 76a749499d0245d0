import os

import pytest
from ta_thousandeyes import regions, settings, splunk_service

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

try:
    from tests.simulators.splunk import SplunkEmulator
    from tests.simulators.thousandeyes import ThousandEyesSimulator
except ImportError as error:  # the stand-ins are built in parallel
    pytest.skip(f"stand-ins not available: {error}", allow_module_level=True)


@pytest.fixture
def sim():
    with ThousandEyesSimulator(seed=7, size="small", https=True) as simulator:
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
    svc = splunk_service.connect(
        splunk.splunkd_uri, splunk.login("admin", "changeme"), ca_bundle=splunk.ca_bundle_path
    )
    for key, stanza in sim.regions_conf().items():
        splunk_service.write_stanza(svc, regions.CONF_NAME, key, stanza)
    splunk_service.write_stanza(svc, settings.CONF_NAME, "tls", {"ca_bundle": sim.ca_bundle_path})
    splunk_service.write_stanza(
        svc, settings.CONF_NAME, "oauth", {"client_id": sim.default_client_id}
    )
    return svc


@pytest.fixture
def lock_dir(tmp_path):
    return str(tmp_path / "locks")


@pytest.fixture(autouse=True)
def _no_ambient_ca_bundle(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE override a session's verify= when trust_env is on (the
    # simulator's page client); our own sessions ignore the environment.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
