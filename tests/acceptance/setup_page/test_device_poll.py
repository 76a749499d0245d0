"""The device-code poll stores tokens and marks the app configured, so it is a POST behind
Splunk Web's CSRF form key: a GET (a link, an image) or a POST without the key changes nothing."""

import pytest
from ta_thousandeyes import connections

from .test_access import BASE, web_session


@pytest.fixture(autouse=True)
def _no_ambient_ca_bundle(monkeypatch):
    # The simulator's page client honours REQUESTS_CA_BUNDLE (trust_env); ours never does.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def _configured(service):
    apps = service.get("apps/local/TA-thousandeyes", output_mode="json").body.read()
    return b'"configured": true' in apps or b'"configured":true' in apps


def test_only_a_post_with_the_form_key_finishes_the_flow(splunk, sim, service):
    connections.create_connection(service, "prod", "global", connections.DEVICE_CODE)
    session, headers = web_session(splunk, "admin")
    url = splunk.web_url + BASE + "connections/prod"
    started = session.post(url + "/device?output_mode=json", headers=headers, data={})
    assert started.status_code == 200, started.text
    sim.approve_device_via_pages(started.json()["user_code"], region="global")
    sim.clock.advance(started.json()["interval"])
    for method, path, extra in (
        ("GET", "/device", headers),  # what the poll used to be
        ("GET", "/poll", headers),
        ("POST", "/poll", {"X-Requested-With": "XMLHttpRequest"}),  # no form key
    ):
        refused = session.request(method, url + path + "?output_mode=json", headers=extra)
        assert refused.status_code in (401, 404, 405), (method, path, refused.status_code)
        assert connections.get_connection(service, "prod").state == connections.DISCONNECTED
    assert not _configured(service)
    polled = session.post(url + "/poll?output_mode=json", headers=headers, data={})
    assert polled.status_code == 200, polled.text
    assert polled.json()["state"] == "connected"
    assert connections.get_connection(service, "prod").state == connections.CONNECTED
    assert _configured(service)
