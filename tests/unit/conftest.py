import pytest

from tests.unit.standins import InProcessSplunk


@pytest.fixture(scope="module")
def _splunk_standin(tmp_path_factory):
    standin = InProcessSplunk(tmp_path_factory.mktemp("splunk-standin"))
    yield standin
    standin.stop()


@pytest.fixture
def splunk_standin(_splunk_standin):
    """The in-process Splunk stand-in, its KV store on and empty (see standins.py)."""
    _splunk_standin.clean()
    return _splunk_standin


@pytest.fixture
def kv_service(splunk_standin):
    """A splunklib Service of the in-process stand-in, for the add-on's KV store code."""
    return splunk_standin.service()
