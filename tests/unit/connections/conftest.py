"""The connection tests' world: the in-process Splunk stand-in (tests/unit/standins.py, its
default confs the add-on's) and the ThousandEyes simulator on a frozen clock (sim_oauth.py):
every test's time is the simulator's, moved only by the test, so no margin depends on the
machine's speed."""

import pytest
from ta_thousandeyes import regions, settings, splunk_service

from .sim_oauth import SimOAuth


@pytest.fixture
def standin_service(kv_service):
    """A splunklib Service of the in-process Splunk stand-in (tests/unit/standins.py) with the
    add-on's default confs; what splunkd stores is ``splunk_standin.stored()``."""
    return kv_service


@pytest.fixture
def te():
    server = SimOAuth()
    yield server
    server.stop()


@pytest.fixture
def wired(standin_service, te, tmp_path):
    """The Splunk stand-in whose Default region, CA bundle and client id are the simulator's."""
    splunk_service.write_stanza(standin_service, regions.CONF_NAME, "global", te.region_stanza())
    splunk_service.write_stanza(
        standin_service, settings.CONF_NAME, "tls", {"ca_bundle": te.ca_path}
    )
    splunk_service.write_stanza(
        standin_service, settings.CONF_NAME, "oauth", {"client_id": te.client_id}
    )
    return standin_service, te, str(tmp_path / "locks")


@pytest.fixture(autouse=True)
def _no_ambient_ca_bundle(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE override a session's verify= when trust_env is on (the
    # simulator's page client); the add-on's own sessions ignore the environment.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
