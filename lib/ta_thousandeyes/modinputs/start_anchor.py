"""An input's anchor: where its streams without a checkpoint start, decided once and stored.

``start_from`` ("1h", "7d" or a date) is resolved at the input's first run and saved in the
checkpoint store before that run sends any request; every later run reads it back. A first run
killed or stopped by its deadline before a stream saved its checkpoint therefore leaves that
stream starting where the admin asked, not where the next run happens to start.

One document per input (its stanza name, under the owner of its checkpoints, so deleting the
input prunes it), keyed with an empty part no stream key has (an account group id is never
empty). Its state has no ``start``: nothing reads it as a stream. Editing ``start_from`` later
decides a new anchor at that run; it applies to streams that have no checkpoint yet (a test or
account group selected since), while streams with one go on from it: nothing is collected
twice and no gap opens.
"""

import logging
import time
from typing import Optional

from ..checkpoints import CheckpointStore, checkpoint_key
from . import arguments

DEFAULT_START = "1h"

logger = logging.getLogger(__name__)


def anchor_key(owner: str, stanza: str) -> str:
    return checkpoint_key(owner, "", "anchor", stanza)


def input_start(
    store: CheckpointStore, owner: str, stanza: str, start_from: Optional[str], now: float
) -> float:
    """The input's anchor, deciding and saving it when there is none for this start_from.

    Never older than ThousandEyes keeps data (90 days before now)."""
    asked = (start_from or "").strip() or DEFAULT_START
    key = anchor_key(owner, stanza)
    state = store.load(key) or {}
    anchor = state.get("anchor")
    if state.get("start_from") != asked or not isinstance(anchor, (int, float)):
        anchor = arguments.parse_start(asked, now, DEFAULT_START)
        if state.get("start_from") is not None:
            logger.info(
                "%s: start_from changed from %r to %r; streams not collected yet start at %s",
                stanza,
                state.get("start_from"),
                asked,
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(anchor))),
            )
        store.save(key, owner, {"anchor": anchor, "start_from": asked, "decided": now})
    return max(float(anchor), now - arguments.MAX_BACKFILL_SECONDS)
