from ta_thousandeyes import connections as model
from ta_thousandeyes import credential_store
from ta_thousandeyes.oauth import errors as oauth_errors
from ta_thousandeyes.oauth import flows
from ta_thousandeyes.rest import handlers

H = handlers.ConnectionsHandler
CALLBACK = (
    "http://127.0.0.1:8000/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/"
    "ta_thousandeyes/oauth/callback"
)


def setup_connection(call, name="prod"):
    model.create_connection(call.service, name, "us2", "authorization_code")


def test_start_validates_redirect_uri(call, monkeypatch):
    setup_connection(call)
    monkeypatch.setattr(
        flows,
        "start_authorization_code",
        lambda service, name, redirect_uri: "https://us2.te.example/oauth2/authorize?x=1",
    )
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
    reply = call(H, "POST", "connections/prod/authorize", form=[("redirect_uri", CALLBACK)])
    assert reply.status == 200
    assert reply.json == {"authorize_url": "https://us2.te.example/oauth2/authorize?x=1"}


def store_pending(service, name, state):
    credential_store.CredentialStore(service).write(
        credential_store.connection_key(name),
        {"pending": {"kind": "pkce", "state": state, "code_verifier": "v" * 50}},
    )


def test_callback_finds_the_connection_by_state_and_redirects_back(call, monkeypatch):
    setup_connection(call, "other")
    setup_connection(call, "prod")
    store_pending(call.service, "other", "state-of-other-connection")
    store_pending(call.service, "prod", "state-of-prod-connection")
    completed = []

    def complete(service, name, params):
        completed.append((name, dict(params)))
        return model.update_connection(
            service, name, allow_from_disconnected=True, state="connected", user_email="a@b.c"
        )

    monkeypatch.setattr(flows, "complete_authorization_code", complete)
    query = [("code", "the-code"), ("state", "state-of-prod-connection")]
    reply = call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=query)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert completed == [("prod", {"code": "the-code", "state": "state-of-prod-connection"})]
    target = (
        "../../../../../../../app/TA-thousandeyes/ta_thousandeyes_setup"
        "?auth=connected&amp;connection=prod"
    )
    assert target in reply.text
    assert "the-code" not in reply.text
    assert "Connected as a@b.c (US2)" in reply.text
    assert call.service.posts == [("apps/local/TA-thousandeyes", {"configured": "1"})]


def test_callback_with_unknown_state_or_denial(call, monkeypatch):
    setup_connection(call)
    store_pending(call.service, "prod", "expected-state-value")
    query = [("code", "c"), ("state", "forged")]
    reply = call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=query)
    assert "auth=error" in reply.text
    assert "connection=" not in reply.text

    def deny(service, name, params):
        raise oauth_errors.DeniedError()

    monkeypatch.setattr(flows, "complete_authorization_code", deny)
    query = [("error", "access_denied"), ("state", "expected-state-value")]
    reply = call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=query)
    assert "auth=denied&amp;connection=prod" in reply.text
    extra = [("code", "c"), ("state", "s"), ("<script>", "1")]
    assert call(handlers.OAuthCallbackHandler, "GET", "oauth/callback", query=extra).status == 400


def _start(call, redirect_uri):
    return call(H, "POST", "connections/prod/authorize", form=[("redirect_uri", redirect_uri)])


def _web_settings(service, **values):
    web = service.confs.create("web")
    web.create("settings").submit(values)


SUFFIX = "/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes/oauth/callback"


def test_redirect_uri_must_be_splunk_webs_own_origin(call, monkeypatch):
    setup_connection(call)
    monkeypatch.setattr(
        flows, "start_authorization_code", lambda service, name, uri: "https://te.example/a"
    )
    _web_settings(call.service, httpport="8443", enableSplunkWebSSL="true", root_endpoint="/")
    for good in ("https://127.0.0.1:8443", "https://splunk-sh1:8443", "https://sh1.example.com:8443",
                 "https://localhost:8443"):  # fmt: skip
        assert _start(call, good + SUFFIX).status == 200, good
    for bad in ("http://127.0.0.1:8443", "https://127.0.0.1:8000", "https://evil.example:8443",
                "https://127.0.0.1:8443/splunk"):  # fmt: skip
        assert _start(call, bad + SUFFIX).status == 400, bad


def test_redirect_uri_behind_a_reverse_proxy_is_the_proxy_base(call, monkeypatch):
    setup_connection(call)
    monkeypatch.setattr(
        flows, "start_authorization_code", lambda service, name, uri: "https://te.example/a"
    )
    _web_settings(
        call.service,
        httpport="8000",
        root_endpoint="/splunk",
        **{"tools.proxy.on": "true", "tools.proxy.base": "https://splunk.corp.example"},
    )
    assert _start(call, "https://splunk.corp.example/splunk" + SUFFIX).status == 200
    for bad in ("https://splunk.corp.example" + SUFFIX, "http://127.0.0.1:8000/splunk" + SUFFIX,
                "https://splunk.corp.example:8443/splunk" + SUFFIX):  # fmt: skip
        assert _start(call, bad).status == 400, bad
