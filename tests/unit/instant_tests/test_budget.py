"""The instant-test budget: 24 a minute across firings and processes, from its own headers."""

import multiprocessing
import time

from ta_thousandeyes.rate_limit import INSTANT_TESTS, RateLimiter, state_path_for


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def instant(state_path=None, clock=None):
    clock = clock or Clock()
    return RateLimiter(state_path, reserve=1, clock=clock, sleep=clock.sleep,
                       budget=INSTANT_TESTS, per_minute=24), clock  # fmt: skip


def test_never_more_than_24_in_any_minute_even_without_headers(tmp_path):
    limiter, clock = instant(str(tmp_path / "instant.json"))
    start = clock.now
    sends = []
    for _ in range(60):
        limiter.acquire()
        sends.append(clock.now)
    for index in range(len(sends) - 24):
        assert sends[index + 24] - sends[index] >= 60.0
    assert sends[23] == start  # the first 24 go at once
    assert sends[-1] - start < 3 * 60 + 2


def test_reads_the_instant_headers_not_the_organizations():
    limiter, clock = instant()
    reset = int(clock.now) + 40
    limiter.observe({"X-Organization-Rate-Limit-Remaining": "0",
                     "X-Organization-Rate-Limit-Reset": str(reset)})  # fmt: skip
    assert limiter.acquire() == 0
    limiter.observe({"X-Instant-Test-Rate-Limit-Limit": "24",
                     "X-Instant-Test-Rate-Limit-Remaining": "1",
                     "X-Instant-Test-Rate-Limit-Reset": str(reset)})  # fmt: skip
    waited = limiter.acquire()  # at the reserve: wait for the reset
    assert reset <= clock.now <= reset + 0.5 and waited > 0


def test_a_429_blocks_every_process_until_the_instant_reset(tmp_path):
    path = str(tmp_path / "instant.json")
    first, clock = instant(path)
    second, _ = instant(path, clock)
    reset = int(clock.now) + 30
    first.block({"X-Instant-Test-Rate-Limit-Remaining": "0",
                 "X-Instant-Test-Rate-Limit-Reset": str(reset)})  # fmt: skip
    second.acquire()
    assert clock.now >= reset


def _worker(path, queue):
    limiter = RateLimiter(path, reserve=1, budget=INSTANT_TESTS, per_minute=24,
                          sleep=lambda s: None)  # fmt: skip
    planned = []
    for _ in range(10):
        before = time.time()
        waited = limiter.acquire()
        planned.append(before + waited)
    queue.put(planned)


def test_processes_share_the_per_minute_cap(tmp_path):
    path = state_path_for(str(tmp_path), "prod", "instant")
    queue = multiprocessing.get_context("fork").Queue()
    workers = [multiprocessing.get_context("fork").Process(target=_worker, args=(path, queue))
               for _ in range(4)]  # fmt: skip
    for worker in workers:
        worker.start()
    planned = sorted(t for _ in workers for t in queue.get(timeout=30))
    for worker in workers:
        worker.join(timeout=30)
    assert len(planned) == 40
    assert len([t for t in planned if t < planned[0] + 59.0]) <= 24
