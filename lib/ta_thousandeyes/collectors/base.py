"""What every collector shares: the run context and the checkpointed, deduplicated window loop.

A *stream* is one checkpointed sequence of API data (e.g. network results of one test in one
account group). Its checkpoint holds ``start`` (everything before ``start - overlap`` is
done) and ``keys``, the dedup keys seen recently with a reference time. Each window asks
for ``[start - overlap, now - settle]`` (or at most ``max_window`` long when one is set): the
overlap catches late data and rounds that began just before the window, the keys drop what
was already sent. One window spans the whole backlog by default, since pagination, not the
window, bounds the size of each response: that makes a sparse stream cost one request.
After every page the events are flushed and then the page's new keys are recorded
(``CheckpointStore.add_keys``: a journal entry, cheap whatever the backlog); after
the last page ``start`` moves to the window end, keys older than the overlap plus the
stream's retention are dropped, and that one save also records the last page's keys.
A crash therefore repeats at most the page in flight and never skips one; a stop (SIGTERM)
repeats nothing: the page in flight is written and journalled, and no further page is asked
for (the client raises RunStopped, ``past_deadline()`` turns true). A page the API client had
to salvage (a record it could not read as sent) is written like any other, and one line says
which records of which page and window were repaired or left out.

Memory stays bounded by the overlap, not the backlog: a key the window-end save would drop
is needed only by a restart after a crash, which reads it from the journal, so once
journalled it is forgotten one page later (the grace page catches a record repeated across
a page boundary). Keys loaded from the checkpoint are kept for the whole window. Pages are
not freed by hand: the previous one lives until the next is parsed, about 1.2 MB more per
1000 network results (tracemalloc; docs/design.md, "Measured speed-ups").
"""

import logging
import re
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from ..api_client import ApiClient, Page
from ..checkpoints import CheckpointStore
from ..event_xml import XmlEventWriter

# (dedup key, reference epoch for retention, event epoch, event text)
Emitted = Tuple[str, float, float, str]
# convert(record, raw JSON text of the record or None) -> what to emit
Converter = Callable[[Dict[str, Any], Optional[str]], List[Emitted]]

logger = logging.getLogger(__name__)


class RunContext:
    """Everything one run of one input needs; built by the modular input, or by tests."""

    def __init__(
        self,
        client: ApiClient,
        writer: XmlEventWriter,
        store: CheckpointStore,
        owner: str,
        stanza: str,
        index: str = "",
        host: str = "",
        initial_start: float = 0.0,
        deadline: Optional[float] = None,
        settle_seconds: float = 60.0,
        overlap_seconds: float = 300.0,
        max_window_seconds: Optional[float] = None,
        clock: Callable[[], float] = time.time,
        stop_requested: Callable[[], bool] = lambda: False,
    ) -> None:
        self.client = client
        self.writer = writer
        self.store = store
        self.owner = owner
        self.stanza = stanza
        self.index = index
        self.host = host
        self.initial_start = initial_start
        self.deadline = deadline
        self.settle_seconds = settle_seconds
        self.overlap_seconds = overlap_seconds
        self.max_window_seconds = max_window_seconds
        self.clock = clock
        self.stop_requested = stop_requested
        self.events = 0
        self.not_due = 0  # streams not asked for: no new round could exist yet
        self.streamed_tests = 0  # tests whose metric data a ThousandEyes stream delivers
        self.positions = []  # type: List[float]
        self.errors = []  # type: List[str]
        self.inventory_stale = False  # set when data names an object the inventory lacks

    def now(self) -> float:
        return self.clock()

    def past_deadline(self) -> bool:
        """Time to start nothing new: the run's deadline has passed or splunkd asked to stop."""
        if self.stop_requested():
            return True
        return self.deadline is not None and self.clock() >= self.deadline

    def prefix(self, sourcetype: str, source: str) -> Tuple[str, str]:
        return self.writer.event_prefix(self.stanza, sourcetype, self.index, source, self.host)

    def emit(self, prefix: Tuple[str, str], events: Iterable[Tuple[float, str]]) -> None:
        """Write and flush a page worth of events (flush first, checkpoint after)."""
        self.writer.add_many(prefix, events)
        self.events += self.writer.flush()

    def checkpoint_position(self) -> Optional[str]:
        """The oldest stream position of this run, for the summary line."""
        return iso(min(self.positions)) if self.positions else None


