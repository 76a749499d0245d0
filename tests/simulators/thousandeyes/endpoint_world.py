"""Endpoint agents and endpoint tests of every account group, and who measures which round.

Endpoint agents are people's laptops: they come and go. Each account group has the agents of
``AGENT_PLAN``, placed on the world's origin (the day the clock starts), so a test that runs
the first hours sees an agent leave, one join and one disabled for half an hour; results
exist only for rounds an agent was there and enabled for (a deleted agent's old results
stay). Scheduled (agent-to-server, http-server) and dynamic (agent-to-server) tests run on
all agents or on specific ones; real-user tests are monitoring profiles without rounds here.
Shapes: SDK 6.0.0 endpoint-agents, -endpoint-tests, -endpoint-test-results (see
``shared/reference/thousandeyes-streams-endpoint.md`` section 2).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .hashing import stable_rng, stable_uuid
from .world import CITIES, TARGETS, World

DAY, HOUR, MINUTE = 86400, 3600, 60
# (appears, disappears, disabled from-until): seconds from the world's origin; None = never
AGENT_PLAN: List[Tuple[int, Optional[int], Optional[Tuple[int, int]]]] = [
    (-30 * DAY, None, None),
    (-30 * DAY, None, None),
    (-25 * DAY, None, None),
    (-30 * DAY, 50 * MINUTE, None),  # uninstalled during the first hour
    (25 * MINUTE, None, None),  # installed during the first hour
    (-20 * DAY, None, (15 * MINUTE, 45 * MINUTE)),  # disabled by an admin, then enabled
    (3 * HOUR, 6 * HOUR, None),  # a laptop that came and went later that day
]
PLATFORMS = ["windows", "mac", "windows", "linux"]
# Result data kinds per (kind of test, type): SDK endpoint-test-results 6.0.0 operations.
RESULT_KINDS = {
    ("scheduled", "agent-to-server"): ["network", "path-vis"],
    ("scheduled", "http-server"): ["http-server", "network", "path-vis"],
    ("dynamic", "agent-to-server"): ["network", "path-vis"],
}
ENDPOINT_RESULT_KINDS = ["network", "http-server", "path-vis"]


@dataclass
class EndpointAgent:
    agent_id: str
    name: str
    computer_name: str
    platform: str
    aid: str
    created: int
    deleted: Optional[int]
    disabled: Optional[Tuple[int, int]]
    location: str
    latitude: float
    longitude: float
    ip: str

    def exists(self, at: float) -> bool:
        return self.created <= at and (self.deleted is None or at < self.deleted)

    def enabled(self, at: float) -> bool:
        return self.disabled is None or not self.disabled[0] <= at < self.disabled[1]

    def measures(self, at: float) -> bool:
        return self.exists(at) and self.enabled(at)


@dataclass
class EndpointTest:
    test_id: str
    name: str
    kind: str  # scheduled or dynamic
    test_type: str  # agent-to-server or http-server
    interval: int
    aid: str
    created: int
    target: str
    agent_ids: Optional[List[str]]  # None: all agents of the account group
    application: Optional[str] = None  # dynamic tests: the collaboration app followed
    instant: bool = False  # rounds.py reads it: endpoint tests here are never instant
    # a scheduled test saved as an event (isSavedEvent, SDK-ET): a snapshot, not running;
    # the world has none, a test adds one (``add_saved_event``)
    saved_event: bool = False

    @property
    def result_kinds(self) -> List[str]:
        return RESULT_KINDS[(self.kind, self.test_type)]


@dataclass
class RealUserTest:
    profile_id: str
    name: str
    aid: str
    included: List[str]
    excluded: List[str]


class EndpointWorld:
    """The endpoint side of a World, derived from its seed and origin (its own random
    stream, so the rest of the world is what it was)."""

    def __init__(self, world: World) -> None:
        self.seed, self.origin = world.seed, world.origin
        self.agents: Dict[str, EndpointAgent] = {}
        self.tests: Dict[str, EndpointTest] = {}
        self.real_user_tests: List[RealUserTest] = []
        rng = stable_rng(world.seed, "endpoint")
        for group_number, group in enumerate(world.account_groups()):
            self._build_group(rng, group_number, group.aid)

    def agents_in(self, aid: str, now: float, include_deleted: bool = False) -> List[EndpointAgent]:
        """Agents installed by now (and not deleted, unless asked), in id order."""
        return sorted(
            (a for a in self.agents.values() if a.aid == aid and a.created <= now
             and (include_deleted or a.exists(now))),
            key=lambda a: a.agent_id,
        )  # fmt: skip

    def tests_in(self, aid: str, kind: str, test_type: Optional[str] = None) -> List[EndpointTest]:
        return [
            t for t in self.tests.values()
            if t.aid == aid and t.kind == kind and test_type in (None, t.test_type)
        ]  # fmt: skip

    def add_saved_event(self, test: EndpointTest) -> EndpointTest:
        """A scheduled test saved as an event: listed with ``isSavedEvent`` true beside the
        running ones (its own id, name and no rounds after it was saved)."""
        saved = EndpointTest(
            test_id=str(int(max(self.tests, key=int)) + 1), name=f"{test.name} (saved event)",
            kind="scheduled", test_type=test.test_type, interval=test.interval, aid=test.aid,
            created=test.created, target=test.target, agent_ids=test.agent_ids,
            saved_event=True,
        )  # fmt: skip
        self.tests[saved.test_id] = saved
        return saved

    def measuring(self, test: EndpointTest, round_id: int) -> List[EndpointAgent]:
        """The agents with a result for this round, in output order."""
        chosen = test.agent_ids
        return [
            a for a in self.agents_in(test.aid, round_id)
            if (chosen is None or a.agent_id in chosen) and a.measures(round_id)
        ]  # fmt: skip

    # ------------------------------------------------------------- generation
    def _build_group(self, rng, group_number: int, aid: str) -> None:  # noqa: ANN001
        agents = []
        for number, (appears, disappears, disabled) in enumerate(AGENT_PLAN):
            city, _, lat, lon = CITIES[(group_number + number) % len(CITIES)]
            owner = f"user{number + 1}"
            agent = EndpointAgent(
                agent_id=stable_uuid(self.seed, "endpoint-agent", aid, number),
                name=f"{owner}-laptop-{aid}", computer_name=f"LT-{aid}-{number + 1:02d}",
                platform=PLATFORMS[number % len(PLATFORMS)], aid=aid,
                created=self.origin + appears,
                deleted=None if disappears is None else self.origin + disappears,
                disabled=None if disabled is None
                else (self.origin + disabled[0], self.origin + disabled[1]),
                location=city, latitude=lat, longitude=lon,
                ip=f"192.168.{rng.randrange(1, 255)}.{rng.randrange(2, 255)}",
            )  # fmt: skip
            self.agents[agent.agent_id] = agent
            agents.append(agent)
        base = 50000 + group_number * 10
        old = self.origin - 20 * DAY
        specific = [agents[0].agent_id, agents[3].agent_id, agents[4].agent_id]
        plan = [  # (kind, type, interval, agents, application, created)
            ("scheduled", "agent-to-server", 300, None, None, old),
            ("scheduled", "agent-to-server", 600, specific, None, old),
            ("scheduled", "http-server", 300, None, None, self.origin - 2 * DAY),
            ("dynamic", "agent-to-server", 300, None, "webex", old),
        ]
        for number, (kind, test_type, interval, chosen, app, created) in enumerate(plan):
            target = rng.choice(TARGETS) if app is None else "webex.com"
            test = EndpointTest(
                test_id=str(base + number + 1),
                name=f"endpoint {kind} {test_type} {target} #{base + number + 1}",
                kind=kind, test_type=test_type, interval=interval, aid=aid,
                created=created - created % MINUTE, target=target, agent_ids=chosen,
                application=app,
            )  # fmt: skip
            self.tests[test.test_id] = test
        for number, (name, included) in enumerate(
            [("Office apps", ["*.office.com", "*.sharepoint.com"]), ("CRM", ["crm.example.com"])]
        ):
            self.real_user_tests.append(
                RealUserTest(
                    profile_id=stable_uuid(self.seed, "real-user", aid, number),
                    name=name,
                    aid=aid,
                    included=included,
                    excluded=["login.example.com"],
                )  # fmt: skip
            )


_WORLDS: weakref.WeakKeyDictionary[World, EndpointWorld] = weakref.WeakKeyDictionary()
_WORLDS_LOCK = threading.Lock()


def endpoint_world(world: World) -> EndpointWorld:
    """The endpoint side of world, built once (endpoint tests only pay for it when used)."""
    with _WORLDS_LOCK:
        found = _WORLDS.get(world)
        if found is None:
            found = _WORLDS[world] = EndpointWorld(world)
        return found
