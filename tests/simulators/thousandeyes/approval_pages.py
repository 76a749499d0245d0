"""The pages a user sees to approve an integration (device code or authorization code).

Flow (product docs, "OAuth 2.0 with ThousandEyes"): enter the user code (or arrive with
``?user_code=``) -> log in (email/password, or the simulated SSO button, which signs in the
SSO-enabled demo user) -> choose the region -> confirmation page with email, region and what
will be shared -> Confirm (approve) or Logout (deny: the client gets ``access_denied``).
``/oauth2/authorize`` (code + PKCE S256) enters the same flow and ends with a redirect to the
registered redirect URI carrying ``code`` and ``state`` (or ``error=access_denied``).
Sessions live in a per-region cookie; every form carries a CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Optional
from urllib.parse import urlencode

from . import page_templates as tpl
from .context import AUTH_CODE_LIFETIME, REGION_LABELS, SimContext
from .http_types import Request, Response, html_response, redirect
from .oauth_endpoints import parse_scopes
from .oauth_store import SCOPE_WORDS, AuthorizationCode

SSO_USER_EMAIL = "admin@example.com"


class _Session:
    def __init__(self, ctx: SimContext, req: Request) -> None:
        self.cookie_name = f"te_sim_session_{req.region}"
        sid = req.cookie(self.cookie_name)
        self.is_new = sid is None or sid not in ctx.sessions
        if self.is_new:
            sid = secrets.token_urlsafe(24)
            ctx.sessions[sid] = {"csrf": secrets.token_urlsafe(24)}
        self.sid = sid
        self.data = ctx.sessions[sid]

    def attach(self, response: Response) -> Response:
        if self.is_new:
            response.headers["Set-Cookie"] = (
                f"{self.cookie_name}={self.sid}; Path=/; HttpOnly; SameSite=Lax"
            )
        return response


def handle(ctx: SimContext, req: Request) -> Optional[Response]:
    """Answer a page request, or None when the path is not an approval page."""
    routes = {
        "/oauth2/device": (_device_get, _device_post),
        "/oauth2/authorize": (_authorize_get, None),
        "/oauth2/login": (_login_get, _login_post),
        "/oauth2/sso": (None, _sso_post),
        "/oauth2/region": (_region_get, _region_post),
        "/oauth2/confirm": (_confirm_get, _confirm_post),
    }
    if req.path not in routes:
        return None
    getter, poster = routes[req.path]
    handler = getter if req.method == "GET" else poster if req.method == "POST" else None
    if handler is None:
        return html_response(405, tpl.message("Not allowed", "Method not allowed", "error"))
    session = _Session(ctx, req)
    if req.method == "POST":
        form = req.form()
        if not hmac.compare_digest(form.get("csrf_token", ""), session.data["csrf"]):
            return session.attach(
                html_response(400, tpl.message("Session expired", "Please start again.", "error"))
            )
    return session.attach(handler(ctx, req, session))


# ---------------------------------------------------------------- user code entry
def _device_get(ctx: SimContext, req: Request, session: _Session) -> Response:
    return html_response(
        200, tpl.code_entry(session.data["csrf"], req.query.get("user_code", ""), None)
    )


def _device_post(ctx: SimContext, req: Request, session: _Session) -> Response:
    typed = req.form().get("user_code", "")
    letters = "".join(ch for ch in typed.upper() if ch.isalnum())
    user_code = f"{letters[:4]}-{letters[4:]}"
    now = ctx.clock.now()
    with ctx.store.lock:
        device = next((d for d in ctx.store.devices.values() if d.user_code == user_code), None)
    if device is None or device.status != "pending" or now >= device.expires_at:
        error = "That code is not valid or has expired. Check the code and try again."
        return html_response(400, tpl.code_entry(session.data["csrf"], typed, error))
    session.data["flow"] = {"kind": "device", "device_code": device.device_code}
    session.data["region"] = req.region
    return redirect("/oauth2/region" if session.data.get("uid") else "/oauth2/login")


# ------------------------------------------------------------ authorization code
def _authorize_get(ctx: SimContext, req: Request, session: _Session) -> Response:
    q = req.query
    client = ctx.store.clients.get(q.get("client_id", ""))
    if client is None:
        return html_response(400, tpl.message("Invalid request", "Unknown client.", "error"))
    redirect_uri = q.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:  # exact match, never redirect elsewhere
        return html_response(
            400, tpl.message("Invalid request", "Unregistered redirect URI.", "error")
        )
    state = q.get("state")

    def fail(error: str, description: str) -> Response:
        params = {"error": error, "error_description": description}
        if state is not None:
            params["state"] = state
        return redirect(_append_query(redirect_uri, params))

    if q.get("response_type") != "code":
        return fail("unsupported_response_type", "Only response_type=code is supported")
    if not q.get("code_challenge"):
        return fail("invalid_request", "PKCE code_challenge is required")
    if q.get("code_challenge_method") != "S256":
        return fail("invalid_request", "code_challenge_method must be S256")
    scopes, error = parse_scopes(q.get("scope"))
    if error:
        return fail("invalid_scope", "Unknown or missing scope")
    session.data["flow"] = {
        "kind": "code",
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": q["code_challenge"],
        "scopes": scopes,
    }
    session.data["region"] = req.region
    return redirect("/oauth2/region" if session.data.get("uid") else "/oauth2/login")


# ------------------------------------------------------------------------- login
def _login_get(ctx: SimContext, req: Request, session: _Session) -> Response:
    if not session.data.get("flow"):
        return redirect("/oauth2/device")
    return html_response(200, tpl.login(session.data["csrf"], None))


def _login_post(ctx: SimContext, req: Request, session: _Session) -> Response:
    form = req.form()
    user = ctx.world.user_by_email(form.get("email", ""))
    if user is None or not hmac.compare_digest(user.password, form.get("password", "")):
        page = tpl.login(session.data["csrf"], "Invalid email or password.", form.get("email", ""))
        return html_response(401, page)
    session.data["uid"] = user.uid
    return redirect("/oauth2/region" if session.data.get("flow") else "/oauth2/device")


def _sso_post(ctx: SimContext, req: Request, session: _Session) -> Response:
    user = ctx.world.user_by_email(SSO_USER_EMAIL)
    session.data["uid"] = user.uid if user else None
    return redirect("/oauth2/region" if session.data.get("flow") else "/oauth2/device")


# ------------------------------------------------------------------------ region
def _region_get(ctx: SimContext, req: Request, session: _Session) -> Response:
    if not session.data.get("flow") or not session.data.get("uid"):
        return redirect("/oauth2/device")
    choices = [(key, REGION_LABELS[key]) for key in ctx.base_urls]
    page = tpl.region_choice(session.data["csrf"], choices, session.data.get("region", req.region))
    return html_response(200, page)


def _region_post(ctx: SimContext, req: Request, session: _Session) -> Response:
    region = req.form().get("region", "")
    if region not in ctx.base_urls:
        return redirect("/oauth2/region")
    session.data["region"] = region
    return redirect("/oauth2/confirm")


# ----------------------------------------------------------------------- confirm
def _flow_scopes_and_client(ctx: SimContext, flow: dict) -> tuple:
    if flow["kind"] == "device":
        device = ctx.store.devices[flow["device_code"]]
        client = ctx.store.clients.get(device.client_id)
        return device.scopes, client
    return flow["scopes"], ctx.store.clients.get(flow["client_id"])


def _confirm_get(ctx: SimContext, req: Request, session: _Session) -> Response:
    flow, uid = session.data.get("flow"), session.data.get("uid")
    if not flow or not uid:
        return redirect("/oauth2/device")
    user = ctx.world.user_by_uid(uid)
    scopes, client = _flow_scopes_and_client(ctx, flow)
    name = (client.client_name if client else "") or "An integration"
    words = [SCOPE_WORDS.get(s, s) for s in scopes]
    region_label = REGION_LABELS[session.data.get("region", req.region)]
    return html_response(
        200, tpl.confirm(session.data["csrf"], user.email, region_label, name, words)
    )


def _confirm_post(ctx: SimContext, req: Request, session: _Session) -> Response:
    flow, uid = session.data.get("flow"), session.data.get("uid")
    if not flow or not uid:
        return redirect("/oauth2/device")
    approve = req.form().get("action") == "confirm"
    region = session.data.get("region", req.region)
    session.data.pop("flow", None)
    if not approve:
        session.data.pop("uid", None)  # Logout ends the ThousandEyes session too
    if flow["kind"] == "device":
        with ctx.store.lock:
            device = ctx.store.devices[flow["device_code"]]
            if device.status == "pending" and ctx.clock.now() < device.expires_at:
                device.status = "approved" if approve else "denied"
                device.uid = uid
                device.approved_region = region
        if approve:
            text = "Your device is connected. You can close this window."
            return html_response(200, tpl.message("Device connected", text, "approved"))
        text = "You have been logged out. The device was not connected."
        return html_response(200, tpl.message("Logged out", text, "denied"))
    params = {}
    if approve:
        code = AuthorizationCode(
            code=ctx.store.new_secret(),
            client_id=flow["client_id"],
            redirect_uri=flow["redirect_uri"],
            code_challenge=flow["code_challenge"],
            scopes=flow["scopes"],
            uid=uid,
            region=region,
            expires_at=ctx.clock.now() + AUTH_CODE_LIFETIME,
        )
        with ctx.store.lock:
            ctx.store.codes[code.code] = code
        params["code"] = code.code
    else:
        params["error"] = "access_denied"
        params["error_description"] = "The user logged out"
    if flow.get("state") is not None:
        params["state"] = flow["state"]
    return redirect(_append_query(flow["redirect_uri"], params))


def _append_query(uri: str, params: dict) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)
