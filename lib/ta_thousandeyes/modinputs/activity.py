"""Input ``thousandeyes_activity``: the activity log of every permitted account group."""

import sys
from typing import Any, Dict, List

from ..collectors import activity
from ..collectors.base import RunContext
from .base import ThousandEyesInput


class ActivityInput(ThousandEyesInput):
    URGENT = True
    SCHEME = "thousandeyes_activity"
    TITLE = "ThousandEyes activity log"
    DESCRIPTION = "Polls the ThousandEyes v7 activity log (all permitted account groups)."
    USES_ACCOUNT_GROUPS = False

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        activity.collect(ctx)


def main() -> None:
    sys.exit(ActivityInput().run(sys.argv))
