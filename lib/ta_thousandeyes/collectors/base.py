"""What every collector shares: the run context and the checkpointed, deduplicated window loop.

A *stream* is one checkpointed sequence of API data (e.g. network results of one test in one
account group). Its checkpoint holds ``start`` (everything before ``start - overlap`` is
done) and ``keys``, the dedup keys seen recently with a reference time. Each window asks
for ``[start - overlap, min(start + max_window, now - settle)]``: the overlap catches late
data and rounds that began just before the window, the keys drop what was already sent.
After every page the events are flushed and then the checkpoint saved with ``start``
unchanged and the page's keys added; after the last page ``start`` moves to the window end
and keys older than the overlap plus the stream's retention are dropped. A crash therefore
repeats at most the page in flight and never skips one.
"""

import calendar
import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from ..api_client import ApiClient, Page
from ..checkpoints import CheckpointStore
from ..events import XmlEventWriter

# (dedup key, reference epoch for retention, event epoch, event text)
Emitted = Tuple[str, float, float, str]

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
        max_window_seconds: float = 6 * 3600.0,
        clock: Callable[[], float] = time.time,
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
        self.events = 0
        self.positions = []  # type: List[float]
        self.errors = []  # type: List[str]

    def now(self) -> float:
        return self.clock()

    def past_deadline(self) -> bool:
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
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: Any) -> Optional[float]:
    """Epoch seconds from an API date (``2024-05-01T10:00:00Z``, with or without fraction)."""
    if not isinstance(text, str) or len(text) < 19:
        return None
    try:
        base = time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    epoch = float(calendar.timegm(base))
    rest = text[19:]
    if rest.startswith("."):
        digits = ""
        for char in rest[1:]:
            if not char.isdigit():
                break
            digits += char
        if digits:
            epoch += float("0." + digits)
        rest = rest[1 + len(digits) :]
    if rest[:1] in ("+", "-") and len(rest) >= 6:
        sign = 1 if rest[0] == "+" else -1
        epoch -= sign * (int(rest[1:3]) * 3600 + int(rest[4:6]) * 60)
    return epoch


def run_stream(
    ctx: RunContext,
    key: str,
    fetch: Callable[[float, float], Iterator[Page]],
    convert: Callable[[Dict[str, Any]], List[Emitted]],
    prefix: Tuple[str, str],
    retain_seconds: float = 3600.0,
) -> float:
    """Collect one stream from its checkpoint to now - settle; returns its new position.

    fetch(window_start, window_end) yields pages; convert(record) returns what to emit.
    Raises whatever the API client raises; the checkpoint then holds the last full page.
    """
    state = ctx.store.load(key) or {}
    position = float(state.get("start", ctx.initial_start))
    # The stream's first start: nothing older is asked for or sent, even from the round that
    # straddles it, so the data covered is exactly [floor, position).
    floor = float(state.get("floor", position))
    seen = state.get("keys") or {}  # type: Dict[str, float]
    end_limit = ctx.now() - ctx.settle_seconds
    try:
        while position < end_limit and not ctx.past_deadline():
            window_start = max(position - ctx.overlap_seconds, floor)
            window_end = min(position + ctx.max_window_seconds, end_limit)
            for page in fetch(window_start, window_end):
                batch = []
                for record in page.items:
                    if not isinstance(record, dict):
                        continue
                    for dedup, reference, epoch, text in convert(record):
                        if reference < floor:
                            continue
                        known = seen.get(dedup)
                        seen[dedup] = reference if known is None else max(known, reference)
                        if known is None:
                            batch.append((epoch, text))
                ctx.emit(prefix, batch)
                ctx.store.save(key, ctx.owner, _state(position, floor, seen))
            position = window_end
            horizon = position - ctx.overlap_seconds - retain_seconds
            seen = {k: ref for k, ref in seen.items() if ref >= horizon}
            ctx.store.save(key, ctx.owner, _state(position, floor, seen))
    finally:
        ctx.positions.append(position)
    return position


def _state(position: float, floor: float, seen: Dict[str, float]) -> Dict[str, Any]:
    return {"start": position, "floor": floor, "keys": seen}
