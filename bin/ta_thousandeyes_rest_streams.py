"""REST handler entry point of ta_thousandeyes/streams (a restmap.conf `script`).

Splunk's driver serves the one PersistentServerConnectionApplication subclass it finds among
this module's names, imported ones included, so this file imports exactly one class (never the
base class). The code lives in ../lib/ta_thousandeyes/rest.
"""

import os
import sys

_LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")
if _LIB not in sys.path:  # the driver may load several scripts into one process
    sys.path.insert(0, _LIB)

from ta_thousandeyes.rest.handlers import StreamsHandler  # noqa: E402

__all__ = ["StreamsHandler"]
