"""Authorization code grant with PKCE S256 (RFC 7636) and a checked ``state``.

``begin`` builds the authorize URL for the browser and returns the pending state (verifier,
state, redirect URI, expected issuer) that the caller keeps server-side; ``complete`` takes the
parameters of the redirect, checks ``state`` in constant time and the RFC 9207 ``iss`` (when
present, or when the server's metadata promised it), and exchanges the code. Both steps are
requests-oauthlib's OAuth2Session (``authorization_url``, ``fetch_token``); the checks of state
and issuer are ours, made before the exchange.
"""

import hmac
import secrets
from typing import Callable, Dict, List, Mapping, Tuple

import requests
from oauthlib.oauth2 import WebApplicationClient
from requests_oauthlib import OAuth2Session

from .. import redaction, regions
from . import errors, transport
from .discovery import Endpoints

FLOW_LIFETIME = 600  # seconds the admin has to finish at the authorization server
_VERIFIER_LENGTH = 64  # RFC 7636: 43..128 characters


def begin(
    region: regions.Region,
    endpoints: Endpoints,
    client_id: str,
    scopes: List[str],
    redirect_uri: str,
    clock: Callable[[], float],
) -> Tuple[str, Dict[str, object]]:
    """Returns (authorize URL for the browser, pending state to store server-side)."""
    authorize_url = transport.check_endpoint(region, endpoints.authorize_url)
    methods = endpoints.code_challenge_methods
    if endpoints.discovered and methods and "S256" not in methods:
        raise errors.NotSupportedError("The authorization server does not support PKCE S256")
    # OAuth2Session's own pkce= keeps the verifier on the session object; ours must outlive
    # this request (the callback is another one), so it is made here and stored server-side.
    client = WebApplicationClient(client_id)
    oauth = OAuth2Session(client=client, redirect_uri=redirect_uri, scope=scopes or None)
    verifier = client.create_code_verifier(_VERIFIER_LENGTH)
    challenge = client.create_code_challenge(verifier, "S256")
    redaction.register_secret(verifier)
    url, state = oauth.authorization_url(
        authorize_url,
        state=secrets.token_urlsafe(32),
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    pending = {
        "kind": "pkce",
        "state": state,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "expires_at": clock() + FLOW_LIFETIME,
        "token_url": endpoints.token_url,
        "revocation_url": endpoints.revocation_url,
        "issuer": endpoints.issuer,
        "iss_required": endpoints.iss_parameter_supported,
    }  # type: Dict[str, object]
    return url, pending


def check_issuer(pending: Dict[str, object], callback: Mapping[str, str]) -> None:
    """RFC 9207 section 2.4: an ``iss`` must be exactly the issuer the request went to (a
    mix-up defence); an unknown issuer cannot be checked, so a present ``iss`` is refused."""
    expected = str(pending.get("issuer") or "")
    received = callback.get("iss")
    if received is None:
        if pending.get("iss_required"):
            raise errors.IssuerMismatchError()
        return
    if not expected or not hmac.compare_digest(expected.encode(), str(received).encode()):
        raise errors.IssuerMismatchError()


def check_state(pending: Dict[str, object], received_state: str) -> None:
    expected = str(pending.get("state") or "")
    if not expected or not hmac.compare_digest(expected.encode(), (received_state or "").encode()):
        raise errors.StateMismatchError()


def complete(
    session: requests.Session,
    region: regions.Region,
    pending: Dict[str, object],
    callback: Mapping[str, str],
    clock: Callable[[], float],
) -> Dict[str, object]:
    """Exchange the code of the redirect (its query parameters) for tokens."""
    check_state(pending, str(callback.get("state") or ""))
    if clock() >= float(pending["expires_at"]):
        raise errors.ExpiredError()
    check_issuer(pending, callback)  # error responses carry iss too (RFC 9207 section 2)
    if callback.get("error"):
        raise errors.from_error_code(
            str(callback["error"]), str(callback.get("error_description") or "")
        )
    code = str(callback.get("code") or "")
    if not code:
        raise errors.ServerError("The authorization response carries no code")
    redaction.register_secret(code)
    oauth = transport.oauth_session(
        session, str(pending["client_id"]), redirect_uri=str(pending["redirect_uri"])
    )
    return transport.grant_tokens(
        region,
        str(pending["token_url"]),
        clock,
        lambda url: oauth.fetch_token(
            url,
            code=code,
            include_client_id=True,
            code_verifier=str(pending["code_verifier"]),
        ),
    )
