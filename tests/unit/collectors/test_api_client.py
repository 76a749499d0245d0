import pytest
from ta_thousandeyes.api_client import (
    ApiClient,
    ApiError,
    ApiUnavailable,
    ForeignLinkRefused,
    Unauthorized,
)
from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin
from ta_thousandeyes.rate_limit import RateLimiter
from ta_thousandeyes.tokens import ReauthorizationRequired

from tests.unit.collectors.conftest import FakeTokens
from tests.unit.collectors.stub_server import Reply


def make_client(stub, session, tokens, clock, **kwargs):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return ApiClient(
        stub.base_url,
        session,
        tokens,
        rate_limiter=limiter,
        clock=clock,
        sleep=clock.sleep,
        **kwargs,
    )


def page(items, next_href=None):
    body = {"results": items, "_links": {"self": {"href": "x"}}}
    if next_href:
        body["_links"]["next"] = {"href": next_href}
    return body


def test_pages_follow_next_link_and_count(stub, session, tokens, clock):
    nxt = f"{stub.base_url}/test-results/1/network?cursor=abc&aid=5"
    stub.replies = [Reply(body=page([1, 2], nxt)), Reply(body=page([3]))]
    client = make_client(stub, session, tokens, clock)
    pages = list(
        client.pages("/test-results/1/network", {"window": "1h"}, aid="5", items_key="results")
    )
    assert [p.items for p in pages] == [[1, 2], [3]]
    assert stub.seen[0].path == "/v7/test-results/1/network?window=1h&aid=5"
    assert stub.seen[1].path == "/v7/test-results/1/network?cursor=abc&aid=5"
    assert stub.seen[0].headers["Authorization"] == "Bearer " + tokens.token
    assert "application/hal+json" in stub.seen[0].headers["Accept"]
    assert (client.stats.calls, client.stats.pages, client.stats.records) == (2, 2, 3)


def test_next_link_without_aid_gets_it_added(stub, session, tokens, clock):
    stub.replies = [Reply(body=page([1], f"{stub.base_url}/alerts?cursor=z")), Reply(body=page([]))]
    client = make_client(stub, session, tokens, clock)
    list(client.pages("/alerts", aid="9", items_key="results"))
    assert stub.seen[1].path == "/v7/alerts?cursor=z&aid=9"


@pytest.mark.parametrize(
    "href",
    [
        "https://127.0.0.1:{port}/v7/x?cursor=1",  # other scheme
        "http://localhost:{port}/v7/x?cursor=1",  # other host name
        "http://127.0.0.1:1/v7/x?cursor=1",  # other port
        "http://evil.example/v7/x",
    ],
)
def test_next_link_to_another_origin_is_refused(stub, session, tokens, clock, href):
    stub.replies = [Reply(body=page([1], href.format(port=stub.port)))]
    client = make_client(stub, session, tokens, clock)
    iterator = client.pages("/x", items_key="results")
    assert next(iterator).items == [1]
    with pytest.raises(ForeignLinkRefused):
        next(iterator)
    assert len(stub.seen) == 1  # the token never went anywhere else


def test_401_refreshes_once_then_succeeds(stub, session, tokens, clock):
    stub.replies = [Reply(401, {"error": "invalid_token"}), Reply(body={"ok": 1})]
    client = make_client(stub, session, tokens, clock)
    assert client.get("/users/current") == {"ok": 1}
    assert tokens.refreshes == 1
    assert stub.seen[1].headers["Authorization"] == "Bearer token-refreshed-1-abcdef"


def test_401_twice_raises_unauthorized(stub, session, tokens, clock):
    stub.replies = [Reply(401, {"error": "invalid_token"}), Reply(401, {"error": "invalid_token"})]
    client = make_client(stub, session, tokens, clock)
    with pytest.raises(Unauthorized):
        client.get("/users/current")
    assert tokens.refreshes == 1


def test_401_with_api_token_raises_reauthorization(stub, session, clock):
    stub.replies = [Reply(401, {"error": "invalid_token"})]
    client = make_client(stub, session, FakeTokens(refuse=True), clock)
    with pytest.raises(ReauthorizationRequired):
        client.get("/users/current")


