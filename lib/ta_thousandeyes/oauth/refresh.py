"""The refresh token grant (RFC 6749 section 6) for a public client (or one with a secret).

requests-oauthlib's OAuth2Session sends it; the lock, the re-read of the stored record, the
``refresh_sent_at`` marker and the retry of a lost answer are tokens.TokenManager's, around
this one call (OAuth2Session's auto-refresh knows none of them and is not used)."""

from typing import Callable, Dict, Optional

import requests

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
    oauth = transport.oauth_session(session, client_id)
    extra = {"client_secret": client_secret} if client_secret else {}
    tokens = transport.grant_tokens(
        region,
        token_url,
        clock,
        lambda url: oauth.refresh_token(
            url, refresh_token=refresh_token, client_id=client_id, include_client_id=True, **extra
        ),
    )
    if "refresh_token" not in tokens:
        tokens["refresh_token"] = refresh_token  # the server did not rotate it
    return tokens
