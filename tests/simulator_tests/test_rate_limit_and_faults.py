"""Every programmable fault (the rate limits themselves: test_rate_limits.py)."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
import requests

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.faults import BAD_BYTES

from .helpers import api_get, device_login, refresh


def test_status_burst_then_recovery(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    te_sim.faults.add("status", path=r"^/v7/tests$", status=503, count=2)
    codes = [api_get(te_sim, token, "/tests").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert [r.status for r in te_sim.request_log if r.path == "/v7/tests"] == codes


def test_429_storm_with_retry_after(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    te_sim.faults.add("rate_limit", path="/alerts", count=3, retry_after=7)
    answer = api_get(te_sim, token, "/alerts")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert answer.headers["X-Organization-Rate-Limit-Remaining"] == "0"


def test_429_storm_without_retry_after_by_default(te_sim):
    """As the limit itself (developer.cisco.com/docs/thousandeyes/rate-limits): no Retry-After
    unless the fault names one; the reset is the organization's current window's."""
    token = te_sim.create_api_token("admin@example.com")
    first = api_get(te_sim, token, "/tests")
    te_sim.faults.add("rate_limit", path="/alerts", count=1)
    answer = api_get(te_sim, token, "/alerts")
    assert answer.status_code == 429 and "Retry-After" not in answer.headers
    reset = answer.headers["X-Organization-Rate-Limit-Reset"]
    assert reset == first.headers["X-Organization-Rate-Limit-Reset"]


def test_probability_is_seeded():
    def run() -> list:
        with ThousandEyesSimulator(seed=11, size="tiny") as sim:
            token = sim.create_api_token("admin@example.com")
            sim.faults.add("status", path="/tests", probability=0.5)
            return [api_get(sim, token, "/tests").status_code for _ in range(12)]

    first = run()
    assert first == run() and 200 in first and 503 in first


def test_drop_connection_mid_body(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    te_sim.faults.add("drop", path="/tests", count=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        api_get(te_sim, token, "/tests")
    assert api_get(te_sim, token, "/tests").status_code == 200


def test_truncated_json(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    te_sim.faults.add("truncate", path="/tests", count=1)
    answer = api_get(te_sim, token, "/tests")
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)


def test_revoke_token_early(te_sim):
    tokens = device_login(te_sim)
    te_sim.faults.add("revoke_token", path="/alerts", count=1)
    answer = api_get(te_sim, tokens["access_token"], "/alerts")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
    renewed = refresh(te_sim, tokens["refresh_token"])  # the refresh token still works
    assert renewed.status_code == 200


def test_clock_skew_and_slow(te_sim):
    te_sim.faults.add("clock_skew", path="/users/current", skew=-3600)
    te_sim.faults.add("slow", path="/users/current", delay=0.3, count=1)
    token = te_sim.create_api_token("admin@example.com")
    answer = api_get(te_sim, token, "/users/current")
    skewed = parsedate_to_datetime(answer.headers["Date"]).timestamp()
    assert abs(skewed - (te_sim.clock.now() - 3600)) < 5
    assert answer.elapsed.total_seconds() >= 0.3


def test_control_api_over_http(te_sim):
    control = te_sim.base_url("global") + "/_sim"
    info = requests.get(control + "/info", timeout=10).json()
    assert set(info["regions"]) == {"global", "us1", "us2", "eu"}
    before = te_sim.clock.now()
    moved = requests.post(control + "/clock/advance", json={"seconds": 120}, timeout=10).json()
    assert moved["now"] >= before + 120
    with open(te_sim.clock.offset_file, encoding="ascii") as fh:
        assert abs(float(fh.read()) - te_sim.clock.offset) <= 0.5
    requests.post(control + "/faults", json={"kind": "status", "path": "/agents", "count": 1},
                  timeout=10)  # fmt: skip
    token = requests.post(control + "/api-tokens", json={"email": "ops@example.com"},
                          timeout=10).json()["token"]  # fmt: skip
    assert api_get(te_sim, token, "/agents").status_code == 503
    assert token in requests.get(control + "/issued-secrets", timeout=10).json()
    log = requests.get(control + "/requests", timeout=10).json()
    assert log[-1]["path"] == "/v7/agents" and log[-1]["status"] == 503
    truth = requests.get(control + "/ground-truth", params={"kind": "tests", "aid": "2002"},
                         timeout=10).json()  # fmt: skip
    assert {t["testId"] for t in truth} == {t.test_id for t in te_sim.world.tests_in("2002")}
    assert urlsplit(info["regions"]["eu"]["api_base_url"]).hostname == "127.0.0.1"


@pytest.mark.parametrize(
    "bad, strict_json_refuses",
    [("control", True), ("latin1", True), ("noncharacter", False)],
)
def test_bad_record(te_sim, bad, strict_json_refuses):
    token = te_sim.create_api_token("admin@example.com")
    clean = api_get(te_sim, token, "/tests").content
    te_sim.faults.add("bad_record", path="/tests", count=1, bad=bad, record=-1)
    answer = api_get(te_sim, token, "/tests")
    assert answer.status_code == 200
    if strict_json_refuses:
        with pytest.raises(ValueError):
            json.loads(answer.content)
        lenient = json.loads(answer.content.decode("utf-8", "replace"), strict=False)
    else:
        lenient = json.loads(answer.content)
    expected = json.loads(clean)
    name = next(k for k, v in expected["tests"][-1].items() if isinstance(v, str))
    marker = {"control": "\x1b", "latin1": "\ufffd", "noncharacter": "\uffff"}[bad]
    expected["tests"][-1][name] = marker + expected["tests"][-1][name]
    assert lenient == expected  # only that string changed
    assert len(answer.content) == len(clean) + len(BAD_BYTES[bad])
    assert api_get(te_sim, token, "/tests").content == clean  # count=1: then clean again
