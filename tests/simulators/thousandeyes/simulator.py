"""ThousandEyesSimulator: the facade tests use (see the package docstring for an example)."""

from __future__ import annotations

import shutil
import tempfile
import threading
from typing import Callable, Dict, List, Optional, Set

from ..loopback_tls import LoopbackTLS
from . import page_client
from .app import Application
from .clock import SimClock
from .context import HOST_LAYOUTS, REGION_LABELS, SimContext
from .control import ControlApi
from .faults import FaultPlan
from .ground_truth import ground_truth as _ground_truth
from .oauth_store import Client, OAuthStore
from .rate_limit import RateLimiter
from .request_log import RequestLog, RequestRecord
from .server import RegionServer
from .stream_push import Delivery, Event, StreamPusher, data_points, test_tags
from .streams import StreamRecord
from .world import World

REGIONS = ["global", "us1", "us2", "eu"]
DEFAULT_CLIENT_ID = "ta-thousandeyes-sim-client"
DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "thousandeyes"


class ThousandEyesSimulator:
    def __init__(
        self,
        seed: int = 1,
        size: str = "small",
        https: bool = False,
        access_token_lifetime: int = 600,
        refresh_idle_lifetime: int = 3600 * 24,
        rate_limit_per_minute: int = 240,
        client_rate_limit_per_minute: int = 240,
        start_time: Optional[float] = None,
        tests: Optional[int] = None,
        agents: Optional[int] = None,
        page_sizes: Optional[Dict[str, int]] = None,
        rate_limit_window: str = "rolling",
        retry_after: bool = False,
        instant_test_rate_limit_per_minute: int = 24,
        refresh_rotation: str = "strict",
        refresh_grace_seconds: float = 30.0,
        hosts: str = "single",
        stream_endpoint_check: bool = True,
        frozen_clock: bool = False,
    ) -> None:
        """Modes (see __main__ --help): rate_limit_window rolling|aligned, retry_after on 429,
        refresh_rotation strict|grace|reuse|omit (oauth_store), hosts single|split|separate
        (context.HOST_LAYOUTS), stream_endpoint_check: streams check their endpoint on
        create and update (``streams.py``), frozen_clock: only advance moves the clock."""
        if hosts not in HOST_LAYOUTS:
            raise ValueError(f"hosts must be one of {sorted(HOST_LAYOUTS)}")
        self.seed = seed
        self.https = https
        self.hosts = hosts
        self._dir = tempfile.mkdtemp(prefix="te-sim-")
        self.clock = SimClock(start_time, self._dir, frozen=frozen_clock)
        self.world = World(seed, size, origin=self.clock.now(), tests=tests, agents=agents)
        self.faults = FaultPlan(seed)
        self._log = RequestLog()
        self.ctx = SimContext(
            world=self.world,
            clock=self.clock,
            store=OAuthStore(
                access_token_lifetime,
                refresh_idle_lifetime,
                refresh_rotation,
                refresh_grace_seconds,
            ),
            limiter=RateLimiter(
                rate_limit_per_minute,
                client_rate_limit_per_minute,
                rate_limit_window,
                retry_after,
                instant_test_rate_limit_per_minute,
            ),  # fmt: skip
            faults=self.faults,
            log=self._log,
        )
        if page_sizes:
            self.ctx.page_sizes.update(page_sizes)
        self.ctx.streams.endpoint_check = stream_endpoint_check
        self.streams = Streams(self)
        self.clock.on_advance(self.streams.after_advance)
        self.ctx.store.register_client(
            "none", [], "ThousandEyes Add-on (simulator default client)",
            ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
            client_id=DEFAULT_CLIENT_ID,
        )  # fmt: skip
        self._tls = (
            LoopbackTLS(self._dir, "ThousandEyes Simulator Test CA", "te-sim-ca.pem")
            if https
            else None
        )
        self.ca_bundle_path: Optional[str] = self._tls.ca_bundle_path if self._tls else None
        self._servers: List[RegionServer] = []
        self.default_client_id = DEFAULT_CLIENT_ID
        self.demo_email, self.demo_password = DEMO_EMAIL, DEMO_PASSWORD

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> ThousandEyesSimulator:
        app = Application(self.ctx, ControlApi(self))
        context = self._tls.server_context() if self._tls else None
        for region in REGIONS:
            for roles in HOST_LAYOUTS[self.hosts]:
                server = RegionServer(region, app, self.clock.now, context, roles=roles)
                self._servers.append(server)
                for role in roles:
                    self.ctx.host_urls.setdefault(region, {})[role] = server.base_url
            self.ctx.base_urls[region] = self.ctx.host_urls[region]["api"]
        for server in self._servers:
            server.start()
        return self

    def stop(self) -> None:
        self._end_servers(RegionServer.stop)
        shutil.rmtree(self._dir, ignore_errors=True)

    def go_down(self) -> None:
        """An outage of every host: new connections are refused, kept-alive ones are closed
        (``RegionServer.go_down``); the clock, state and request log stay for the test to
        look at, and ``stop`` still cleans up."""
        self._end_servers(RegionServer.go_down)

    def _end_servers(self, ending: Callable[[RegionServer], None]) -> None:
        # Side by side: each listener polls for shutdown every 0.05 s, one after another cost
        # a unit test's simulator about 0.15 s.
        enders = [threading.Thread(target=ending, args=(server,)) for server in self._servers]
        for ender in enders:
            ender.start()
        for ender in enders:
            ender.join()
        self._servers.clear()

    def __enter__(self) -> ThousandEyesSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -------------------------------------------------------------------- regions
    @property
    def regions(self) -> List[str]:
        return list(REGIONS)

    def base_url(self, region: str = "us1") -> str:
        """The region's API host (which also serves /_sim/)."""
        return self.ctx.base_urls[region]

    def host_url(self, region: str, role: str) -> str:
        """The region's host for role: api, oauth (token endpoints) or pages (sign-in)."""
        return self.ctx.host_url(region, role)

    def region_urls(self, region: str) -> Dict[str, str]:
        return self.ctx.region_urls(region)

    def regions_conf(self) -> Dict[str, Dict[str, str]]:
        """Stanzas for local/ta_thousandeyes_regions.conf."""
        conf = {}
        for region in REGIONS:
            urls = self.region_urls(region)
            urls.pop("approval_url")
            conf[region] = dict(label=REGION_LABELS[region], **urls)
        return conf

    # --------------------------------------------------------------- observation
    @property
    def request_log(self) -> List[RequestRecord]:
        return self._log.records()

    def clear_request_log(self) -> None:
        self._log.clear()

    def issued_secrets(self) -> Set[str]:
        return self.ctx.store.issued_secrets()

    def secrets_sent_outside(self, regions: List[str]) -> List[RequestRecord]:
        """Requests that carried an issued secret (not a user code) to a host of any region
        other than ``regions``: with each connection on its own region, there should be none."""
        return self._log.carrying_secrets_outside(regions)

    @property
    def users(self) -> list:
        return self.world.users

    def ground_truth(
        self,
        kind: str,
        aid: Optional[str] = None,
        start: Optional[float] = None,
        end: Optional[float] = None,
        test_id: Optional[str] = None,
        test_type: Optional[str] = None,
        state: Optional[str] = None,
        region: str = "global",
    ) -> List[dict]:
        aid = aid or self.world.user_by_email(DEMO_EMAIL).default_aid
        return _ground_truth(self.ctx, kind, aid, start, end, test_id, test_type, state, region)

    # ------------------------------------------------------------------- helpers
    def register_client(
        self,
        redirect_uris: Optional[List[str]] = None,
        auth_method: str = "none",
        client_name: str = "Test client",
    ) -> Client:
        return self.ctx.store.register_client(auth_method, redirect_uris or [], client_name)

    def create_api_token(self, email: str) -> str:
        user = self.world.user_by_email(email)
        if user is None:
            raise KeyError(email)
        return self.ctx.store.issue_api_token(user.uid)

    def revoke_all_tokens_of(self, email: str) -> None:
        """As if the user revoked the integration in ThousandEyes."""
        user = self.world.user_by_email(email)
        for grant in list(self.ctx.store.grants.values()):
            if user and grant.uid == user.uid:
                self.ctx.store.revoke_grant(grant.grant_id)

    def approve_device_via_pages(
        self,
        user_code: str,
        email: str = DEMO_EMAIL,
        password: str = DEMO_PASSWORD,
        region: str = "us1",
        confirm: bool = True,
        sso: bool = False,
        chosen_region: Optional[str] = None,
    ) -> str:
        """Walk the approval pages of ``region``'s host; ``chosen_region`` is picked on the
        region page (default: the host's own region). Returns the final page's HTML."""
        return page_client.approve_device(
            self.host_url(region, "pages"), user_code, email, password, confirm,
            chosen_region or region, sso, self.ca_bundle_path or True,
        )  # fmt: skip

    def authorize_via_pages(
        self, authorize_url: str, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD,
        confirm: bool = True, chosen_region: Optional[str] = None,
    ) -> str:  # fmt: skip
        """Walk /oauth2/authorize; returns the redirect Location (…?code=…&state=…)."""
        return page_client.authorize_code(
            authorize_url, email, password, confirm, chosen_region, self.ca_bundle_path or True
        )


