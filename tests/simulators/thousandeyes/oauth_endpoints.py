"""Authorization server endpoints: RFC 8414 metadata, RFC 7591 registration, RFC 8628 device
authorization, the token endpoint (device code, authorization code + PKCE, refresh with
rotation and reuse detection, or the modes of oauth_store) and RFC 7009 revocation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Optional, Tuple, Union
from urllib.parse import urlparse

from .context import SimContext
from .http_types import Request, Response, json_response
from .oauth_store import SUPPORTED_SCOPES, Client, DeviceAuthorization, OAuthStore, RefreshToken
from .problems import oauth_error

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]


def metadata(ctx: SimContext, req: Request) -> Response:
    urls = ctx.region_urls(req.region)
    document = {
        "issuer": ctx.host_url(req.region, "oauth"),
        "authorization_endpoint": urls["authorize_url"],
        "token_endpoint": urls["token_url"],
        "device_authorization_endpoint": urls["device_authorization_url"],
        "revocation_endpoint": urls["revocation_url"],
        "registration_endpoint": urls["registration_url"],
        "scopes_supported": SUPPORTED_SCOPES,
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", DEVICE_GRANT],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
    }
    # RFC 8414 §2: only issuer, authorization_endpoint (when a grant uses it), token_endpoint
    # and response_types_supported are REQUIRED; an override of None leaves a field out (as
    # thousandeyes.md: a revocation endpoint is "not published")
    for name, value in ctx.metadata_overrides.get(req.region, {}).items():
        if value is None:
            document.pop(name, None)
        else:
            document[name] = value
    return json_response(200, document)


def register(ctx: SimContext, req: Request) -> Response:
    try:
        meta = req.json()
        if not isinstance(meta, dict):
            raise ValueError
    except ValueError:
        return oauth_error("invalid_client_metadata", "Body must be a JSON object")
    method = meta.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        return oauth_error("invalid_client_metadata", f"Unsupported auth method {method}")
    grant_types = meta.get("grant_types") or ["authorization_code"]
    redirect_uris = meta.get("redirect_uris") or []
    if not isinstance(redirect_uris, list) or not all(_absolute_uri(u) for u in redirect_uris):
        return oauth_error("invalid_redirect_uri", "redirect_uris must be absolute URIs")
    if "authorization_code" in grant_types and not redirect_uris:
        return oauth_error("invalid_redirect_uri", "authorization_code needs redirect_uris")
    client = ctx.store.register_client(
        method, redirect_uris, str(meta.get("client_name", "")), list(grant_types)
    )
    body = dict(meta)
    body.update(
        {
            "client_id": client.client_id,
            "client_id_issued_at": int(ctx.clock.now()),
            "token_endpoint_auth_method": method,
            "grant_types": grant_types,
            "redirect_uris": redirect_uris,
        }
    )
    if client.client_secret:
        body["client_secret"] = client.client_secret
        body["client_secret_expires_at"] = 0
    req.client_id = client.client_id
    return json_response(201, body, Cache_Control="no-store")


def device_authorization(ctx: SimContext, req: Request) -> Response:
    refused = _not_a_form(req)
    if refused:
        return refused
    form = req.form()
    client, error = _authenticate_client(ctx, req, form)
    if error:
        return error
    scopes, error = _parse_scopes(form.get("scope"))
    if error:
        return error
    now = ctx.clock.now()
    device = DeviceAuthorization(
        device_code=ctx.store.new_secret(),
        user_code=ctx.store.new_user_code(),
        client_id=client.client_id,
        scopes=scopes,
        expires_at=now + ctx.device_code_lifetime,
        interval=ctx.device_poll_interval,
        region=req.region,
    )
    with ctx.store.lock:
        ctx.store.devices[device.device_code] = device
    verification = ctx.region_urls(req.region)["approval_url"]
    return json_response(
        200,
        {
            "device_code": device.device_code,
            "user_code": device.user_code,
            "verification_uri": verification,
            "verification_uri_complete": f"{verification}?user_code={device.user_code}",
            "expires_in": ctx.device_code_lifetime,
            "interval": device.interval,
        },
        Cache_Control="no-store",
    )


def _not_a_form(req: Request) -> Optional[Response]:
    """RFC 6749 §3.2 / RFC 8628 §3.1 / RFC 7009 §2.1: parameters in an
    application/x-www-form-urlencoded body; another body is refused, not guessed at."""
    kind = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return oauth_error("invalid_request", "Use an application/x-www-form-urlencoded body")
    return None


def token(ctx: SimContext, req: Request) -> Response:
    refused = _not_a_form(req)
    if refused:
        return refused
    form = req.form()
    client, error = _authenticate_client(ctx, req, form)
    if error:
        return error
    grant_type = form.get("grant_type")
    if grant_type == DEVICE_GRANT:
        return _device_code_grant(ctx, client, form)
    if grant_type == "authorization_code":
        return _authorization_code_grant(ctx, client, form)
    if grant_type == "refresh_token":
        return _refresh_grant(ctx, client, form)
    if not grant_type:
        return oauth_error("invalid_request", "grant_type is required")
    return oauth_error("unsupported_grant_type", f"Unsupported grant_type {grant_type}")


def revoke(ctx: SimContext, req: Request) -> Response:
    refused = _not_a_form(req)
    if refused:
        return refused
    form = req.form()
    client, error = _authenticate_client(ctx, req, form)
    if error:
        return error
    value = form.get("token", "")
    if not value:  # RFC 7009 §2.1: token is REQUIRED; §2.2.1 errors are RFC 6749 §5.2's
        return oauth_error("invalid_request", "token is required")
    store = ctx.store
    with store.lock:
        refresh = store.refresh_tokens.get(value)
        access = store.access_tokens.get(value)
        found = refresh or access
        owner = store.grants[found.grant_id].client_id if found else None
        if found and owner != client.client_id:
            # RFC 7009 §2.1: the server "verifies whether the token was issued to the client
            # making the revocation request. If this validation fails, the request is refused"
            return oauth_error("unauthorized_client", "The token was issued to another client")
        if refresh:
            store.revoke_grant(refresh.grant_id)
        elif access:
            access.revoked = True
    # RFC 7009 §2.2: 200 also for an unknown or already invalid token
    return Response(200, b"", {"Cache-Control": "no-store"})


# ----------------------------------------------------------------------------- grants
def _device_code_grant(ctx: SimContext, client: Client, form: dict) -> Response:
    now = ctx.clock.now()
    with ctx.store.lock:
        device = ctx.store.devices.get(form.get("device_code", ""))
        if device is None or device.client_id != client.client_id:
            return oauth_error("invalid_grant", "Unknown device_code")
        if device.status == "used":
            return oauth_error("invalid_grant", "device_code was already used")
        if now >= device.expires_at:
            return oauth_error("expired_token", "The device_code has expired")
        too_fast = device.last_poll is not None and now - device.last_poll < device.interval
        device.last_poll = now
        if too_fast:
            device.interval += 5  # RFC 8628 §3.5
            return oauth_error("slow_down", f"Polling too fast; wait {device.interval}s")
        if device.status == "denied":
            return oauth_error("access_denied", "The user denied the authorization")
        if device.status == "pending":
            return oauth_error("authorization_pending", "The user has not yet approved")
        device.status = "used"
        grant = ctx.store.new_grant(
            device.uid or "", client.client_id, device.scopes, device.approved_region
        )
    return _token_response(ctx.store.issue_tokens(grant, now))


def _authorization_code_grant(ctx: SimContext, client: Client, form: dict) -> Response:
    now = ctx.clock.now()
    with ctx.store.lock:
        code = ctx.store.codes.get(form.get("code", ""))
        if code is None or code.client_id != client.client_id:
            return oauth_error("invalid_grant", "Unknown authorization code")
        if code.used:
            if code.grant_id:  # RFC 6749 §4.1.2: revoke what the code already issued
                ctx.store.revoke_grant(code.grant_id)
            return oauth_error("invalid_grant", "Authorization code was already used")
        if now >= code.expires_at:
            return oauth_error("invalid_grant", "Authorization code has expired")
        if form.get("redirect_uri") != code.redirect_uri:
            return oauth_error("invalid_grant", "redirect_uri does not match the authorization")
        verifier = form.get("code_verifier")
        if not verifier:
            return oauth_error("invalid_request", "code_verifier is required (PKCE)")
        if not _VERIFIER.fullmatch(verifier):  # RFC 7636 §4.1: 43-128 unreserved characters
            return oauth_error("invalid_grant", "code_verifier must be 43-128 characters")
        if not hmac.compare_digest(s256(verifier), code.code_challenge):
            return oauth_error("invalid_grant", "PKCE verification failed")
        code.used = True
        grant = ctx.store.new_grant(code.uid, client.client_id, code.scopes, code.region)
        code.grant_id = grant.grant_id
    return _token_response(ctx.store.issue_tokens(grant, now))


def _refresh_grant(ctx: SimContext, client: Client, form: dict) -> Response:
    now = ctx.clock.now()
    store = ctx.store
    with store.lock:
        refresh = store.refresh_tokens.get(form.get("refresh_token", ""))
        if refresh is None:
            return oauth_error("invalid_grant", "Unknown refresh token")
        grant = store.grants[refresh.grant_id]
        if grant.client_id != client.client_id:
            return oauth_error("invalid_grant", "Refresh token was issued to another client")
        if grant.revoked:
            return oauth_error("invalid_grant", "The authorization was revoked")
        if refresh.spent and not _within_grace(store, refresh, now):
            store.revoke_grant(grant.grant_id)  # reuse detected: kill the whole family
            return oauth_error("invalid_grant", "Refresh token was already used")
        if now - refresh.last_used > store.refresh_idle_lifetime:
            return oauth_error("invalid_grant", "Refresh token has expired")
        requested = form.get("scope")
        if requested and not set(requested.split()) <= set(grant.scopes):
            return oauth_error("invalid_scope", "Requested scope exceeds the original grant")
        # RFC 6749 §6: a narrower scope narrows the new access token; the grant keeps its own
        narrowed = [s for s in grant.scopes if s in requested.split()] if requested else None
        mode = store.refresh_rotation
        if refresh.spent:  # grace: the successor again, with a new access token
            body = store.issue_tokens(grant, now, refresh.successor, scopes=narrowed)
            return _token_response(body)
        if mode in ("reuse", "omit"):
            refresh.last_used = now  # the idle lifetime counts from the last use
            body = store.issue_tokens(
                grant, now, refresh.token, send=mode == "reuse", scopes=narrowed
            )
            return _token_response(body)
        body = store.issue_tokens(grant, now, scopes=narrowed)
        refresh.spent, refresh.spent_at = True, now
        refresh.successor = body.get("refresh_token")
    return _token_response(body)


def _within_grace(store: OAuthStore, refresh: RefreshToken, now: float) -> bool:
    """Grace mode: the token rotated out less than the grace period ago, and only while its
    successor is unused (an older generation is never accepted again)."""
    if store.refresh_rotation != "grace" or refresh.spent_at is None:
        return False
    successor = store.refresh_tokens.get(refresh.successor or "")
    if successor is None or successor.spent:
        return False
    return now - refresh.spent_at <= store.refresh_grace_seconds


def _token_response(body: dict) -> Response:
    response = json_response(200, body, Cache_Control="no-store")
    response.headers["Pragma"] = "no-cache"
    return response


# ---------------------------------------------------------------------------- helpers
def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _authenticate_client(
    ctx: SimContext, req: Request, form: dict
) -> Tuple[Optional[Client], Optional[Response]]:
    client_id, secret, method = form.get("client_id"), form.get("client_secret"), "post"
    auth = req.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            method = "basic"
        except (binascii.Error, UnicodeDecodeError):
            return None, oauth_error("invalid_client", "Malformed Basic credentials", 401)
    req.client_id = client_id
    client = ctx.store.clients.get(client_id or "")
    if client is None:
        return None, oauth_error("invalid_client", "Unknown client", 401)
    if client.auth_method != "none":
        if not secret or not hmac.compare_digest(secret, client.client_secret or ""):
            return None, oauth_error("invalid_client", "Client authentication failed", 401)
        if client.auth_method == "client_secret_basic" and method != "basic":
            return None, oauth_error("invalid_client", "Use HTTP Basic client auth", 401)
    return client, None


def _parse_scopes(value: Optional[str]) -> Tuple[list, Union[Response, None]]:
    scopes = (value or "").split()
    if not scopes:
        return [], oauth_error("invalid_scope", "scope is required")
    unknown = [s for s in scopes if s not in SUPPORTED_SCOPES]
    if unknown:
        return [], oauth_error("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
    return list(dict.fromkeys(scopes)), None


def _absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    return bool(parsed.scheme and parsed.netloc) and "#" not in value


def parse_scopes(value: Optional[str]) -> Tuple[list, Union[Response, None]]:
    """Validated, de-duplicated scope list (or an invalid_scope error)."""
    return _parse_scopes(value)
