"""Input ``thousandeyes_endpoint_results``: results of scheduled and dynamic endpoint tests."""

import sys
from typing import Any, Dict, List

from ..collectors import endpoint_results
from ..collectors.base import RunContext
from . import arguments
from .base import ThousandEyesInput, list_param


class EndpointResultsInput(ThousandEyesInput):
    SCHEME = "thousandeyes_endpoint_results"
    TITLE = "ThousandEyes endpoint test results"
    DESCRIPTION = (
        "Polls network, HTTP server and path visualization results of ThousandEyes scheduled "
        "and dynamic endpoint agent tests into Splunk."
    )
    EXTRA_ARGUMENTS = (
        (
            "test_kinds",
            "Test kinds",
            "Comma-separated kinds of endpoint tests (scheduled, dynamic); empty for both.",
            False,
        ),
        ("test_ids", "Test ids", "Comma-separated endpoint test ids; empty for all.", False),
        (
            "data_types",
            "Data types",
            "Comma-separated result data types (network, http-server, path-vis); empty for "
            "every type a test produces.",
            False,
        ),
    )
    LIST_ARGUMENTS = (
        arguments.ListArgument(
            "test_kinds", "Test kinds", choices=tuple(endpoint_results.TEST_KINDS)
        ),
        arguments.ListArgument("data_types", "Data types", choices=endpoint_results.DATA_TYPES),
    )

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        endpoint_results.collect(
            ctx,
            account_groups,
            test_kinds=list_param(params, "test_kinds"),
            test_ids=list_param(params, "test_ids"),
            data_types=list_param(params, "data_types"),
        )


def main() -> None:
    sys.exit(EndpointResultsInput().run(sys.argv))
