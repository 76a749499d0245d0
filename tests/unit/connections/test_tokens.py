"""TokenManager: refresh ahead of expiry, once on 401, rotation-safe across threads/processes."""

import json
import os
import subprocess
import sys
import threading

import pytest
from ta_thousandeyes import assembly, connections, credential_store, locks, settings, tokens
from ta_thousandeyes import authorization as flows
from ta_thousandeyes.modinputs import token_refresh

from tests.progress_clock import advance_with_progress

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _connect(service, te, lock_dir, name="prod"):
    connections.create_connection(service, name, "global", "device_code", ["offline_access"])
    public = flows.start_device_authorization(service, name, te.clock, lock_dir)
    te.approve_device(public["user_code"])
    te.clock.advance(5)
    assert (
        flows.poll_device_authorization(service, name, te.clock, lock_dir)["status"] == "connected"
    )
    return assembly.open_connection(service, name, te.clock, lock_dir)


def _refreshes(te):
    return te.count("token", grant_type="refresh_token")


def test_cached_token_until_margin_then_one_refresh(wired):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    first = conn.token_source.access_token()
    assert conn.token_source.access_token() == first and _refreshes(te) == 0
    margin = settings.Settings().refresh_margin_seconds
    te.clock.advance(600 - margin - 60)  # well before the margin: the cached token
    assert conn.token_source.access_token() == first and _refreshes(te) == 0
    te.clock.advance(60 + 1)  # inside the refresh margin, token still valid
    second = conn.token_source.access_token()
    assert second != first and _refreshes(te) == 1
    assert conn.token_source.access_token() == second and _refreshes(te) == 1
    config = connections.get_connection(service, "prod")
    assert config.state == "connected" and config.token_expiry == te.clock() + 600
    stored = credential_store.CredentialStore(service).read("connection:prod")
    assert stored["access_token"] == second  # persisted (with the rotated refresh token)


def test_short_lifetime_refreshes_at_half_life_not_every_call(wired):
    service, te, lock_dir = wired
    te.lifetime = 20  # shorter than twice the 15 s margin: refresh at half-life (10 s)
    conn = _connect(service, te, lock_dir)
    conn.token_source.access_token()
    te.clock.advance(8)
    conn.token_source.access_token()
    assert _refreshes(te) == 0
    te.clock.advance(3)
    conn.token_source.access_token()
    assert _refreshes(te) == 1


def test_401_refreshes_once_and_other_instance_reuses(wired):
    service, te, lock_dir = wired
    a = _connect(service, te, lock_dir)
    b = assembly.open_connection(service, "prod", te.clock, lock_dir)
    token = a.token_source.access_token()
    assert b.token_source.access_token() == token
    new = a.token_source.refresh_after_unauthorized(token)
    assert new != token and _refreshes(te) == 1
    # b saw the same 401 with the same token: it gets a's new token, no second refresh
    assert b.token_source.refresh_after_unauthorized(token) == new
    assert _refreshes(te) == 1


def test_invalid_grant_rereads_then_needs_reauthorization(wired):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    te.sim.revoke_all_tokens_of(te.email)  # the server no longer honours the refresh token
    te.clock.advance(600)
    with pytest.raises(tokens.ReauthorizationRequired, match="needs re-authorization"):
        conn.token_source.access_token()
    config = connections.get_connection(service, "prod")
    assert config.state == "needs_reauthorization"
    assert "invalid" in config.error
    with pytest.raises(tokens.ReauthorizationRequired):
        assembly.open_connection(service, "prod", te.clock, lock_dir)


def test_rotation_elsewhere_is_refreshed_from_not_overwritten(wired, monkeypatch):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    store = credential_store.CredentialStore(service)
    stale = store.read("connection:prod")
    other = assembly.open_connection(service, "prod", te.clock, lock_dir)
    te.clock.advance(600)
    fresh = other.token_source.access_token()  # rotates the refresh token
    # our process read the record before the rotation (no lock held between hosts)
    original_read = store.read
    reads = []

    def read_stale_once(key):
        reads.append(key)
        return stale if len(reads) == 1 else original_read(key)

    monkeypatch.setattr(
        credential_store.CredentialStore, "read", lambda self, key: read_stale_once(key)
    )
    # the in-flight marker is written on what the store holds now: their refresh token
    renewed = conn.token_source.refresh_after_unauthorized(stale["access_token"])
    assert renewed not in (stale["access_token"], fresh)
    assert connections.get_connection(service, "prod").state == "connected"
    assert other.token_source.refresh_after_unauthorized(renewed) != renewed  # still chained


def test_transient_failure_keeps_valid_token_then_errors(wired):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    token = conn.token_source.access_token()
    te.go_down()  # the server goes away, and with it the connection kept alive
    te.clock.advance(595)  # inside the margin: refresh fails, old token still valid
    assert conn.token_source.access_token() == token
    te.clock.advance(10)  # now expired
    with pytest.raises(tokens.TokenUnavailable, match="failed"):
        conn.token_source.access_token()
    assert connections.get_connection(service, "prod").state == "error"


def test_logged_out_while_running(wired):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    flows.logout(service, "prod", lock_dir)
    te.clock.advance(600)
    with pytest.raises(tokens.ReauthorizationRequired, match="logged out"):
        conn.token_source.access_token()
    assert connections.get_connection(service, "prod").state == "disconnected"