def test_429_waits_until_reset_then_retries(stub, session, tokens, clock):
    reset = int(clock.now) + 20
    stub.replies = [
        Reply(
            429,
            {"title": "Exhausted rate limit for the organization"},
            {
                "X-Organization-Rate-Limit-Reset": str(reset),
                "X-Organization-Rate-Limit-Remaining": "0",
                "X-Organization-Rate-Limit-Limit": "240",
            },
        ),
        Reply(
            body={"ok": 1},
            headers={
                "X-Organization-Rate-Limit-Remaining": "239",
                "X-Organization-Rate-Limit-Reset": str(reset + 60),
            },
        ),
    ]
    client = make_client(stub, session, tokens, clock)
    assert client.get("/alerts") == {"ok": 1}
    assert clock.now >= reset  # waited for the reset, not a fixed backoff
    assert client.stats.rate_limited == 1
    assert client.stats.rate_limit_remaining == 239


def test_429_honours_retry_after(stub, session, tokens, clock):
    start = clock.now
    stub.replies = [Reply(429, {}, {"Retry-After": "7"}), Reply(body={"ok": 1})]
    client = make_client(stub, session, tokens, clock)
    client.get("/alerts")
    assert 7 <= clock.now - start < 8


def test_the_token_is_asked_for_when_each_attempt_is_sent(stub, session, clock):
    class RotatingTokens(FakeTokens):
        """A token source whose token changes over time (a refresh by another process)."""

        def access_token(self):
            return f"token-at-{int(clock.now)}-abcdef"

    stub.replies = [Reply(429, {}, {"Retry-After": "30"}), Reply(body={"ok": 1})]
    start = int(clock.now)
    client = make_client(stub, session, RotatingTokens(), clock)
    assert client.get("/alerts") == {"ok": 1}
    sent = [seen.headers["Authorization"] for seen in stub.seen]
    assert sent == [f"Bearer token-at-{start}-abcdef", f"Bearer token-at-{start + 30}-abcdef"]


def test_429_beyond_deadline_gives_up(stub, session, tokens, clock):
    stub.replies = [Reply(429, {}, {"Retry-After": "50"})]
    client = make_client(stub, session, tokens, clock, deadline=clock.now + 10)
    with pytest.raises(ApiUnavailable):
        client.get("/alerts")


@pytest.mark.parametrize(
    "bad",
    [
        Reply(503, {"title": "busy"}),
        Reply(500, b"oops"),
        Reply(body=b'{"results": [1, 2'),
        Reply(body={"results": [1]}, truncate=True),
    ],
    ids=["503", "500", "invalid-json", "truncated"],
)
def test_transient_failures_retry_with_backoff(stub, session, tokens, clock, bad):
    stub.replies = [bad, Reply(body={"results": [1, 2]})]
    client = make_client(stub, session, tokens, clock)
    assert client.get("/x") == {"results": [1, 2]}
    assert client.stats.retries >= 1
    assert clock.slept  # backed off before retrying


def test_dropped_connection_retries(stub, session, tokens, clock):
    stub.replies = [Reply(drop=True), Reply(body={"ok": 2})]
    client = make_client(stub, session, tokens, clock)
    assert client.get("/x") == {"ok": 2}


def test_gives_up_after_max_attempts(stub, session, tokens, clock):
    stub.fallback = lambda path: Reply(502, {"title": "bad gateway"})
    client = make_client(stub, session, tokens, clock, max_attempts=4)
    with pytest.raises(ApiUnavailable, match="4 attempts"):
        client.get("/x")
    assert len(stub.seen) == 4
    assert all(d <= 30 for d in clock.slept)


def test_backoff_stops_at_deadline(stub, session, tokens, clock):
    stub.fallback = lambda path: Reply(503, {})
    client = make_client(stub, session, tokens, clock, deadline=clock.now + 3, max_attempts=50)
    with pytest.raises(ApiUnavailable):
        client.get("/x")
    assert clock.now <= client.deadline


def test_failure_mid_pagination_keeps_earlier_pages(stub, session, tokens, clock):
    nxt = f"{stub.base_url}/x?cursor=2"
    stub.replies = [Reply(body=page([1], nxt))]
    stub.fallback = lambda path: Reply(503, {})
    client = make_client(stub, session, tokens, clock, max_attempts=2)
    got = []
    with pytest.raises(ApiUnavailable):
        for p in client.pages("/x", items_key="results"):
            got.extend(p.items)
    assert got == [1]


