import pytest
import requests
from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin

from tests.unit.collectors.stub_server import StubServer


class FakeTokens:
    """Token source stand-in: counts refreshes, can refuse like an API-token connection."""

    def __init__(self, refuse=False):
        self.token = "token-one-123456"
        self.refreshes = 0
        self.refuse = refuse

    def access_token(self):
        return self.token

    def refresh_after_unauthorized(self, rejected):
        from ta_thousandeyes.tokens import ReauthorizationRequired

        if self.refuse:
            raise ReauthorizationRequired("conn", "Connection 'conn' needs re-authorization")
        self.refreshes += 1
        self.token = f"token-refreshed-{self.refreshes}-abcdef"
        return self.token


class FakeClock:
    """A clock that advances only when the code under test sleeps."""

    def __init__(self, now=1_700_000_000.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def stub():
    server = StubServer()
    yield server
    server.close()


@pytest.fixture
def tokens():
    return FakeTokens()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(params=["policy", "requests"])
def session(request, stub):
    """What the ApiClient GETs through: the inputs' policy session, or a bare requests one."""
    if request.param == "policy":
        s = build_session([origin(stub.base_url)], connect_retries=0)
    else:
        s = requests.Session()
    yield s
    s.close()
