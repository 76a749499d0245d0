"""The ThousandEyes simulator shaped for collector unit tests, reached over real HTTP.

``SimApi`` starts a simulator (seed 7, small world, plain HTTP on 127.0.0.1, frozen clock at
``START``) and offers what the collector tests look at: ``base_url``, ``session()`` (the
inputs' policy session, recording every URL the add-on's ApiClient sends and able to die at
the n-th request like a killed process: ``fail_after``), ``token_source()`` (an API token the
simulator issued), ``page_size`` (every list endpoint's), ``clock`` (the add-on's clock and
sleep on the simulator's clock) and ``truth(...)`` (the simulator's ground truth).

``shape_tests`` keeps only some tests of the account group (the world's other tests are
removed, as if deleted in ThousandEyes) and can give them one interval (not BGP): the worlds
the tests reason about stay small. A simulator start and stop costs about 0.1 s, so each
test gets its own (its clock only moves forward).
"""

from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.simulator import DEMO_EMAIL

START = 1_700_000_000.0
AID = "2001"  # the demo user's default account group; every test type is in it
PAGED = ("test-results", "alerts", "events", "audit-user-events", "endpoint-test-results",
         "endpoint-agents")  # fmt: skip


class SimClock:
    """The add-on's clock (``clock()``, ``clock.now``) and sleep on the simulator's frozen
    clock: setting ``now`` moves the simulator forward (never back), sleeping and ``advance``
    move it on; ``time_file`` holds its time for child processes (``read_time_file``)."""

    def __init__(self, sim):
        self._clock = sim.clock
        self.time_file = sim.clock.time_file
        self.slept = []

    @property
    def now(self):
        return self._clock.now()

    @now.setter
    def now(self, value):
        if value < self._clock.now():
            raise ValueError("the simulator's clock only moves forward")
        self._clock.set_time(value)

    def __call__(self):
        return self._clock.now()

    def sleep(self, seconds):
        self.slept.append(seconds)
        self._clock.advance(seconds)

    def advance(self, seconds):
        return self._clock.advance(seconds)


class ApiToken:
    """A token source holding one API token the simulator issued (never refreshed)."""

    def __init__(self, token):
        self.token = token

    def access_token(self):
        return self.token

    def refresh_after_unauthorized(self, rejected):
        from ta_thousandeyes.tokens import ReauthorizationRequired

        raise ReauthorizationRequired("conn", "Connection 'conn' needs re-authorization")


class RecordingSession:
    """The add-on's policy session to the simulator, noting each request before it is sent."""

    def __init__(self, api, inner):
        self.api, self.inner = api, inner

    def _note(self, method, url, body):
        api = self.api
        api.sent.append((method, url, body))
        for hook in list(api.before_send):
            hook(method, url)
        if api.fail_after is not None and len(api.sent) > api.fail_after:
            raise KeyboardInterrupt("simulated kill")

    def _received(self, url, response):
        for hook in list(self.api.after_receive):
            hook(url, response)
        return response

    def get(self, url, headers=None, **kwargs):
        self._note("GET", url, None)
        return self._received(url, self.inner.get(url, headers=headers, **kwargs))

    def post(self, url, data=None, headers=None, **kwargs):
        self._note("POST", url, data)
        return self._received(url, self.inner.post(url, data, headers=headers, **kwargs))

    def close(self):
        self.inner.close()


class SimApi:
    def __init__(self, page_size=3, rate_limit=1_000_000, start_time=START, **modes):
        self.sim = ThousandEyesSimulator(
            seed=7, size="small", start_time=start_time, frozen_clock=True,
            rate_limit_per_minute=rate_limit, client_rate_limit_per_minute=rate_limit, **modes,
        ).start()  # fmt: skip
        self.aid = AID
        self.base_url = self.sim.base_url("global") + "/v7"
        self.clock = SimClock(self.sim)
        self.token = self.sim.create_api_token(DEMO_EMAIL)
        self.sent = []  # (method, url, body) the add-on sent, in order
        self.before_send = []  # hooks (method, url) called before each request goes out
        # hooks (url, response) called on each answer before the ApiClient reads it: for the
        # one shape the simulator (like the real API) never sends, see where it is used
        self.after_receive = []
        self.fail_after = None  # raise KeyboardInterrupt at the request after this many
        self.page_size = page_size
        self._sessions = []

    # -- shaping ---------------------------------------------------------------------------
    @property
    def page_size(self):
        return self._page_size

    @page_size.setter
    def page_size(self, size):
        self._page_size = size
        self.sim.ctx.page_sizes.update({area: size for area in PAGED})

    @property
    def world(self):
        return self.sim.world

    def shape_tests(self, *test_types, interval=None):
        """Keep the account group's first test of each type (in that order), drop the rest;
        returns their ids."""
        kept = []
        for test_type in test_types:
            test = next(t for t in self.world.tests_in(self.aid, test_type) if t not in kept)
            if interval is not None and test_type != "bgp":  # BGP rounds are 15 minutes
                test.interval = interval
                test.created -= test.created % interval
            kept.append(test)
        ids = [t.test_id for t in kept]
        for test_id in [i for i, t in self.world.tests.items() if t.aid == self.aid]:
            if test_id not in ids:
                del self.world.tests[test_id]
        return ids

    def tests(self):
        return self.world.tests_in(self.aid)

    # -- the add-on's side -----------------------------------------------------------------
    def session(self):
        session = RecordingSession(self, build_session([origin(self.base_url)], connect_retries=0))
        self._sessions.append(session)
        return session

    def token_source(self):
        return ApiToken(self.token)

    @property
    def requests(self):
        """The URLs the add-on sent, in order."""
        return [url for _, url, _ in self.sent]

    def truth(self, kind, start=None, end=None, aid=None, **filters):
        return self.sim.ground_truth(kind, aid or self.aid, start, end, **filters)

    def stop(self):
        for session in self._sessions:
            session.close()
        self.sim.stop()
