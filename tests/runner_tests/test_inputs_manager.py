"""data/inputs/<scheme> behind the splunkd stand-in: checks, external validation, local conf."""

import io

import pytest
from splunklib.modularinput.input_definition import InputDefinition
from splunklib.modularinput.validation_definition import ValidationDefinition

from tests.simulators.splunk import conffile
from tests.simulators.splunk.inputs_manager import InputsManager
from tests.simulators.splunk.modinput_config import input_definition_xml, validation_xml

APP = "tiny_app"


@pytest.fixture
def manager(app_dir, runner):
    return InputsManager(str(app_dir), APP, runner)


def local_inputs(app_dir):
    return conffile.read_file(str(app_dir / "local" / "inputs.conf"))


def test_create_writes_the_stanza_to_local_and_lists_it_with_defaults(app_dir, manager):
    manager.create("tiny_input", "first", {"events": "3", "prefix": "p:"}, APP)
    assert local_inputs(app_dir) == {"tiny_input://first": {"events": "3", "prefix": "p:"}}
    [(name, params)] = manager.list("tiny_input", APP)
    assert name == "first"
    assert params["events"] == "3"
    assert params["sourcetype"] == "tiny:event"  # from default/inputs.conf [tiny_input]
    assert params["index"] == "default"
    assert params["interval"] == "60"


def test_created_input_runs(app_dir, manager, runner):
    manager.create("tiny_input", "first", {"events": 2, "chunked": True}, APP)
    assert runner.run_once("tiny_input://first").events_written == 2


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, 'Missing required argument: "events"'),
        ({"events": ""}, 'Missing required argument: "events"'),
        ({"events": "abc"}, "is not a number"),
        ({"events": "1", "chunked": "perhaps"}, "is not a boolean"),
        ({"events": "1", "colour": "red"}, 'Argument "colour" is not supported by this handler.'),
        ({"events": "1", "interval": "sometimes"}, 'Invalid value for "interval"'),
        ({"events": "2.5"}, "events must be a whole number from 0 to 10000000"),
        (
            {"events": "1", "prefix": "a forbidden word"},
            "prefix may not contain the word forbidden",
        ),
    ],
)
def test_create_refusals(app_dir, manager, params, message):
    with pytest.raises(ValueError) as refusal:
        manager.create("tiny_input", "x", params, APP)
    assert message in str(refusal.value)
    assert not (app_dir / "local" / "inputs.conf").exists()


def test_script_message_is_the_whole_error(manager):
    with pytest.raises(ValueError) as refusal:
        manager.create("tiny_input", "x", {"events": "-4"}, APP)
    assert str(refusal.value) == "events must be a whole number from 0 to 10000000"


def test_create_twice_is_refused(manager):
    manager.create("tiny_input", "x", {"events": "1"}, APP)
    with pytest.raises(ValueError, match="already exists"):
        manager.create("tiny_input", "x", {"events": "1"}, APP)


def test_update_validates_the_merged_params(app_dir, manager):
    manager.create("tiny_input", "x", {"events": "1"}, APP)
    manager.update("tiny_input", "x", {"prefix": "new:"}, APP)  # events is not required on edit
    assert local_inputs(app_dir)["tiny_input://x"] == {"events": "1", "prefix": "new:"}
    with pytest.raises(ValueError, match="forbidden"):
        manager.update("tiny_input", "x", {"prefix": "forbidden"}, APP)
    assert local_inputs(app_dir)["tiny_input://x"]["prefix"] == "new:"
    with pytest.raises(KeyError):
        manager.update("tiny_input", "missing", {"events": "1"}, APP)


def test_disable_and_enable(app_dir, manager, runner):
    manager.create("tiny_input", "x", {"events": "1"}, APP)
    manager.set_disabled("tiny_input", "x", True, APP)
    assert dict(manager.list("tiny_input", APP))["x"]["disabled"] == "1"
    with pytest.raises(ValueError, match="disabled"):
        runner.run_once("tiny_input://x")
    manager.set_disabled("tiny_input", "x", False, APP)
    assert runner.run_once("tiny_input://x").events_written == 1


def test_delete_removes_the_stanza_and_keeps_checkpoints(app_dir, splunk_home, manager, runner):
    manager.create("tiny_input", "x", {"events": "1"}, APP)
    runner.run_once("tiny_input://x")
    manager.delete("tiny_input", "x", APP)
    assert manager.list("tiny_input", APP) == []
    assert "tiny_input://x" not in local_inputs(app_dir)
    assert (splunk_home / "var/lib/splunk/modinputs/tiny_input/tiny_input_x.json").exists()
    with pytest.raises(KeyError):
        manager.delete("tiny_input", "x", APP)


def test_delete_stops_a_running_input(manager, runner):
    """splunkd stops it as it stops any input: SIGTERM first (test_splunk_rules.py)."""
    manager.create("tiny_input", "x", {"events": "1000", "delay": "0.05"}, APP)
    future = runner.run_in_background("tiny_input://x")
    assert runner.wait_until_running("tiny_input://x")
    manager.delete("tiny_input", "x", APP)
    result = future.result(timeout=30)
    assert result.stopped and result.exit_code == -15


def test_unknown_scheme(manager):
    with pytest.raises(KeyError):
        manager.list("nosuch", APP)


def test_input_definition_xml_reads_back_through_splunklib():
    document = input_definition_xml(
        "host1",
        "https://127.0.0.1:8089",
        "key",
        "/cp",
        "app1",
        {"s://a": {"events": "1", "index": "default"}, "s://b": {"events": "2"}},
    )
    definition = InputDefinition.parse(io.BytesIO(document))
    assert definition.metadata == {
        "server_host": "host1",
        "server_uri": "https://127.0.0.1:8089",
        "session_key": "key",
        "checkpoint_dir": "/cp",
    }
    # splunklib turns the stanza's app attribute (splunkd 8+ sends it) into __app
    assert definition.inputs == {
        "s://a": {"__app": "app1", "events": "1", "index": "default"},
        "s://b": {"__app": "app1", "events": "2"},
    }


def test_validation_xml_reads_back_through_splunklib():
    document = validation_xml("host1", "https://x:8089", "key", "/cp", "inputname", {"events": "1"})
    definition = ValidationDefinition.parse(io.BytesIO(document))
    assert definition.metadata["name"] == "inputname"
    assert definition.metadata["session_key"] == "key"
    assert definition.parameters == {"events": "1"}
