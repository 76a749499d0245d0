"""The alert action fired through the Splunk stand-in as splunkd fires it (JSON payload on
stdin with --execute, gzipped CSV results), against the simulator: instant tests run only
for allowed targets, their results are indexed with the alert's sid and the triggering
result's fields, and no secret reaches a log or an event."""

import os
import threading

from ta_thousandeyes import authorization as flows
from ta_thousandeyes import connections, splunk_service

from tests.acceptance.wiring import secrets_sent_outside_regions
from tests.simulators.splunk.alert_actions import AlertActionRunner
from tests.simulators.thousandeyes.rounds import PUBLISH_DELAY

from .conftest import APP, SCOPES, SERVER_HOST, lock_dir_of, python_for
from .helpers import events, grep_secrets

ACTION = "thousandeyes_instant_test"


def connect(service, sim, splunk, scopes, name="prod"):
    lock_dir = lock_dir_of(splunk)
    connections.create_connection(service, name, "global", "device_code", scopes)
    public = flows.start_device_authorization(service, name, sim.clock.now, lock_dir)
    sim.approve_device_via_pages(public["user_code"], region="global")
    sim.clock.advance(public["interval"])
    assert flows.poll_device_authorization(service, name, sim.clock.now, lock_dir)["status"]


def action_runner(splunk, version="3.13"):
    return AlertActionRunner(
        splunk.home, splunk.app_dir(APP), APP, splunk.splunkd_uri,
        python=[python_for(version), "-I"], extra_env=splunk.extra_env, server_host=SERVER_HOST,
    )  # fmt: skip


def enable(service, allowed="*.example.com, shop.example.org, 10.0.0.0/8", cap="5"):
    splunk_service.write_stanza(
        service, "ta_thousandeyes_settings", "instant_tests",
        {"enabled": "1", "allowed_targets": allowed, "max_targets_per_firing": cap},
    )  # fmt: skip


def agents_of(sim, count=2):
    return [a.agent_id for a in sim.world.agents_in("2001")][:count]


def fire_while_clock_moves(sim, runner, session_key, results, params):
    """Fire the action; meanwhile move the simulator's clock past the round's publication,
    so the action's first polls find no results and a later one finds them."""
    done = threading.Event()

    def advance():
        for _ in range(PUBLISH_DELAY + 5):
            if done.wait(0.25):
                return
            sim.clock.advance(1)

    mover = threading.Thread(target=advance, daemon=True)
    mover.start()
    try:
        return runner.fire(ACTION, "Slow checkout", results, params, session_key=session_key)
    finally:
        done.set()
        mover.join()


