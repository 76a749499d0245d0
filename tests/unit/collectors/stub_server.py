"""A loopback HTTP (or HTTPS) server whose answers a test scripts, for ApiClient tests.

Each request is answered by the next scripted reply (or by the fallback): a Reply gives
status, headers and body; ``truncate`` sends a Content-Length larger than the body and
closes the connection (a body cut short), ``drop`` closes without answering.
"""

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional


@dataclass
class Reply:
    status: int = 200
    body: object = None
    headers: Dict[str, str] = field(default_factory=dict)
    truncate: bool = False
    drop: bool = False

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body if self.body is not None else {}).encode()


@dataclass
class Seen:
    path: str
    headers: Dict[str, str]
    method: str = "GET"
    body: bytes = b""


class StubServer:
    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        self.replies: List[Reply] = []
        self.fallback: Optional[Callable[[str], Reply]] = None
        self.seen: List[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                self._answer("GET", b"")

            def do_POST(self):  # noqa: N802
                self._answer("POST", self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _answer(self, method, sent):
                outer.seen.append(Seen(self.path, dict(self.headers), method, sent))
                reply = outer.replies.pop(0) if outer.replies else outer.fallback(self.path)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                body = reply.payload()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/hal+json")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.truncate:
                    self.send_header("Content-Length", str(len(body) * 2))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        scheme = "https" if tls is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.port}/v7"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
