"""Persistent REST handlers of the setup page (restmap.conf names ta_thousandeyes_rest.<Class>);
the code lives in ../lib/ta_thousandeyes/rest."""

import os
import sys

_LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")
if _LIB not in sys.path:
    sys.path.insert(0, _LIB)

from ta_thousandeyes.rest.handlers import (  # noqa: E402
    ConnectionsHandler,
    InputsStatusHandler,
    OAuthCallbackHandler,
    RegionsHandler,
    SettingsHandler,
)

__all__ = [
    "ConnectionsHandler",
    "InputsStatusHandler",
    "OAuthCallbackHandler",
    "RegionsHandler",
    "SettingsHandler",
]
