"""Issue 15 point 8, through Splunk Web's proxy: the authorize step accepts a redirect_uri only
on Splunk Web's own origin (the stand-in's splunkd gives no web.conf [settings], so here the
check is this server's names and the callback path; tests/unit/rest cover web.conf's port,
scheme, root_endpoint and tools.proxy.base)."""

from urllib.parse import parse_qs, urlsplit

from ta_thousandeyes import connections, credential_store, settings, splunk_service

from .test_access import BASE, web_session

CALLBACK = "/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes/oauth/callback"


def test_authorize_accepts_only_splunk_webs_own_origin(splunk, sim, service):
    client = sim.register_client(redirect_uris=[splunk.web_url + CALLBACK])
    splunk_service.write_stanza(
        service, settings.CONF_NAME, "oauth", {"client_id": client.client_id}
    )
    connections.create_connection(service, "pkce", "us2", connections.AUTHORIZATION_CODE)
    session, headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections/pkce/authorize?output_mode=json"
    port = splunk.web_url.rsplit(":", 1)[1]
    for hostile in (
        "https://evil.example" + CALLBACK,
        f"http://evil.example:{port}" + CALLBACK,
        f"http://evil.example\\@127.0.0.1:{port}" + CALLBACK,
        f"http://127.0.0.1.evil.example:{port}" + CALLBACK,
    ):
        refused = session.post(url, data={"redirect_uri": hostile}, headers=headers)
        assert refused.status_code == 400, (hostile, refused.text)
        assert "authorize_url" not in refused.text
    store = credential_store.CredentialStore(service)
    assert store.read(credential_store.connection_key("pkce")) is None  # nothing pending
    accepted = session.post(url, data={"redirect_uri": splunk.web_url + CALLBACK}, headers=headers)
    assert accepted.status_code == 200, accepted.text
    authorize_url = accepted.json()["authorize_url"]
    assert authorize_url.startswith(sim.region_urls("us2")["authorize_url"] + "?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["redirect_uri"] == [splunk.web_url + CALLBACK]  # as the browser reached it
