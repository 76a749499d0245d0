"""The ThousandEyes simulator shaped for the connection unit tests, reached over real HTTPS.

``SimOAuth`` starts a simulator (seed 7, small world, HTTPS on 127.0.0.1 with its own CA,
frozen clock at ``START``: only the tests move time) and offers what the token and flow tests
look at: ``region_stanza()`` (the Default region on the simulator's hosts), ``ca_path``,
``client_id`` (a public client registered with the tests' redirect URIs), ``clock``
(sim_api.SimClock: the add-on's clock on the simulator's, with ``advance`` and a
``time_file`` child processes read), the user's actions (``approve_device``,
``authorize``), the request log with each OAuth request's parameters (``requests``,
``count``), what the authorization server holds (``store``) and its modes (``lifetime``,
``omit_metadata``, ``override_metadata``, ``go_down``). Like tests/unit/collectors/sim_api.py,
each test gets its own simulator.
"""

from urllib.parse import parse_qs, urlsplit

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.simulator import DEMO_EMAIL
from tests.unit.collectors.sim_api import START, SimClock

REGION = "global"
# the redirect URIs the flow tests send (an authorization server redirects only to a
# registered one, RFC 6749 §3.1.2.2)
REDIRECTS = [
    "https://splunk.example.com/en-US/app/TA-thousandeyes/oauth_callback",
    "https://s/cb",
]


class SimOAuth:
    def __init__(self, start_time=START):
        self.sim = ThousandEyesSimulator(
            seed=7, size="small", https=True, start_time=start_time, frozen_clock=True,
            rate_limit_per_minute=1_000_000, client_rate_limit_per_minute=1_000_000,
        ).start()  # fmt: skip
        self.clock = SimClock(self.sim)
        self.store = self.sim.ctx.store
        self.ca_path = self.sim.ca_bundle_path
        self.base = self.sim.host_url(REGION, "oauth")  # the issuer
        self.client_id = self.sim.register_client(REDIRECTS, "none", "Unit tests").client_id
        self.email = DEMO_EMAIL
        self.api_token = self.sim.create_api_token(DEMO_EMAIL)

    # -- configuration ---------------------------------------------------------------------
    def region_stanza(self):
        """The Default region on the simulator's hosts, the revocation URL left to discovery
        as in the shipped default/ta_thousandeyes_regions.conf."""
        return dict(self.sim.regions_conf()[REGION], revocation_url="")

    def account_groups(self):
        """The user's account groups as the add-on stores them."""
        world = self.sim.world
        user = world.user_by_email(self.email)
        return [{"aid": aid, "name": world.account_group(aid).name} for aid in user.aids]

    @property
    def lifetime(self):
        return self.store.access_token_lifetime

    @lifetime.setter
    def lifetime(self, seconds):
        self.store.access_token_lifetime = seconds

    def omit_metadata(self, *fields):
        """The metadata document leaves out these (OPTIONAL, RFC 8414 §2) fields."""
        self.sim.ctx.metadata_overrides.setdefault(REGION, {}).update(dict.fromkeys(fields))

    def override_metadata(self, **fields):
        self.sim.ctx.metadata_overrides.setdefault(REGION, {}).update(fields)

    def go_down(self):
        """An outage: connections are refused, kept-alive ones closed."""
        self.sim.go_down()

    # -- the user's side -------------------------------------------------------------------
    def approve_device(self, user_code, deny=False):
        """Sign in on the approval pages and Confirm (or Logout: deny)."""
        html = self.sim.approve_device_via_pages(user_code, region=REGION, confirm=not deny)
        assert ("id='approved'" in html) is not deny, html[:300]

    def authorize(self, authorize_url, deny=False):
        """What the browser gets back on the redirect URI: its query parameters."""
        location = self.sim.authorize_via_pages(authorize_url, confirm=not deny)
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    # -- observation -----------------------------------------------------------------------
    def requests(self, endpoint, **params):
        """The parameters of each request to the OAuth endpoint whose path ends with
        ``endpoint`` ("token", "revoke", "device/authorization", "clients") that carried
        ``params``, in order."""
        return [
            r.params
            for r in self.sim.request_log
            if r.path.endswith("/oauth2/" + endpoint)
            and all(r.params.get(k) == v for k, v in params.items())
        ]

    def count(self, endpoint, **params):
        return len(self.requests(endpoint, **params))

    def statuses(self, endpoint):
        return [r.status for r in self.sim.request_log if r.path.endswith("/oauth2/" + endpoint)]

    def spent_refresh_tokens(self):
        with self.store.lock:
            return [t for t, entry in self.store.refresh_tokens.items() if entry.spent]

    def stop(self):
        self.sim.stop()
