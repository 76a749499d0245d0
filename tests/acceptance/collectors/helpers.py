"""Reading what the inputs left behind (index, checkpoints, logs) and comparing it with the
simulator's ground truth, through tests/verification.py (shared with the demo)."""

import json
import os
from collections import Counter

from ta_thousandeyes.checkpoints import checkpoint_key, owner_of
from ta_thousandeyes.modinputs import arguments

from tests import verification

from .conftest import SERVER_HOST

CONNECTION = "prod"


def create_input(service, scheme, name, **params):
    """data/inputs/<scheme> create, as Splunk Web's Data inputs page does."""
    params.setdefault("connection", CONNECTION)
    params.setdefault("interval", "300")
    service.inputs.create(name, scheme, **params)
    return f"{scheme}://{name}"


def run_ok(runner, stanza, **options):
    """One run of an input to completion; asserts it exited cleanly and logged no error."""
    result = runner.run_once(stanza, **options)
    assert result.exit_code == 0, result.stderr_lines
    errors = [line for line in result.stderr_lines if line.startswith("ERROR")]
    assert not errors, errors
    return result


def summary_lines(result):
    return [line for line in result.stderr_lines if "run summary" in line]


def events(runner, **filters):
    """Indexed events with their _raw parsed as JSON under "json"."""
    found = []
    for event in runner.index_store.search(**filters):
        event = dict(event)
        event["json"] = json.loads(event["_raw"])
        found.append(event)
    return found


def kv_checkpoints(service):
    """_key -> checkpoint state of every stream checkpoint in the checkpoint collection."""
    found = verification.stream_checkpoints(verification.kvstore_checkpoints(service))
    return {checkpoint.key: checkpoint.state for checkpoint in found}


def file_checkpoints(checkpoint_dir):
    folder = os.path.join(checkpoint_dir, "ta_thousandeyes")
    found = verification.stream_checkpoints(verification.file_checkpoints(folder))
    return {checkpoint.key: checkpoint.state for checkpoint in found}


def results_key(scheme, aid, test_id, data_type, input_index="default"):
    """The checkpoint key of one stream; input_index is the input's index setting."""
    return checkpoint_key(owner_of(scheme, CONNECTION, input_index), aid, test_id, data_type)


def result_identity(record, data_type):
    return (str(record["testId"]), data_type) + verification.result_identity(record)


def asked_start(sim, start_from, launched_at):
    """The start the admin asked for: start_from at the input's first run, which began after
    launched_at and before its first request (the simulator's log; the children's clock is
    the simulator's to the second, hence the second added)."""
    first = min(r.time for r in sim.request_log if r.time >= launched_at)
    return arguments.parse_start(start_from, first + 1)


def expected_results(sim, aid, test, data_type, state, asked=None):
    """Ground truth of one stream from where it should start to where its checkpoint says it
    is: [floor, start], the floor being the admin's start (asked) when the checkpoint's is
    later: a checkpoint that moved its own start must not hide what it skipped."""
    floor, position = state["floor"], state["start"]
    if asked is not None:
        floor = min(floor, asked)
    records = verification.results_truth(sim, aid, test.test_id, data_type, floor, position)
    return [dict(r, testId=test.test_id) for r in records]


def compare_results(sim, runner, states, scheme, aid, tests, index="main", asked=None):
    """Missing and duplicated results per (test, data type); returns (missing, dups, counts).
    index: where the events are; an input without an index setting writes to main; asked:
    the admin's start (see asked_start), for results from there on."""
    have = Counter()
    for event in events(runner, index=index):
        record = event["json"]
        if "dataType" in record:
            have[result_identity(record, record["dataType"])] += 1
    missing, covered = [], Counter()
    for test in tests:
        for data_type in test.result_kinds:
            owner_index = "default" if index == "main" else index
            state = states.get(results_key(scheme, aid, test.test_id, data_type, owner_index))
            assert state is not None, f"no checkpoint for {test.test_id} {data_type}"
            for record in expected_results(sim, aid, test, data_type, state, asked):
                identity = result_identity(record, data_type)
                covered[data_type] += 1
                if have[identity] == 0:
                    missing.append(identity)
    return missing, verification.duplicates(have), covered


def assert_event_metadata(event, sourcetype, source, index="main"):
    assert event["sourcetype"] == sourcetype
    assert event["source"] == source
    assert event["host"] == SERVER_HOST
    assert event["index"] == index


def grep_secrets(secrets, paths):
    """The secret scan's hits (file and secret number, never the secret) under paths."""
    return verification.scan_for_secrets(paths, secrets, min_length=1).hits