class Streams:
    """``sim.streams``: the pushes of /v7/streams and their ground truth (``stream_push.py``).

    sim.streams.trust(splunk.ca_bundle_path)   # the CA ThousandEyes verifies HEC with
    sim.clock.advance(300)                     # pushes what became due (auto_push)
    sim.streams.push_due()                     # or push explicitly
    sim.streams.ground_truth(stream_id, start, end)  # the HEC events of [start, end)
    sim.streams.delivered(stream_id)           # the events HEC accepted (2xx)
    """

    def __init__(self, sim: ThousandEyesSimulator) -> None:
        self._sim = sim
        self.store = sim.ctx.streams
        self.pusher = StreamPusher(sim.world, self.store, sim.clock)

    @property
    def auto_push(self) -> bool:
        return self.pusher.auto_push

    @auto_push.setter
    def auto_push(self, value: bool) -> None:
        self.pusher.auto_push = value

    @property
    def batch_size(self) -> int:
        return self.pusher.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.pusher.batch_size = value

    def trust(self, ca_bundle_path: Optional[str]) -> None:
        """Verify stream endpoints' TLS against this CA bundle (None: the system's CAs)."""
        self.store.ca_bundle_path = ca_bundle_path

    def after_advance(self) -> None:
        if self.pusher.auto_push:
            self.pusher.push_due()

    def push_due(self) -> List[Delivery]:
        return self.pusher.push_due()

    def records(self, aid: Optional[str] = None) -> List[StreamRecord]:
        with self.store.lock:
            return [r for r in self.store.records.values() if aid in (None, r.aid)]

    def get(self, stream_id: str) -> StreamRecord:
        return self.store.records[stream_id]

    def ground_truth(self, stream_id: str, start: float, end: float) -> List[Event]:
        """The HEC events the stream sends for the rounds that start in [start, end)."""
        return data_points(self._sim.world, self.get(stream_id), start, end)

    def deliveries(self, stream_id: Optional[str] = None) -> List[Delivery]:
        return self.pusher.deliveries(stream_id)

    def delivered(self, stream_id: str) -> List[Event]:
        """Every event the endpoint accepted for the stream, in order (kept after delete)."""
        return self.pusher.delivered_events(stream_id)

    def tags_of(self, test_id: str) -> Dict[str, List[str]]:
        """The test's tags, which tagMatch selects by (the world has no /v7/tags)."""
        return test_tags(self._sim.world, self._sim.world.tests[test_id])
