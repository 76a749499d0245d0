"""Everything the endpoint modules share: world, clock, OAuth state, limits, faults, log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from .clock import SimClock
from .faults import FaultPlan
from .oauth_store import OAuthStore
from .pagination import DEFAULT_PAGE_SIZES, CursorCodec
from .rate_limit import RateLimiter
from .request_log import RequestLog
from .streams import StreamStore
from .world import World

REGION_LABELS = {"global": "Default", "us1": "US1", "us2": "US2", "eu": "EU"}
DEVICE_CODE_LIFETIME = 600
DEVICE_POLL_INTERVAL = 5
AUTH_CODE_LIFETIME = 120
ROLES = ("api", "oauth", "pages")  # the /v7 API; the OAuth endpoints; the sign-in pages
# Host layouts: which roles share a host. "split" is the real service's as public sources
# report it (sign-in at app.thousandeyes.com, API and token at api.thousandeyes.com).
HOST_LAYOUTS: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "single": (("api", "oauth", "pages"),),
    "split": (("api", "oauth"), ("pages",)),
    "separate": (("api",), ("oauth",), ("pages",)),
}


@dataclass
class SimContext:
    world: World
    clock: SimClock
    store: OAuthStore
    limiter: RateLimiter
    faults: FaultPlan
    log: RequestLog
    page_sizes: Dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PAGE_SIZES))
    base_urls: Dict[str, str] = field(default_factory=dict)  # region -> API scheme://host:port
    host_urls: Dict[str, Dict[str, str]] = field(default_factory=dict)  # region -> role -> base
    cursor: CursorCodec = field(default_factory=lambda: CursorCodec(secrets.token_bytes(16)))
    device_code_lifetime: int = DEVICE_CODE_LIFETIME
    device_poll_interval: int = DEVICE_POLL_INTERVAL
    sessions: Dict[str, dict] = field(default_factory=dict)  # approval-page sessions
    streams: StreamStore = field(default_factory=StreamStore)
    # region -> RFC 8414 fields its metadata document answers instead (a hostile server);
    # None: the document leaves that field out (an OPTIONAL endpoint the server does not offer)
    metadata_overrides: Dict[str, Dict[str, Optional[str]]] = field(default_factory=dict)

    def host_url(self, region: str, role: str) -> str:
        """scheme://host:port of region's host serving role (api, oauth or pages)."""
        return self.host_urls.get(region, {}).get(role) or self.base_urls[region]

    def region_urls(self, region: str) -> Dict[str, str]:
        api, oauth = self.host_url(region, "api"), self.host_url(region, "oauth")
        pages = self.host_url(region, "pages")
        return {
            "api_base_url": f"{api}/v7",
            "metadata_url": f"{oauth}/.well-known/oauth-authorization-server",
            "device_authorization_url": f"{oauth}/v7/oauth2/device/authorization",
            "token_url": f"{oauth}/v7/oauth2/token",
            "authorize_url": f"{pages}/oauth2/authorize",
            "revocation_url": f"{oauth}/v7/oauth2/revoke",
            "registration_url": f"{oauth}/v7/oauth2/clients",
            "approval_url": f"{pages}/oauth2/device",
        }
