import heapq
import multiprocessing
import time

from ta_thousandeyes.rate_limit import RateLimitDeadline, RateLimiter, state_path_for


def headers(remaining, reset, limit=240):
    return {
        "X-Organization-Rate-Limit-Limit": str(limit),
        "X-Organization-Rate-Limit-Remaining": str(remaining),
        "X-Organization-Rate-Limit-Reset": str(reset),
    }


def test_no_wait_while_budget_is_plenty(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe(headers(200, int(clock.now) + 60))
    for _ in range(50):
        assert limiter.acquire() == 0


def test_spreads_remaining_budget_over_time_to_reset(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, reserve=2)
    reset = int(clock.now) + 60
    limiter.observe(headers(32, reset))
    start = clock.now
    sent = 0
    while clock.now < reset:
        limiter.acquire()
        if clock.now >= reset:
            break
        sent += 1
    # at most the budget minus the reserve went out before the reset, spread over the minute
    assert sent <= 30
    assert clock.now - start >= 55


def test_waits_for_reset_when_budget_is_gone(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, reserve=2)
    reset = int(clock.now) + 40
    limiter.observe(headers(2, reset))
    limiter.acquire()
    assert clock.now >= reset


def test_deadline_before_reset_raises_without_sleeping(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe(headers(0, int(clock.now) + 40))
    try:
        limiter.acquire(deadline=clock.now + 10)
    except RateLimitDeadline:
        pass
    else:
        raise AssertionError("expected RateLimitDeadline")
    assert clock.slept == []


def test_budget_unknown_after_reset_passes(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe(headers(1, int(clock.now) + 5))
    clock.now += 10
    assert limiter.acquire() == 0


def test_block_is_shared_through_state_file(tmp_path, clock):
    path = state_path_for(str(tmp_path), "conn one", "org")
    first = RateLimiter(path, clock=clock, sleep=clock.sleep)
    second = RateLimiter(path, clock=clock, sleep=clock.sleep)
    first.block({"Retry-After": "30"})
    start = clock.now
    second.acquire()
    assert clock.now - start >= 30


def test_out_of_order_answers_keep_the_lowest_remaining(tmp_path, clock):
    path = str(tmp_path / "state.json")
    limiter = RateLimiter(path, clock=clock, sleep=clock.sleep)
    reset = int(clock.now) + 60
    limiter.observe(headers(50, reset))
    limiter.observe(headers(80, reset))  # an older answer arriving late
    other = RateLimiter(path, clock=clock, sleep=clock.sleep)
    other.observe(headers(10, reset))
    import json

    assert json.load(open(path))["remaining"] == 10


def _worker(path, reset, count, queue):
    limiter = RateLimiter(path, reserve=2)
    for _ in range(count):
        limiter.acquire()
        queue.put(time.time())


def test_processes_share_one_budget(tmp_path):
    # Four processes draw from a budget of 22 (20 after the reserve) for a 2 s window:
    # the sends are spread, none is early enough to exceed the budget before the reset.
    path = str(tmp_path / "shared.json")
    reset = int(time.time()) + 3
    RateLimiter(path).observe(headers(22, reset, limit=240))
    queue = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(target=_worker, args=(path, reset, 5, queue))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(20)
    times = sorted(queue.get(timeout=5) for _ in range(20))
    before_reset = [t for t in times if t < reset]
    assert len(before_reset) <= 20
    # spread out, not a burst: the 20 sends take a good part of the window
    assert times[-1] - times[0] > 1.0


def test_429_with_retry_after_waits_that_long_not_until_reset(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    reset = int(clock.now) + 50
    answer = dict(headers(0, reset), **{"Retry-After": "2"})
    limiter.observe(answer)
    until = limiter.block(answer)
    assert until - clock.now <= 2.5
    waited = limiter.acquire()
    assert 2 <= waited <= 2.5  # Retry-After, not the 50 s to the reset


def test_429_without_retry_after_waits_until_reset(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    reset = int(clock.now) + 30
    limiter.observe(headers(0, reset))
    limiter.block(headers(0, reset))
    limiter.acquire()
    assert clock.now >= reset


def test_urgent_data_goes_before_a_backlog(tmp_path, clock):
    """Issue 17 point 2: near the end of the budget a test-results backlog (urgent_share 0.1:
    24 of 240 left to urgent data) waits for the reset, while alerts (urgent) on the same
    state still send at once, not queued behind the backlog's evenly spread slots."""
    path = str(tmp_path / "org.json")
    backlog = RateLimiter(path, clock=clock, sleep=clock.sleep, urgent_share=0.1)
    alerts = RateLimiter(path, clock=clock, sleep=clock.sleep, urgent=True)
    reset = int(clock.now) + 50
    backlog.observe(headers(25, reset))
    start = clock.now
    backlog.acquire()  # its last request before what it leaves to urgent data
    for _ in range(5):
        alerts.acquire()
    assert clock.now == start  # five alerts went at once
    backlog.acquire()
    assert clock.now >= reset  # the backlog's next waited for the reset


def test_background_share_waits_where_a_plain_client_would_send(clock):
    reset = int(clock.now) + 30
    plain = RateLimiter(clock=clock, sleep=clock.sleep)
    plain.observe(headers(20, reset))
    plain.acquire()
    assert clock.now < reset
    background = RateLimiter(clock=clock, sleep=clock.sleep, urgent_share=0.1)
    background.observe(headers(20, reset))  # 20 left of 240: inside the 24 left to urgent data
    background.acquire()
    assert clock.now >= reset


class _RollingOrgBudget:
    """The organisation's budget as ThousandEyes documents it: LIMIT a minute, the window
    rolling from a batch's first request, Reset the epoch second it ends, no Retry-After."""

    def __init__(self, limit=240):
        self.limit = limit
        self.start, self.used = None, 0

    def answer(self, now):
        if self.start is None or now >= self.start + 60:
            self.start, self.used = now, 0
        reset = int(-(-(self.start + 60) // 1))
        if self.used >= self.limit:
            return 429, headers(0, reset, self.limit)
        self.used += 1
        return 200, headers(self.limit - self.used, reset, self.limit)


def _forwarders_against_one_org(machines, seconds, urgent_share=0.0):
    """machines limiters with state of their own (no file or lock in common), each sending one
    request after another as fast as it lets it (10 ms a round trip); returns (served per
    machine, 429s). Discrete events on one clock: a send happens when its plan's wait ends."""
    now = [1000.0]
    server = _RollingOrgBudget()
    waits = {}
    limiters = []
    for n in range(machines):
        waits[n] = 0.0

        def sleep(seconds, n=n):
            waits[n] = seconds

        # No state file: each limiter's state is its own, as on machines that share no disk.
        limiters.append(
            RateLimiter(None, clock=lambda: now[0], sleep=sleep, urgent_share=urgent_share)
        )
    events = [(now[0] + 0.001 * n, n, "plan") for n in range(machines)]
    served, refused = [0] * machines, 0
    while events:
        at, n, kind = heapq.heappop(events)
        if at > 1000.0 + seconds:
            break
        now[0] = at
        if kind == "plan":
            waits[n] = 0.0
            limiters[n].acquire()
            heapq.heappush(events, (at + waits[n], n, "send"))
            continue
        status, answer = server.answer(at)
        if status == 429:
            refused += 1
            until = limiters[n].block(answer)
            heapq.heappush(events, (max(until, at + 0.01), n, "plan"))
            continue
        served[n] += 1
        limiters[n].observe(answer)
        heapq.heappush(events, (at + 0.01, n, "plan"))
    return served, refused


def test_forwarders_sharing_nothing_but_the_headers_spend_the_budget_without_429():
    """Issue 17 point 4 at the limiter: two or three machines, each seeing the organisation's
    Remaining fall faster than its own sends explain, still never meet a 429 and together
    spend close to the whole budget (240 a minute less the reserve)."""
    minutes = 5
    for machines in (1, 2, 3):
        served, refused = _forwarders_against_one_org(machines, 60 * minutes)
        assert refused == 0, (machines, served)
        assert sum(served) >= 0.95 * 240 * minutes, (machines, served)
        assert min(served) >= 0.5 * sum(served) / machines, (machines, served)  # no one starves


def test_forwarders_keep_the_urgent_share_between_them():
    """Backlog inputs on every machine leave urgent_share of the limit in each window: none of
    them spends it for the others' urgent inputs."""
    served, refused = _forwarders_against_one_org(2, 300, urgent_share=0.1)
    assert refused == 0
    assert sum(served) <= (240 - 24 + 2) * 5, served  # a request in flight per machine
    assert sum(served) >= 0.95 * (240 - 24) * 5, served


def test_forwarders_without_pacing_meet_429s(monkeypatch):
    """The simulation above can fail: limiters that only wait after a 429 meet them."""
    monkeypatch.setattr(
        RateLimiter,
        "_plan_budget",
        lambda self, state, now: max(now, state.get("blocked_until", 0.0)),
    )
    _, refused = _forwarders_against_one_org(2, 300)
    assert refused > 0
