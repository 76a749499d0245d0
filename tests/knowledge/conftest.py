import pytest

from tests.knowledge import corpus
from tests.knowledge.knowledge import Knowledge


@pytest.fixture(scope="session")
def collected():
    """Real events and splunkd.log summary lines (about 10 s: the collectors against the
    simulator, once per session)."""
    return corpus.collect_events()


@pytest.fixture(scope="session")
def knowledge(collected):
    events, splunkd_lines = collected
    return Knowledge.load(events, splunkd_lines)
