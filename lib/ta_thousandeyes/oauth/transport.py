"""Sending OAuth requests: only to the region's hosts, only over TLS, errors parsed."""

import json
import os
from typing import Callable, Dict, Optional

import requests
from oauthlib.oauth2.rfc6749 import parameters as oauth_parameters
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from urllib3.exceptions import NewConnectionError

from .. import http, redaction, regions
from . import errors

_JSON = "application/json"


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
        if _never_sent(error):
            raise errors.ServerError(
                f"Could not reach the authorization server: {redaction.redact(error)}"
            )
        raise errors.AnswerLostError(
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


def parse_tokens(response: requests.Response, clock: Callable[[], float]) -> Dict[str, object]:
    """A token answer as the record we store: expiry made absolute with our clock.

    AnswerLostError when the server may have issued tokens we cannot read: a success whose
    body is no usable token answer, or a server error without an OAuth error code (a gateway
    answering for a backend that may have acted)."""
    succeeded = 200 <= response.status_code < 300
    if response.status_code >= 500 and "error" not in _json_body(response):
        raise errors.AnswerLostError(
            f"The authorization server answered HTTP {response.status_code} without an "
            "OAuth error; it may have acted on the request"
        )
    body = raise_for_oauth_error(response)
    try:
        # oauthlib validates the answer (access token present, error codes); scope=None
        # because a server may narrow scopes and that is not an error for us.
        token = oauth_parameters.parse_token_response(json.dumps(body), scope=None)
    except OAuth2Error as error:
        if succeeded:
            raise errors.AnswerLostError(
                f"The authorization server's token answer is unreadable ({error.error})"
            )
        raise errors.from_error_code(error.error, error.description or "", response.status_code)
    record = {
        "access_token": str(token["access_token"]),
        "token_type": str(token.get("token_type") or "Bearer"),
        "scope": " ".join(token.scopes) if token.get("scope") else "",
        "obtained_at": int(clock()),
    }  # type: Dict[str, object]
    if token.get("refresh_token"):
        record["refresh_token"] = str(token["refresh_token"])
    expires_in = token.get("expires_in")
    if expires_in is not None:
        record["expires_at"] = int(clock()) + int(expires_in)
    for secret in ("access_token", "refresh_token"):
        redaction.register_secret(record.get(secret))
    return record
