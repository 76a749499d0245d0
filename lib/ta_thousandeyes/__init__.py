"""Splunk add-on for Cisco ThousandEyes: the importable core.

Everything that runs inside Splunk lives here; `bin/` only holds thin entry points.
"""

APP_NAME = "TA-thousandeyes"
__version__ = "0.1.0"
USER_AGENT = f"{APP_NAME}/{__version__}"
