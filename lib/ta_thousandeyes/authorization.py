"""The authorization flows as the setup page drives them, over the connection model.

Each function takes a splunklib Service and a connection name. Pending flow state (device
code, PKCE verifier and state) is kept in the connection's credential record, never sent to
the browser; every write of that record happens under the connection's lock, the same lock
token refreshes take. A damaged record (a chunk missing after a half-finished write) never
blocks the admin: a new flow replaces it, and log out revokes what is left of it and deletes it.
"""

import logging
import time
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from . import assembly, connections, credential_store
from .oauth import api_token, device, discovery, errors, identity, pkce, registration, revocation

Clock = Callable[[], float]
_log = logging.getLogger(__name__)


def _client_for(
    ctx: assembly.Parts, endpoints: discovery.Endpoints, redirect_uris: List[str]
) -> Dict:
    """The client id to use: configured, or registered now (RFC 7591) when the server offers it."""
    client_id = ctx.config.client_id or ctx.settings.client_id
    if client_id:
        return {"client_id": client_id}
    if not endpoints.registration_url:
        raise errors.InvalidClientError(
            "No OAuth client id is configured and the server offers no registration; set "
            "client_id in the add-on settings"
        )
    return registration.register_public_client(
        ctx.session, ctx.region, endpoints, ctx.scopes, redirect_uris
    )


def _usable(ctx: assembly.Parts) -> Dict[str, object]:
    """The record, or {} when it is damaged: nothing in it can be used, a write replaces it."""
    try:
        return ctx.store.read(ctx.key) or {}
    except credential_store.CorruptRecordError as error:
        _log.warning("%s; it is replaced", error)
        return {}


def _save_pending(ctx: assembly.Parts, pending: Dict[str, object], client: Dict) -> None:
    with ctx.lock:
        record = _usable(ctx)
        record["pending"] = pending
        if client.get("client_secret"):
            pending["client_secret"] = client["client_secret"]
        ctx.store.write(ctx.key, record)


def _clear_pending(ctx: assembly.Parts) -> None:
    try:
        record = ctx.store.read(ctx.key)
    except credential_store.CorruptRecordError:
        ctx.store.delete(ctx.key)
        return
    if record and "pending" in record:
        record.pop("pending")
        if record:
            ctx.store.write(ctx.key, record)
        else:
            ctx.store.delete(ctx.key)


def _fail(ctx: assembly.Parts, error: errors.OAuthFlowError) -> None:
    """Forget the pending flow and show the error on the connection; then re-raise."""
    with ctx.lock:
        _clear_pending(ctx)
    connections.update_connection(
        ctx.service, ctx.config.name, allow_from_disconnected=True, error=str(error)
    )


def _connected(
    ctx: assembly.Parts, tokens: Dict[str, object], pending: Dict[str, object], clock: Clock
) -> connections.ConnectionConfig:
    who = identity.fetch_identity(ctx.session, ctx.region, str(tokens["access_token"]))
    record = dict(tokens)
    record["client_id"] = pending["client_id"]
    record["token_url"] = pending["token_url"]
    record["revocation_url"] = pending.get("revocation_url") or ""
    if pending.get("client_secret"):
        record["client_secret"] = pending["client_secret"]
    _store_tokens(ctx, record)
    return connections.update_connection(
        ctx.service,
        ctx.config.name,
        allow_from_disconnected=True,
        state=connections.CONNECTED,
        error="",
        user_email=who.email,
        account_groups=who.account_groups,
        last_refresh=float(tokens.get("obtained_at") or clock()),
        token_expiry=float(tokens.get("expires_at") or 0),
        client_id=str(pending["client_id"]),
        scopes=str(tokens.get("scope") or "").split() or ctx.scopes,
    )


