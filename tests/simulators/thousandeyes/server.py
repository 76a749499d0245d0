"""One HTTP/1.1 (keep-alive) server per region on an ephemeral loopback port, HTTP or HTTPS.

The transport applies the fault instructions a Response carries: delay, a Date header off by
N seconds, and closing the connection after part of the body. ``go_down`` is an outage: the
port refuses connections and the connections kept alive are closed.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import traceback
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Optional, Set
from urllib.parse import parse_qs, urlsplit

from .http_types import Request, Response
from .problems import problem

App = Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ThousandEyesSimulator/1.0"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve()

    _date_skew = 0

    def date_time_string(self, timestamp: float = None) -> str:  # type: ignore[assignment]
        """Date header on the simulated clock (plus any injected skew)."""
        server: RegionServer = self.server  # type: ignore[assignment]
        return formatdate(server.clock_now() + self._date_skew, usegmt=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the request log records everything; keep test output clean

    def _serve(self) -> None:
        server: RegionServer = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        lists = parse_qs(split.query, keep_blank_values=True)
        request = Request(
            method=self.command,
            path=split.path,
            query={k: v[0] for k, v in lists.items()},
            query_lists=lists,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            region=server.region,
            base_url=server.base_url,
            roles=server.roles,
        )
        try:
            response = server.app(request)
        except Exception as exc:  # a simulator bug must still answer, visibly
            traceback.print_exc()
            response = problem(500, f"Simulator error: {type(exc).__name__}", request.path)
        self._write(response, server)

    def _write(self, response: Response, server: RegionServer) -> None:
        if response.delay:
            time.sleep(response.delay)
        self._date_skew = int(response.headers.pop("X-Sim-Date-Skew", "0"))
        self.send_response(response.status)  # its Date header comes from date_time_string
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.drop_after is not None:
            self.wfile.write(response.body[: response.drop_after])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(response.body)


class RegionServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        region: str,
        app: App,
        clock_now: Callable[[], float],
        tls_context: Optional[ssl.SSLContext] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        roles: Iterable[str] = ("api", "oauth", "pages"),
    ) -> None:
        super().__init__((host, port), _Handler)
        self.region = region
        self.roles = frozenset(roles)
        self.app = app
        self.clock_now = clock_now
        self._tls = tls_context
        scheme = "https" if tls_context else "http"
        self.base_url = f"{scheme}://{host}:{self.server_address[1]}"
        self._thread: Optional[threading.Thread] = None
        self._open: Set[socket.socket] = set()  # the connections being served (keep-alive)
        self._open_lock = threading.Lock()

    def get_request(self) -> tuple:
        sock, address = super().get_request()
        # Headers and body go out as two writes: with Nagle on, the body waits for the
        # client's delayed ACK of the headers (~40 ms a response). Real servers disable it.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            sock = self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self._open_lock:
            self._open.add(sock)
        return sock, address

    def shutdown_request(self, request) -> None:  # noqa: ANN001
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def finish_request(self, request, client_address) -> None:  # noqa: ANN001
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(10)
                request.do_handshake()
            except (OSError, ssl.SSLError):
                return  # handshake failures (e.g. a client distrusting our CA) end here
        super().finish_request(request, client_address)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever,
            args=(0.05,),
            name=f"te-sim-{self.region}-{'+'.join(sorted(self.roles))}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def go_down(self) -> None:
        """An outage: stop listening (a new connection is refused) and close every connection
        kept alive (RFC 9112 §9.5: a server MAY close the transport connection at any time;
        a request on it then fails instead of being answered by a host that is down)."""
        self.stop()
        with self._open_lock:
            kept = list(self._open)
        for sock in kept:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
