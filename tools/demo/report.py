"""The demo's closing report, for a person: connection, events, API use, tokens, checkpoints,
samples, ground truth, leak scan and where everything is on disk."""

import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tests.verification import Checkpoint, LeakScan, Verdict

from .console import Progress
from .figures import ApiUsage, InputTotals


def table(progress: Progress, headers: Sequence[str], rows: List[Sequence[Any]]) -> None:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in cells[1:]) and rows for i in range(len(headers))]
    for number, row in enumerate(cells):
        line = "  ".join(
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        )
        progress.text("  " + line.rstrip())
        if number == 0:
            progress.text("  " + "  ".join("-" * w for w in widths))


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").isdigit()


def when(epoch: Optional[float]) -> str:
    if not epoch:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def heading(progress: Progress, title: str) -> None:
    progress.text("")
    progress.text(title)


def connection(progress: Progress, summary: Dict[str, Any], stored: List[str]) -> None:
    heading(progress, "Connection")
    groups = ", ".join(
        f"{g.get('name')} ({g.get('aid')})" for g in summary.get("account_groups", [])
    )
    progress.text(f"  name            {summary.get('name')} ({summary.get('auth_method')})")
    progress.text(f"  state           {summary.get('state')}")
    progress.text(f"  authorized by   {summary.get('user_email') or '-'}")
    progress.text(f"  region          {summary.get('region_label')} ({summary.get('region')})")
    progress.text(f"  account groups  {groups or '-'}")
    progress.text(f"  last refresh    {when(summary.get('last_refresh'))}")
    progress.text(f"  token expiry    {when(summary.get('token_expiry'))}")
    records = sorted({name.split("#", 1)[0] for name in stored})
    progress.text(
        f"  secrets         storage/passwords, realm TA-thousandeyes: {len(stored)} entries "
        f"({', '.join(records) or 'none'}; chunked, encrypted at rest)"
    )


def events_table(progress: Progress, counts: Dict[Tuple[str, str], int]) -> None:
    heading(progress, "Events indexed, per sourcetype and index")
    rows = [(st, index, n) for (st, index), n in sorted(counts.items())]
    rows.append(("total", "", sum(counts.values())))
    table(progress, ("sourcetype", "index", "events"), rows)


def inputs_table(progress: Progress, totals: Dict[str, InputTotals]) -> None:
    heading(progress, "Input runs (from the inputs' own summaries in splunkd.log)")
    rows = []
    for name, entry in sorted(totals.items()):
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(entry.statuses.items()))
        rows.append(
            (
                name,
                entry.runs,
                statuses,
                entry.events,
                entry.api_calls,
                entry.last_checkpoint or "-",
            )
        )
    table(progress, ("input", "runs", "status", "events", "api calls", "checkpoint"), rows)


def api_section(progress: Progress, usage: Optional[ApiUsage]) -> None:
    if usage is None:
        return
    heading(progress, "ThousandEyes API use (the simulator's request log)")
    progress.text(f"  API calls        {usage.total}")
    rows = [(family, n) for family, n in sorted(usage.by_endpoint.items())]
    table(progress, ("endpoint", "calls"), rows)
    statuses = ", ".join(f"HTTP {s}: {n}" for s, n in sorted(usage.by_status.items()))
    progress.text(f"  answers          {statuses or '-'}")
    headroom = usage.limit_per_minute - usage.busiest_minute
    progress.text(
        f"  rate limit       busiest minute {usage.busiest_minute} of "
        f"{usage.limit_per_minute} requests/min (headroom {headroom}); 429s: {usage.throttled}"
    )
    progress.text(
        f"  token endpoint   {usage.token_calls} calls, "
        f"{usage.token_refreshes} refreshes after the connection was made"
    )


def checkpoints_section(progress: Progress, backend: str, found: List[Checkpoint]) -> None:
    heading(progress, f"Checkpoints ({backend}, {len(found)} streams)")
    by_scheme = {}  # type: Dict[str, List[Checkpoint]]
    for checkpoint in found:
        by_scheme.setdefault(checkpoint.owner.split("|", 1)[0], []).append(checkpoint)
    rows = []
    for scheme, items in sorted(by_scheme.items()):
        positions = [c.position for c in items if c.position is not None]
        rows.append(
            (
                scheme,
                len(items),
                when(min(positions)) if positions else "-",
                when(max(positions)) if positions else "-",
            )
        )
    table(progress, ("input", "streams", "oldest position", "newest position"), rows)


def samples_section(progress: Progress, items: List[Tuple[str, str]]) -> None:
    heading(progress, "Sample events")
    for sourcetype, raw in items:
        progress.text(f"  {sourcetype}")
        progress.text(f"    {raw}")


def truth_section(progress: Progress, verdicts: List[Verdict]) -> None:
    heading(progress, "Compared with the simulator's ground truth")
    rows = [
        (
            v.data_type,
            v.expected,
            v.indexed,
            v.missing,
            v.duplicates,
            v.unexpected,
            "ok" if v.ok else "MISMATCH",
        )
        for v in verdicts
    ]
    table(
        progress,
        ("data", "expected", "indexed", "missing", "duplicates", "unexpected", "result"),
        rows,
    )
    for verdict in verdicts:
        for note in verdict.notes[:5]:
            progress.text(f"  {verdict.data_type}: {note}")


def leaks_section(progress: Progress, scan: LeakScan, root: str) -> None:
    heading(progress, "Secret-leak scan")
    progress.text(
        f"  {scan.secrets} secrets issued by ThousandEyes searched in {scan.files} files "
        f"({scan.bytes // 1024} KiB) under {root} and in this output: {len(scan.hits)} hits"
    )
    for hit in scan.hits[:10]:
        progress.text(f"  LEAK {hit}")


def paths_section(progress: Progress, paths: Dict[str, str]) -> None:
    heading(progress, "Where things are")
    width = max(len(k) for k in paths)
    for label, path in paths.items():
        progress.text(f"  {label.ljust(width)}  {path}")
