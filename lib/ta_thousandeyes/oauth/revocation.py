"""RFC 7009 token revocation, used on log out when the server offers an endpoint."""

import logging
from typing import Optional

import requests
from oauthlib.common import urlencode

from .. import redaction, regions
from . import errors, transport

_log = logging.getLogger(__name__)


def revoke_token(
    session: requests.Session,
    region: regions.Region,
    revocation_url: str,
    client_id: str,
    token: str,
    token_type_hint: str,
    client_secret: Optional[str] = None,
) -> bool:
    """True when the server confirmed (RFC 7009: 200 also for already-invalid tokens)."""
    params = [("token", token), ("token_type_hint", token_type_hint), ("client_id", client_id)]
    if client_secret:
        params.append(("client_secret", client_secret))
    try:
        response = transport.post_form(session, region, revocation_url, urlencode(params))
    except errors.OAuthFlowError as error:
        _log.warning("Token revocation failed: %s", redaction.redact(error))
        return False
    if response.status_code == 200:
        return True
    _log.warning("Token revocation answered HTTP %s", response.status_code)
    return False


def revocation_possible(region: regions.Region, revocation_url: str) -> bool:
    return bool(revocation_url) and region.owns(revocation_url)
