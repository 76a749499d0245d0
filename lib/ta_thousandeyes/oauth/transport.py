"""Sending OAuth requests: only to the region's hosts, only over TLS, errors parsed.

The code + PKCE exchange and the refresh grant go through requests-oauthlib's OAuth2Session
(``oauth_session``, ``grant_tokens``); the device grant, revocation and registration, which it
does not offer, through ``post_form``. Either way the answer is judged by ``check_token_answer``
and the request failure by ``_request_failed``: one set of errors for every grant.
"""

import logging
import os
from typing import Callable, Dict, Mapping, Optional

import requests
from oauthlib.oauth2.rfc6749 import parameters as oauth_parameters
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests_oauthlib import OAuth2Session
from urllib3.exceptions import NewConnectionError

from .. import http, redaction, regions
from . import errors

_JSON = "application/json"
# requests-oauthlib logs request bodies (refresh tokens, codes, verifiers) and token answers
# at DEBUG on its own logger, outside our redacting handler: such records are never made.
logging.getLogger("requests_oauthlib").setLevel(logging.INFO)


def check_endpoint(region: regions.Region, url: str) -> str:
    """The URL if the URL policy (http.destination) admits it, it goes to one of the region's
    origins and it uses TLS; UnsafeEndpointError otherwise.

    OAUTHLIB_INSECURE_TRANSPORT (oauthlib's own switch) admits plain http for local testing.
    """
    if not url:
        raise errors.NotSupportedError("This region has no such endpoint configured")
    try:
        where = http.destination(url)
    except http.UnsafeUrlError as error:
        raise errors.UnsafeEndpointError(f"Refusing to send credentials to a {error}")
    if where not in region.origins:
        raise errors.UnsafeEndpointError()
    if not where.startswith("https://") and not os.environ.get("OAUTHLIB_INSECURE_TRANSPORT"):
        raise errors.UnsafeEndpointError("Refusing to send credentials over plain http")
    return url


def _json_body(response: requests.Response) -> Dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def post_form(
    session: requests.Session,
    region: regions.Region,
    url: str,
    body: str,
    headers: Optional[Dict[str, str]] = None,
) -> requests.Response:
    check_endpoint(region, url)
    send_headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": _JSON}
    send_headers.update(headers or {})
    try:
        return session.post(url, data=body, headers=send_headers, allow_redirects=False)
    except requests.RequestException as error:
        raise _request_failed(error)


def _request_failed(error: requests.RequestException) -> errors.ServerError:
    if _never_sent(error):
        return errors.ServerError(
            f"Could not reach the authorization server: {redaction.redact(error)}"
        )
    return errors.AnswerLostError(
        f"The answer of the authorization server was lost: {redaction.redact(error)}"
    )


def _never_sent(error: requests.RequestException) -> bool:
    """True only when no connection was made, so the server cannot have seen the request
    (anything else, a reset or a timeout after sending included, may have been acted on)."""
    if isinstance(error, (requests.ConnectTimeout, requests.exceptions.InvalidURL)):
        return True
    cause = error.args[0] if error.args else None  # urllib3's MaxRetryError for a refusal
    return isinstance(getattr(cause, "reason", None), NewConnectionError)


def raise_for_oauth_error(response: requests.Response) -> Dict[str, object]:
    """The JSON body of a 2xx answer; the matching OAuthFlowError for anything else."""
    body = _json_body(response)
    if 200 <= response.status_code < 300 and "error" not in body:
        return body
    raise errors.from_error_code(
        str(body.get("error") or ""),
        str(body.get("error_description") or ""),
        response.status_code,
    )


def check_token_answer(response: requests.Response) -> requests.Response:
    """The answer when it may hold tokens (oauthlib then reads it); otherwise raises.

    AnswerLostError when the server may have issued tokens we cannot read: a success whose
    body is no JSON object, or a server error without an OAuth error code (a gateway
    answering for a backend that may have acted); the matching OAuthFlowError for an OAuth
    error. Also requests-oauthlib's token-response compliance hook (``oauth_session``)."""
    body = _json_body(response)
    if response.status_code >= 500 and "error" not in body:
        raise errors.AnswerLostError(
            f"The authorization server answered HTTP {response.status_code} without an "
            "OAuth error; it may have acted on the request"
        )
    raise_for_oauth_error(response)
    if not body:
        raise errors.AnswerLostError("The authorization server's token answer is unreadable")
    return response


def parse_tokens(response: requests.Response, clock: Callable[[], float]) -> Dict[str, object]:
    """A token answer as the record we store (check_token_answer, then oauthlib's parse)."""
    check_token_answer(response)
    try:
        # oauthlib validates the answer (access token present, error codes); scope=None
        # because a server may narrow scopes and that is not an error for us.
        token = oauth_parameters.parse_token_response(response.text, scope=None)
    except OAuth2Error as error:
        raise unreadable(error)
    return token_record(token, clock)


def unreadable(error: OAuth2Error) -> errors.AnswerLostError:
    """oauthlib refused a 2xx token answer (check_token_answer let only those through)."""
    return errors.AnswerLostError(
        f"The authorization server's token answer is unreadable ({error.error})"
    )


def token_record(token: Mapping[str, object], clock: Callable[[], float]) -> Dict[str, object]:
    """oauthlib's parsed token as the record we store: expiry made absolute with our clock
    (not oauthlib's ``expires_at``, which is time.time()'s), secrets registered."""
    scopes = getattr(token, "scopes", None) or str(token.get("scope") or "").split()
    record = {
        "access_token": str(token["access_token"]),
        "token_type": str(token.get("token_type") or "Bearer"),
        "scope": " ".join(scopes) if token.get("scope") else "",
        "obtained_at": int(clock()),
    }  # type: Dict[str, object]
    if token.get("refresh_token"):
        record["refresh_token"] = str(token["refresh_token"])
    expires_in = token.get("expires_in")
    if expires_in is not None:
        record["expires_at"] = int(clock()) + int(expires_in)  # type: ignore[call-overload]
    for secret in ("access_token", "refresh_token"):
        redaction.register_secret(record.get(secret))
    return record


def oauth_session(
    session: requests.Session, client_id: str, redirect_uri: Optional[str] = None
) -> OAuth2Session:
    """requests-oauthlib's OAuth2Session on ``session``'s policy (its adapters, so its origin
    check and connection pool, CA bundle, proxy), with check_token_answer as the token-answer
    hook. No scope: a server may narrow scopes and that is not an error for us."""
    oauth = http.adopt_policy(session, OAuth2Session(client_id, redirect_uri=redirect_uri))
    oauth.register_compliance_hook("access_token_response", check_token_answer)
    oauth.register_compliance_hook("refresh_token_response", check_token_answer)
    return oauth


def grant_tokens(
    region: regions.Region,
    url: str,
    clock: Callable[[], float],
    grant: Callable[[str], Mapping[str, object]],
) -> Dict[str, object]:
    """``grant(url)`` (an OAuth2Session fetch_token or refresh_token call) as the record we
    store, with post_form's errors: never sent, lost answer, OAuth error, unreadable."""
    check_endpoint(region, url)
    try:
        token = grant(url)
    except requests.RequestException as error:
        raise _request_failed(error)
    except OAuth2Error as error:
        raise unreadable(error)
    return token_record(token, clock)
