"""A small run of every benchmark scenario: figures printed, no timing assertions."""

import pytest

from tests.benchmarks import bench, report

pytestmark = pytest.mark.slow


def test_quick_bench_reports_every_figure(capsys):
    figures = bench.run(quick=True, write=False)
    keys = {figure.key for figure in figures}
    for wanted in (
        "throughput.network.a_over_b", "throughput.network.a_over_c",
        "throughput.alerts.a_over_b", "throughput.alerts.a_over_c",
        "api.requests_over_minimum", "api.drain_over_floor", "api.429s",
        "tokens.per_lifetime", "memory.ratio",
        "freshness.polled.10.floor", "freshness.polled.10.test_results.p95",
        "freshness.keeps_up_to", "freshness.drain.alerts_p95", "freshness.pushed.10.p95",
        "freshness.hec.events_per_cpu_second",
    ):  # fmt: skip
        assert wanted in keys
    for figure in figures:
        # A figure is either a real median of its runs or says why it is missing.
        assert (figure.value is not None and figure.runs) or figure.not_measured, figure
    # The polled inputs really collected: a run that failed would show as data never written.
    results_lag = next(f for f in figures if f.key == "freshness.polled.10.test_results.p95")
    assert results_lag.details["records"] > 0 and results_lag.details["unwritten"] == 0
    with capsys.disabled():
        print("\n" + report.table(figures))


def test_tradeoff_variants_run_the_whole_pipeline():
    """The trade-off experiment's variants ingest what the shipped pipeline ingests."""
    from tests.benchmarks import throughput, tradeoffs

    with throughput.simulated("network", tests=6, window=3600) as workload:
        micros, events = tradeoffs.measure(workload, rounds=1)
    assert set(micros) == set(tradeoffs.VARIANTS) | {"sdk", "floor"}
    assert all(len(values) == 1 and values[0] > 0 for values in micros.values())
    assert len(set(events.values())) == 1 and events["as shipped"] > 0, events
