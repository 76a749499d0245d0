import os

import pytest
from ta_thousandeyes import regions, settings, splunk_service

from .fake_splunk import FakeService
from .stub_as import StubAS

APP_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def load_default_confs(service):
    for name in (regions.CONF_NAME, settings.CONF_NAME, "ta_thousandeyes_connections"):
        with open(os.path.join(APP_DIR, "default", name + ".conf")) as handle:
            service.load_conf_file(name, handle.read())


@pytest.fixture
def fake_service(tmp_path):
    """The small fake for the token and flow tests: their clock is real time plus an offset
    with margins of 2-5 s, and through the stand-in's splunkd (a TLS handshake per request,
    splunklib keeps no connection) connecting and checking took longer than that on a loaded
    machine: two tests failed for time, not for behaviour. It shares state across processes
    in one file (the twenty-process test)."""
    service = FakeService(str(tmp_path / "splunk.json"))
    load_default_confs(service)
    return service


@pytest.fixture
def standin_service(kv_service):
    """A splunklib Service of the in-process Splunk stand-in (tests/unit/standins.py) with the
    add-on's default confs; what splunkd stores is ``splunk_standin.stored()``."""
    return kv_service


@pytest.fixture
def stub_as(tmp_path):
    server = StubAS(tmp_path)
    yield server
    server.close()


@pytest.fixture
def wired(fake_service, stub_as, tmp_path):
    """A fake Splunk whose global region and settings point at the stub AS."""
    splunk_service.write_stanza(fake_service, regions.CONF_NAME, "global", stub_as.region_stanza())
    splunk_service.write_stanza(
        fake_service, settings.CONF_NAME, "tls", {"ca_bundle": stub_as.ca_path}
    )
    splunk_service.write_stanza(
        fake_service, settings.CONF_NAME, "oauth", {"client_id": "configured-client"}
    )
    return fake_service, stub_as, str(tmp_path / "locks")
