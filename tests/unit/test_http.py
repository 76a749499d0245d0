import pytest
import requests
from ta_thousandeyes import USER_AGENT, http
from ta_thousandeyes.regions import RegionError, region_from_stanza
from urllib3.util import parse_url


def test_session_defaults():
    session = http.build_session(ca_bundle="/tmp/ca.pem", proxy=http.Proxy("http", "p", 3128))
    assert session.verify == "/tmp/ca.pem" and session.trust_env is False
    assert session.proxies == {"http": "http://p:3128", "https": "http://p:3128"}
    assert session.headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://api.example.com/v7/x", "https://api.example.com:443"),
        ("https://api.example.com:443/v7/x", "https://api.example.com:443"),
        ("http://h:8080/", "http://h:8080"),
        ("http://h/", "http://h:80"),
        ("http://h", "http://h:80"),
        ("https://127.0.0.1:8089/x?y=1&z=%3A", "https://127.0.0.1:8089"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("https://xn--bcher-kva.example/x", "https://xn--bcher-kva.example:443"),
        ("https://h/a%20b?c=[1]", "https://h:443"),  # path and query are urllib3's business
    ],
)
def test_destination_of_admitted_urls(url, expected):
    assert http.destination(url) == expected
    # the authority-only parse agrees with urllib3's parse of the whole URL, before and
    # after requests prepares it
    for whole in (url, requests.Request("GET", url).prepare().url):
        parts = parse_url(whole)
        port = parts.port or http.DEFAULT_PORTS[parts.scheme]
        assert f"{parts.scheme}://{parts.host}:{port}" == expected
        assert http.destination(whole) == expected


def test_request_target_is_path_and_query_as_written():
    assert http.parse_destination("https://h/v7/x?a=%3A&b=[1]")[1] == "/v7/x?a=%3A&b=[1]"
    assert http.parse_destination("https://h")[1] == "/"
    assert http.parse_destination("https://h?q=1")[1] == "/?q=1"


# Each of these would send a request somewhere other than where a simpler reading says, or is
# read differently by urllib3, urlsplit or a browser (WHATWG URL).
HOSTILE_URLS = [
    "https://other-host\\@api.example.com/v7/oauth2/token",  # urllib3: other-host
    "https://127.0.0.1:5\\@127.0.0.1:6/v7/oauth2/token",
    "https://api.example.com\\.evil.example/",
    "https://user@api.example.com/",
    "https://user:pw@api.example.com/",
    "https://@api.example.com/",
    "https://api.example.com:443@evil.example/",
    "https://api.example.com#@evil.example/",  # fragment
    "https://api.example.com/x#frag",
    "https://API.example.com/",  # not canonical (urllib3 lower-cases)
    "HTTPS://api.example.com/",
    "https://api.example.com./",  # trailing dot
    "https://%61pi.example.com/",  # percent-encoded host (requests decodes it)
    "https://api.example.com%2f.evil.example/",
    "https://bücher.example/",  # IDN: parsers map it differently
    "https://ａpi.example.com/",  # fullwidth letter
    "https://api.example.com:0443/",
    "https://api.example.com:/",
    "https://api.example.com:0/",
    "https://api.example.com:65536/",
    "https://2130706433/",  # 127.0.0.1 to a browser
    "https://0x7f.1/",
    "https://127.1/",
    "https://0177.0.0.1/",
    "https://[::ffff:127.0.0.1]/",  # not canonical (::ffff:7f00:1)
    "https://[fe80::1%25eth0]/",
    "https://[::1/",
    "https://api .example.com/",
    "https://api.example.com/\x00",
    "https://api.example.com/a\tb",
    "https://api.example.com/\n",
    " https://api.example.com/",
    "ftp://api.example.com/",
    "javascript:alert(1)",
    "//api.example.com/x",
    "https:/api.example.com/x",
    "https:api.example.com/x",
    "https://-api.example.com/",
    "https://api_x.example.com/",
    "",
    "https://" + "a" * 8200 + ".example.com/",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_refused(url):
    with pytest.raises(http.UnsafeUrlError):
        http.destination(url)
    assert not http.admits(url, frozenset({"https://api.example.com:443"}))


def test_backslash_url_is_refused_although_urlsplit_sees_the_api_host():
    """The issue's example: urlsplit names api-host, requests connects to other-host."""
    from urllib.parse import urlsplit

    url = "https://other-host\\@api.example.com/v7/oauth2/token"
    assert urlsplit(url).hostname == "api.example.com"
    assert requests.Request("POST", url).prepare().url.startswith("https://other-host/")
    token_url = "https://api.example.com/v7/oauth2/token"
    region = region_from_stanza(
        "us1", {"api_base_url": "https://api.example.com/v7", "token_url": token_url}
    )
    assert not region.owns(url)


def test_region_configuration_must_pass_the_policy():
    stanza = {
        "api_base_url": "https://api.example.com/v7",
        "token_url": "https://api.example.com/t",
    }
    assert region_from_stanza("us1", stanza).origins == {"https://api.example.com:443"}
    for bad in ("https://other\\@api.example.com/t", "https://u@api.example.com/t", "ftp://x/"):
        with pytest.raises(RegionError):
            region_from_stanza("us1", dict(stanza, token_url=bad))


def test_requests_go_only_to_allowed_origins():
    session = http.build_session(connect_retries=0)
    http.restrict_destinations(session, {"https://api.example.com:443"})
    with pytest.raises(http.UnsafeDestinationError):
        session.get("https://elsewhere.example.com/", headers={"Authorization": "Bearer x"})
    # a secret in the body is a secret too: no request leaves for another origin
    with pytest.raises(http.UnsafeDestinationError):
        session.post("http://127.0.0.1:9/", data="refresh_token=secret-value", timeout=1)
    # the check runs on the URL as prepared: urllib3 would connect to other-host
    with pytest.raises(http.UnsafeDestinationError):
        session.post("https://other-host\\@api.example.com/t", data="device_code=x")


def test_allowed_origin_is_reached():
    session = http.build_session(connect_retries=0)
    http.restrict_destinations(session, {"http://127.0.0.1:9"})
    with pytest.raises(requests.ConnectionError):  # allowed to leave; nothing listens there
        session.get("http://127.0.0.1:9/", timeout=1)
