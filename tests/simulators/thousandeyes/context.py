"""Everything the endpoint modules share: world, clock, OAuth state, limits, faults, log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Dict

from .clock import SimClock
from .faults import FaultPlan
from .oauth_store import OAuthStore
from .pagination import DEFAULT_PAGE_SIZES, CursorCodec
from .rate_limit import RateLimiter
from .request_log import RequestLog
from .world import World

REGION_LABELS = {"global": "Default", "us1": "US1", "us2": "US2", "eu": "EU"}
DEVICE_CODE_LIFETIME = 600
DEVICE_POLL_INTERVAL = 5
AUTH_CODE_LIFETIME = 120


@dataclass
class SimContext:
    world: World
    clock: SimClock
    store: OAuthStore
    limiter: RateLimiter
    faults: FaultPlan
    log: RequestLog
    page_sizes: Dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PAGE_SIZES))
    base_urls: Dict[str, str] = field(default_factory=dict)  # region -> scheme://host:port
    cursor: CursorCodec = field(default_factory=lambda: CursorCodec(secrets.token_bytes(16)))
    device_code_lifetime: int = DEVICE_CODE_LIFETIME
    device_poll_interval: int = DEVICE_POLL_INTERVAL
    sessions: Dict[str, dict] = field(default_factory=dict)  # approval-page sessions
    streams: Dict[str, list] = field(default_factory=dict)  # aid -> created streams
    # region -> RFC 8414 fields its metadata document answers instead (a hostile server)
    metadata_overrides: Dict[str, Dict[str, str]] = field(default_factory=dict)

    def region_urls(self, region: str) -> Dict[str, str]:
        base = self.base_urls[region]
        return {
            "api_base_url": f"{base}/v7",
            "metadata_url": f"{base}/.well-known/oauth-authorization-server",
            "device_authorization_url": f"{base}/v7/oauth2/device/authorization",
            "token_url": f"{base}/v7/oauth2/token",
            "authorize_url": f"{base}/oauth2/authorize",
            "revocation_url": f"{base}/v7/oauth2/revoke",
            "registration_url": f"{base}/v7/oauth2/clients",
            "approval_url": f"{base}/oauth2/device",
        }
