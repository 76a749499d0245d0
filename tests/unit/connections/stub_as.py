"""A small HTTPS authorization server + v7 API for unit tests (real HTTP on 127.0.0.1).

Behaviour follows the RFCs: RFC 8628 device grant (authorization_pending, slow_down when
polled faster than the interval, access_denied, expired_token), authorization code with
PKCE S256, rotating refresh tokens (a used refresh token is invalid_grant), RFC 7009
revocation, RFC 7591 registration, RFC 8414 metadata. Time comes from a ClockFile so child
processes can share it.
"""

import base64
import hashlib
import json
import os
import secrets
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.simulators.fixed_time import DEFAULT_START, real_time

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class ClockFile:
    """A fixed start plus the real time elapsed; the offset is in a file other processes read."""

    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            self.set_offset(DEFAULT_START - real_time())

    def set_offset(self, seconds):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(str(seconds))
        os.replace(tmp, self.path)

    def offset(self):
        with open(self.path) as handle:
            return float(handle.read() or 0)

    def advance(self, seconds):
        self.set_offset(self.offset() + seconds)

    def __call__(self):
        return real_time() + self.offset()


class StubAS:
    def __init__(
        self,
        tmp_path,
        access_token_lifetime=600,
        interval=5,
        revocation=True,
        registration=True,
        metadata=True,
    ):
        self.clock = ClockFile(str(tmp_path / "clock"))
        self.lifetime = access_token_lifetime
        self.interval = interval
        self.offer_revocation = revocation
        self.offer_registration = registration
        self.offer_metadata = metadata
        self.lock = threading.Lock()
        self.log = []  # (method, path, form)
        self.devices = {}
        self.codes = {}
        self.refresh_tokens = {}  # token -> {"used": bool, "client_id"}
        self.access_tokens = {}  # token -> expires_at
        self.api_tokens = {"te-api-token-0123456789": "api-user@example.com"}
        self.clients = {"configured-client"}
        self.issued = []
        self.revoked = []
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_path = str(tmp_path / "ca.pem")
        ca.cert_pem.write_to_path(self.ca_path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    # -- configuration helpers ------------------------------------------------------------
    def region_stanza(self):
        return {
            "label": "Default",
            "api_base_url": self.base + "/v7",
            "metadata_url": self.base + "/.well-known/oauth-authorization-server",
            "device_authorization_url": self.base + "/oauth2/device/authorization",
            "token_url": self.base + "/oauth2/token",
            "authorize_url": self.base + "/oauth2/authorize",
            "revocation_url": "",
            "registration_url": self.base + "/oauth2/clients",
        }

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def count(self, path, **form):
        return sum(
            1 for m, p, f in self.log if p == path and all(f.get(k) == v for k, v in form.items())
        )

    # -- user actions ---------------------------------------------------------------------
    def approve_device(self, user_code, deny=False):
        with self.lock:
            for device in self.devices.values():
                if device["user_code"] == user_code:
                    device["status"] = "denied" if deny else "approved"
                    return
        raise KeyError(user_code)

    def authorize(self, authorize_url, deny=False):
        """What the browser would get back on the redirect URI: its query parameters."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        if deny:
            return {"error": "access_denied", "state": query.get("state", "")}
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = dict(query, expires_at=self.clock() + 60)
            self.issued.append(code)
        return {"code": code, "state": query.get("state", "")}

    # -- token issuing --------------------------------------------------------------------
    def _issue(self, client_id, scope="offline_access"):
        access = "at-" + secrets.token_urlsafe(40)
        refresh = "rt-" + secrets.token_urlsafe(40)
        self.access_tokens[access] = self.clock() + self.lifetime
        self.refresh_tokens[refresh] = {"used": False, "client_id": client_id}
        self.issued += [access, refresh]
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "refresh_token": refresh,
            "scope": scope,
        }

    def _token(self, form):
        grant = form.get("grant_type")
        client_id = form.get("client_id", "")
        if client_id not in self.clients:
            return 401, {"error": "invalid_client"}
        now = self.clock()
        if grant == DEVICE_GRANT:
            device = self.devices.get(form.get("device_code", ""))
            if device is None:
                return 400, {"error": "invalid_grant"}
            if now >= device["expires_at"]:
                return 400, {"error": "expired_token"}
            last, device["last_poll"] = device.get("last_poll"), now
            if last is not None and now - last < device["interval"]:
                device["interval"] += 5
                return 400, {"error": "slow_down"}
            if device["status"] == "denied":
                return 400, {"error": "access_denied"}
            if device["status"] == "pending":
                return 400, {"error": "authorization_pending"}
            del self.devices[form["device_code"]]
            return self._issue(client_id, device["scope"])
        if grant == "authorization_code":
            code = self.codes.pop(form.get("code", ""), None)
            if code is None or now > code["expires_at"]:
                return 400, {"error": "invalid_grant"}
            if form.get("redirect_uri") != code.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if code.get("code_challenge_method") != "S256" or digest.decode().rstrip(
                "="
            ) != code.get("code_challenge"):
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "PKCE verification failed",
                }
            return self._issue(client_id, code.get("scope", ""))
        if grant == "refresh_token":
            entry = self.refresh_tokens.get(form.get("refresh_token", ""))
            if entry is None or entry["used"]:
                return 400, {"error": "invalid_grant"}
            entry["used"] = True
            return self._issue(client_id)
        return 400, {"error": "unsupported_grant_type"}

    def _route(self, method, path, form, headers):
        if method == "GET" and path == "/.well-known/oauth-authorization-server":
            if not self.offer_metadata:
                return 404, {"error": "not_found"}
            meta = {
                "issuer": self.base,
                "token_endpoint": self.base + "/oauth2/token",
                "device_authorization_endpoint": self.base + "/oauth2/device/authorization",
                "authorization_endpoint": self.base + "/oauth2/authorize",
                "code_challenge_methods_supported": ["S256"],
            }
            if self.offer_revocation:
                meta["revocation_endpoint"] = self.base + "/oauth2/revoke"
            if self.offer_registration:
                meta["registration_endpoint"] = self.base + "/oauth2/clients"
            return 200, meta
        if method == "POST" and path == "/oauth2/device/authorization":
            if form.get("client_id") not in self.clients:
                return 401, {"error": "invalid_client"}
            device_code = "dc-" + secrets.token_urlsafe(24)
            user_code = secrets.token_hex(4).upper()
            self.devices[device_code] = {
                "user_code": user_code,
                "status": "pending",
                "interval": self.interval,
                "expires_at": self.clock() + 900,
                "scope": form.get("scope", ""),
            }
            self.issued += [device_code]
            return 200, {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": self.base + "/device",
                "verification_uri_complete": self.base + "/device?user_code=" + user_code,
                "expires_in": 900,
                "interval": self.interval,
            }
        if method == "POST" and path == "/oauth2/token":
            return self._token(form)
        if method == "POST" and path == "/oauth2/revoke":
            self.revoked.append(form.get("token"))
            self.refresh_tokens.pop(form.get("token"), None)
            self.access_tokens.pop(form.get("token"), None)
            return 200, {}
        if method == "POST" and path == "/oauth2/clients":
            client_id = "registered-" + secrets.token_hex(6)
            self.clients.add(client_id)
            return 201, dict(form, client_id=client_id)
        if method == "GET" and path.startswith("/v7/"):
            bearer = headers.get("Authorization", "")[len("Bearer ") :]
            if bearer in self.api_tokens:
                email = self.api_tokens[bearer]
            elif self.access_tokens.get(bearer, 0) > self.clock():
                email = "admin@example.com"
            else:
                return 401, {"error": "invalid_token"}
            if path == "/v7/users/current":
                return 200, {"email": email, "name": "Admin"}
            if path == "/v7/account-groups":
                return 200, {"accountGroups": [{"aid": "1234", "accountGroupName": "Main"}]}
        return 404, {"error": "not_found"}

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    form = json.loads(raw or "{}")
                else:
                    form = {k: v[0] for k, v in parse_qs(raw).items()}
                path = urlsplit(self.path).path
                with stub.lock:
                    stub.log.append((method, path, form))
                    status, body = stub._route(method, path, form, dict(self.headers))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler
