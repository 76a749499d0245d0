"""list_entries asks for all, pages on when splunkd caps a page, and refuses a listing that does
not add up; pruning then deletes nothing."""

import io
import json

import pytest
from ta_thousandeyes.modinputs.alerts import AlertsInput
from ta_thousandeyes.splunk_service import IncompleteListing, list_entries

SCHEME = "thousandeyes_alerts"


class _Response:
    def __init__(self, document):
        self.body = io.BytesIO(json.dumps(document).encode("utf-8"))


class PagingService:
    """GET data/inputs/<scheme> the way a splunkd with a page cap answers; `lose` and `gain`
    name entries deleted and added after the first page was sent (a concurrent admin)."""

    def __init__(self, names, cap=30, lose=(), gain=(), reported=None):
        self.names = names
        self.cap = cap
        self.lose = set(lose)
        self.gain = list(gain)
        self.reported = reported
        self.calls = []

    def get(self, path, count=None, offset=0, output_mode=None):
        self.calls.append((path, count, offset, output_mode))
        names = self.names
        if len(self.calls) > 1:
            names = [n for n in names if n not in self.lose] + self.gain
        size = self.cap if count in (0, None) or count > self.cap else count
        page = names[offset : offset + size]
        total = len(names) if self.reported is None else self.reported
        entries = [{"name": n, "content": {"connection": "prod", "index": n}} for n in page]
        return _Response({"entry": entries, "paging": {"total": total, "perPage": count}})


NAMES = [f"te_{n:02d}" for n in range(35)]


def test_asks_for_all_and_pages_past_a_capped_page():
    service = PagingService(NAMES)
    entries = list_entries(service, "data/inputs/" + SCHEME)
    assert [name for name, _ in entries] == NAMES
    first_pass = [("data/inputs/" + SCHEME, 0, 0, "json"), ("data/inputs/" + SCHEME, 0, 30, "json")]
    assert service.calls == first_pass * 2  # several pages: read twice, must agree


@pytest.mark.parametrize(
    "service",
    [
        # te_03 deleted between the pages: te_30 slides onto page one and is never seen,
        # though 34 entries match the new total of 34
        PagingService(NAMES, lose=["te_03"]),
        # ... and one added too: every page reports 35, 35 distinct names arrive, te_30 is
        # still missing; only reading the listing again shows it changed
        PagingService(NAMES, lose=["te_03"], gain=["te_99"]),
        PagingService(NAMES[:30], reported=35),  # splunkd says 35, sends 30 and then nothing
    ],
)
def test_a_listing_that_does_not_add_up_is_refused(service):
    with pytest.raises(IncompleteListing):
        list_entries(service, "data/inputs/" + SCHEME)


class SpyStore:
    backend = "kvstore"

    def __init__(self):
        self.pruned = []

    def prune(self, live, scheme=""):
        self.pruned.append(set(live))
        return []


def test_an_unproven_listing_prunes_nothing():
    store = SpyStore()
    running = {f"{SCHEME}|prod|te_00"}
    AlertsInput()._prune(PagingService(NAMES[:30], reported=35), store, running)
    assert store.pruned == []
    AlertsInput()._prune(PagingService(NAMES), store, running)
    assert len(store.pruned) == 1 and len(store.pruned[0]) == 35
