"""Create the inputs, run them, then report the figures and check them: ground truth,
input health, token refreshes, the leak scan. Returns the summary (failures empty = all well)."""

import os
from typing import Any, Dict, List

from tests import verification

from . import connect, figures, inputs, report, schedule
from .console import DemoFailure, Progress
from .names import (
    ACCESS_TOKEN_LIFETIME,
    CONNECTION,
    INPUT_NAME,
    SIM_REGION,
    SPLUNK_LOGIN,
    START_FROM,
)
from .stack import APP_ID, DEMO_INDEX, DemoStack
from .web_client import SplunkWebClient


def collect_and_check(
    stack: DemoStack,
    web: SplunkWebClient,
    options: Any,
    progress: Progress,
    summary: Dict[str, Any],
    advance: Any,
    sim: Any,
    connected_at: float,
) -> Dict[str, Any]:
    failures: List[str] = []
    if summary.get("state") != "connected":
        raise DemoFailure(f"the connection is {summary.get('state')}: {summary.get('error')}")
    groups = [str(g.get("aid")) for g in summary.get("account_groups", [])]
    progress.detail(
        f"connected as {summary.get('user_email')}, account groups {', '.join(groups) or '-'}"
    )

    progress.step("introspecting the package's modular inputs (--scheme)")
    runner = stack.start_runner()
    service = stack.splunk.service(*SPLUNK_LOGIN, app=APP_ID)
    interval = options.step_minutes * 60
    created = inputs.create_inputs(
        service, runner.schemes(), INPUT_NAME, CONNECTION, DEMO_INDEX, interval, START_FROM
    )
    progress.step(f"created {len(created)} inputs through data/inputs/<scheme> (splunkd REST)")
    for stanza in created:
        progress.detail(stanza)

    if advance is not None:
        progress.step(f"collecting over {options.hours:g} simulated hours")
        outcome = schedule.run_schedule(
            runner, stack.now, advance, options.hours, interval, progress
        )
    else:
        progress.step("collecting: one run of every input")
        outcome = schedule.run_schedule(runner, stack.now, lambda s: None, 0.0, interval, progress)
    failures.extend(f"input run failed: {f}" for f in outcome.failed_runs)
    log_text = stack.splunk.splunkd_log()

    # -- figures ------------------------------------------------------------------------
    final = connect.connection_status(web, CONNECTION) or summary
    events = verification.indexed_events(runner.index_store)
    counts = figures.counts_by_sourcetype(events)
    totals = figures.input_totals(log_text)
    failures.extend(figures.input_problems(totals, log_text))
    checkpoint_root = os.path.join(stack.splunk.home, "var", "lib", "splunk", "modinputs")
    backend, found = verification.read_checkpoints(service, checkpoint_root)
    usage = None
    if sim is not None:
        usage = figures.api_usage(sim.request_log, sim.ctx.limiter.org_per_minute, connected_at)
    stored = figures.credential_entries(service, APP_ID)
    head = f"connection:{CONNECTION}"
    if head not in stored:
        failures.append(f"no credential record {head!r} in storage/passwords")
    report.connection(progress, final, stored)
    report.events_table(progress, counts)
    report.inputs_table(progress, totals)
    report.api_section(progress, usage)
    report.checkpoints_section(progress, backend, found)
    report.samples_section(progress, figures.samples(events))

    verdicts: List[verification.Verdict] = []
    if sim is not None:
        asked = verification.asked_starts(sim.request_log, START_FROM, outcome.started_at)
        verdicts = verification.compare_all(sim, found, events, groups, asked)
        report.truth_section(progress, verdicts)
        failures.extend(verification.failure_text(v) for v in verdicts if not v.ok)
        outlived = outcome.ended_at - outcome.started_at > ACCESS_TOKEN_LIFETIME
        if usage is not None and outlived and usage.token_refreshes < 1:
            failures.append("no access token was refreshed although several expired on the way")
        secrets = sim.issued_secrets()
    else:
        secrets = {options.api_token} if options.api_token else set()
    scan = verification.scan_for_secrets(
        stack.splunk.home, secrets, {"demo output": "".join(progress.written)}
    )
    if sim is not None:  # a secret sent to a host the region does not name has leaked too
        scan.hits.extend(verification.request_log_hits(sim.secrets_sent_outside([SIM_REGION])))
    report.leaks_section(progress, scan, stack.splunk.home)
    failures.extend(f"secret leaked: {hit}" for hit in scan.hits)
    if final.get("state") != "connected":
        failures.append(f"the connection ended {final.get('state')}: {final.get('error')}")
    if not events:
        failures.append("nothing was indexed")

    report.paths_section(
        progress,
        {
            "SPLUNK_HOME": stack.splunk.home,
            "index files": stack.index_dir,
            "splunkd.log": os.path.join(stack.log_dir, "splunkd.log"),
            "installed app": stack.app_dir,
            "app local/ confs": os.path.join(stack.app_dir, "local"),
            "KV store": os.path.join(stack.splunk.home, "var", "kvstore"),
            "summary (JSON)": os.path.join(stack.workdir, "summary.json"),
        },
    )
    return {
        "failures": failures,
        "connection": final,
        "credential_entries": stored,
        "events_by_sourcetype": {f"{st}|{ix}": n for (st, ix), n in sorted(counts.items())},
        "events_total": len(events),
        "input_runs": outcome.launches,
        "api_calls": usage.total if usage else None,
        "busiest_minute": usage.busiest_minute if usage else None,
        "rate_limit_per_minute": usage.limit_per_minute if usage else None,
        "throttled": usage.throttled if usage else None,
        "token_refreshes": usage.token_refreshes if usage else None,
        "checkpoints": {"backend": backend, "streams": len(found)},
        "ground_truth": [
            {
                "data": v.data_type,
                "expected": v.expected,
                "indexed": v.indexed,
                "missing": v.missing,
                "duplicates": v.duplicates,
                "unexpected": v.unexpected,
                "ok": v.ok,
            }
            for v in verdicts
        ],
        "leaks": {"secrets": scan.secrets, "files": scan.files, "hits": len(scan.hits)},
        "simulated_span": [outcome.started_at, outcome.ended_at],
    }
