"""RFC 8628 device authorization grant: start, then one poll at a time.

``start`` returns what the browser may see (user code, verification URIs, expiry) and,
separately, the pending state (device code, interval, deadlines) that the caller keeps
server-side in the credential store. ``poll_once`` makes at most one token request and never
polls faster than the server's interval (which grows by 5 s on every ``slow_down``).
"""

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import requests
from oauthlib.common import urlencode
from oauthlib.oauth2 import DeviceClient
from oauthlib.oauth2.rfc6749.utils import list_to_scope

from .. import redaction, regions
from . import errors, transport
from .discovery import Endpoints

DEFAULT_INTERVAL = 5  # RFC 8628 section 3.2
SLOW_DOWN_STEP = 5

PENDING = "pending"
SLOW_DOWN = "slow_down"
TOKENS = "tokens"


@dataclass
class DeviceAuthorization:
    """The part of the device authorization answer that may be shown to the admin."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int

    def as_public_dict(self) -> Dict[str, object]:
        return dict(self.__dict__)


@dataclass
class PollResult:
    status: str  # PENDING, SLOW_DOWN or TOKENS
    pending: Dict[str, object]  # updated pending state to persist
    tokens: Optional[Dict[str, object]] = None

    @property
    def interval(self) -> int:
        return int(self.pending.get("interval", DEFAULT_INTERVAL))


def start(
    session: requests.Session,
    region: regions.Region,
    endpoints: Endpoints,
    client_id: str,
    scopes: List[str],
    clock: Callable[[], float],
) -> Tuple[DeviceAuthorization, Dict[str, object]]:
    """Ask for a device code. Returns (public part, pending state to store)."""
    params = [("client_id", client_id)]
    if scopes:
        params.append(("scope", list_to_scope(scopes)))
    response = transport.post_form(
        session, region, endpoints.device_authorization_url, urlencode(params)
    )
    body = transport.raise_for_oauth_error(response)
    try:
        device_code = str(body["device_code"])
        public = DeviceAuthorization(
            user_code=str(body["user_code"]),
            verification_uri=str(body["verification_uri"]),
            verification_uri_complete=str(body.get("verification_uri_complete") or ""),
            expires_in=int(body["expires_in"]),
            interval=int(body.get("interval") or DEFAULT_INTERVAL),
        )
    except (KeyError, TypeError, ValueError):
        raise errors.ServerError("The device authorization answer is incomplete")
    redaction.register_secret(device_code)
    now = clock()
    pending = {
        "kind": "device",
        "device_code": device_code,
        "user_code": public.user_code,
        "verification_uri": public.verification_uri,
        "verification_uri_complete": public.verification_uri_complete,
        "interval": public.interval,
        "expires_at": now + public.expires_in,
        "next_poll_at": now + public.interval,
        "client_id": client_id,
        "token_url": endpoints.token_url,
        "revocation_url": endpoints.revocation_url,
    }  # type: Dict[str, object]
    return public, pending


def poll_once(
    session: requests.Session,
    region: regions.Region,
    pending: Dict[str, object],
    clock: Callable[[], float],
) -> PollResult:
    """One poll of the token endpoint (or none when it is too early).

    Raises DeniedError, ExpiredError or another OAuthFlowError when the flow is over.
    """
    state = dict(pending)
    now = clock()
    if now >= float(state["expires_at"]):
        raise errors.ExpiredError()
    if now < float(state.get("next_poll_at", 0)):
        return PollResult(PENDING, state)
    client = DeviceClient(str(state["client_id"]))
    body = client.prepare_request_body(str(state["device_code"]), include_client_id=True)
    response = transport.post_form(session, region, str(state["token_url"]), body)
    if response.status_code == 200:
        return PollResult(TOKENS, state, transport.parse_tokens(response, clock))
    try:
        transport.raise_for_oauth_error(response)
    except errors.OAuthFlowError as error:
        interval = int(state.get("interval") or DEFAULT_INTERVAL)
        if error.error == "authorization_pending":
            state["next_poll_at"] = clock() + interval
            return PollResult(PENDING, state)
        if error.error == "slow_down":
            interval += SLOW_DOWN_STEP
            state["interval"] = interval
            state["next_poll_at"] = clock() + interval
            return PollResult(SLOW_DOWN, state)
        raise
    raise errors.ServerError(f"The token endpoint answered HTTP {response.status_code}")
