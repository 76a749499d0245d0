"""The setup page's flows and every input lock a connection in one directory.

A review found the flows locking under $SPLUNK_HOME/var/run/TA-thousandeyes/locks and the
inputs under $SPLUNK_HOME/var/run/splunk/TA-thousandeyes/locks: a log out then did not exclude
an input's refresh, which could write back the secrets log out had just deleted.
"""

import os

from ta_thousandeyes import locks
from ta_thousandeyes.modinputs.base import run_dir


def test_flows_and_inputs_share_one_lock_directory(tmp_path, monkeypatch):
    home = tmp_path / "splunk"
    home.mkdir()
    monkeypatch.setenv("SPLUNK_HOME", str(home))
    checkpoint_dir = str(home / "var" / "lib" / "splunk" / "modinputs" / "thousandeyes_alerts")
    inputs_locks = os.path.join(run_dir(checkpoint_dir), "locks")
    assert locks.lock_directory() == inputs_locks
    assert inputs_locks == str(home / "var" / "run" / "splunk" / "TA-thousandeyes" / "locks")


def test_one_lock_file_for_the_same_connection_from_both_sides(tmp_path, monkeypatch):
    home = tmp_path / "splunk"
    home.mkdir()
    monkeypatch.setenv("SPLUNK_HOME", str(home))
    checkpoint_dir = str(home / "var" / "lib" / "splunk" / "modinputs" / "thousandeyes_events")
    from_flow = locks.ConnectionLock("prod")
    from_input = locks.ConnectionLock(
        "prod", directory=os.path.join(run_dir(checkpoint_dir), "locks")
    )
    assert from_flow.path == from_input.path
