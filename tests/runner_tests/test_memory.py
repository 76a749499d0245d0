"""A long event stream is parsed and indexed in flat memory."""

import threading

import psutil
import pytest

from tests.runner_tests.conftest import write_local_inputs

EVENTS = 120_000


@pytest.mark.slow
def test_a_120k_event_stream_keeps_the_runner_memory_flat(app_dir, runner):
    write_local_inputs(app_dir, f"[tiny_input://big]\nevents = {EVENTS}\nchunked = 1\n")
    process = psutil.Process()
    runner.run_once("tiny_input://big", kill_after_events=1)  # warm up imports and parsers
    baseline = process.memory_info().rss
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = runner.run_once("tiny_input://big", timeout=600)
    done.set()
    sampler.join()
    growth_mb = (peak[0] - baseline) / 2**20
    print(
        f"runner RSS baseline {baseline / 2**20:.1f} MiB, peak {peak[0] / 2**20:.1f} MiB, "
        f"growth {growth_mb:.1f} MiB for {result.events_written} events in {result.duration:.1f}s"
    )
    assert result.exit_code == 0
    assert result.events_written == EVENTS
    assert runner.index_store.count(source="tiny_input://big") >= EVENTS
    # Keeping every parsed element (or every event) would cost hundreds of MiB here.
    assert growth_mb < 40
