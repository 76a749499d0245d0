"""Make the simulator fixtures available to every test in this folder."""

from tests.simulators.thousandeyes.fixtures import te_sim, te_sim_https  # noqa: F401
