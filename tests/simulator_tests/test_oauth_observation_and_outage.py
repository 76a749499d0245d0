"""What in-process tests see of the authorization server, and an outage.

- Request log parameters: RFC 6749 §3.2 / §4.1.3 / §6, RFC 8628 §3.1 / §3.4 and RFC 7009 §2.1
  put the OAuth parameters in an application/x-www-form-urlencoded body; RFC 7591 §3.1 sends
  the client metadata as a JSON object. The log keeps them per request (``params``) for tests
  in the simulator's process; they are credentials (RFC 6749 §10.3, §10.4: access and refresh
  tokens are confidential; RFC 8628 §5.2 the device code), so no repr and no listing
  (``to_dict``, GET /_sim/requests) shows them.
- Metadata without an endpoint: RFC 8414 §2 makes ``revocation_endpoint`` and
  ``registration_endpoint`` OPTIONAL (REQUIRED: issuer, token_endpoint,
  response_types_supported), and ../shared/reference/thousandeyes.md says ThousandEyes
  publishes no revocation endpoint ("implement RFC 7009 when the metadata names a
  revocation_endpoint").
- Outage: RFC 9112 §9.5, "A client, server, or proxy MAY close the transport connection at
  any time"; a host that goes down closes the connections it kept alive (RFC 9112 §9.3) and
  its port refuses new ones.
"""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlsplit

import pytest
import requests

from .helpers import ALL_READ, DEVICE_GRANT, poll, refresh, start_device


def _oauth_records(sim, suffix):
    return [r for r in sim.request_log if r.path.endswith(suffix)]


def test_request_log_has_oauth_parameters_but_no_repr_or_listing_shows_them(te_sim):
    device = start_device(te_sim)
    te_sim.approve_device_via_pages(device["user_code"], region="us1")
    tokens = poll(te_sim, device["device_code"]).json()
    assert refresh(te_sim, tokens["refresh_token"]).status_code == 200
    registration = {"client_name": "x", "token_endpoint_auth_method": "none",
                    "grant_types": [DEVICE_GRANT], "redirect_uris": []}  # fmt: skip
    url = te_sim.region_urls("us1")["registration_url"]
    assert requests.post(url, json=registration, timeout=10).status_code == 201

    [asked] = _oauth_records(te_sim, "/oauth2/device/authorization")
    assert asked.params == {"client_id": te_sim.default_client_id, "scope": ALL_READ}
    polled, refreshed = _oauth_records(te_sim, "/oauth2/token")
    assert polled.params == {"grant_type": DEVICE_GRANT, "device_code": device["device_code"],
                             "client_id": te_sim.default_client_id}  # fmt: skip
    assert refreshed.params["refresh_token"] == tokens["refresh_token"]
    [registered] = _oauth_records(te_sim, "/oauth2/clients")
    assert registered.params["token_endpoint_auth_method"] == "none"
    assert registered.params["grant_types"] == '["' + DEVICE_GRANT + '"]'  # JSON as text
    api = [r for r in te_sim.request_log if r.path.startswith("/oauth2/device")]
    assert api and all(r.params == {} for r in api)  # the approval pages are not OAuth requests

    secrets = (device["device_code"], tokens["refresh_token"])
    listing = requests.get(te_sim.base_url("us1") + "/_sim/requests", timeout=10).text
    for record in te_sim.request_log:
        assert "params" not in record.to_dict()
        for secret in secrets:
            assert secret not in repr(record) and secret not in str(record.to_dict())
    for secret in secrets:
        assert secret not in listing


def test_metadata_override_none_leaves_an_optional_endpoint_out(te_sim):
    te_sim.ctx.metadata_overrides["us1"] = {"revocation_endpoint": None,
                                            "registration_endpoint": None}  # fmt: skip
    document = requests.get(te_sim.region_urls("us1")["metadata_url"], timeout=10).json()
    assert "revocation_endpoint" not in document and "registration_endpoint" not in document
    for required in ("issuer", "token_endpoint", "response_types_supported"):
        assert document[required]
    other = requests.get(te_sim.region_urls("eu")["metadata_url"], timeout=10).json()
    assert other["revocation_endpoint"] == te_sim.region_urls("eu")["revocation_url"]


def test_go_down_closes_kept_alive_connections_and_refuses_new_ones(te_sim):
    url = urlsplit(te_sim.region_urls("us1")["metadata_url"])
    kept = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    for _ in range(2):  # HTTP/1.1: both on one connection
        kept.request("GET", url.path)
        answer = kept.getresponse()
        assert answer.status == 200 and not answer.will_close
        answer.read()
    sock = kept.sock
    te_sim.go_down()
    assert sock.recv(1) == b""  # the server closed it (a live connection would block: timeout)
    kept.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((url.hostname, url.port), timeout=5).close()
    with pytest.raises(requests.ConnectionError):
        requests.get(url.geturl(), timeout=5)
    assert te_sim.clock.advance(5) and te_sim.request_log  # state stays for the test to read
