"""Input ``thousandeyes_inventory``: account groups, tests and agents as events and lookups,
and with ``endpoint = 1`` endpoint agents and endpoint tests as events."""

import sys
from typing import Any, Dict, List

from ..collectors import endpoint_inventory, inventory
from ..collectors.base import RunContext
from . import arguments
from .base import ThousandEyesInput


class InventoryInput(ThousandEyesInput):
    SCHEME = "thousandeyes_inventory"
    TITLE = "ThousandEyes inventory"
    DESCRIPTION = "Snapshots ThousandEyes account groups, tests and agents (events and lookups)."
    USES_START = False
    DEFAULT_INTERVAL = 3600
    EXTRA_ARGUMENTS = (
        (
            "endpoint",
            "Endpoint agents and tests",
            "1 to snapshot endpoint agents and scheduled, dynamic and real-user endpoint tests "
            "too (needs the OAuth scope endpoint-tests:read); 0 (default) not.",
            False,
        ),
    )

    def validate_extra(self, params: Dict[str, Any]) -> None:
        arguments.parse_flag(params.get("endpoint"), "Endpoint agents and tests")

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        inventory.collect(ctx, account_groups, kv_service=self.service)
        if arguments.parse_flag(params.get("endpoint"), "Endpoint agents and tests"):
            endpoint_inventory.collect(ctx, account_groups, float(int(ctx.now())))


def main() -> None:
    sys.exit(InventoryInput().run(sys.argv))
