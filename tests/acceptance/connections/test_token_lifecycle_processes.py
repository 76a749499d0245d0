"""Real separate processes sharing one connection, on the simulator's clock (libfaketime)."""

import glob
import json
import logging
import os
import subprocess
import sys

import pytest
from ta_thousandeyes import assembly, connections, redaction, splunk_service, tokens
from ta_thousandeyes import authorization as flows

from tests import verification
from tests.acceptance.wiring import secrets_sent_outside_regions
from tests.progress_clock import advance_with_progress
from tests.simulators.faketime import LIBFAKETIME as FAKETIME
from tests.simulators.faketime import on_sim_clock

from .conftest import ROOT
from .test_flows_against_simulator import _connect_device

pytestmark = pytest.mark.skipif(not os.path.exists(FAKETIME), reason="libfaketime not installed")


def _env(sim):
    env = on_sim_clock(os.environ, sim.clock.offset_file)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"), ROOT])
    env.pop("REQUESTS_CA_BUNDLE", None)
    return env


def _spawn(splunk, sim, lock_dir, until, out, mode=""):
    args = [
        sys.executable, "-m", "tests.acceptance.connections.token_worker",
        splunk.splunkd_uri, splunk.login("admin", "changeme"), splunk.ca_bundle_path,
        lock_dir, "prod", str(until), out,
    ] + ([mode] if mode else [])  # fmt: skip
    return subprocess.Popen(args, cwd=ROOT, env=_env(sim))


def _token_calls(sim):
    return [r for r in sim.request_log if r.path.endswith("/oauth2/token")]


def _refresh_modes(*modes):
    return [pytest.param({"refresh_rotation": m}, id=f"refresh-{m}") for m in modes]


@pytest.mark.slow
@pytest.mark.parametrize("sim", _refresh_modes("strict", "grace", "omit"), indirect=True)
def test_twenty_processes_rotating_refresh_tokens(splunk, sim, service, lock_dir, tmp_path):
    sim.ctx.store.access_token_lifetime = 60  # short lifetimes: several in one test
    splunk_service.write_stanza(
        service, "ta_thousandeyes_settings", "oauth", {"refresh_margin_seconds": "10"}
    )
    _connect_device(service, sim, lock_dir)
    lifetime = connections.get_connection(service, "prod").token_expiry - sim.clock.now()
    sim.clear_request_log()
    lifetimes = 4
    until = sim.clock.now() + lifetime * lifetimes + 5
    outs = [str(tmp_path / f"w{i}.json") for i in range(20)]
    procs = [_spawn(splunk, sim, lock_dir, until, out) for out in outs]
    try:
        step = lifetime / 40.0  # 40 steps a lifetime, each after about half the workers called

        def advance():
            if sim.clock.now() < until + 1:
                sim.clock.advance(step)

        advance_with_progress(advance, procs, outs, calls_per_step=len(outs) // 2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = [json.load(open(out)) for out in outs]
    assert all(not r["errors"] for r in results), [r["errors"] for r in results]
    assert all(r["calls"] > 0 for r in results)
    token_calls = _token_calls(sim)
    assert all(r.status == 200 for r in token_calls), [
        r.status for r in token_calls
    ]  # no invalid_grant
    # one refresh per access-token lifetime, whatever the number of processes
    assert lifetimes <= len(token_calls) <= lifetimes + 1, len(token_calls)
    assert connections.get_connection(service, "prod").state == "connected"
    # no lost tokens: what is stored still refreshes
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    sim.clock.advance(lifetime)
    conn.token_source.access_token()
    assert _token_calls(sim)[-1].status == 200


@pytest.mark.parametrize("sim", _refresh_modes("strict", "grace", "reuse"), indirect=True)
def test_kill_after_server_rotated_is_never_silent(splunk, sim, service, lock_dir, tmp_path):
    _connect_device(service, sim, lock_dir)
    sim.clock.advance(600)  # the next use must refresh
    proc = _spawn(splunk, sim, lock_dir, sim.clock.now() + 30, str(tmp_path / "x.json"), "crash")
    assert proc.wait(timeout=60) == 9  # died between the server's rotation and our write
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    if sim.ctx.store.refresh_rotation == "strict":  # the old refresh token died on use
        with pytest.raises(tokens.ReauthorizationRequired) as raised:
            conn.token_source.access_token()
        assert "re-authorization" in str(raised.value)
        assert "the answer to the token refresh at" in str(raised.value)  # left a marker
        assert connections.get_connection(service, "prod").state == "needs_reauthorization"
        return
    # grace (retried within the period) or no rotation: the lost answer costs nothing
    token = conn.token_source.access_token()
    response = conn.session.get(
        conn.api_base_url + "/users/current", headers={"Authorization": "Bearer " + token}
    )
    assert response.status_code == 200
    assert connections.get_connection(service, "prod").state == "connected"


def test_no_issued_secret_leaks_anywhere(splunk, sim, service, lock_dir, caplog):
    caplog.set_level(logging.DEBUG)
    _connect_device(service, sim, lock_dir)
    conn = assembly.open_connection(service, "prod", sim.clock.now, lock_dir)
    sim.clock.advance(600)
    conn.token_source.access_token()
    connections.create_connection(service, "tok", "us2", "api_token")
    flows.connect_api_token(
        service, "tok", sim.create_api_token("admin@example.com"), sim.clock.now, lock_dir
    )
    connections.create_connection(service, "gone", "us1", "device_code")
    public = flows.start_device_authorization(service, "gone", sim.clock.now, lock_dir)
    sim.clock.advance(public["expires_in"] + 1)
    with pytest.raises(Exception) as raised:
        flows.poll_device_authorization(service, "gone", sim.clock.now, lock_dir)
    flows.logout(service, "prod", lock_dir)
    secrets = {s for s in sim.issued_secrets() if len(s) >= 8}
    assert secrets
    # Splunk sees log lines as the add-on's RedactingFormatter writes them (third-party debug
    # output such as splunklib's request bodies included); our own records must be clean raw.
    formatter = redaction.RedactingFormatter("%(name)s %(message)s")
    texts = {
        "log": "\n".join(formatter.format(record) for record in caplog.records),
        "own-log-raw": "\n".join(
            r.getMessage() for r in caplog.records if r.name.startswith("ta_thousandeyes")
        ),
        "exception": str(raised.value),
    }
    for pattern in ("var/log/**/*", "etc/apps/TA-thousandeyes/local/*", "var/lib/**/kvstore/**/*"):
        for path in glob.glob(os.path.join(splunk.home, pattern), recursive=True):
            if os.path.isfile(path):
                texts[path] = open(path, errors="replace").read()
    for conf in ("ta_thousandeyes_connections", "ta_thousandeyes_settings"):
        texts["rest:" + conf] = (
            service.get("configs/conf-" + conf, output_mode="json").body.read().decode()
        )
    hits = verification.scan_for_secrets([], secrets, texts, min_length=1).hits
    assert not hits
    assert redaction.redact(next(iter(secrets))) != next(iter(secrets))
    assert secrets_sent_outside_regions(sim, service) == []
