"""Errors of the OAuth flows, each with a message an admin can act on (always redacted)."""

from typing import Optional

from .. import redaction


class OAuthFlowError(RuntimeError):
    """Base: a flow failed. ``error`` is the RFC 6749 error code when the server sent one."""

    default_message = "The authorization server refused the request"

    def __init__(
        self, message: Optional[str] = None, error: str = "", description: str = ""
    ) -> None:
        text = message or self.default_message
        if description and description not in text:
            text = f"{text} ({description})"
        super().__init__(redaction.redact(text))
        self.error = error
        self.description = redaction.redact(description) if description else ""


class DeniedError(OAuthFlowError):
    default_message = "The ThousandEyes user denied the authorization request"


class ExpiredError(OAuthFlowError):
    default_message = "The authorization request expired before it was approved; start again"


class InvalidGrantError(OAuthFlowError):
    default_message = "The grant (code or refresh token) is invalid, expired or already used"


class InvalidClientError(OAuthFlowError):
    default_message = "The authorization server does not accept this add-on's client id"


class StateMismatchError(OAuthFlowError):
    default_message = "The authorization response does not belong to a request of this add-on"


class NoPendingFlowError(OAuthFlowError):
    default_message = "No authorization is in progress for this connection; start again"


class IssuerMismatchError(OAuthFlowError):
    default_message = (
        "The authorization response names another authorization server than the one this "
        "add-on asked (RFC 9207 iss); start again"
    )


class ApiTokenRejectedError(OAuthFlowError):
    default_message = "ThousandEyes rejected the API token"


class UnsafeEndpointError(OAuthFlowError):
    default_message = "Refusing to send credentials to an endpoint outside the region's hosts"


class ServerError(OAuthFlowError):
    default_message = "The authorization server answered with an error"


class AnswerLostError(ServerError):
    """The request may have reached the server, but no usable answer came back (connection
    cut, timeout, a cut or unreadable body, a gateway error): the server may have acted."""

    default_message = "The answer of the authorization server was lost"


class NotSupportedError(OAuthFlowError):
    default_message = "The authorization server does not offer this feature"


_BY_CODE = {
    "access_denied": DeniedError,
    "expired_token": ExpiredError,
    "invalid_grant": InvalidGrantError,
    "invalid_client": InvalidClientError,
    "unauthorized_client": InvalidClientError,
}


def from_error_code(error: str, description: str = "", status: int = 0) -> OAuthFlowError:
    """The exception for an RFC 6749 / RFC 8628 error answer."""
    cls = _BY_CODE.get(error, ServerError)
    message = None
    if cls is ServerError:
        message = "The authorization server answered {}{}".format(
            error or "an error", f" (HTTP {status})" if status else ""
        )
    return cls(message, error=error, description=description)
