"""Make the simulator fixtures available to every test in this folder."""

import pytest

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.fixtures import te_sim, te_sim_https  # noqa: F401


@pytest.fixture(scope="module")
def small_sim():
    """A small world (every test type) with an API token of the demo admin, per module."""
    with ThousandEyesSimulator(seed=9, size="small") as running:
        running.token = running.create_api_token("admin@example.com")
        yield running
