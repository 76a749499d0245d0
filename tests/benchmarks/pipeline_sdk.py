"""(b) The baseline a user would write: the official thousandeyes-sdk client (its paginated
iterators and pydantic models) and splunklib's EventWriter with one Event per record."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from splunklib.modularinput import Event, EventWriter
from thousandeyes_sdk.alerts import AlertsApi
from thousandeyes_sdk.alerts.models import State
from thousandeyes_sdk.core import ApiClient, Configuration
from thousandeyes_sdk.test_results import NetworkTestResultsApi
from thousandeyes_sdk.tests import TestsApi

from .workload import HOST, INDEX, STANZA, Workload

SOURCETYPE_NETWORK = "cisco:thousandeyes:test:network"
SOURCETYPE_ALERTS = "cisco:thousandeyes:alerts"


def run(workload: Workload, output: Any) -> int:
    """Ingest the workload, writing event XML to the text stream output; returns events."""
    configuration = Configuration(
        host=workload.api_base, access_token=workload.token, ssl_ca_cert=workload.ca_bundle
    )
    start = datetime.fromtimestamp(workload.start, tz=timezone.utc)
    end = datetime.fromtimestamp(workload.end, tz=timezone.utc)
    writer = EventWriter(output=output)
    written = 0
    with ApiClient(configuration) as client:
        if workload.kind == "network":
            wanted = set(workload.test_ids)
            tests = TestsApi(client).get_tests(aid=workload.aid).tests or []
            results_api = NetworkTestResultsApi(client)
            for test in tests:
                if test.test_id not in wanted:
                    continue
                source = f"thousandeyes:test:{workload.aid}:{test.test_id}"
                for result in results_api.get_test_network_results_paginated(
                    test_id=test.test_id, aid=workload.aid, start_date=start, end_date=end
                ):
                    writer.write_event(
                        Event(
                            data=result.model_dump_json(by_alias=True, exclude_none=True),
                            time=f"{result.var_date.timestamp():.3f}",
                            stanza=STANZA,
                            source=source,
                            sourcetype=SOURCETYPE_NETWORK,
                            index=INDEX,
                            host=HOST,
                        )  # fmt: skip
                    )
                    written += 1
        else:
            alerts_api = AlertsApi(client)
            source = f"thousandeyes:alerts:{workload.aid}"
            for state in (State.TRIGGER, State.CLEAR):
                for alert in alerts_api.get_alerts_paginated(
                    aid=workload.aid, start_date=start, end_date=end, state=state
                ):
                    when = alert.end_date if state == State.CLEAR else alert.start_date
                    writer.write_event(
                        Event(
                            data=alert.model_dump_json(by_alias=True, exclude_none=True),
                            time=f"{(when or alert.start_date).timestamp():.3f}",
                            stanza=STANZA,
                            source=source,
                            sourcetype=SOURCETYPE_ALERTS,
                            index=INDEX,
                            host=HOST,
                        )  # fmt: skip
                    )
                    written += 1
    writer.close()
    output.flush()
    return written
