"""RFC 8414 authorization server metadata, with the region's configured endpoints as fallback.

Metadata can add features (revocation, registration) but never move a secret to a new host:
a document is used only when every endpoint it names passes the URL policy
(``http.destination``) and lies on an origin the region's configuration already names.
One endpoint that does not makes the whole document untrusted, and the configured endpoints
are used instead (a discovered endpoint is saved with the tokens, so a bad one would
poison every later refresh).
"""

import logging
from dataclasses import dataclass, field
from typing import Dict, FrozenSet

import requests

from .. import redaction, regions

_log = logging.getLogger(__name__)

_FIELDS = {
    "token_endpoint": "token_url",
    "device_authorization_endpoint": "device_authorization_url",
    "authorization_endpoint": "authorize_url",
    "revocation_endpoint": "revocation_url",
    "registration_endpoint": "registration_url",
}


@dataclass(frozen=True)
class Endpoints:
    token_url: str
    device_authorization_url: str = ""
    authorize_url: str = ""
    revocation_url: str = ""
    registration_url: str = ""
    code_challenge_methods: FrozenSet[str] = field(default_factory=frozenset)
    discovered: bool = False
    # RFC 9207: the issuer an authorization response's ``iss`` must name, and whether the
    # server promised to send one
    issuer: str = ""
    iss_parameter_supported: bool = False

    def to_record(self) -> Dict[str, str]:
        """The endpoints a stored token set needs later (refresh, revocation)."""
        return {"token_url": self.token_url, "revocation_url": self.revocation_url}


def configured_endpoints(region: regions.Region) -> Endpoints:
    return Endpoints(
        token_url=region.token_url,
        device_authorization_url=region.device_authorization_url,
        authorize_url=region.authorize_url,
        revocation_url=region.revocation_url,
        registration_url=region.registration_url,
        issuer=issuer_of(region.metadata_url),
    )


def issuer_of(metadata_url: str) -> str:
    """The issuer whose RFC 8414 metadata lives at metadata_url (either well-known form)."""
    well_known = "/.well-known/oauth-authorization-server"
    if well_known not in metadata_url:
        return ""
    before, _, after = metadata_url.partition(well_known)
    return before + after


def _issuer_matches(issuer: str, metadata_url: str) -> bool:
    # RFC 8414 section 3: metadata lives at the issuer's well-known URL (either form).
    well_known = "/.well-known/oauth-authorization-server"
    issuer = issuer.rstrip("/")
    if metadata_url == issuer + well_known:
        return True
    parts = issuer.split("/", 3)
    if len(parts) == 4:
        base = "/".join(parts[:3])
        return metadata_url == base + well_known + "/" + parts[3]
    return False


def discover(session: requests.Session, region: regions.Region) -> Endpoints:
    """The region's endpoints, from its metadata when that answers sensibly."""
    fallback = configured_endpoints(region)
    if not region.metadata_url:
        return fallback
    try:
        response = session.get(
            region.metadata_url, headers={"Accept": "application/json"}, allow_redirects=False
        )
        metadata = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError) as error:
        _log.info("OAuth metadata unavailable, using configured endpoints: %s", redact(error))
        return fallback
    if not isinstance(metadata, dict):
        _log.info(
            "OAuth metadata unavailable (HTTP %s), using configured endpoints", response.status_code
        )
        return fallback
    issuer = str(metadata.get("issuer") or "")
    if not _issuer_matches(issuer, region.metadata_url):
        _log.warning("OAuth metadata issuer does not match its URL; using configured endpoints")
        return fallback
    values = {}
    for meta_name, our_name in _FIELDS.items():
        url = metadata.get(meta_name)
        if url in (None, ""):
            values[our_name] = getattr(fallback, our_name)
        elif isinstance(url, str) and region.owns(url):
            values[our_name] = url
        else:
            _log.warning(
                "OAuth metadata names a %s outside the region's hosts or not in canonical "
                "form; using the configured endpoints",
                meta_name,
            )
            return fallback
    methods = metadata.get("code_challenge_methods_supported") or []
    return Endpoints(
        code_challenge_methods=frozenset(str(m) for m in methods if isinstance(m, str)),
        discovered=True,
        issuer=issuer,
        iss_parameter_supported=metadata.get("authorization_response_iss_parameter_supported")
        is True,
        **values,
    )


def redact(value: object) -> str:
    return redaction.redact(value)
