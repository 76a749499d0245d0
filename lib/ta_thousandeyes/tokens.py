"""Token sources for the API client: ``access_token()`` and ``refresh_after_unauthorized()``.

``TokenManager`` serves OAuth connections. Refresh tokens rotate (the old one dies on use),
so every refresh happens under the connection's cross-process lock, after re-reading the
credential store (another process may have refreshed already), and the new refresh token is
persisted before the new access token is handed out. ``invalid_grant`` is believed only
after one more re-read. ``ApiTokenSource`` serves API-token connections.

A refresh can reach the server and lose its answer (killed process, cut connection): the
server may have rotated the refresh token into an answer nobody read. So before sending, the
record gets ``refresh_sent_at`` (the new tokens replace the whole record, dropping it). A
lost answer, or that marker found by the next refresher, means: ask again at once with the
same refresh token, which works where the server has a reuse grace period or does not
rotate. Where it answers ``invalid_grant``, the connection needs re-authorization and its
message says that the answer was lost.
"""

import logging
import time
from typing import Callable, Dict, Optional

import requests

from . import connections, credential_store, locks, redaction, regions, settings
from .api_client import TokenSource
from .oauth import errors as oauth_errors
from .oauth.refresh import refresh_tokens

_log = logging.getLogger(__name__)
_WRITE_ATTEMPTS = 3
# Credential record field: when a refresh with the record's refresh token was sent whose
# answer has not been stored (in flight, or lost). Not a secret: a time.
REFRESH_SENT_AT = "refresh_sent_at"


class ReauthorizationRequired(RuntimeError):
    """The connection cannot get a token until an admin authorizes it again."""

    def __init__(self, connection_name: str, message: str) -> None:
        super().__init__(redaction.redact(message))
        self.connection_name = connection_name


class TokenUnavailable(RuntimeError):
    """A refresh failed for a reason that may pass (network, server error); try again later."""


def _is_fresh(record: Optional[Dict[str, object]], now: float, margin: float) -> bool:
    if not record or not record.get("access_token"):
        return False
    expires_at = record.get("expires_at")
    if expires_at is None:
        return True
    expires_at = float(expires_at)
    lifetime = expires_at - float(record.get("obtained_at") or expires_at)
    # Never refresh earlier than half-way through a token's life, whatever the margin says.
    effective_margin = min(margin, max(lifetime, 0) / 2.0)
    return now < expires_at - effective_margin


def _still_valid(record: Optional[Dict[str, object]], now: float) -> bool:
    return _is_fresh(record, now, 0)


def _refresh_unanswered(record: Optional[Dict[str, object]]) -> bool:
    """A refresh with this record's refresh token was sent and its answer never stored."""
    return bool(record and record.get(REFRESH_SENT_AT))


def _utc_text(epoch: object) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(epoch)))  # type: ignore


