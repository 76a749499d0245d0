"""Who authorized a connection, and which account groups that user can read."""

from dataclasses import dataclass, field
from typing import Dict, List

import requests

from .. import redaction, regions
from . import errors, transport


@dataclass
class Identity:
    email: str = ""
    account_groups: List[Dict[str, str]] = field(default_factory=list)


def _get(
    session: requests.Session, region: regions.Region, path: str, bearer: str
) -> requests.Response:
    url = transport.check_endpoint(region, region.api_base_url + path)
    try:
        return session.get(
            url,
            headers={"Authorization": "Bearer " + bearer, "Accept": "application/hal+json"},
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise errors.ServerError(f"Could not reach ThousandEyes: {redaction.redact(error)}")


def current_user(
    session: requests.Session, region: regions.Region, bearer: str
) -> requests.Response:
    return _get(session, region, "/users/current", bearer)


def fetch_identity(session: requests.Session, region: regions.Region, bearer: str) -> Identity:
    """GET /users/current and /account-groups with the given bearer token."""
    user = current_user(session, region, bearer)
    if user.status_code in (401, 403):
        raise errors.ApiTokenRejectedError(
            f"ThousandEyes rejected the token (HTTP {user.status_code})"
        )
    if user.status_code != 200:
        raise errors.ServerError(f"GET /users/current answered HTTP {user.status_code}")
    email = str((user.json() or {}).get("email") or "")
    groups = _get(session, region, "/account-groups", bearer)
    account_groups = []
    if groups.status_code == 200:
        for group in (groups.json() or {}).get("accountGroups") or []:
            if isinstance(group, dict):
                account_groups.append(
                    {
                        "aid": str(group.get("aid", "")),
                        "name": str(group.get("accountGroupName") or group.get("name") or ""),
                    }
                )
    return Identity(email=email, account_groups=account_groups)
