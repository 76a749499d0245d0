"""User API tokens (bearer): validated by a call to /v7/users/current."""

import requests

from .. import redaction, regions
from . import errors, identity


def validate_api_token(
    session: requests.Session, region: regions.Region, api_token: str
) -> identity.Identity:
    """Who the token belongs to; ApiTokenRejectedError when ThousandEyes refuses it."""
    token = (api_token or "").strip()
    if not token or any(ch.isspace() for ch in token):
        raise errors.ApiTokenRejectedError("The API token is empty or malformed")
    redaction.register_secret(token)
    return identity.fetch_identity(session, region, token)
