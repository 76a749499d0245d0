"""End to end with part A's splunkd stand-in: data/inputs/<scheme> through splunklib, then a run."""

import pytest
from splunklib.binding import HTTPError

from tests.runner_tests.conftest import APP_NAME, splunk_python
from tests.simulators.splunk import (
    SplunkEmulator,  # noqa: F401 - fails loudly if missing
    modinput_log,
)


@pytest.fixture
def splunk(tmp_path, app_dir):
    emulator = SplunkEmulator(splunk_home=tmp_path / "splunk", apps={APP_NAME: str(app_dir)})
    with emulator:
        yield emulator


@pytest.fixture
def runner(splunk):
    return splunk.modular_inputs(APP_NAME, splunk_python("3.13"))


def test_create_through_splunklib_then_run(splunk, runner):
    service = splunk.service("admin")
    service.inputs.create("viarest", "tiny_input", events="3", index="te")
    listed = {entity.name: entity for entity in service.inputs.list("tiny_input")}
    assert listed["viarest"]["events"] == "3"
    result = runner.run_once("tiny_input://viarest")
    assert result.exit_code == 0 and result.events_written == 3
    assert runner.index_store.count(index="te", source="tiny_input://viarest") == 3
    assert "tiny_input stanza=tiny_input://viarest" in splunk.splunkd_log()
    assert modinput_log.read_entries(splunk.home, "ExecProcessor")


def test_validation_refusal_reaches_the_client(splunk, runner):
    service = splunk.service("admin")
    with pytest.raises(HTTPError) as refusal:
        service.inputs.create("bad", "tiny_input", events="1", prefix="forbidden")
    assert refusal.value.status == 400
    assert "prefix may not contain the word forbidden" in str(refusal.value)
