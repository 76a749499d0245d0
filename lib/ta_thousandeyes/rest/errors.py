"""Known failures of the library mapped to HTTP answers with a message the admin can act on."""

import logging
from typing import Dict, Optional

from .. import connections, credential_store, locks, regions, settings, tokens
from ..oauth import errors as oauth_errors
from ..redaction import redact
from .base import error_reply

logger = logging.getLogger("ta_thousandeyes.rest")

# Checked in order: subclasses before their bases.
_STATUS_BY_TYPE = (
    (connections.UnknownConnectionError, 404),
    (connections.ConnectionConfigError, 400),
    (settings.SettingsError, 400),
    (regions.RegionError, 400),
    (tokens.ReauthorizationRequired, 409),
    (oauth_errors.NoPendingFlowError, 409),
    (oauth_errors.StateMismatchError, 400),
    (oauth_errors.ApiTokenRejectedError, 400),
    (oauth_errors.DeniedError, 400),
    (oauth_errors.ExpiredError, 410),
    (oauth_errors.InvalidClientError, 400),
    (oauth_errors.UnsafeEndpointError, 400),
    (oauth_errors.NotSupportedError, 400),
    (oauth_errors.OAuthFlowError, 502),
    (locks.LockTimeout, 503),
    (credential_store.CredentialStoreError, 500),
)


def message_of(error: BaseException) -> str:
    if isinstance(error, KeyError) and not isinstance(error, connections.UnknownConnectionError):
        return redact(error.args[0] if error.args else error)
    return redact(error)


def reply_for_exception(error: BaseException) -> Optional[Dict]:
    """The JSON error answer for a known failure, None for anything unexpected."""
    for error_type, status in _STATUS_BY_TYPE:
        if isinstance(error, error_type):
            if status >= 500:
                logger.warning("%s: %s", type(error).__name__, redact(error))
            return error_reply(status, message_of(error))
    http_status = getattr(error, "status", None)
    if type(error).__name__ == "HTTPError" and isinstance(http_status, int):
        # splunklib.binding.HTTPError: splunkd refused one of our calls.
        logger.warning("splunkd answered HTTP %s: %s", http_status, redact(error))
        status = 403 if http_status == 403 else 502
        return error_reply(status, f"splunkd answered HTTP {http_status} to the add-on")
    return None