def test_4xx_is_not_retried_and_message_is_readable(stub, session, tokens, clock):
    stub.replies = [
        Reply(
            404,
            {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "Test 42 not found",
            },
        )
    ]
    client = make_client(stub, session, tokens, clock)
    with pytest.raises(ApiError) as info:
        client.get("/test-results/42/network")
    assert info.value.status == 404
    assert "Test 42 not found" in str(info.value)
    assert len(stub.seen) == 1


def test_token_never_in_error_messages(stub, session, tokens, clock):
    stub.replies = [Reply(400, {"detail": "bad token " + tokens.token})]
    from ta_thousandeyes.redaction import register_secret

    register_secret(tokens.token)
    client = make_client(stub, session, tokens, clock)
    with pytest.raises(ApiError) as info:
        client.get("/x")
    assert tokens.token not in str(info.value)


def test_the_transport_follows_no_redirect(stub, tokens, clock):
    elsewhere = f"http://127.0.0.1:{stub.port}/steal"
    stub.replies = [Reply(302, {"title": "Found"}, headers={"Location": elsewhere})]
    transport = build_session([origin(stub.base_url)], connect_retries=0)
    client = make_client(stub, transport, tokens, clock)
    with pytest.raises(ApiError) as info:
        client.get("/x")
    assert info.value.status == 302
    assert [seen.path for seen in stub.seen] == ["/v7/x"]


# --- stopping (splunkd's SIGTERM; modinputs.base sets the flag) ----------------------------
def test_a_stop_lets_the_page_in_flight_finish_and_starts_no_request(stub, session, tokens, clock):
    from ta_thousandeyes.api_client import RunStopped

    stop = []
    nxt = f"{stub.base_url}/alerts?cursor=z&aid=9"
    stub.replies = [Reply(body=page([1, 2], nxt)), Reply(body=page([3]))]
    client = make_client(stub, session, tokens, clock, stop_requested=lambda: bool(stop))
    pages = client.pages("/alerts", aid="9", items_key="results")
    first = next(pages)
    stop.append(True)  # the signal arrives while the caller writes the first page
    assert first.items == [1, 2]
    with pytest.raises(RunStopped):
        next(pages)
    assert len(stub.seen) == 1


def test_a_stop_during_a_rate_limit_wait_sends_nothing(stub, session, tokens, clock):
    from ta_thousandeyes.api_client import RunStopped

    stop = []

    def sleep(seconds):  # the wait a stop ends early (ThousandEyesInput.sleep)
        stop.append(seconds)

    stub.replies = [Reply(429, {}, {"Retry-After": "30"}), Reply(body={"ok": 1})]
    limiter = RateLimiter(clock=clock, sleep=sleep)
    client = ApiClient(stub.base_url, session, tokens, rate_limiter=limiter, clock=clock,
                       sleep=sleep, stop_requested=lambda: bool(stop))  # fmt: skip
    with pytest.raises(RunStopped):
        client.get("/alerts")
    assert len(stub.seen) == 1 and stop and stop[0] > 25


def test_post_pages_send_the_same_body_with_every_page(stub, session, tokens, clock):
    """The endpoint results' POST .../filter lists: the next link's request keeps the body."""
    nxt = f"{stub.base_url}/endpoint/test-results/scheduled-tests/7/network/filter?cursor=c2"
    stub.replies = [Reply(status=503), Reply(body=page([1], nxt)), Reply(body=page([2]))]
    client = make_client(stub, session, tokens, clock)
    body = {"searchFilters": {"agentId": ["a-1"]}}
    path = "/endpoint/test-results/scheduled-tests/7/network/filter"
    pages = list(client.post_pages(path, body, {"window": "1h"}, aid="5", items_key="results"))
    assert [p.items for p in pages] == [[1], [2]]
    assert [s.method for s in stub.seen] == ["POST"] * 3  # a filter runs nothing: 503 retried
    assert stub.seen[2].path.endswith("/network/filter?cursor=c2&aid=5")
    assert {s.body for s in stub.seen} == {b'{"searchFilters":{"agentId":["a-1"]}}'}
    assert all(s.headers["Content-Type"] == "application/json" for s in stub.seen)
