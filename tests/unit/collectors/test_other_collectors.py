import json
from collections import Counter

import pytest
from ta_thousandeyes.collectors import activity, alerts, events, inventory
from ta_thousandeyes.collectors.base import parse_iso

from tests.unit.collectors.helpers import Harness
from tests.unit.collectors.sim_api import AID, START, SimApi
from tests.unit.standins import CollectionDocs

T0 = START
SETTLE = 60.0  # the harness's RunContext default


@pytest.fixture
def api():
    """The simulator's world (its alerts, events and activity as its seed makes them)."""
    api = SimApi(page_size=2)
    yield api
    api.stop()


@pytest.fixture
def clock(api):
    return api.clock


def make(api, clock, tmp_path, scheme, back=3600):
    clock.now = T0
    return api, Harness(api, clock, tmp_path, T0 - back, scheme=scheme)


def test_alert_start_and_clear_each_once(api, clock, tmp_path):
    """Every alert the API lists as triggered at some run is written once as trigger, every
    alert it lists as cleared once as clear: alerts that trigger before the first run and
    clear later, trigger and never clear, trigger and clear between two runs (listed only as
    cleared: state=trigger lists active alerts)."""
    api, harness = make(api, clock, tmp_path, "thousandeyes_alerts")
    start, want = T0 - 3600, Counter()
    for _ in range(20):
        harness.run(lambda ctx: alerts.collect(ctx, [AID]))
        end = clock.now - SETTLE
        want.update({(a["id"], "trigger") for a in api.truth("alerts", start, end, state="trigger")}
                    - set(want))  # fmt: skip
        clock.now += 600
    cleared = api.truth("alerts", start, end, state="clear")
    want.update((a["id"], "clear") for a in cleared)
    got = Counter((e[3]["id"], e[3]["eventState"]) for e in harness.events)
    assert got == want
    triggered = {i for i, state in want if state == "trigger"}
    assert triggered & {a["id"] for a in cleared}  # triggered at one run, cleared at a later one
    assert triggered - {a["id"] for a in cleared}  # triggered, never cleared
    assert {a["id"] for a in cleared} - triggered  # cleared before any run saw it active
    one = next(a for a in cleared if a["id"] in triggered)
    clear = next(
        e for e in harness.events if e[3]["id"] == one["id"] and e[3]["eventState"] == "clear"
    )
    assert clear[0] == parse_iso(one["endDate"]) and clear[1] == "cisco:thousandeyes:alerts"
    trig = next(
        e for e in harness.events if e[3]["id"] == one["id"] and e[3]["eventState"] == "trigger"
    )
    assert trig[0] == parse_iso(one["startDate"])
    states = {u.split("state=")[1].split("&")[0] for u in api.requests if "/alerts" in u}
    assert states == {"trigger", "clear"}


def test_events_new_and_ended_each_once(api, clock, tmp_path):
    """Each event the API lists is written once as ongoing while it has no end and once as
    ended when it has one: events that ended before the first run, and one ongoing for
    several runs that then ends."""
    back = 86400.0
    api, harness = make(api, clock, tmp_path, "thousandeyes_events", back=back)
    want = set()
    for _ in range(16):
        harness.run(lambda ctx: events.collect(ctx, [AID]))
        for e in api.truth("events", T0 - back, clock.now - SETTLE):
            want.add((e["id"], "ended" if e.get("endDate") else "ongoing"))
        clock.now += 1800
    got = Counter((e[3]["id"], e[3]["eventState"]) for e in harness.events)
    assert got == Counter(want)
    ongoing = {i for i, state in want if state == "ongoing"}
    assert {i for i, state in want if state == "ended"} - ongoing  # ended before the first run
    e1 = next(i for i, state in want if state == "ended" and i in ongoing)
    truth = next(e for e in api.truth("events", T0 - back, clock.now) if e["id"] == e1)
    ended = next(e for e in harness.events if e[3]["id"] == e1 and e[3]["eventState"] == "ended")
    assert ended[0] == parse_iso(truth["endDate"]) and ended[1] == "cisco:thousandeyes:event"


def test_activity_uses_all_permitted_aids_and_dedups(api, clock, tmp_path):
    back = 6 * 3600.0  # the world logs an entry an hour or so per account group
    api, harness = make(api, clock, tmp_path, "thousandeyes_activity", back=back)
    user = api.world.user_by_email(api.sim.demo_email)
    first = api.truth("activity", T0 - back, T0 - SETTLE, aid=user.aids[0])[0]

    def with_a_twin(url, response):
        # another user's entry in the same second as the group's first (the simulator's
        # entries are seconds apart): what the listing carries wherever that one appears
        if "/audit-user-events" in url and response.status_code == 200:
            answer = json.loads(response.content)
            entries = answer.get("auditEvents", [])
            for at, entry in enumerate(list(entries)):
                if (entry["date"], entry["user"]) == (first["date"], first["user"]):
                    entries.insert(at + 1, dict(entry, user="same second, different user"))
            response._content = json.dumps(answer).encode("utf-8")

    api.after_receive.append(with_a_twin)
    for _ in range(3):
        harness.run(lambda ctx: activity.collect(ctx))
        end = clock.now - SETTLE
        clock.now += 300
    got = Counter((e[3]["date"], e[3]["user"]) for e in harness.events)
    assert max(got.values()) == 1
    # the start point keeps the entries of every group the user may see since then, plus the
    # second user in the same second as the first
    truth = [e for aid in user.aids for e in api.truth("activity", T0 - back, end, aid=aid)]
    assert len({e["aid"] for e in truth}) > 1
    assert len(got) == len({(e["date"], e["user"]) for e in truth}) + 1
    assert (first["date"], "same second, different user") in got
    assert all("useAllPermittedAids=true" in u for u in api.requests)
    assert harness.events[0][1] == "cisco:thousandeyes:activity"


def test_inventory_events_and_lookups(api, clock, tmp_path, kv_service):
    api, harness = make(api, clock, tmp_path, "thousandeyes_inventory")
    tests, agents = api.truth("tests"), api.truth("agents")
    groups = api.world.user_by_email(api.sim.demo_email).aids  # what /account-groups lists
    kv = kv_service
    harness.run(lambda ctx: inventory.collect(ctx, [AID], kv_service=kv))
    sourcetypes = Counter(e[1] for e in harness.events)
    assert sourcetypes == {
        "cisco:thousandeyes:inventory:account-groups": len(groups),
        "cisco:thousandeyes:inventory:tests": len(tests),
        "cisco:thousandeyes:inventory:agents": len(agents),
    }
    tests_rows = CollectionDocs(kv, "ta_thousandeyes_tests")
    assert {r["testName"] for r in tests_rows.values()} == {t["testName"] for t in tests}
    # a test deleted in ThousandEyes leaves the lookup on the next snapshot
    del api.world.tests[tests[-1]["testId"]]
    clock.now += 3600
    harness.run(lambda ctx: inventory.collect(ctx, [AID], kv_service=kv))
    assert {r["testName"] for r in tests_rows.values()} == {t["testName"] for t in tests[:-1]}
    assert {r["agentName"] for r in CollectionDocs(kv, "ta_thousandeyes_agents").values()} == {
        a["agentName"] for a in agents
    }
