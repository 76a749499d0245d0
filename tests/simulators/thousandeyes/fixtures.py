"""Pytest fixtures: ``from tests.simulators.thousandeyes.fixtures import te_sim  # noqa: F401``."""

from __future__ import annotations

from typing import Iterator

import pytest

from .simulator import ThousandEyesSimulator


@pytest.fixture
def te_sim() -> Iterator[ThousandEyesSimulator]:
    """A running simulator (seed 7, small world, plain HTTP) for one test."""
    with ThousandEyesSimulator(seed=7, size="small") as sim:
        yield sim


@pytest.fixture
def te_sim_https() -> Iterator[ThousandEyesSimulator]:
    """Same over HTTPS; clients must trust ``sim.ca_bundle_path``."""
    with ThousandEyesSimulator(seed=7, size="small", https=True) as sim:
        yield sim
