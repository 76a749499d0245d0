"""Issue 23 point 1: a log out from the setup page and an input's refresh race in two processes.

The log out runs in the stand-in's persistent REST handler, the refresh in a separate process
shaped like a modular input; each finds the connection's lock where splunkd's processes
find it ($SPLUNK_HOME/var/run/splunk/TA-thousandeyes/locks), nothing passed in by the test.
The token answer is slowed (after the server has rotated) so the log out arrives while the
refresh holds the lock. It must wait for the refresh, then revoke and delete what the refresh
wrote: if the two sides locked different directories, the refresh would write the rotated
tokens back after the log out deleted them.
"""

import json
import os
import subprocess
import sys
import time

from ta_thousandeyes import connections

from tests.simulators.faketime import on_sim_clock

from .conftest import ROOT
from .test_access import BASE, web_session
from .test_damaged_credentials import _connect_device, _no_ambient_ca_bundle, _stored  # noqa: F401

TOKEN_ANSWER_DELAY = 4.0  # seconds the refresh holds the lock after the server rotated


def _refresh_in_an_input_process(splunk, sim, out):
    env = on_sim_clock(os.environ, sim.clock.offset_file)
    env.update(
        SPLUNK_HOME=splunk.home, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "lib"), ROOT])
    )
    args = [
        sys.executable, "-m", "tests.acceptance.setup_page.refresh_worker",
        splunk.splunkd_uri, splunk.login("admin", "changeme"), splunk.ca_bundle_path,
        "prod", out,
    ]  # fmt: skip
    return subprocess.Popen(args, cwd=ROOT, env=env)


def test_log_out_waits_for_a_running_refresh_and_forgets_its_tokens(splunk, sim, service, tmp_path):
    _connect_device(service, sim, "prod")
    slow = sim.faults.add(
        "slow", path=r"/oauth2/token$", method="POST", count=1, delay=TOKEN_ANSWER_DELAY
    )
    out = str(tmp_path / "refresh.json")
    worker = _refresh_in_an_input_process(splunk, sim, out)
    deadline = time.monotonic() + 60
    while slow.hits == 0:  # the server has the refresh (and rotates); its answer is delayed
        assert worker.poll() is None and time.monotonic() < deadline, "the refresh never started"
        time.sleep(0.05)

    session, headers = web_session(splunk, "admin")
    started = time.monotonic()
    logout = session.post(
        splunk.web_url + BASE + "connections/prod/logout?output_mode=json", headers=headers, data={}
    )
    waited = time.monotonic() - started
    assert logout.status_code == 200, logout.text
    open(out + ".go", "w").close()
    assert worker.wait(timeout=60) == 0
    result = json.loads(open(out).read())

    # The refresh finished first (the log out waited for the lock), and what it wrote is gone.
    assert result["refreshed"] is True, result
    assert waited > TOKEN_ANSWER_DELAY / 2, waited
    assert _stored(service, "prod") == []
    assert connections.get_connection(service, "prod").state == connections.DISCONNECTED
    assert logout.json()["revoked"] is True
    # The rotated tokens were revoked too: the input's next call is refused, and it is told to
    # reconnect rather than given back the tokens the log out deleted.
    assert result["after_refresh"] == 401, result
    assert result["error"] == "ReauthorizationRequired", result
