from collections import Counter

from ta_thousandeyes.collectors import activity, alerts, events, inventory

from tests.unit.collectors.fake_api import FakeApi, iso
from tests.unit.collectors.helpers import Harness
from tests.unit.standins import CollectionDocs

T0 = 1_700_000_000.0


def make(clock, tmp_path, scheme, back=3600):
    clock.now = T0
    api = FakeApi(clock, page_size=2)
    return api, Harness(api, clock, tmp_path, T0 - back, scheme=scheme)


def test_alert_start_and_clear_each_once(clock, tmp_path):
    api, harness = make(clock, tmp_path, "thousandeyes_alerts")
    api.alerts = [
        {"id": "a1", "start": T0 - 1000, "end": T0 + 500},  # triggers before, clears later
        {"id": "a2", "start": T0 + 100, "end": None},  # triggers later, never clears
        {"id": "a3", "start": T0 - 200, "end": T0 - 100},  # both before the first run
        {"id": "a4", "start": T0 + 700, "end": T0 + 710},  # both between two runs
    ]
    for _ in range(6):
        harness.run(lambda ctx: alerts.collect(ctx, ["100"]))
        clock.now += 300
    got = Counter((e[3]["id"], e[3]["eventState"]) for e in harness.events)
    assert got == Counter(
        {
            ("a1", "trigger"): 1,
            ("a1", "clear"): 1,
            ("a2", "trigger"): 1,
            ("a3", "trigger"): 1,
            ("a3", "clear"): 1,
            ("a4", "trigger"): 1,
            ("a4", "clear"): 1,
        }
    )
    clear = next(e for e in harness.events if e[3]["id"] == "a1" and e[3]["eventState"] == "clear")
    assert clear[0] == T0 + 500 and clear[1] == "cisco:thousandeyes:alerts"
    trig = next(e for e in harness.events if e[3]["id"] == "a1" and e[3]["eventState"] == "trigger")
    assert trig[0] == T0 - 1000
    states = {u.split("state=")[1].split("&")[0] for u in api.requests if "/alerts" in u}
    assert states == {"trigger", "clear"}


def test_events_new_and_ended_each_once(clock, tmp_path):
    api, harness = make(clock, tmp_path, "thousandeyes_events")
    api.events = [
        {"id": "e1", "start": T0 - 500, "end": T0 + 1000},  # ongoing for several runs, then ends
        {"id": "e2", "start": T0 - 3000, "end": T0 - 2000},  # ended before the first run
        {"id": "e3", "start": T0 + 100, "end": None},  # still ongoing at the end
        {"id": "e4", "start": T0 - 7200, "end": None},  # ongoing since before the start
    ]
    for _ in range(8):
        harness.run(lambda ctx: events.collect(ctx, ["100"]))
        clock.now += 300
    got = Counter((e[3]["id"], e[3]["eventState"]) for e in harness.events)
    assert got == Counter(
        {
            ("e1", "ongoing"): 1,
            ("e1", "ended"): 1,
            ("e2", "ended"): 1,
            ("e3", "ongoing"): 1,
            ("e4", "ongoing"): 1,
        }
    )
    ended = next(e for e in harness.events if e[3]["id"] == "e1" and e[3]["eventState"] == "ended")
    assert ended[0] == T0 + 1000 and ended[1] == "cisco:thousandeyes:event"


def test_activity_uses_all_permitted_aids_and_dedups(clock, tmp_path):
    api, harness = make(clock, tmp_path, "thousandeyes_activity")
    api.audit = [
        {"date": iso(T0 - 200 * i), "event": "Login", "user": f"u{i}", "aid": "100"}
        for i in range(30)
    ]
    api.audit.append(dict(api.audit[0], user="same second, different user"))
    for _ in range(3):
        harness.run(lambda ctx: activity.collect(ctx))
        clock.now += 300
    got = Counter((e[3]["date"], e[3]["user"]) for e in harness.events)
    assert max(got.values()) == 1
    # the 1 h start point keeps i = 0..18, plus the second user in the same second as i = 0
    assert len(got) == 19 + 1
    assert all("useAllPermittedAids=true" in u for u in api.requests)
    assert harness.events[0][1] == "cisco:thousandeyes:activity"


def test_inventory_events_and_lookups(clock, tmp_path, kv_service):
    api, harness = make(clock, tmp_path, "thousandeyes_inventory")
    kv = kv_service
    harness.run(lambda ctx: inventory.collect(ctx, ["100"], kv_service=kv))
    sourcetypes = Counter(e[1] for e in harness.events)
    assert sourcetypes == {
        "cisco:thousandeyes:inventory:account-groups": 1,
        "cisco:thousandeyes:inventory:tests": 4,
        "cisco:thousandeyes:inventory:agents": 2,
    }
    tests_rows = CollectionDocs(kv, "ta_thousandeyes_tests")
    assert {r["testName"] for r in tests_rows.values()} == {"web", "a2a", "bgp", "dns"}
    # a test deleted in ThousandEyes leaves the lookup on the next snapshot
    api.tests.pop()
    clock.now += 3600
    harness.run(lambda ctx: inventory.collect(ctx, ["100"], kv_service=kv))
    assert {r["testName"] for r in tests_rows.values()} == {"web", "a2a", "bgp"}
    assert {r["agentName"] for r in CollectionDocs(kv, "ta_thousandeyes_agents").values()} == {
        "Tokyo",
        "Paris",
    }
