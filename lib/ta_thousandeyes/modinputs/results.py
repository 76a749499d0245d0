"""Input ``thousandeyes_test_results``: results of every selected test and data type."""

import sys
from typing import Any, Dict, List, Optional, Tuple

from .. import streams
from ..collectors import results
from ..collectors.base import RunContext
from . import arguments
from .base import ThousandEyesInput, list_param

KNOWN_TEST_TYPES = tuple(results.DATA_TYPES_BY_TEST_TYPE) + tuple(results.TEST_TYPE_ALIASES)


class ResultsInput(ThousandEyesInput):
    SCHEME = "thousandeyes_test_results"
    TITLE = "ThousandEyes test results"
    DESCRIPTION = "Polls ThousandEyes v7 test results (every test type) into Splunk."
    EXTRA_ARGUMENTS = (
        (
            "test_types",
            "Test types",
            "Comma-separated test types to collect (e.g. agent-to-server, http-server, voice); "
            "empty for all.",
            False,
        ),
        ("test_ids", "Test ids", "Comma-separated test ids; empty for all.", False),
        ("labels", "Labels", "Comma-separated test label names or ids; empty for all.", False),
        (
            "data_types",
            "Data types",
            "Comma-separated result data types (network, path-vis, http-server, page-load, "
            "web-transactions, api, ftp-server, dns-server, dns-trace, dnssec, sip-server, "
            "rtp-server, bgp); empty for every type a test produces.",
            False,
        ),
    )
    LIST_ARGUMENTS = (
        arguments.ListArgument("test_types", "Test types", choices=KNOWN_TEST_TYPES),
        arguments.ListArgument("data_types", "Data types", choices=results.ALL_DATA_TYPES),
        arguments.ListArgument("test_ids", "Test ids", numbers=True),
    )

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        config = connection.config
        # Without streams:manage the connection cannot see its streams: no call, no coverage.
        may_stream = streams.holds_scope(config.auth_method, config.scopes)
        results.collect(
            ctx,
            account_groups,
            test_types=list_param(params, "test_types"),
            test_ids=list_param(params, "test_ids"),
            labels=list_param(params, "labels"),
            data_types=list_param(params, "data_types"),
            coverage=results.stream_coverage(ctx) if may_stream else None,
        )

    def summary_fields(self, ctx: Optional[RunContext]) -> List[Tuple[str, Any]]:
        # tests whose metric data came by a ThousandEyes stream, so were not polled for it
        return [("streamed_tests", ctx.streamed_tests if ctx else 0)]


def main() -> None:
    sys.exit(ResultsInput().run(sys.argv))