class TokenManager:
    """Rotation-safe access tokens for one OAuth connection."""

    def __init__(
        self,
        service: object,
        config: connections.ConnectionConfig,
        region: regions.Region,
        current_settings: settings.Settings,
        session: requests.Session,
        clock: Callable[[], float] = time.time,
        lock_dir: Optional[str] = None,
    ) -> None:
        self._service = service
        self._name = config.name
        self._client_id = config.client_id or current_settings.client_id
        self._region = region
        self._margin = float(current_settings.refresh_margin_seconds)
        self._session = session
        self._clock = clock
        self._lock_dir = lock_dir
        self._store = credential_store.CredentialStore(service)
        self._key = credential_store.connection_key(config.name)
        self._cached = None  # type: Optional[Dict[str, object]]

    # -- token-source contract -------------------------------------------------------------

    def access_token(self) -> str:
        if _is_fresh(self._cached, self._clock(), self._margin):
            return str(self._cached["access_token"])  # type: ignore[index]
        record = self._read()
        # An unanswered refresh is asked again now, not when the old token runs out: a reuse
        # grace period lasts seconds.
        if _is_fresh(record, self._clock(), self._margin) and not _refresh_unanswered(record):
            self._cached = record
            return str(record["access_token"])  # type: ignore[index]
        return self._refresh(stale_token=(record or {}).get("access_token"), forced=False)

    def refresh_after_unauthorized(self, rejected_token: str) -> str:
        return self._refresh(stale_token=rejected_token, forced=True)

    # -- keep-alive --------------------------------------------------------------------------

    def refresh_if_idle(self, idle_seconds: float) -> bool:
        """Refresh when the stored tokens are older than idle_seconds. True if it refreshed."""
        with self._lock():
            record = self._read_required()
            obtained = float(record.get("obtained_at") or 0)
            idle = self._clock() - obtained >= idle_seconds
            if not idle and _still_valid(record, self._clock()) and not _refresh_unanswered(record):
                self._cached = record
                return False
            self._refresh_locked(record, forced=True)
            return True

    # -- internals ---------------------------------------------------------------------------

    def _lock(self) -> locks.ConnectionLock:
        return locks.ConnectionLock(self._name, directory=self._lock_dir)

    def _read(self) -> Optional[Dict[str, object]]:
        return self._store.read(self._key)

    def _read_required(self) -> Dict[str, object]:
        record = self._read()
        if not record or not record.get("refresh_token"):
            message = (
                f"Connection {self._name!r} has no stored tokens (logged out?); connect it again"
            )
            raise ReauthorizationRequired(self._name, message)
        return record

    def _refresh(self, stale_token: object, forced: bool) -> str:
        with self._lock():
            record = self._read_required()
            now = self._clock()
            # Someone else refreshed while we waited for the lock: use their token.
            if (
                record.get("access_token") != stale_token
                and _is_fresh(record, now, self._margin)
                and not _refresh_unanswered(record)
            ):
                self._cached = record
                return str(record["access_token"])
            return self._refresh_locked(record, forced=forced)

    def _refresh_locked(self, record: Dict[str, object], forced: bool) -> str:
        token_url = self._region.token_url
        stored_url = str(record.get("token_url") or "")
        if stored_url and self._region.owns(stored_url):
            token_url = stored_url
        elif stored_url:  # saved by an older version from a bad metadata answer: heal it
            _log.warning("Stored token endpoint is outside the region; using the configured one")
        client_id = str(record.get("client_id") or self._client_id)
        # Set when an earlier refresh with this refresh token lost its answer (killed process).
        lost_at = record.get(REFRESH_SENT_AT)
        if not lost_at:
            record = self._mark_refresh_sent()
        try:
            try:
                tokens = self._grant(token_url, client_id, record)
            except oauth_errors.AnswerLostError as lost:
                # The server may have rotated the refresh token in the answer we lost: ask
                # again at once with the same one (honoured within a reuse grace period).
                _log.warning("Token refresh answer lost (%s); asking again", lost)
                lost_at = record[REFRESH_SENT_AT]
                tokens = self._grant(token_url, client_id, record)
        except oauth_errors.InvalidGrantError as error:
            latest = self._read_required()
            if latest.get("refresh_token") == record.get("refresh_token"):
                self._needs_reauthorization(error, lost_at)
            # Rotated by a writer we did not exclude (e.g. a clock-skewed peer): try theirs.
            if _is_fresh(latest, self._clock(), self._margin):
                self._cached = latest
                return str(latest["access_token"])
            record = latest
            try:
                tokens = self._grant(token_url, client_id, record)
            except oauth_errors.InvalidGrantError as second:
                self._needs_reauthorization(second)
        except oauth_errors.InvalidClientError as error:
            self._needs_reauthorization(error)
        except oauth_errors.AnswerLostError as error:  # the marker stays: next time, at once
            return self._transient_failure(record, error, forced)
        except oauth_errors.OAuthFlowError as error:
            if not lost_at:  # the server refused (or it was never sent): nothing in flight
                self._forget_refresh_sent(record)
            return self._transient_failure(record, error, forced)
        updated = dict(record)
        updated.pop(REFRESH_SENT_AT, None)  # answered and stored
        updated.update(tokens)
        updated["client_id"] = client_id
        updated["token_url"] = token_url
        self._persist(updated)
        self._cached = updated
        self._record_state(
            state=connections.CONNECTED,
            error="",
            last_refresh=float(tokens.get("obtained_at") or self._clock()),
            token_expiry=float(tokens.get("expires_at") or 0),
        )
        return str(updated["access_token"])

    def _grant(self, token_url: str, client_id: str, record: Dict[str, object]) -> dict:
        return refresh_tokens(
            self._session,
            self._region,
            token_url,
            client_id,
            str(record["refresh_token"]),
            self._clock,
            client_secret=str(record["client_secret"]) if record.get("client_secret") else None,
        )

    def _mark_refresh_sent(self) -> Dict[str, object]:
        """The record with REFRESH_SENT_AT, stored before the refresh goes out (a refresh
        that could not be recorded is not sent). Marked on what the store holds now, so
        tokens stored by a writer we did not exclude are refreshed, not overwritten."""
        marked = dict(self._read_required())
        marked[REFRESH_SENT_AT] = int(self._clock())
        self._persist(marked, "Could not record the token refresh before sending it")
        return marked

    def _forget_refresh_sent(self, record: Dict[str, object]) -> None:
        unmarked = dict(record)
        unmarked.pop(REFRESH_SENT_AT, None)
        try:
            self._persist(unmarked, "Could not clear the token refresh marker")
        except TokenUnavailable as error:  # a leftover marker costs one early refresh
            _log.warning("%s", error)

    def _persist(
        self, record: Dict[str, object], failure: str = "Could not save refreshed tokens"
    ) -> None:
        # The server has already retired the old refresh token: losing this write would
        # strand the connection, so retry before giving up.
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                self._store.write(self._key, record)
                return
            except Exception as error:
                if attempt == _WRITE_ATTEMPTS - 1:
                    raise TokenUnavailable(redaction.redact(f"{failure}: {error}"))
                time.sleep(0.5 * (attempt + 1))

    def _transient_failure(self, record: Dict[str, object], error: Exception, forced: bool) -> str:
        message = f"Token refresh for connection {self._name!r} failed: {error}"
        _log.warning("%s", redaction.redact(message))
        if not forced and _still_valid(record, self._clock()):
            return str(record["access_token"])  # refresh was early: keep using the old token
        self._record_state(state=connections.ERROR, error=message)
        raise TokenUnavailable(redaction.redact(message))

    def _needs_reauthorization(self, error: Exception, lost_at: object = None) -> None:
        message = f"Connection {self._name!r} needs re-authorization: {error}"
        if lost_at:
            message = (
                f"Connection {self._name!r} needs re-authorization: the answer to the token "
                f"refresh at {_utc_text(lost_at)} was lost and the authorization server does "
                f"not accept a refresh token twice ({error}); connect again (Reconnect on the "
                "setup page)"
            )
        self._record_state(state=connections.NEEDS_REAUTHORIZATION, error=message)
        raise ReauthorizationRequired(self._name, message)

    def _record_state(self, **changes: object) -> None:
        try:
            connections.update_connection(self._service, self._name, **changes)
        except Exception as error:  # the tokens are safe; the conf is informational
            _log.warning("Could not update connection state: %s", redaction.redact(error))


