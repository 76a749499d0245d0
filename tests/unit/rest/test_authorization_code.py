from urllib.parse import parse_qs, urlsplit

from ta_thousandeyes import connections as model
from ta_thousandeyes import settings
from ta_thousandeyes.rest import handlers

from .conftest import pending_record

H = handlers.ConnectionsHandler
CALLBACK = (
    "http://127.0.0.1:8000/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/"
    "ta_thousandeyes/oauth/callback"
)


def setup_connection(call, name="prod"):
    model.create_connection(call.service, name, "us2", "authorization_code")


def register_callback(call, sim):
    """A public client whose redirect URI is Splunk Web's callback, configured for the flows
    (an authorization server redirects only to a registered URI, RFC 6749 §3.1.2.2)."""
    client = sim.sim.register_client([CALLBACK], "none", "Splunk Web callback")
    call.write_conf(settings.CONF_NAME, {"oauth": {"client_id": client.client_id}})
    return client.client_id


def test_start_validates_redirect_uri(call, sim):
    setup_connection(call)
    for bad in (
        "",
        "javascript:alert(1)",
        "https://evil.example/steal",
        CALLBACK + "?next=https://evil.example",
        CALLBACK + "#x",
        "https://user:pw@127.0.0.1/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/"
        "ta_thousandeyes/oauth/callback",
        # issue 15 point 8: the right path on any other host was accepted
        CALLBACK.replace("127.0.0.1:8000", "evil.example"),
        CALLBACK.replace("127.0.0.1:8000", "evil.example\\@127.0.0.1:8000"),
        CALLBACK.replace("127.0.0.1:8000", "127.0.0.1.evil.example:8000"),
        CALLBACK.replace("/en-US/", "/evil/path/"),
    ):
        reply = call(H, "POST", "connections/prod/authorize", form=[("redirect_uri", bad)])
        assert reply.status == 400, bad
    assert sim.sim.request_log == []  # refused before any request
    reply = call(H, "POST", "connections/prod/authorize", form=[("redirect_uri", CALLBACK)])
    assert reply.status == 200, reply.text
    assert list(reply.json) == ["authorize_url"]
    url = urlsplit(reply.json["authorize_url"])
    assert url._replace(query="").geturl() == sim.region_stanza()["authorize_url"]
    query = parse_qs(url.query)
    assert query["redirect_uri"] == [CALLBACK] and query["code_challenge_method"] == ["S256"]


def start_flow(call, name):
    """The admin presses Connect: the handler's answer is where the browser goes."""
    path = f"connections/{name}/authorize"
    reply = call(H, "POST", path, form=[("redirect_uri", CALLBACK)])
    assert reply.status == 200, reply.text
    return reply.json["authorize_url"]


def pending_state(call, name):
    return ((pending_record(call, name) or {}).get("pending") or {}).get("state")


def test_callback_finds_the_connection_by_state_and_redirects_back(call, sim):
    register_callback(call, sim)
    setup_connection(call, "other")
    setup_connection(call, "prod")
    start_flow(call, "other")
    redirect = sim.authorize(start_flow(call, "prod"))  # the user signs in and confirms
    assert set(redirect) == {"code", "state"}
    assert not call.app_configured()
    query = [("code", redirect["code"]), ("state", redirect["state"])]
    reply = call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=query)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    # the code went to the token endpoint once, for prod's flow; other's flow is untouched
    assert [p["code"] for p in sim.requests("token", grant_type="authorization_code")] == [
        redirect["code"]
    ]
    assert model.get_connection(call.service, "prod").state == "connected"
    assert model.get_connection(call.service, "other").state != "connected"
    assert pending_state(call, "other") and pending_state(call, "prod") is None
    target = (
        "../../../../../../../app/TA-thousandeyes/ta_thousandeyes_setup"
        "?auth=connected&amp;connection=prod"
    )
    assert target in reply.text
    assert redirect["code"] not in reply.text
    assert f"Connected as {sim.email} (US2)" in reply.text
    assert call.app_configured()


def test_callback_with_unknown_state_or_denial(call, sim):
    register_callback(call, sim)
    setup_connection(call)
    authorize_url = start_flow(call, "prod")
    query = [("code", "c"), ("state", "forged")]
    reply = call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=query)
    assert "auth=error" in reply.text
    assert "connection=" not in reply.text
    assert pending_state(call, "prod")  # a forged state leaves the flow alone

    redirect = sim.authorize(authorize_url, deny=True)
    assert redirect["error"] == "access_denied"
    query = [("error", "access_denied"), ("state", redirect["state"])]
    reply = call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=query)
    assert "auth=denied&amp;connection=prod" in reply.text
    assert sim.count("token") == 0
    extra = [("code", "c"), ("state", "s"), ("<script>", "1")]
    assert call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=extra).status == 400


def _start(call, redirect_uri):
    return call(H, "POST", "connections/prod/authorize", form=[("redirect_uri", redirect_uri)])


def _web_settings(call, **values):
    call.write_conf("web", {"settings": values})


SUFFIX = "/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes/oauth/callback"


def test_redirect_uri_must_be_splunk_webs_own_origin(call, sim):
    setup_connection(call)
    _web_settings(call, httpport="8443", enableSplunkWebSSL="true", root_endpoint="/")
    for good in ("https://127.0.0.1:8443", "https://splunk-sh1:8443", "https://sh1.example.com:8443",
                 "https://localhost:8443"):  # fmt: skip
        assert _start(call, good + SUFFIX).status == 200, good
    for bad in ("http://127.0.0.1:8443", "https://127.0.0.1:8000", "https://evil.example:8443",
                "https://127.0.0.1:8443/splunk"):  # fmt: skip
        assert _start(call, bad + SUFFIX).status == 400, bad


def test_redirect_uri_behind_a_reverse_proxy_is_the_proxy_base(call, sim):
    setup_connection(call)
    _web_settings(
        call,
        httpport="8000",
        root_endpoint="/splunk",
        **{"tools.proxy.on": "true", "tools.proxy.base": "https://splunk.corp.example"},
    )
    assert _start(call, "https://splunk.corp.example/splunk" + SUFFIX).status == 200
    for bad in ("https://splunk.corp.example" + SUFFIX, "http://127.0.0.1:8000/splunk" + SUFFIX,
                "https://splunk.corp.example:8443/splunk" + SUFFIX):  # fmt: skip
        assert _start(call, bad).status == 400, bad
