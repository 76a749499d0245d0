"""Host layouts (``hosts``): sign-in pages, OAuth endpoints and the API on their own hosts.

Source: /work/shared/reference/thousandeyes.md, "OAuth endpoints": device authorization and
token at https://api.thousandeyes.com/v7/oauth2/..., metadata at
https://api.thousandeyes.com/.well-known/oauth-authorization-server, but the authorize page
at https://app.thousandeyes.com/oauth2/authorize (third-party harvest of the metadata; not
verified). ``split`` is that layout; ``separate`` also moves the OAuth endpoints off the
API host; ``single`` (the default) serves everything from one host per region.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.simulators.thousandeyes import ThousandEyesSimulator

from .helpers import api_get, device_login, refresh
from .test_oauth_pkce import REDIRECT, _authorize_url, _exchange, _pkce


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(params=["split", "separate"])
def layout(request):
    with ThousandEyesSimulator(seed=7, size="tiny", hosts=request.param) as sim:
        yield request.param, sim


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        ThousandEyesSimulator(hosts="everywhere")


def test_each_host_serves_only_its_part(layout):
    name, sim = layout
    urls = sim.region_urls("us1")
    pages, api, oauth = (_origin(urls[k]) for k in ("authorize_url", "api_base_url", "token_url"))
    assert pages != api and _origin(urls["approval_url"]) == pages
    assert (oauth == api) == (name == "split")
    for key in ("device_authorization_url", "revocation_url", "registration_url", "metadata_url"):
        assert _origin(urls[key]) == oauth
    token = sim.create_api_token("admin@example.com")
    assert api_get(sim, token, api + "/v7/tests").status_code == 200
    assert api_get(sim, token, pages + "/v7/tests").status_code == 404
    assert requests.get(api + "/oauth2/device", timeout=10).status_code == 404
    assert requests.get(pages + "/oauth2/device", timeout=10).status_code == 200
    assert requests.post(pages + "/v7/oauth2/token", timeout=10).status_code == 404
    if name == "separate":
        assert requests.post(api + "/v7/oauth2/token", timeout=10).status_code == 404
        assert api_get(sim, token, oauth + "/v7/tests").status_code == 404
    # the regions differ from each other too
    assert _origin(sim.region_urls("eu")["authorize_url"]) != pages


def test_metadata_names_each_endpoint_on_its_host(layout):
    _, sim = layout
    urls = sim.region_urls("us1")
    meta = requests.get(urls["metadata_url"], timeout=10).json()
    assert meta["issuer"] + "/.well-known/oauth-authorization-server" == urls["metadata_url"]
    assert meta["authorization_endpoint"] == urls["authorize_url"]
    assert meta["token_endpoint"] == urls["token_url"]
    assert meta["device_authorization_endpoint"] == urls["device_authorization_url"]


def test_device_flow_across_hosts(layout):
    _, sim = layout
    urls = sim.region_urls("us1")
    tokens = device_login(sim)  # verification_uri on the pages host, walked there
    assert api_get(sim, tokens["access_token"], "/users/current").status_code == 200
    assert refresh(sim, tokens["refresh_token"]).status_code == 200
    started = requests.post(
        urls["device_authorization_url"],
        data={"client_id": sim.default_client_id, "scope": "tests:read"},
        timeout=10,
    ).json()
    assert started["verification_uri"] == urls["approval_url"]


def test_code_flow_across_hosts(layout):
    _, sim = layout
    client = sim.register_client([REDIRECT])
    verifier, challenge = _pkce()
    location = sim.authorize_via_pages(_authorize_url(sim, client.client_id, challenge))
    code = parse_qs(urlsplit(location).query)["code"][0]
    answer = _exchange(sim, client.client_id, code, verifier)
    assert answer.status_code == 200, answer.text
    assert api_get(sim, answer.json()["access_token"], "/tests").status_code == 200
