"""Input ``thousandeyes_alerts``: alert starts and clears, each once."""

import sys
from typing import Any, Dict, List

from ..collectors import alerts
from ..collectors.base import RunContext
from .base import ThousandEyesInput


class AlertsInput(ThousandEyesInput):
    URGENT = True
    SCHEME = "thousandeyes_alerts"
    TITLE = "ThousandEyes alerts"
    DESCRIPTION = "Polls ThousandEyes v7 alerts (triggered and cleared) into Splunk."

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        alerts.collect(ctx, account_groups)


def main() -> None:
    sys.exit(AlertsInput().run(sys.argv))
