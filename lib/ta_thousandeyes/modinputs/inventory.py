"""Input ``thousandeyes_inventory``: account groups, tests and agents as events and lookups."""

import sys
from typing import Any, Dict, List

from ..collectors import inventory
from ..collectors.base import RunContext
from .base import ThousandEyesInput


class InventoryInput(ThousandEyesInput):
    SCHEME = "thousandeyes_inventory"
    TITLE = "ThousandEyes inventory"
    DESCRIPTION = "Snapshots ThousandEyes account groups, tests and agents (events and lookups)."
    USES_START = False
    DEFAULT_INTERVAL = 3600

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        inventory.collect(ctx, account_groups, kv_service=self.service)


def main() -> None:
    sys.exit(InventoryInput().run(sys.argv))
