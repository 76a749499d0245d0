"""The tests and agents of an account group, cached in the checkpoint store between runs.

Every run of the test-results input needs the test list (what to poll) and agent names
(enrichment). Both change rarely, so they are read from the API at most every
``TTL_SECONDS`` and otherwise from the store; a run that meets a test the API no longer
has, or an agent the cache does not name, marks the cache stale so the next run reads the
API again. Only the test fields the collector uses are kept (``fields``: the caller's own).
"""

from typing import Any, Callable, Dict, List, Sequence

from ..checkpoints import checkpoint_key
from .base import RunContext

TTL_SECONDS = 900.0
TEST_FIELDS = ("testId", "testName", "type", "interval", "networkMeasurements", "savedEvent",
               "labels", "createdDate")  # fmt: skip


class Inventory:
    """tests: trimmed test dicts; agent_names: agent id -> name; fresh: read from the API in
    this run; stale: something showed the cache is out of date."""

    def __init__(
        self, tests: List[Dict[str, Any]], agent_names: Dict[str, str], fresh: bool
    ) -> None:
        self.tests = tests
        self.agent_names = agent_names
        self.fresh = fresh
        self.stale = False

    def mark_stale(self) -> None:
        if not self.fresh:
            self.stale = True


def _key(ctx: RunContext, aid: str) -> str:
    return checkpoint_key(ctx.owner, aid, "inventory")


def load(
    ctx: RunContext,
    aid: str,
    list_tests: Callable[[RunContext, str], List[Dict[str, Any]]],
    list_agent_names: Callable[[RunContext, str], Dict[str, str]],
    fields: Sequence[str] = TEST_FIELDS,
    variant: str = "",
) -> Inventory:
    """The cached inventory when it is recent and was read the same way (``variant``: what
    list_tests added, e.g. the labels of a filter), else the API's (which is then cached)."""
    now = ctx.now()
    state = ctx.store.load_migrating(_key(ctx, aid), ctx.owner) or {}
    fetched = state.get("fetched")
    if (
        isinstance(fetched, (int, float))
        and 0 <= now - fetched < TTL_SECONDS
        and state.get("variant", "") == variant
        and isinstance(state.get("tests"), list)
        and isinstance(state.get("agents"), dict)
    ):
        return Inventory(state["tests"], state["agents"], fresh=False)
    tests = [{k: t[k] for k in fields if k in t} for t in list_tests(ctx, aid)]
    agents = list_agent_names(ctx, aid)
    saved = {"fetched": now, "tests": tests, "agents": agents}
    if variant:
        saved["variant"] = variant
    ctx.store.save(_key(ctx, aid), ctx.owner, saved)
    return Inventory(tests, agents, fresh=True)


def expire(ctx: RunContext, aid: str) -> None:
    """Make the next run read the inventory from the API."""
    ctx.store.delete(_key(ctx, aid))
