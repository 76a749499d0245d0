from tests.simulators.splunk.fixtures import splunk_emulator  # noqa: F401
