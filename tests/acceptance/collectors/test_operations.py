"""What an admin meets: validation through data/inputs, checkpoints (KV store, file fallback,
removal with the input), the run summary line, and no secret anywhere on disk."""

import os
import re
from collections import Counter

import pytest
from splunklib.binding import HTTPError
from ta_thousandeyes.checkpoints import key_parts

from tests.acceptance.wiring import secrets_sent_outside_regions

from .conftest import APP
from .helpers import (
    create_input,
    events,
    file_checkpoints,
    grep_secrets,
    kv_checkpoints,
    run_ok,
    summary_lines,
)

RESULTS = "thousandeyes_test_results"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"connection": "nope"}, "Unknown connection 'nope'"),
        ({"account_groups": "2001,Nowhere"}, "Unknown account group(s) 'Nowhere'"),
        ({"interval": "30"}, "Interval must be at least 60 seconds"),
        ({"start_from": "yesterday"}, "Start from must be a number of seconds or a duration"),
    ],
)
def test_validation_refuses_with_a_readable_message(service, connected, runner, params, message):
    with pytest.raises(HTTPError) as refusal:
        create_input(service, RESULTS, "bad", **params)
    assert refusal.value.status == 400
    assert message in str(refusal.value)
    assert "bad" not in [entity.name for entity in service.inputs.list(RESULTS)]


def test_file_checkpoints_when_the_kv_store_is_off(service, connected, runner, sim, splunk):
    splunk.set_kvstore_enabled(False)
    stanza = create_input(service, RESULTS, "files", account_groups="2001",
                          test_ids="10003,10012", start_from="30m")  # fmt: skip
    first = run_ok(runner, stanza)
    assert 'checkpoint_backend="file"' in summary_lines(first)[0]
    states = file_checkpoints(runner.checkpoint_dir(RESULTS))
    assert len(states) == 4  # http-server, network, path-vis of 10003; rtp-server of 10012
    sim.clock.advance(600)
    run_ok(runner, stanza)
    identities = Counter(
        (e["json"]["testId"], e["json"]["dataType"], e["_time"], e["_raw"]) for e in events(runner)
    )
    assert identities and max(identities.values()) == 1


def _index_of(key):
    """The index setting in a checkpoint key's owner (scheme|connection|index)."""
    return key_parts(key)[0].split("|")[2]


def test_deleting_an_input_removes_its_checkpoints(service, connected, runner, sim):
    kept = create_input(service, "thousandeyes_alerts", "kept", start_from="4h")
    gone = create_input(service, "thousandeyes_alerts", "gone", start_from="4h", index="te_gone")
    run_ok(runner, kept)
    run_ok(runner, gone)
    before = kv_checkpoints(service)
    owners = Counter(_index_of(key) for key in before)
    assert owners["default"] == owners["te_gone"] == 6  # three groups, two states each
    service.inputs["gone", "thousandeyes_alerts"].delete()
    sim.clock.advance(300)
    result = run_ok(runner, kept)
    # Its six streams and its anchor (where its streams start, see modinputs/start_anchor.py).
    assert any("removed 7 checkpoints of deleted inputs" in line for line in result.stderr_lines)
    after = kv_checkpoints(service)
    assert {_index_of(key) for key in after} == {"default"}


def test_renamed_input_resumes_where_the_old_name_stopped(service, connected, runner, sim):
    old = create_input(service, RESULTS, "old", account_groups="2001", test_ids="10001")
    run_ok(runner, old)
    service.inputs["old", RESULTS].delete()
    new = create_input(service, RESULTS, "new", account_groups="2001", test_ids="10001")
    sim.clock.advance(300)
    run_ok(runner, new)
    identities = Counter((e["json"]["dataType"], e["_raw"]) for e in events(runner))
    assert identities and max(identities.values()) == 1
    assert {e["stanza"] for e in events(runner)} == {old, new}


def test_one_summary_line_per_run_and_no_secret_anywhere(service, connected, runner, sim, splunk):
    stanzas = [
        create_input(service, RESULTS, "results", account_groups="2001", test_ids="10001"),
        create_input(service, "thousandeyes_alerts", "alerts"),
        create_input(service, "thousandeyes_inventory", "inventory", account_groups="2001"),
    ]
    for stanza in stanzas:
        run_ok(runner, stanza)
    sim.clock.advance(700)  # past the access token's lifetime: the next runs refresh it
    for stanza in stanzas:
        run_ok(runner, stanza)
    log = splunk.splunkd_log()
    for stanza in stanzas:
        lines = [line for line in log.splitlines() if f'run summary input="{stanza}"' in line]
        assert len(lines) == 2
        for field in ("status", "events", "records", "pages", "api_calls", "rate_limit_remaining",
                      "duration", "checkpoint"):  # fmt: skip
            assert re.search(rf' {field}="[^"]*"', lines[-1]), (field, lines[-1])
        assert 'status="ok"' in lines[-1]
    refreshes = [r for r in sim.request_log if r.path.endswith("/oauth2/token")]
    assert refreshes, "the runs never refreshed the access token"
    secrets = sim.issued_secrets()
    assert len(secrets) >= 3
    app_local = os.path.join(splunk.app_dir(APP), "local")
    places = [
        splunk.logs_dir,
        runner.index_store.directory,
        os.path.join(splunk.home, "var", "kvstore"),
        app_local,
    ]
    assert all(os.path.exists(place) for place in places), places
    assert grep_secrets(secrets, places) == []
    assert secrets_sent_outside_regions(sim, service) == []
    probe = os.path.join(splunk.home, "probe.txt")  # the search itself finds a planted secret
    with open(probe, "w") as handle:
        handle.write("x" + sorted(secrets)[0] + "x")
    assert grep_secrets(secrets, [probe])
