"""The simulator's fast record path serves exactly what the reference representation says.

The fast path (prebuilt JSON pieces, a re-seeded generator, cached and prefetched page bodies)
exists only for speed: every text it writes must equal json.dumps of test_result_json.
"""

from __future__ import annotations

import json
import random
import threading

import pytest

from tests.simulators.thousandeyes import representations
from tests.simulators.thousandeyes.api_results import PageCache
from tests.simulators.thousandeyes.hashing import reseed, stable_rng
from tests.simulators.thousandeyes.incidents import alert_episode_in_slot, is_degraded
from tests.simulators.thousandeyes.rounds import locate, record_count, round_span
from tests.simulators.thousandeyes.world import RESULT_KINDS, World

NOW = 1_790_000_123.0


@pytest.fixture(scope="module")
def world() -> World:
    return World(5, "small", origin=NOW - 7200, tests=30, agents=6)


def _dumps(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"))


def test_every_kind_has_a_test(world):
    kinds = {kind for test in world.tests.values() for kind in test.result_kinds}
    assert kinds == set(RESULT_KINDS)


@pytest.mark.parametrize("kind", RESULT_KINDS)
def test_texts_equal_the_reference_records(world, kind):
    tests = [t for t in world.tests.values() if kind in t.result_kinds]
    compared = 0
    for test in tests:
        first, rounds = round_span(test, NOW - 6 * 3600, NOW, NOW)
        total = record_count(test, rounds)
        reference = [
            _dumps(representations.test_result_json(world, test, kind, *locate(test, first, i)))
            for i in range(total)
        ]
        # whole range, and slices that start and stop inside a round
        for start, stop in ((0, total), (1, total - 1), (total // 3, min(total, total // 3 + 7))):
            assert (
                representations.test_result_texts(world, test, kind, first, start, stop)
                == reference[start:stop]
            )
        compared += total
    assert compared > 0


def test_degraded_rounds_appear_and_match_alert_episodes(world):
    test = next(t for t in world.tests.values() if "network" in t.result_kinds)
    first, rounds = round_span(test, NOW - 30 * 86400, NOW, NOW)
    round_ids = [first + i * test.interval for i in range(rounds)]
    degraded = {r for r in round_ids if is_degraded(world, test, r)}
    assert degraded, "a month of rounds should hold some alert episodes"
    from_episodes = set()
    for slot in range(round_ids[0] // 21600 - 1, round_ids[-1] // 21600 + 1):
        episode = alert_episode_in_slot(world, test, slot)
        if episode is not None:
            from_episodes |= {r for r in round_ids if episode.start <= r < episode.end}
    assert degraded == from_episodes


def test_reseed_gives_the_state_of_a_fresh_generator():
    reused = random.Random(0)
    for value in (0, 1, 2**32 + 5, 2**64 - 1):
        assert reseed(reused, value).getstate() == random.Random(value).getstate()
    assert reseed(reused, 7).random() == stable_rng(1, "x").__class__(7).random()


def test_page_cache_builds_each_key_once_and_prefetches():
    cache = PageCache(max_bytes=100)
    calls = []

    def build(key):
        def make() -> bytes:
            calls.append(key)
            return key.encode() * 10

        return make

    assert cache.get_or_build(("a",), build("a")) == b"a" * 10
    assert cache.get_or_build(("a",), build("a")) == b"a" * 10
    assert calls == ["a"]
    cache.prefetch(("b",), build("b"))
    assert cache.get_or_build(("b",), build("b")) == b"b" * 10  # waits for the prefetch
    assert calls == ["a", "b"]
    for name in "cdefghijklmn":  # beyond 100 bytes the oldest bodies go
        cache.get_or_build((name,), build(name))
    assert cache.get_or_build(("a",), build("a")) == b"a" * 10
    assert calls.count("a") == 2


def test_page_cache_concurrent_requests_share_one_build():
    cache = PageCache()
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow() -> bytes:
        calls.append(1)
        started.set()
        release.wait(5)
        return b"body"

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get_or_build(("k",), slow)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: results.append(cache.get_or_build(("k",), slow)))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert results == [b"body", b"body"] and calls == [1]


def test_served_pages_are_compact_json_of_the_ground_truth():
    import requests

    from tests.simulators.thousandeyes import ThousandEyesSimulator

    with ThousandEyesSimulator(seed=2, tests=12, agents=4, page_sizes={"test-results": 7},
                               rate_limit_per_minute=10**6,
                               client_rate_limit_per_minute=10**6) as sim:  # fmt: skip
        frozen = sim.clock.now()
        sim.clock.now = lambda: frozen  # one instant for the pages and the ground truth
        token = sim.create_api_token("admin@example.com")
        test = next(t for t in sim.world.tests_in("2001") if "network" in t.result_kinds)
        url = f"{sim.base_url('us1')}/v7/test-results/{test.test_id}/network"
        params = {"window": "3h"}
        records, pages = [], 0
        while url:
            auth = {"Authorization": f"Bearer {token}"}
            response = requests.get(url, params=params, headers=auth, timeout=30)
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "application/hal+json"
            body = json.loads(response.content)
            assert response.content == _dumps(body).encode()
            records += body["results"]
            pages += 1
            url, params = body["_links"].get("next", {}).get("href"), None
        truth = sim.ground_truth("test-results", aid="2001", start=frozen - 3 * 3600, end=frozen,
                                 test_id=test.test_id, test_type="network")  # fmt: skip
        assert pages > 2 and records == truth
