"""The refresh token grant (RFC 6749 section 6) for a public client (or one with a secret)."""

from typing import Callable, Dict, Optional

import requests
from oauthlib.oauth2 import WebApplicationClient

from .. import regions
from . import transport


def refresh_tokens(
    session: requests.Session,
    region: regions.Region,
    token_url: str,
    client_id: str,
    refresh_token: str,
    clock: Callable[[], float],
    client_secret: Optional[str] = None,
) -> Dict[str, object]:
    """New tokens; raises InvalidGrantError when the refresh token is dead."""
    client = WebApplicationClient(client_id)
    extra = {"client_secret": client_secret} if client_secret else {}
    body = client.prepare_refresh_body(
        refresh_token=refresh_token, client_id=client_id, include_client_id=True, **extra
    )
    response = transport.post_form(session, region, token_url, body)
    tokens = transport.parse_tokens(response, clock)
    if "refresh_token" not in tokens:
        tokens["refresh_token"] = refresh_token  # the server did not rotate it
    return tokens
