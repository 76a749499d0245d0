"""RFC 7591 dynamic registration of a public client, when no client id is configured."""

from typing import Dict, List

import requests

from .. import APP_NAME, __version__, redaction, regions
from . import errors, transport
from .discovery import Endpoints

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def register_public_client(
    session: requests.Session,
    region: regions.Region,
    endpoints: Endpoints,
    scopes: List[str],
    redirect_uris: List[str],
) -> Dict[str, str]:
    """Register this add-on as a public client; returns client_id (and any secret issued)."""
    url = transport.check_endpoint(region, endpoints.registration_url)
    grant_types = [DEVICE_GRANT, "refresh_token"]
    if redirect_uris:
        grant_types.append("authorization_code")
    metadata = {
        "client_name": f"{APP_NAME} {__version__}",
        "token_endpoint_auth_method": "none",
        "grant_types": grant_types,
        "response_types": ["code"] if redirect_uris else [],
        "redirect_uris": list(redirect_uris),
        "scope": " ".join(scopes),
        "software_id": APP_NAME,
        "software_version": __version__,
    }
    try:
        response = session.post(
            url, json=metadata, headers={"Accept": "application/json"}, allow_redirects=False
        )
    except requests.RequestException as error:
        raise errors.ServerError(f"Client registration failed: {redaction.redact(error)}")
    body = transport.raise_for_oauth_error(response)
    client_id = str(body.get("client_id") or "")
    if not client_id:
        raise errors.ServerError("The registration answer has no client_id")
    result = {"client_id": client_id}
    for secret in ("client_secret", "registration_access_token"):
        if body.get(secret):
            result[secret] = str(body[secret])
            redaction.register_secret(result[secret])
    return result