def iso(epoch: float) -> str:
    """ISO 8601 UTC with a Z, as the v7 API takes and returns dates."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


# iso()'s own form with every field in range: such a text needs no reformatting
_CANONICAL_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"
)


def iso_of(text: Any, epoch: float) -> str:
    """iso(epoch) for epoch = parse_iso(text): the text itself when it is already in that form.

    It pays: 0.7-0.9 us against 2.1 for iso's strftime (docs/design.md, "Measured speed-ups").
    """
    if type(text) is str and len(text) == 20 and _CANONICAL_ISO.fullmatch(text):
        return text
    return iso(epoch)


def parse_iso(text: Any) -> Optional[float]:
    """Epoch seconds from an API date (``2024-05-01T10:00:00Z``, a fraction or an offset
    allowed, none meaning UTC); None when the text is not a date with a time of day."""
    if not isinstance(text, str) or len(text) < 19:  # not down to the second
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        # A leap second, which strptime (used before) took as :60 or :61: the seconds past :59
        if text[16:19] not in (":60", ":61"):
            return None
        epoch = parse_iso(text[:17] + "59" + text[19:])
        return None if epoch is None else epoch + int(text[17:19]) - 59
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def run_stream(
    ctx: RunContext,
    key: str,
    fetch: Callable[[float, float], Iterator[Page]],
    convert: Converter,
    prefix: Tuple[str, str],
    retain_seconds: float = 3600.0,
    label: str = "",
    born: Optional[float] = None,
    round_interval: Optional[float] = None,
    until: Optional[float] = None,
) -> float:
    """Collect one stream from its checkpoint to now - settle (or until, when earlier: where
    another path takes its data over, see hand_over); returns its new position.

    fetch(window_start, window_end) yields pages; convert(record, raw) returns what to emit.
    label names the stream in log lines (e.g. ``test 12 (network) of account group 34``).
    A stream without a checkpoint starts at the input's anchor (ctx.initial_start), or at born
    when its data began later (a test created since), which bounds what a new stream costs.
    round_interval: the test's interval, for streams of rounds aligned on it (test results):
    nothing is asked for until the window can hold a round newer than the last one asked for.
    Raises whatever the API client raises; the checkpoint then holds the last full page.
    """
    state, position, floor = _load(ctx, key, born)
    seen = state.get("keys") or {}  # type: Dict[str, float]
    end_limit = ctx.now() - ctx.settle_seconds
    if until is not None:
        end_limit = min(end_limit, until)
    if "start" in state and not round_due(position, end_limit, round_interval):
        ctx.positions.append(position)
        ctx.not_due += 1
        return position
    try:
        while position < end_limit and not ctx.past_deadline():
            window_start = max(position - ctx.overlap_seconds, floor)
            window_end = end_limit
            if ctx.max_window_seconds:
                window_end = min(position + ctx.max_window_seconds, end_limit)
            horizon = window_end - ctx.overlap_seconds - retain_seconds
            journalled_old = []  # type: List[str]  # last page's keys older than horizon
            for page in fetch(window_start, window_end):
                if page.damage is not None:
                    _log_damage(label or key, page, window_start, window_end)
                batch, added = _new_events(page, convert, floor, seen)
                ctx.emit(prefix, batch)
                if added and not page.last:  # the last page's keys go in the save below
                    ctx.store.add_keys(key, ctx.owner, _state(position, floor, seen), added)
                    if ctx.store.journals_added_keys:
                        _forget(seen, journalled_old, horizon)
                        journalled_old = [k for k, ref in added.items() if ref < horizon]
            position = window_end
            seen = {k: ref for k, ref in seen.items() if ref >= horizon}
            ctx.store.save(key, ctx.owner, _state(position, floor, seen))
    finally:
        ctx.positions.append(position)
    return position


def _load(ctx: RunContext, key: str, born: Optional[float]) -> Tuple[Dict[str, Any], float, float]:
    """A stream's checkpoint, its position and its floor."""
    state = ctx.store.load_migrating(key, ctx.owner) or {}
    first = ctx.initial_start if born is None else max(ctx.initial_start, born)
    position = float(state.get("start", first))
    # The stream's first start: nothing older is asked for or sent, even from the round that
    # straddles it, so the data covered is exactly [floor, position).
    floor = float(state.get("floor", position))
    return state, position, floor


