"""Marks the app configured once a connection works, so Splunk Web stops opening setup first."""

import logging

from .. import APP_NAME
from ..redaction import redact

logger = logging.getLogger("ta_thousandeyes.rest")


def mark_configured(service: object) -> bool:
    """POST apps/local/<app> configured=1 (app.conf [install] is_configured). True on success."""
    try:
        service.post("apps/local/" + APP_NAME, configured="1")  # type: ignore[attr-defined]
        return True
    except Exception as error:  # the connection works; this is only the first-run redirect
        logger.warning("Could not mark the app configured: %s", redact(error))
        return False