def _store_tokens(ctx: assembly.Parts, record: Dict[str, object]) -> None:
    """Write the connection's new record (it replaces the pending flow and older tokens), then
    revoke the grant it replaces: a reconnect leaves no second live refresh token behind."""
    with ctx.lock:
        replaced = _usable(ctx)
        ctx.store.write(ctx.key, record)
    stale = [
        (hint, str(replaced[hint]))
        for hint in ("refresh_token", "access_token")
        if replaced.get(hint) and replaced.get(hint) != record.get(hint)
    ]
    url = str(replaced.get("revocation_url") or "")
    client_id = str(replaced.get("client_id") or "")
    # Only to the server that issued them: an old grant of another region, or one whose server
    # offers no revocation, is left to expire (log out says the same of a grant it cannot revoke).
    if not stale or not client_id or not revocation.revocation_possible(ctx.region, url):
        return
    try:
        _revoke_each(ctx, url, client_id, replaced.get("client_secret"), stale)
    except Exception as error:  # the new grant is stored and in use whatever happens here
        _log.warning("Revoking the replaced grant of %r failed: %s", ctx.config.name, error)


def _revoke_each(
    ctx: assembly.Parts,
    url: str,
    client_id: str,
    secret: object,
    tokens: List[Tuple[str, str]],
) -> List[bool]:
    """RFC 7009 for each (token type hint, token), as client_id (with its secret, if any)."""
    return [
        revocation.revoke_token(
            ctx.session,
            ctx.region,
            url,
            client_id,
            token,
            hint,
            client_secret=str(secret) if secret else None,
        )
        for hint, token in tokens
    ]


def _pending(ctx: assembly.Parts, kind: str) -> Dict[str, object]:
    record = _usable(ctx)
    pending = record.get("pending")
    if not isinstance(pending, dict) or pending.get("kind") != kind:
        raise errors.NoPendingFlowError()
    return pending


# -- device authorization grant --------------------------------------------------------------


def start_device_authorization(
    service: object, name: str, clock: Clock = time.time, lock_dir: Optional[str] = None
) -> Dict[str, object]:
    """Start RFC 8628; returns user_code, verification_uri(_complete), expires_in, interval."""
    ctx = assembly.parts(service, name, lock_dir)
    try:
        endpoints = discovery.discover(ctx.session, ctx.region)
        client = _client_for(ctx, endpoints, [])
        public, pending = device.start(
            ctx.session, ctx.region, endpoints, client["client_id"], ctx.scopes, clock
        )
        _save_pending(ctx, pending, client)
        return public.as_public_dict()
    finally:
        ctx.close()


def poll_device_authorization(
    service: object, name: str, clock: Clock = time.time, lock_dir: Optional[str] = None
) -> Dict[str, object]:
    """One poll. Returns {"status": "pending"|"slow_down"|"connected", "interval": s, ...}.

    Raises DeniedError / ExpiredError (the flow is then forgotten) with a readable message.
    """
    ctx = assembly.parts(service, name, lock_dir)
    try:
        with ctx.lock:
            pending = _pending(ctx, "device")
            try:
                result = device.poll_once(ctx.session, ctx.region, pending, clock)
            except errors.OAuthFlowError:
                _clear_pending(ctx)
                raise
            if result.status != device.TOKENS:
                record = _usable(ctx)
                record["pending"] = result.pending
                ctx.store.write(ctx.key, record)
                return {"status": result.status, "interval": result.interval}
        config = _connected(ctx, result.tokens or {}, pending, clock)
        return {"status": "connected", "connection": config.as_public_dict()}
    except errors.OAuthFlowError as error:
        _note_error(ctx, error)
        raise
    finally:
        ctx.close()


def _note_error(ctx: assembly.Parts, error: errors.OAuthFlowError) -> None:
    try:
        connections.update_connection(
            ctx.service, ctx.config.name, allow_from_disconnected=True, error=str(error)
        )
    except Exception:  # noqa: S110 - the flow error itself is what the caller reports
        pass


# -- authorization code + PKCE ---------------------------------------------------------------


def start_authorization_code(
    service: object,
    name: str,
    redirect_uri: str,
    clock: Clock = time.time,
    lock_dir: Optional[str] = None,
) -> str:
    """The URL to send the admin's browser to (state and verifier stay server-side)."""
    ctx = assembly.parts(service, name, lock_dir)
    try:
        endpoints = discovery.discover(ctx.session, ctx.region)
        client = _client_for(ctx, endpoints, [redirect_uri])
        url, pending = pkce.begin(
            ctx.region, endpoints, client["client_id"], ctx.scopes, redirect_uri, clock
        )
        _save_pending(ctx, pending, client)
        return url
    finally:
        ctx.close()