def test_alert_runs_instant_tests_and_results_join_the_alert(sim, splunk, service):
    connect(service, sim, splunk, SCOPES + ["tests:manage"])
    enable(service)
    agents = agents_of(sim)
    runner = action_runner(splunk)
    results = [
        {"host": "www.example.com", "status": "503", "count": "7"},
        {"host": "evil.example.net", "status": "500", "count": "2"},  # not allowed
        {"host": "www.example.com", "status": "502", "count": "1"},  # same target: once
        {"host": "10.1.2.3:8443", "status": "504", "count": "3"},
        {"host": "www.example.com; rm -rf /", "status": "500", "count": "1"},  # malformed
    ]
    params = {"connection": "prod", "account_group": "2001", "test_type": "agent-to-server",
              "target_field": "host", "agents": ",".join(agents), "poll_interval": "1"}  # fmt: skip
    session_key = splunk.login("admin", "changeme")
    run = fire_while_clock_moves(sim, runner, session_key, results, params)
    assert run.exit_code == 3, run.stderr_lines  # done, with refused targets
    assert not run.timed_out
    refused = [line for line in run.stderr_lines if "refused" in line]
    assert len(refused) == 2 and all(line.startswith("WARNING") for line in refused)
    assert any("evil.example.net is not in" in line for line in refused)
    posts = [r for r in sim.request_log if r.method == "POST" and r.path.endswith("/instant")]
    assert len(posts) == 2  # www.example.com and 10.1.2.3:8443, never the refused ones
    created = sorted(sim.world.instant_tests.values(), key=lambda t: t.target)
    assert [t.target for t in created] == ["10.1.2.3:8443", "www.example.com"]
    assert all(t.agent_ids == agents and t.aid == "2001" for t in created)
    polls = [r for r in sim.request_log if r.method == "GET" and "/test-results/9" in r.path]
    assert len(polls) > 4, "results were read once per link, not polled"  # 2 tests x 2 links
    found = events(runner_index(splunk), index="main")
    network = [e for e in found if e["sourcetype"] == "cisco:thousandeyes:instant:network"]
    pathvis = [e for e in found if e["sourcetype"] == "cisco:thousandeyes:instant:path-vis"]
    assert len(network) == len(pathvis) == 2 * len(agents)
    for event in network + pathvis:
        alert = event["json"]["splunkAlert"]
        assert alert["sid"] == run.sid and alert["search_name"] == "Slow checkout"
        test = event["json"]["instantTest"]
        assert alert["result"]["host"] == test["target"]
        assert event["_time"] == event["json"]["roundId"]  # props.conf read the round
        assert event["source"] == "thousandeyes:instant_test"
    by_target = {e["json"]["instantTest"]["target"]: e["json"] for e in network}
    assert by_target["www.example.com"]["splunkAlert"]["result"]["status"] == "503"  # first
    assert {e["json"]["agent"]["agentId"] for e in network} == set(agents)
    log = splunk.splunkd_log()
    assert f"action={ACTION} - Alert action script completed" in log
    assert "exit code=3" in log
    # Nothing secret in splunkd.log, the index, the KV store or local/ confs; the session
    # key splunkd handed over is in the payload only.
    secrets = sim.issued_secrets() | {session_key}
    places = [splunk.logs_dir, os.path.join(splunk.home, "var", "lib", "splunk", "indexes"),
              os.path.join(splunk.home, "var", "kvstore"),
              os.path.join(splunk.app_dir(APP), "local")]  # fmt: skip
    assert grep_secrets(secrets, places) == []
    assert secrets_sent_outside_regions(sim, service) == []


def test_refuses_without_scope_enablement_or_allow_list(sim, splunk, service):
    connect(service, sim, splunk, SCOPES)  # no tests:manage
    runner = action_runner(splunk, "3.9")
    params = {"connection": "prod", "test_type": "http-server", "target_field": "url",
              "agents": agents_of(sim, 1)[0]}  # fmt: skip
    results = [{"url": "https://shop.example.org/cart"}]
    key = splunk.login("admin", "changeme")
    disabled = runner.fire(ACTION, "a", results, params, session_key=key)
    assert disabled.exit_code == 2 and "not enabled" in " ".join(disabled.stderr_lines)
    enable(service)
    no_scope = runner.fire(ACTION, "a", results, params, session_key=key)
    assert no_scope.exit_code == 2
    assert "tests:manage" in " ".join(no_scope.stderr_lines)
    assert "connects it again" in " ".join(no_scope.stderr_lines)
    # what to do is the connection's checkbox on the setup page, not a conf edit
    assert '"Instant-test alert action (tests:manage)"' in " ".join(no_scope.stderr_lines)
    assert "ta_thousandeyes_settings.conf" not in " ".join(no_scope.stderr_lines)
    assert not [r for r in sim.request_log if r.path.endswith("/instant")]
    enable(service, allowed="")
    connections.delete_connection(service, "prod")
    connect(service, sim, splunk, SCOPES + ["tests:manage"])
    nothing_allowed = runner.fire(ACTION, "a", results, params, session_key=key)
    assert nothing_allowed.exit_code == 3
    assert not [r for r in sim.request_log if r.path.endswith("/instant")]


def runner_index(splunk):
    """The stand-in's index (receivers/simple and the modular inputs write the same one)."""

    class _Index:
        index_store = splunk.splunkd.receiver.store

    return _Index()
