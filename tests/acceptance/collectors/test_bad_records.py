"""A record the API sends in a form strict JSON or XML cannot take (a raw control character,
a byte that is not UTF-8, U+FFFF) through the real input process and the Splunk stand-in's
stream parser: every record is indexed, the stream moves on, the run says what happened."""

import pytest

from .helpers import compare_results, create_input, events, kv_checkpoints, run_ok, summary_lines

SCHEME = "thousandeyes_test_results"
SIM_PAGE_SIZES = {"test-results": 10}
AID = "2001"


@pytest.mark.slow
@pytest.mark.parametrize(
    "bad, times, marker",
    [
        ("noncharacter", 1, "\uffff"),  # valid JSON: parsed at once, then written to XML
        # As many answers as the client makes attempts: before, the first page never got
        # through; now each page is refused twice (one retry) and salvaged: three pages.
        ("control", 6, "\x1b"),
        ("latin1", 6, "\ufffd"),
    ],
)
def test_a_bad_record_is_indexed_and_the_stream_moves_on(
    service, connected, runner, sim, bad, times, marker
):
    test = sim.world.tests_in(AID, "agent-to-server")[0]
    stanza = create_input(service, SCHEME, "bad", account_groups=AID, test_ids=test.test_id,
                          test_types="agent-to-server", start_from="1h")  # fmt: skip
    # Each answer it hits has the bytes in its last record's first string (the round's date).
    path = f"/v7/test-results/{test.test_id}/network$"
    sim.faults.add("bad_record", path=path, count=times, bad=bad, record=-1)
    result = run_ok(runner, stanza)
    assert [f.hits for f in sim.faults.list()] == [times]
    summary = summary_lines(result)[0]
    assert 'status="ok"' in summary
    repaired = times // 2 if bad != "noncharacter" else 0
    assert f'records_repaired="{repaired}" records_unreadable="0"' in summary
    notes = [line for line in result.stderr_lines if "not valid JSON" in line]
    assert len(notes) == repaired, result.stderr_lines
    if repaired:
        assert notes[0].startswith("WARNING")
        assert f"test {test.test_id} (network) of account group {AID}" in notes[0]
        assert "window " in notes[0] and "cursor none (first page)" in notes[0]
    states = kv_checkpoints(service)
    missing, duplicates, covered = compare_results(sim, runner, states, SCHEME, AID, [test])
    assert covered["network"] > SIM_PAGE_SIZES["test-results"]  # more than the bad page
    assert not missing and not duplicates, (missing[:3], list(duplicates)[:3])
    # The checkpoint reached the end of the run's window: nothing is left to retry.
    assert all(state["start"] >= sim.clock.now() - 120 for state in states.values())
    dates = [e["json"]["date"] for e in events(runner, index="main")]
    assert sum(date.startswith(marker) for date in dates) == max(repaired, 1), dates
