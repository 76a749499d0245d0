"""Input ``thousandeyes_events``: event detection events, new and ended, each once."""

import sys
from typing import Any, Dict, List

from ..collectors import events
from ..collectors.base import RunContext
from .base import ThousandEyesInput


class EventsInput(ThousandEyesInput):
    URGENT = True
    SCHEME = "thousandeyes_events"
    TITLE = "ThousandEyes events"
    DESCRIPTION = "Polls ThousandEyes v7 event detection events into Splunk."

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        events.collect(ctx, account_groups)


def main() -> None:
    sys.exit(EventsInput().run(sys.argv))
