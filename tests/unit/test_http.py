import pytest
import requests
from ta_thousandeyes import USER_AGENT, http


def test_session_defaults():
    session = http.build_session(ca_bundle="/tmp/ca.pem", proxy_url="http://p:3128")
    assert session.verify == "/tmp/ca.pem" and session.trust_env is False
    assert session.proxies == {"http": "http://p:3128", "https": "http://p:3128"}
    assert session.headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://API.example.com/v7/x", "https://api.example.com:443"),
        ("http://h:8080/", "http://h:8080"),
        ("http://h/", "http://h:80"),
    ],
)
def test_origin(url, expected):
    assert http.origin(url) == expected


def test_credentials_only_to_allowed_origins():
    session = http.build_session(connect_retries=0)
    http.restrict_authorization(session, {"https://api.example.com:443"})
    with pytest.raises(http.UnsafeDestinationError):
        session.get("https://elsewhere.example.com/", headers={"Authorization": "Bearer x"})
    # without credentials the request is allowed to leave (and fails: nothing listens)
    with pytest.raises(requests.ConnectionError):
        session.get("http://127.0.0.1:9/", timeout=1)
