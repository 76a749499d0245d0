"""http.build_session, the one transport of every call: TLS, user agent, origins, proxy."""

import base64
import json
import socket
import threading

import pytest
import requests
from ta_thousandeyes import USER_AGENT
from ta_thousandeyes.http import Proxy, UnsafeDestinationError, build_session
from ta_thousandeyes.http import destination as origin

from tests.simulators.loopback_tls import LoopbackTLS
from tests.unit.collectors.stub_server import Reply, StubServer

RATE_HEADERS = {"X-Organization-Rate-Limit-Remaining": "7"}


class _ConnectProxy:
    """A CONNECT-only forward proxy that records what each client asked for."""

    def __init__(self):
        self.requests = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        lines = head.decode("latin-1").split("\r\n")
        self.requests.append(lines)
        host, port = lines[0].split()[1].rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


@pytest.fixture
def api(tmp_path):
    tls = LoopbackTLS(str(tmp_path), "transport test CA", "ca.pem")
    server = StubServer(tls=tls.server_context())
    server.ca_bundle = tls.ca_bundle_path
    server.fallback = lambda path: Reply(body={"path": path}, headers=RATE_HEADERS)
    yield server
    server.close()


def test_get_verifies_tls_against_the_bundle_and_names_the_add_on(api):
    transport = build_session([origin(api.base_url)], ca_bundle=api.ca_bundle)
    reply = transport.get(api.base_url + "/tests?aid=1&x=a%20b", headers={"Accept": "x/y"})
    transport.close()
    assert reply.status_code == 200 and reply.reason == "OK"
    assert json.loads(reply.content)["path"] == "/v7/tests?aid=1&x=a%20b"
    assert api.seen[-1].headers["User-Agent"] == USER_AGENT
    assert api.seen[-1].headers["Accept"] == "x/y"
    assert reply.headers["x-organization-rate-limit-remaining"] == "7"  # case-insensitive


def test_an_untrusted_certificate_is_refused(api):
    transport = build_session([origin(api.base_url)], connect_retries=0)  # certifi's roots
    with pytest.raises(requests.RequestException):
        transport.get(api.base_url + "/tests")


def test_credentials_go_only_to_the_allowed_origins():
    transport = build_session(["https://api.example.com:443"], connect_retries=0)
    for url in ("https://elsewhere.example.com/v7/x", "http://api.example.com/v7/x",
                "https://api.example.com:8443/v7/x"):  # fmt: skip
        with pytest.raises(UnsafeDestinationError):
            transport.get(url, headers={"Authorization": "Bearer secret"})


def test_nothing_listening_raises_the_one_exception_family():
    transport = build_session(["http://127.0.0.1:9"], connect_retries=0, timeout=(1.0, 1.0))
    with pytest.raises(requests.RequestException):
        transport.get("http://127.0.0.1:9/v7/x")


def test_https_through_the_proxy_tunnel_with_basic_credentials(api):
    proxy = _ConnectProxy()
    try:
        port = int(proxy.url.rsplit(":", 1)[1])
        transport = build_session(
            [origin(api.base_url)],
            ca_bundle=api.ca_bundle,
            proxy=Proxy("http", "127.0.0.1", port, "svc user", "p@ss:word"),
        )
        first = transport.get(api.base_url + "/a", headers={"Authorization": "Bearer t"})
        second = transport.get(api.base_url + "/b", headers={"Authorization": "Bearer t"})
        transport.close()
    finally:
        proxy.close()
    assert [json.loads(r.content)["path"] for r in (first, second)] == ["/v7/a", "/v7/b"]
    assert len(proxy.requests) == 1  # one tunnel, kept alive for both calls
    request_line, *headers = proxy.requests[0]
    assert request_line.startswith("CONNECT 127.0.0.1:")
    expected = base64.b64encode(b"svc user:p@ss:word").decode()
    assert "proxy-authorization: basic " + expected.lower() in [h.lower() for h in headers]
    # the bearer token travelled inside the tunnel only, never in the proxy's request
    assert not any("Bearer" in line for line in headers)


def test_no_redirect_is_followed(api):
    elsewhere = api.base_url + "/steal"
    api.fallback = lambda path: Reply(302, {"title": "Found"}, headers={"Location": elsewhere})
    transport = build_session([origin(api.base_url)], ca_bundle=api.ca_bundle)
    reply = transport.post(api.base_url + "/token", data=b"refresh_token=secret")
    again = transport.get(api.base_url + "/x", headers={"Authorization": "Bearer t"})
    transport.close()
    assert reply.status_code == 302 and again.status_code == 302
    assert [seen.path for seen in api.seen] == ["/v7/token", "/v7/x"]
