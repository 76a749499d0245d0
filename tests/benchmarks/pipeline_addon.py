"""(a) The add-on's real code path: its collectors (run_stream: converter, dedup, per-page
flush and checkpoint), its ApiClient (pagination, rate-limit bookkeeping) and its
XmlEventWriter, from HTTPS response bytes to event XML."""

from __future__ import annotations

import tempfile
from typing import Any, Callable, List, Optional

from ta_thousandeyes.api_client import ApiClient
from ta_thousandeyes.checkpoints import FileCheckpointStore
from ta_thousandeyes.collectors import alerts, results
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.http import build_session
from ta_thousandeyes.http import destination as origin

from tests.acceptance.wiring import StaticToken

from .workload import HOST, INDEX, STANZA, Workload


def run(
    workload: Workload,
    output: Any,
    on_response: Optional[Callable[[Any], None]] = None,
    checkpoint_dir: Optional[str] = None,
) -> int:
    """Ingest the workload, writing event XML to output; returns the events written.

    checkpoint_dir: an empty directory, made and removed outside the timing, as splunkd's
    checkpoint_dir exists before an input runs (a scratch one when not given)."""
    if checkpoint_dir is None:
        with scratch_checkpoint_dir() as scratch:
            return run(workload, output, on_response, scratch)
    transport = open_transport(workload)
    if on_response is not None:
        transport = _Observed(transport, on_response)
    client = ApiClient(workload.api_base, transport, StaticToken(workload.token))
    writer = XmlEventWriter(output=output)
    ctx = RunContext(
        client, writer, FileCheckpointStore(checkpoint_dir), owner="bench", stanza=STANZA,
        index=INDEX, host=HOST, initial_start=workload.start,
        settle_seconds=workload.now - workload.end,
        # one window, so the add-on asks exactly what (b) asks
        max_window_seconds=float(workload.now - workload.start),
        clock=lambda: float(workload.now),
    )  # fmt: skip
    if workload.kind == "network":
        results.collect(ctx, [workload.aid], test_ids=workload.test_ids, data_types=["network"])
    else:
        alerts.collect(ctx, [workload.aid])
    writer.close()
    transport.close()
    _raise_errors(ctx.errors)
    return ctx.events


def open_transport(workload: Workload) -> Any:
    """The inputs' transport: a session under http's one policy (tradeoffs swaps it)."""
    return build_session([origin(workload.api_base)], ca_bundle=workload.ca_bundle)


def scratch_checkpoint_dir() -> tempfile.TemporaryDirectory[str]:
    """A fresh, empty checkpoint directory for one run (nothing carries over between runs)."""
    return tempfile.TemporaryDirectory(prefix="bench-ckpt-")


class _Observed:
    """The transport, with each reply shown to a calibration callback (untimed runs only)."""

    def __init__(self, transport: Any, on_response: Callable[[Any], None]) -> None:
        self._transport = transport
        self._on_response = on_response

    def get(self, url: str, headers: Any = None) -> Any:
        reply = self._transport.get(url, headers=headers)
        self._on_response(reply)
        return reply

    def close(self) -> None:
        self._transport.close()


def _raise_errors(errors: List[str]) -> None:
    if errors:
        raise RuntimeError(f"the add-on's collector reported errors: {errors[:3]}")
