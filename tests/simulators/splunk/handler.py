"""The request-handler head every HTTP listener of the stand-in shares (splunkd, HEC, Web)."""

from http.server import BaseHTTPRequestHandler
from typing import Any


class StandinHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive (splunkd and HEC keep connections open, as the clients
    expect), ``Server: Splunkd`` without a Python version, no access lines on stderr (the
    listeners that keep an access log write their own), and the body read by Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "Splunkd"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


# How often a listener's serve_forever looks for shutdown(): stopping the stand-in costs at
# most this per listener (the stdlib's 0.5 s made every start/stop cycle cost 1.5 s).
POLL_SECONDS = 0.05