def hand_over(
    ctx: RunContext,
    key: str,
    handover: float,
    born: Optional[float] = None,
    round_interval: Optional[float] = None,
) -> bool:
    """Whether another path (a ThousandEyes stream) delivers this stream's data now: its
    checkpoint reached ``handover`` (from there on the other path has everything), or no round
    can start between the two (round_due: polling up to handover would ask for nothing, and
    the stream would never get there). Then no
    request is made and the checkpoint moves to now - settle without data, so that polling,
    should the other path end, resumes from this run (reaching back by the overlap), not from
    the hand-over. Before it, False: the caller polls up to handover (run_stream's until)."""
    state, position, floor = _load(ctx, key, born)
    if position < handover and round_due(position, handover, round_interval):
        return False
    end_limit = ctx.now() - ctx.settle_seconds
    if position < end_limit or "start" not in state:
        # the keys stay: they stop a resumed poll repeating what was polled before handover
        seen = state.get("keys") or {}
        ctx.store.save(key, ctx.owner, _state(max(position, end_limit), floor, seen))
    return True


def round_due(position: float, end_limit: float, round_interval: Optional[float]) -> bool:
    """Whether a window ending at end_limit can hold a round the last one (up to position) did
    not: rounds start on multiples of the interval (epoch-aligned), and a window up to position
    already held every round that started by then. A round published late, after that window
    was asked for, is still collected: the next window reaches back by the overlap."""
    if not round_interval or round_interval <= 0:
        return position < end_limit
    next_round = (position // round_interval + 1) * round_interval
    return next_round <= end_limit


def _new_events(
    page: Page, convert: Converter, floor: float, seen: Dict[str, float]
) -> Tuple[List[Tuple[float, str]], Dict[str, float]]:
    """The page's events not sent before, and the dedup keys it added or moved forward."""
    batch = []  # type: List[Tuple[float, str]]
    added = {}  # type: Dict[str, float]
    raw_items = page.raw_items
    for position, record in enumerate(page.items):
        if type(record) is not dict:
            continue
        raw = raw_items[position] if raw_items is not None else None
        for dedup, reference, epoch, text in convert(record, raw):
            if reference < floor:
                continue
            known = seen.get(dedup)
            if known is None:
                batch.append((epoch, text))
            elif known >= reference:
                continue
            seen[dedup] = added[dedup] = reference
    return batch, added


def _log_damage(label: str, page: Page, window_start: float, window_end: float) -> None:
    damage = page.damage
    cursor = parse_qs(urlsplit(page.url).query).get("cursor", ["none (first page)"])[0]
    parts = []
    if damage.unreadable:
        parts.append("left out " + _records(damage.unreadable))
    if damage.repaired:
        parts.append("indexed after repair " + _records(damage.repaired))
    logger.warning(
        "%s: the API sent records that are not valid JSON (window %s to %s, cursor %s): %s",
        label,
        iso(window_start),
        iso(window_end),
        cursor[:200],
        "; ".join(parts),
    )


def _records(found: List[Tuple[int, str]]) -> str:
    shown = ", ".join(
        f"record {position + 1} of the page ({reason})" for position, reason in found[:5]
    )
    return shown + (f" and {len(found) - 5} more" if len(found) > 5 else "")


def _forget(seen: Dict[str, float], keys: List[str], horizon: float) -> None:
    """Drop journalled keys the window-end save would drop too (unless moved forward since)."""
    for dedup in keys:
        if seen.get(dedup, horizon) < horizon:
            del seen[dedup]


def _state(position: float, floor: float, seen: Dict[str, float]) -> Dict[str, Any]:
    return {"start": position, "floor": floor, "keys": seen}
