"""A token refresh whose answer is lost after the server acted, through real processes.

Two ways to lose it, under each refresh rotation mode of the simulator: the connection is cut
mid-answer (fault ``drop``), or the process is killed (SIGKILL) while the answer is delayed
(fault ``slow``, which waits after the server rotated). Where the server accepts the same
refresh token again (grace period, no rotation), the add-on asks again at once and carries
on; under strict rotation nothing can recover the lost tokens, and the connection says so.
"""

import json
import os
import signal
import time
from types import SimpleNamespace

import pytest
from ta_thousandeyes import assembly, connections, credential_store, tokens
from ta_thousandeyes.rest import connections as rest_connections
from ta_thousandeyes.rest.base import Request

from tests.simulators.faketime import LIBFAKETIME as FAKETIME

from .test_flows_against_simulator import REFRESH, _connect_device
from .test_token_lifecycle_processes import _spawn, _token_calls

pytestmark = pytest.mark.skipif(not os.path.exists(FAKETIME), reason="libfaketime not installed")
TOKEN_PATH = r"/oauth2/token$"


def _stored(service):
    return credential_store.CredentialStore(service).read(credential_store.connection_key("prod"))


def _run_worker(splunk, sim, lock_dir, out, seconds=4):
    proc = _spawn(splunk, sim, lock_dir, sim.clock.now() + seconds, out)
    assert proc.wait(timeout=120) == 0
    with open(out) as handle:
        return json.load(handle)


def _lost_answer_reason(sent_at):
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(sent_at))
    return (
        f"the answer to the token refresh at {when} was lost and the authorization server "
        "does not accept a refresh token twice"
    )


def _setup_page_status(service):
    """The connection as the setup page's status table gets it (GET connections)."""
    context = SimpleNamespace(service=service)
    answer = rest_connections.list_connections(context, Request({"rest_path": "connections"}))
    (item,) = json.loads(answer["payload"])["connections"]
    return item


CHILD_CLOCK_SKEW = 0.5  # seconds: whole-second offset file, rounded


def _assert_recovered(service, sim, lock_dir, result):
    assert result["errors"] == [] and result["calls"] > 0  # data flowed
    assert all(call.status == 200 for call in _token_calls(sim))  # no invalid_grant
    assert connections.get_connection(service, "prod").state == "connected"
    assert tokens.REFRESH_SENT_AT not in _stored(service)
    # what is stored still refreshes, long after any grace period
    sim.clock.advance(600)
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    conn.token_source.access_token()
    assert _token_calls(sim)[-1].status == 200


def _assert_reason_exact(splunk, service, sim, result):
    """The caller checked that no marker was stored before the refreshing process ran, so
    the one stored now is that process's."""
    sent_at = _stored(service)[tokens.REFRESH_SENT_AT]
    refresh_seen_at = _token_calls(sim)[0].time
    # Marked before it was sent. The child's clock is the offset file's, which holds the
    # simulator's offset rounded to whole seconds (SimClock._write_offset_file), so it may run
    # up to half a second ahead of the simulator's own clock.
    assert refresh_seen_at - 5 <= sent_at <= refresh_seen_at + CHILD_CLOCK_SKEW
    reason = _lost_answer_reason(sent_at)
    config = connections.get_connection(service, "prod")
    assert config.state == "needs_reauthorization"
    assert reason in config.error and config.error.endswith("(Reconnect on the setup page)")
    assert [reason in error for error in result["errors"]] == [True]
    status = _setup_page_status(service)
    assert status["state"] == "needs_reauthorization" and status["error"] == config.error


@pytest.mark.parametrize("sim", REFRESH, indirect=True)
def test_dropped_token_answer(splunk, sim, service, lock_dir, tmp_path):
    _connect_device(service, sim, lock_dir)
    sim.clock.advance(600)  # the worker's first call refreshes
    sim.clear_request_log()
    sim.faults.add("drop", path=TOKEN_PATH, count=1)  # after the server acted
    assert tokens.REFRESH_SENT_AT not in _stored(service)
    result = _run_worker(splunk, sim, lock_dir, str(tmp_path / "w.json"))
    refreshes = _token_calls(sim)
    assert refreshes[-1].time - refreshes[0].time < 5  # asked again at once
    if sim.ctx.store.refresh_rotation == "strict":
        assert [call.status for call in refreshes] == [200, 400]
        _assert_reason_exact(splunk, service, sim, result)
        return
    assert len(refreshes) == 2
    _assert_recovered(service, sim, lock_dir, result)


@pytest.mark.parametrize("sim", REFRESH, indirect=True)
def test_killed_while_waiting_for_the_token_answer(splunk, sim, service, lock_dir, tmp_path):
    _connect_device(service, sim, lock_dir)
    sim.clear_request_log()
    sim.faults.add("slow", path=TOKEN_PATH, delay=10.0, count=1)  # rotated, then waits
    assert tokens.REFRESH_SENT_AT not in _stored(service)
    # A forced refresh (as after a 401): the stored access token stays valid for minutes, so
    # only the marker makes the next process ask again within a grace period.
    victim = _spawn(
        splunk, sim, lock_dir, sim.clock.now() + 60, str(tmp_path / "victim.json"), "refresh"
    )
    deadline = time.monotonic() + 60
    while not _token_calls(sim):
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert _stored(service)[tokens.REFRESH_SENT_AT]  # left behind by the killed process
    result = _run_worker(splunk, sim, lock_dir, str(tmp_path / "next.json"))
    if sim.ctx.store.refresh_rotation == "strict":
        assert [call.status for call in _token_calls(sim)] == [200, 400]
        _assert_reason_exact(splunk, service, sim, result)
        return
    refreshes = _token_calls(sim)
    assert len(refreshes) == 2 and refreshes[1].time - refreshes[0].time < 10  # at once
    _assert_recovered(service, sim, lock_dir, result)