def test_api_token_401_needs_reauthorization(wired):
    service, te, lock_dir = wired
    connections.create_connection(service, "api", "global", "api_token")
    flows.connect_api_token(service, "api", te.api_token, te.clock, lock_dir)
    conn = assembly.open_connection(service, "api", te.clock, lock_dir)
    with pytest.raises(tokens.ReauthorizationRequired, match="API token"):
        conn.token_source.refresh_after_unauthorized(te.api_token)
    assert connections.get_connection(service, "api").state == "needs_reauthorization"


def test_keep_alive_refreshes_only_idle_connections(wired):
    service, te, lock_dir = wired
    _connect(service, te, lock_dir)
    assert token_refresh.keep_alive(service, "prod", te.clock, lock_dir) == "fresh"
    te.clock.advance(3601)
    assert token_refresh.keep_alive(service, "prod", te.clock, lock_dir) == "refreshed"
    assert _refreshes(te) == 1
    assert token_refresh.keep_alive(service, "prod", te.clock, lock_dir) == "fresh"
    flows.logout(service, "prod", lock_dir)
    assert token_refresh.keep_alive(service, "prod", te.clock, lock_dir) == "skipped"


def test_tokens_go_only_to_region_hosts(wired):
    import requests
    from ta_thousandeyes.http import UnsafeDestinationError

    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    with pytest.raises(UnsafeDestinationError):
        conn.session.get("https://localhost:1/v7/x", headers={"Authorization": "Bearer t"})
    with pytest.raises(requests.RequestException):  # no credentials: allowed to try
        conn.session.get("https://127.0.0.1:1/nothing")


def test_threads_share_one_refresh(wired):
    service, te, lock_dir = wired
    _connect(service, te, lock_dir)
    te.clock.advance(600)
    results, errors = [], []

    def work():
        try:
            conn = assembly.open_connection(service, "prod", te.clock, lock_dir)
            results.append(conn.token_source.access_token())
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(results)) == 1 and _refreshes(te) == 1


def test_lock_times_out_and_is_released_by_a_dead_holder(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; sys.path[:0]=['lib']; from ta_thousandeyes import locks;"
            "l=locks.ConnectionLock('x', directory=sys.argv[1]); l.acquire();"
            "print('held', flush=True);"
            "time.sleep(60)",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(locks.LockTimeout):
            locks.ConnectionLock("x", directory=str(tmp_path), timeout=0.2).acquire()
        holder.kill()
        holder.wait()
        with locks.ConnectionLock("x", directory=str(tmp_path), timeout=5):
            pass
    finally:
        holder.kill()


@pytest.mark.slow
def test_twenty_processes_across_several_lifetimes(wired, splunk_standin, tmp_path):
    service, te, lock_dir = wired
    te.lifetime = 30
    _connect(service, te, lock_dir)
    start_refreshes = _refreshes(te)
    until = te.clock() + 30 * 4 + 5
    # The children import exactly what this process imports (the built lib/ in bare runs).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT] + sys.path))
    outs = [str(tmp_path / f"out{i}.json") for i in range(20)]
    service_file = splunk_standin.write_service_file()  # its splunkd, over real HTTPS
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.unit.connections.token_worker",
                service_file,
                te.clock.time_file,
                lock_dir,
                "prod",
                str(until),
                out,
            ],
            cwd=ROOT,
            env=env,
        )
        for out in outs
    ]
    try:
        advance_with_progress(lambda: te.clock.advance(1.5), procs, outs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = [json.load(open(out)) for out in outs]
    assert all(not r["errors"] for r in results), [r["errors"] for r in results]
    assert sum(r["calls"] for r in results) > 100
    assert te.count("token") - te.count("token", grant_type="refresh_token") == 1
    refresh_requests = te.requests("token", grant_type="refresh_token")
    assert set(te.statuses("token")) == {200}  # not one invalid_grant
    # one refresh per token lifetime (30 s lifetime, refreshed at half-life: 15 s)
    refreshes = _refreshes(te) - start_refreshes
    assert 4 <= refreshes <= (30 * 4 + 5) / 15 + 2, refreshes
    used = te.spent_refresh_tokens()
    # every refresh used a distinct refresh token that was still valid: zero invalid_grant
    assert len(used) == len(refresh_requests) == len({f["refresh_token"] for f in refresh_requests})
    # a process starved of CPU may present a token after it expired: the 401 path recovers
    assert sum(r["unauthorized"] for r in results) <= len(results)
    assert connections.get_connection(service, "prod").state == "connected"


def test_a_refresh_through_oauth2session_logs_no_secret(wired, caplog):
    """requests-oauthlib logs request bodies and token answers at DEBUG on its own logger,
    outside the redacting handler; with the root at DEBUG, none of that reaches a record."""
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    old = credential_store.CredentialStore(service).read("connection:prod")["refresh_token"]
    with caplog.at_level("DEBUG"):
        new = conn.token_source.refresh_after_unauthorized(conn.token_source.access_token())
    stored = credential_store.CredentialStore(service).read("connection:prod")
    assert new == stored["access_token"] and stored["refresh_token"] != old
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (old, new, stored["refresh_token"]):
        assert secret not in logged
