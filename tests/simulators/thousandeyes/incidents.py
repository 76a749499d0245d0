"""Alerts, events and activity-log entries, derived deterministically from seed and time slots.

Alert episodes: each test's timeline is cut into ``ALERT_SLOT`` slices; a hash of
(seed, test, slice) decides whether a degradation starts in that slice, when (on a round)
and for how many rounds. The rounds inside an episode are degraded (loss and latency cross the
alert threshold in ``results.py``), the alert triggers at the first degraded round and clears
at the end of the last one, or is still active when that end is in the future. Events and
activity entries use the same slicing per account group. Nothing is stored.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from .hashing import stable_int, stable_rng, stable_unit, stable_uuid
from .rounds import first_round
from .world import Test, World

ALERT_SLOT = 6 * 3600
ALERT_PROBABILITY = 0.4
EVENT_SLOT = 12 * 3600
ACTIVITY_SLOT = 3600
ALERT_TYPE_BY_TEST_TYPE = {
    "agent-to-server": "end-to-end-server", "agent-to-agent": "end-to-end-agent",
    "http-server": "http-server", "page-load": "page-load",
    "web-transactions": "web-transactions", "api": "api", "dns-server": "dns-server",
    "dns-trace": "dns-trace", "dnssec": "dnssec", "ftp-server": "ftp", "sip-server": "sip-server",
    "voice": "voice", "bgp": "bgp",
}  # fmt: skip
EVENT_TYPES = [
    ("network", "Network Path Issue"), ("target", "Target Unreachable"), ("dns", "DNS Issue"),
    ("proxy", "Proxy Issue"), ("agent-local", "Local Agent Issue"),
    ("application", "Application Issue"),
]  # fmt: skip
ACTIVITY_EVENTS = [
    "Login", "Logout", "Test modified", "Test created", "Alert rule modified",
    "User API token created", "Dashboard modified", "Agent settings modified",
]  # fmt: skip


@dataclass(frozen=True)
class AlertEpisode:
    alert_id: str
    test: Test
    start: int
    end: int  # end of the last degraded round
    severity: str
    rule_id: str
    violation_count: int

    def is_active(self, now: float) -> bool:
        return self.end > now


@dataclass(frozen=True)
class EventEpisode:
    event_id: str
    aid: str
    start: int
    end: int
    event_type: str
    type_name: str
    severity: str
    affected_tests: int
    affected_agents: int

    def is_active(self, now: float) -> bool:
        return self.end > now


@dataclass(frozen=True)
class ActivityEntry:
    aid: str
    date: int
    event: str
    uid: str
    user: str
    ip_address: str
    entry_id: str


def alert_episode_in_slot(world: World, test: Test, slot: int) -> Optional[AlertEpisode]:
    if not test.alerts_enabled:
        return None
    shape = _episode_shape(world.seed, test.test_id, test.interval, first_round(test), slot)
    if shape is None:
        return None
    start, end, severity = shape
    return AlertEpisode(
        alert_id=stable_uuid(world.seed, "alert-id", test.test_id, slot),
        test=test,
        start=start,
        end=end,
        severity=severity,
        rule_id=str(900 + stable_int(world.seed, "rule", test.test_type) % 50),
        violation_count=max(1, len(test.agent_ids)),
    )


@functools.lru_cache(maxsize=1 << 16)
def _episode_shape(
    seed: int, test_id: str, interval: int, first: int, slot: int
) -> Optional[Tuple[int, int, str]]:
    """(start, end, severity) of the degradation starting in the slot, if any. Cached: every
    result record asks whether its round is degraded, and a page holds many rounds."""
    if stable_unit(seed, "alert", test_id, slot) >= ALERT_PROBABILITY:
        return None
    rng = stable_rng(seed, "alert-shape", test_id, slot)
    slot_start = slot * ALERT_SLOT
    start = slot_start + rng.randrange(ALERT_SLOT // 2)
    start += (-start) % interval  # on a round boundary
    rounds = rng.randint(1, 4) if rng.random() < 0.7 else rng.randint(5, 12)
    end = start + rounds * interval
    end = min(end, slot_start + ALERT_SLOT + ALERT_SLOT // 2)  # bounded: lookups stay local
    if start < first:
        return None
    return start, end, rng.choice(["major", "minor", "critical", "info"])


def alert_episodes(world: World, test: Test, start: float, end: float) -> Iterator[AlertEpisode]:
    """Episodes whose degraded span touches [start, end], in start order."""
    first_slot = int(start) // ALERT_SLOT - 2
    for slot in range(first_slot, int(end) // ALERT_SLOT + 1):
        episode = alert_episode_in_slot(world, test, slot)
        if episode is not None and episode.end > start and episode.start <= end:
            yield episode


def is_degraded(world: World, test: Test, round_id: int) -> bool:
    if not test.alerts_enabled:
        return False
    slot = round_id // ALERT_SLOT
    first = first_round(test)
    for candidate in (slot - 1, slot):
        shape = _episode_shape(world.seed, test.test_id, test.interval, first, candidate)
        if shape is not None and shape[0] <= round_id < shape[1]:
            return True
    return False


def select_alerts(
    world: World,
    aid: str,
    now: float,
    state: Optional[str],
    time_range: Optional[tuple],
) -> List[AlertEpisode]:
    """The alerts /v7/alerts returns, following the documented ``state`` semantics.

    trigger: active alerts whose start is in the range (no range: the last 90 days);
    clear: cleared alerts whose clear time is in the range;
    no state with a range: cleared in the range plus active ones started before its end.
    """
    if time_range is None:
        lo, hi = now - 90 * 86400, now
        if state is None:
            state = "trigger"
    else:
        lo, hi = time_range
    picked: List[AlertEpisode] = []
    for test in world.tests_in(aid):
        # Every episode that ends (or is active) in the range touches it: episodes last at
        # most 1.5 slots and alert_episodes looks two slots back, so nothing older is needed
        # (searching 90 days for clears cost 360 slots a test and request).
        for ep in alert_episodes(world, test, lo, hi):
            if ep.start > now:
                continue
            active = ep.is_active(now)
            if state == "trigger":
                keep = active and lo <= ep.start <= hi
            elif state == "clear":
                keep = not active and lo <= ep.end <= hi
            else:
                keep = (not active and lo <= ep.end <= hi) or (active and ep.start <= hi)
            if keep:
                picked.append(ep)
    picked.sort(key=lambda e: (e.end if state == "clear" else e.start, e.alert_id))
    return picked


def event_episodes(world: World, aid: str, start: float, end: float) -> Iterator[EventEpisode]:
    for slot in range(int(start) // EVENT_SLOT - 2, int(end) // EVENT_SLOT + 1):
        if stable_unit(world.seed, "event", aid, slot) >= 0.5:
            continue
        rng = stable_rng(world.seed, "event-shape", aid, slot)
        ev_start = slot * EVENT_SLOT + rng.randrange(EVENT_SLOT)
        ev_end = ev_start + rng.randrange(600, 8 * 3600)
        if ev_end <= start or ev_start > end:
            continue
        event_type, type_name = rng.choice(EVENT_TYPES)
        yield EventEpisode(
            event_id=stable_uuid(world.seed, "event-id", aid, slot),
            aid=aid,
            start=ev_start,
            end=ev_end,
            event_type=event_type,
            type_name=type_name,
            severity=rng.choice(["high", "medium", "low"]),
            affected_tests=rng.randint(1, 5),
            affected_agents=rng.randint(1, 4),
        )


def select_events(
    world: World, aid: str, now: float, time_range: tuple, ongoing: Optional[bool]
) -> List[EventEpisode]:
    """Events that started by ``now`` and overlap the range; ``ongoing`` filters on state."""
    lo, hi = time_range
    picked = []
    for ep in event_episodes(world, aid, lo, hi):
        if ep.start > now:
            continue
        if ongoing is not None and ep.is_active(now) != ongoing:
            continue
        picked.append(ep)
    return picked


def activity_entries(world: World, aid: str, start: float, end: float) -> Iterator[ActivityEntry]:
    """Activity-log entries dated in [start, end], oldest first."""
    members = world.members_of(aid)
    if not members:
        return
    for slot in range(int(start) // ACTIVITY_SLOT, int(end) // ACTIVITY_SLOT + 1):
        rng = stable_rng(world.seed, "activity", aid, slot)
        times = sorted(rng.randrange(ACTIVITY_SLOT) for _ in range(rng.randint(0, 3)))
        for index, offset in enumerate(times):
            date = slot * ACTIVITY_SLOT + offset
            # Draw every entry's details, even outside the range, so an entry reads the same
            # whatever range a request asks for.
            user = members[rng.randrange(len(members))]
            event = rng.choice(ACTIVITY_EVENTS)
            ip_address = f"192.0.2.{rng.randint(1, 254)}"
            if not start <= date <= end:
                continue
            yield ActivityEntry(
                aid=aid,
                date=date,
                event=event,
                uid=user.uid,
                user=f"{user.name} ({user.email})",
                ip_address=ip_address,
                entry_id=f"{aid}-{slot}-{index}",
            )
