"""Issue 17 point 1: a test's results are asked for only when a new round can exist.

The test-results collector runs in-process against the simulator (the add-on's ApiClient,
http.build_session, checkpoints and event writer; the modular-input process around it is what
the other acceptance tests cover), once a minute on the simulator's clock, over an organisation
whose tests have the realistic mix of intervals (1, 2, 5, 10, 15, 30 and 60 minutes). In
steady state at most 5 % of the result requests bring no new record, there are at most 1.05
requests per (stream, new round) and nothing is missing against the simulator's ground truth.
"""

import io
import json
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter

from ta_thousandeyes.api_client import ApiClient
from ta_thousandeyes.checkpoints import FileCheckpointStore, owner_of
from ta_thousandeyes.collectors import results
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.http import build_session, destination

from tests.acceptance.wiring import StaticToken
from tests.simulators.thousandeyes import ThousandEyesSimulator

from .helpers import result_identity

INPUT_INTERVAL = 60.0
BACKFILL = 2 * 3600.0
STEADY_RUNS = 120  # two simulated hours: every interval of the mix comes round at least twice


class _CountingContext(RunContext):
    """Counts every result page the collector asked for and those that brought nothing new."""

    pages = 0
    empty_pages = 0

    def emit(self, prefix, events):
        events = list(events)
        type(self).pages += 1
        type(self).empty_pages += not events
        super().emit(prefix, events)


def _run(client, store, aid, clock):
    out = io.BytesIO()
    writer = XmlEventWriter(output=out, error=io.StringIO())
    scheme = "thousandeyes_test_results"
    ctx = _CountingContext(
        client, writer, store, owner_of(scheme, "prod", "thousandeyes"), scheme + "://due",
        index="thousandeyes", initial_start=clock() - BACKFILL, clock=clock,
    )  # fmt: skip
    results.collect(ctx, [aid])
    writer.close()
    assert not ctx.errors, ctx.errors
    if not out.getvalue():
        return []
    root = ET.fromstring(out.getvalue().decode("utf-8"))
    return [json.loads(event.findtext("data")) for event in root.iter("event")]


def test_steady_state_asks_only_for_rounds_that_can_exist():
    with ThousandEyesSimulator(seed=7, size="small", https=True) as sim, \
            tempfile.TemporaryDirectory(prefix="te-due-") as checkpoints:  # fmt: skip
        user = sim.world.user_by_email(sim.demo_email)
        aid = user.default_aid
        tests = [t for t in sim.world.tests_in(aid) if not t.instant]
        assert len({t.interval for t in tests}) >= 5  # a mix, not one interval
        base = sim.region_urls("global")["api_base_url"]
        transport = build_session([destination(base)], ca_bundle=sim.ca_bundle_path)
        client = ApiClient(base, transport, StaticToken(sim.create_api_token(sim.demo_email)))
        store = FileCheckpointStore(checkpoints)
        started = sim.clock.now()
        events = _run(client, store, aid, sim.clock.now)  # the backfill: not steady state
        _CountingContext.pages = _CountingContext.empty_pages = 0
        rounds_with_news = 0
        for _ in range(STEADY_RUNS):
            sim.clock.advance(INPUT_INTERVAL)
            new = _run(client, store, aid, sim.clock.now)
            events.extend(new)
            rounds_with_news += len({(r["testId"], r["dataType"], r["roundId"]) for r in new})
        pages, empty = _CountingContext.pages, _CountingContext.empty_pages
        transport.close()

        assert pages > 0 and rounds_with_news > 0
        assert empty <= 0.05 * pages, (empty, pages)
        assert pages <= 1.05 * rounds_with_news, (pages, rounds_with_news)

        # Nothing missed, nothing twice: every published round from the backfill's start to
        # the settle horizon of the last run.
        have = Counter(result_identity(r, r["dataType"]) for r in events)
        assert [k for k, n in have.items() if n > 1] == []
        horizon = sim.clock.now() - 60 - 300  # settle, and a round's worth of slack
        missing = []
        for test in tests:
            for data_type in test.result_kinds:
                truth = sim.ground_truth(
                    "test-results", aid=aid, start=started - BACKFILL, end=horizon,
                    test_id=test.test_id, test_type=data_type,
                )  # fmt: skip
                for record in truth:
                    if record["roundId"] < started - BACKFILL or record["roundId"] > horizon:
                        continue
                    identity = result_identity(dict(record, testId=test.test_id), data_type)
                    if not have[identity]:
                        missing.append(identity)
        assert missing == []