def complete_authorization_code(
    service: object,
    name: str,
    callback_params: Mapping[str, str],
    clock: Clock = time.time,
    lock_dir: Optional[str] = None,
) -> connections.ConnectionConfig:
    """Finish the flow with the redirect's query parameters (code, state or error)."""
    ctx = assembly.parts(service, name, lock_dir)
    try:
        with ctx.lock:
            pending = _pending(ctx, "pkce")
            # A wrong state leaves the pending flow alone: it may be a forged request.
            pkce.check_state(pending, str(callback_params.get("state") or ""))
            try:
                tokens = pkce.complete(ctx.session, ctx.region, pending, callback_params, clock)
            except errors.OAuthFlowError:
                _clear_pending(ctx)
                raise
        return _connected(ctx, tokens, pending, clock)
    except errors.OAuthFlowError as error:
        _note_error(ctx, error)
        raise
    finally:
        ctx.close()


# -- user API token --------------------------------------------------------------------------


def connect_api_token(
    service: object,
    name: str,
    token: str,
    clock: Clock = time.time,
    lock_dir: Optional[str] = None,
) -> connections.ConnectionConfig:
    """Validate the token with /v7/users/current, store it, mark the connection connected."""
    ctx = assembly.parts(service, name, lock_dir)
    try:
        who = api_token.validate_api_token(ctx.session, ctx.region, token)
        _store_tokens(ctx, {"api_token": token.strip()})
        return connections.update_connection(
            service,
            name,
            allow_from_disconnected=True,
            auth_method=connections.API_TOKEN,
            state=connections.CONNECTED,
            error="",
            user_email=who.email,
            account_groups=who.account_groups,
            last_refresh=float(clock()),
            token_expiry=0.0,
        )
    except errors.OAuthFlowError as error:
        _note_error(ctx, error)
        raise
    finally:
        ctx.close()


# -- log out -----------------------------------------------------------------------------------


def logout(service: object, name: str, lock_dir: Optional[str] = None) -> Dict[str, object]:
    """Revoke at the server when possible, delete the secrets, mark the connection disconnected.

    Returns {"revoked": bool, "revocation_offered": bool}. Secrets are deleted even when
    revocation fails or the record is damaged (then what its remaining chunks hold is
    revoked): the add-on must stop using them either way.
    """
    key = credential_store.connection_key(name)
    store = credential_store.CredentialStore(service)
    revoked = False
    offered = False
    with credential_store.record_lock(key, lock_dir):
        try:
            record = store.read(key) or {}  # type: Dict[str, object]
        except credential_store.CorruptRecordError as error:
            _log.warning("%s; revoking what it still holds, then deleting it", error)
            record = dict(store.salvage(key))
        try:
            offered, revoked = _revoke(service, name, lock_dir, record)
        except Exception as error:  # forgetting the secrets must not depend on revoking them
            _log.warning("Revocation for connection %r failed: %s", name, error)
        store.delete(key)
    connections.update_connection(
        service,
        name,
        allow_from_disconnected=True,
        state=connections.DISCONNECTED,
        error="",
        token_expiry=0.0,
    )
    return {"revoked": revoked, "revocation_offered": offered}


def _revoke(
    service: object, name: str, lock_dir: Optional[str], record: Dict[str, object]
) -> Tuple[bool, bool]:
    """(revocation offered, every token revoked) for the tokens in record (RFC 7009)."""
    ctx = assembly.parts(service, name, lock_dir)
    try:
        url = str(record.get("revocation_url") or "")
        if not revocation.revocation_possible(ctx.region, url):
            url = ctx.region.revocation_url  # none stored, or one outside the region
        client_id = str(record.get("client_id") or ctx.config.client_id or "")
        offered = revocation.revocation_possible(ctx.region, url) and bool(client_id)
        if not offered:
            return False, False
        held = [(h, str(record[h])) for h in ("refresh_token", "access_token") if record.get(h)]
        results = _revoke_each(ctx, url, client_id, record.get("client_secret"), held)
        return True, bool(results) and all(results)
    finally:
        ctx.close()


def cancel_pending(service: object, name: str, lock_dir: Optional[str] = None) -> None:
    """Forget an unfinished authorization (the admin closed the dialog)."""
    ctx = assembly.parts(service, name, lock_dir)
    try:
        with ctx.lock:
            _clear_pending(ctx)
    finally:
        ctx.close()