class ApiTokenSource:
    """A user API token: no refresh; a 401 means the token was revoked or expired."""

    def __init__(self, service: object, name: str, api_token: str) -> None:
        self._service = service
        self._name = name
        self._token = api_token
        redaction.register_secret(api_token)

    def access_token(self) -> str:
        return self._token

    def refresh_after_unauthorized(self, rejected_token: str) -> str:
        message = (
            f"ThousandEyes rejected the API token of connection {self._name!r}; enter a new one"
        )
        try:
            connections.update_connection(
                self._service, self._name, state=connections.NEEDS_REAUTHORIZATION, error=message
            )
        except Exception as error:
            _log.warning("Could not update connection state: %s", redaction.redact(error))
        raise ReauthorizationRequired(self._name, message)


def token_source_for(
    service: object,
    config: connections.ConnectionConfig,
    region: regions.Region,
    current_settings: settings.Settings,
    session: requests.Session,
    clock: Callable[[], float] = time.time,
    lock_dir: Optional[str] = None,
) -> TokenSource:
    """The token source matching the connection's auth method."""
    if config.auth_method == connections.API_TOKEN:
        record = credential_store.CredentialStore(service).read(
            credential_store.connection_key(config.name)
        )
        if not record or not record.get("api_token"):
            raise ReauthorizationRequired(
                config.name, f"Connection {config.name!r} has no API token stored"
            )
        return ApiTokenSource(service, config.name, str(record["api_token"]))
    return TokenManager(service, config, region, current_settings, session, clock, lock_dir)
