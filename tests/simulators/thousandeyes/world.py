"""The simulated ThousandEyes world: organizations, account groups, users, agents and tests.

Everything is derived from the seed. Only the inventory (a few thousand objects at most) is
held in memory; rounds, alerts, events and activity entries are computed on demand from
hashes of (seed, test, agent, round) — see ``results.py`` and ``incidents.py``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .hashing import stable_int, stable_rng

# v7 test type -> the test-results endpoints that serve it.
RESULT_KINDS_BY_TEST_TYPE: Dict[str, List[str]] = {
    "agent-to-server": ["network", "path-vis"],
    "agent-to-agent": ["network", "path-vis"],
    "http-server": ["http-server", "network", "path-vis"],
    "page-load": ["page-load", "http-server", "network", "path-vis"],
    "web-transactions": ["web-transactions", "network", "path-vis"],
    "api": ["api"],
    "dns-server": ["dns-server", "network", "path-vis"],
    "dns-trace": ["dns-trace"],
    "dnssec": ["dnssec"],
    "ftp-server": ["ftp-server", "network", "path-vis"],
    "sip-server": ["sip-server", "network", "path-vis"],
    "voice": ["rtp-server"],
    "bgp": ["bgp"],
}
TEST_TYPES = list(RESULT_KINDS_BY_TEST_TYPE)
# The types whose network measurements (network and path-vis results) can be turned off: their
# typed schemas carry networkMeasurements (tests.yaml TestNetworkMeasurements, default true).
NETWORK_MEASUREMENT_TYPES = (
    "http-server", "page-load", "web-transactions", "dns-server", "ftp-server", "sip-server",
)  # fmt: skip
NETWORK_KINDS = ("network", "path-vis")
RESULT_KINDS = [
    "network", "path-vis", "http-server", "page-load", "web-transactions", "api", "ftp-server",
    "dns-trace", "dns-server", "dnssec", "sip-server", "rtp-server", "bgp",
]  # fmt: skip

# size -> (tests per account group, cloud agents, enterprise agents per account group)
SIZES = {
    "tiny": (3, 2, 1),
    "small": (len(TEST_TYPES) + 3, 4, 2),
    "medium": (60, 12, 4),
    "large": (1000, 60, 20),
}
INTERVALS = [60, 120, 300, 300, 300, 600, 900, 1800, 3600]
HISTORY_DAYS = 35  # tests were created up to this long before the clock's start
CITIES = [
    ("San Jose, CA", "US", 37.33, -121.89), ("Ashburn, VA", "US", 39.04, -77.49),
    ("Frankfurt, Germany", "DE", 50.11, 8.68), ("London, England", "GB", 51.51, -0.13),
    ("Tokyo, Japan", "JP", 35.68, 139.69), ("Sydney, Australia", "AU", -33.87, 151.21),
    ("Sao Paulo, Brazil", "BR", -23.55, -46.63), ("Singapore", "SG", 1.35, 103.82),
]  # fmt: skip
TARGETS = ["www.example.com", "api.example.net", "shop.example.org", "cdn.example.com"]
# POST /v7/tests/{type}/instant exists for every type but BGP (SDK 6.0.0 instant-tests).
INSTANT_TEST_TYPES = [t for t in TEST_TYPES if t != "bgp"]
FIRST_INSTANT_TEST_ID = 900001
# The user-made test labels every account group has (labels.yaml LabelType ``test``); each test
# carries each label with probability 1/3, by hash, so no rng draw of the world changes.
TEST_LABEL_NAMES = ("Production", "Edge", "Core")
AGENT_LABEL_NAME = "Datacenter"  # one agent label, so a reader must look at ``type``


@dataclass(frozen=True)
class Label:
    """A label (formerly "group") of one account group: labels.yaml ``LabelDetail``."""

    label_id: str
    name: str
    label_type: str  # "test" or "agent" here (LabelType)
    ids: List[str]  # the tests or agents it is assigned to
    built_in: bool = False


@dataclass
class AccountGroup:
    aid: str
    name: str
    org_id: str
    is_default: bool = False


@dataclass
class Organization:
    org_id: str
    name: str
    account_groups: List[AccountGroup] = field(default_factory=list)


@dataclass
class User:
    uid: str
    name: str
    email: str
    password: str
    org_id: str
    aids: List[str]
    default_aid: str
    sso: bool = False


@dataclass
class Agent:
    agent_id: str
    name: str
    agent_type: str  # "cloud" or "enterprise"
    location: str
    country_id: str
    latitude: float
    longitude: float
    ip: str
    aids: List[str]  # account groups that can see it (cloud agents: all of the org)


@dataclass
class Test:
    test_id: str
    name: str
    test_type: str
    interval: int
    aid: str
    agent_ids: List[str]
    created: int
    target: str
    enabled: bool = True
    alerts_enabled: bool = True
    instant: bool = False  # an instant test: one round, at ``created``, no interval
    # off: no network or path-vis rounds (a NETWORK_MEASUREMENT_TYPES test only; every test of
    # a generated world has them on, the schema's default: a test turns them off)
    network_measurements: bool = True

    @property
    def result_kinds(self) -> List[str]:
        kinds = RESULT_KINDS_BY_TEST_TYPE[self.test_type]
        if self.network_measurements or self.test_type not in NETWORK_MEASUREMENT_TYPES:
            return kinds
        return [kind for kind in kinds if kind not in NETWORK_KINDS]

    @property
    def directions(self) -> List[Optional[str]]:
        """Agent-to-agent tests measure both ways; the others have no direction."""
        return ["to-target", "from-target"] if self.test_type == "agent-to-agent" else [None]


class World:
    def __init__(
        self,
        seed: int,
        size: str = "small",
        origin: float = 0.0,
        tests: Optional[int] = None,
        agents: Optional[int] = None,
    ) -> None:
        if size not in SIZES:
            raise ValueError(f"size must be one of {sorted(SIZES)}")
        self.seed = seed
        self.size = size
        tests_per_group, cloud_agents, enterprise_agents = SIZES[size]
        self.tests_per_group = tests if tests is not None else tests_per_group
        self.cloud_agent_count = agents if agents is not None else cloud_agents
        self.enterprise_agents_per_group = 0 if agents is not None else enterprise_agents
        self.origin = int(origin) - int(origin) % 86400  # days, so ages do not wobble
        self.organizations: List[Organization] = []
        self.users: List[User] = []
        self.agents: Dict[str, Agent] = {}
        self.tests: Dict[str, Test] = {}
        # Instant tests are not part of the inventory (GET /v7/tests); their results are.
        self.instant_tests: Dict[str, Test] = {}
        self._instant_lock = threading.Lock()
        self._build()

    # ---------------------------------------------------------------- lookups
    def account_groups(self) -> List[AccountGroup]:
        return [ag for org in self.organizations for ag in org.account_groups]

    def account_group(self, aid: str) -> Optional[AccountGroup]:
        return next((ag for ag in self.account_groups() if ag.aid == aid), None)

    def organization(self, org_id: str) -> Organization:
        return next(org for org in self.organizations if org.org_id == org_id)

    def user_by_email(self, email: str) -> Optional[User]:
        wanted = email.strip().lower()
        return next((u for u in self.users if u.email.lower() == wanted), None)

    def user_by_uid(self, uid: str) -> Optional[User]:
        return next((u for u in self.users if u.uid == uid), None)

    def tests_in(self, aid: str, test_type: Optional[str] = None) -> List[Test]:
        return [
            t
            for t in self.tests.values()
            if t.aid == aid and (test_type is None or t.test_type == test_type)
        ]

    def test_with_results(self, test_id: str) -> Optional[Test]:
        """A scheduled or instant test whose results /v7/test-results serves."""
        return self.tests.get(test_id) or self.instant_tests.get(test_id)

    def add_instant_test(
        self, test_type: str, aid: str, agent_ids: List[str], target: str, name: str,
        created: int,
    ) -> Test:  # fmt: skip
        with self._instant_lock:
            test_id = str(FIRST_INSTANT_TEST_ID + len(self.instant_tests))
            test = Test(
                test_id=test_id, name=name, test_type=test_type, interval=60, aid=aid,
                agent_ids=list(agent_ids), created=created, target=target, instant=True,
            )  # fmt: skip
            self.instant_tests[test_id] = test
        return test

    def labels_in(self, aid: str) -> List[Label]:
        """The account group's labels: its test labels, then one agent label (ids derive from
        the account group, so the same name has another id in another group)."""
        tests = sorted((t.test_id for t in self.tests_in(aid)), key=int)
        labels = [
            Label(str(int(aid) * 10 + number), name, "test",
                  [t for t in tests if stable_int(self.seed, "label", t, name) % 3 == 0])
            for number, name in enumerate(TEST_LABEL_NAMES, start=1)
        ]  # fmt: skip
        agents = sorted(a.agent_id for a in self.agents_in(aid) if a.agent_type == "enterprise")
        labels.append(Label(str(int(aid) * 10 + 9), AGENT_LABEL_NAME, "agent", agents))
        return labels

    def agents_in(self, aid: str) -> List[Agent]:
        return [a for a in self.agents.values() if aid in a.aids]

    def members_of(self, aid: str) -> List[User]:
        return [u for u in self.users if aid in u.aids]

    # ------------------------------------------------------------- generation
    def _build(self) -> None:
        rng = stable_rng(self.seed, "world")
        acme = Organization("1001", "Acme Corp")
        acme.account_groups = [
            AccountGroup("2001", "Acme Production", "1001", is_default=True),
            AccountGroup("2002", "Acme Staging", "1001"),
            AccountGroup("2003", "Acme Lab", "1001"),
            AccountGroup("2004", "Acme Restricted", "1001"),  # the demo user is not a member
        ]
        globex = Organization("1002", "Globex Inc")
        globex.account_groups = [AccountGroup("2101", "Globex Main", "1002", is_default=True)]
        self.organizations = [acme, globex]
        self.users = [
            User("3001", "Ada Admin", "admin@example.com", "thousandeyes", "1001",
                 ["2001", "2002", "2003"], "2001", sso=True),
            User("3002", "Oscar Ops", "ops@example.com", "thousandeyes", "1001",
                 ["2002"], "2002"),
            User("3003", "Rita Restricted", "rita@example.com", "thousandeyes", "1001",
                 ["2004"], "2004"),
            User("3101", "Gina Globex", "gina@globex.example", "thousandeyes", "1002",
                 ["2101"], "2101", sso=True),
        ]  # fmt: skip
        agent_number = 0
        for org in self.organizations:
            org_aids = [ag.aid for ag in org.account_groups]
            for _ in range(self.cloud_agent_count):
                agent_number += 1
                self._add_agent(rng, agent_number, "cloud", org_aids)
            for ag in org.account_groups:
                for _ in range(self.enterprise_agents_per_group):
                    agent_number += 1
                    self._add_agent(rng, agent_number, "enterprise", [ag.aid])
        test_number = 0
        for ag in self.account_groups():
            visible = self.agents_in(ag.aid)
            for index in range(self.tests_per_group):
                test_number += 1
                test_type = TEST_TYPES[(index + test_number) % len(TEST_TYPES)]
                if ag.is_default and index < len(TEST_TYPES):
                    test_type = TEST_TYPES[index]  # every type in every default group
                self._add_test(rng, 10000 + test_number, test_type, ag.aid, visible)

    def _add_agent(self, rng, number: int, agent_type: str, aids: List[str]) -> None:  # noqa: ANN001
        city, country, lat, lon = CITIES[number % len(CITIES)]
        prefix = "" if agent_type == "cloud" else "ea-"
        agent = Agent(
            agent_id=str(100 + number),
            name=f"{prefix}{city.split(',')[0]} {number}",
            agent_type=agent_type,
            location=city,
            country_id=country,
            latitude=lat,
            longitude=lon,
            ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            aids=list(aids),
        )
        self.agents[agent.agent_id] = agent

    def _add_test(self, rng, number: int, test_type: str, aid: str, visible: List[Agent]) -> None:  # noqa: ANN001
        interval = 900 if test_type == "bgp" else rng.choice(INTERVALS)
        count = min(len(visible), rng.randint(1, 3))
        agent_ids = sorted(a.agent_id for a in rng.sample(visible, count)) if count else []
        created = self.origin - HISTORY_DAYS * 86400 + rng.randrange(0, 5 * 86400)
        target = rng.choice(TARGETS)
        test = Test(
            test_id=str(number),
            name=f"{test_type} {target} #{number}",
            test_type=test_type,
            interval=interval,
            aid=aid,
            agent_ids=[] if test_type == "bgp" else agent_ids,
            created=created - created % 60,
            target=target,
        )
        self.tests[test.test_id] = test
