"""connections/<name>/device: start the device authorization (POST), cancel it (DELETE);
connections/<name>/poll (POST): poll it. A poll can store tokens and mark the app configured,
so it is a POST like every state change: Splunk Web lets it through only with the CSRF form
key, and a link or image cannot trigger it. The device code stays in the credential store; the
page gets the user code, the verification links, the lifetime and the poll interval only.
"""

from typing import Dict
from urllib.parse import urlsplit

from .. import authorization
from .. import connections as model
from ..oauth import errors as oauth_errors
from ..redaction import redact
from . import summary, validation
from .base import Request, RestError, json_reply, route
from .connections import NAME

_OUTCOMES = (
    (oauth_errors.DeniedError, "denied"),
    (oauth_errors.ExpiredError, "expired"),
)


def _web_link(url: object) -> str:
    """Only http(s) links may reach the page (it puts them in an <a href>)."""
    text = str(url or "")
    if text and urlsplit(text).scheme not in ("https", "http"):
        raise RestError(502, "The authorization server sent an unusable verification link")
    return text


def _connection(context: object, name: str) -> model.ConnectionConfig:
    config = model.get_connection(context.service, validation.connection_name(name))  # type: ignore[attr-defined]
    if config.auth_method != model.DEVICE_CODE:
        raise RestError(409, f"Connection {name!r} does not use the device code method")
    return config


def start(context: object, request: Request, name: str) -> Dict:
    validation.only(request)
    _connection(context, name)
    public = authorization.start_device_authorization(context.service, name)  # type: ignore[attr-defined]
    verification_uri = _web_link(public.get("verification_uri"))
    if not verification_uri:
        raise RestError(502, "The authorization server sent no verification link")
    return json_reply(
        200,
        {
            "user_code": str(public.get("user_code") or ""),
            "verification_uri": verification_uri,
            "verification_uri_complete": _web_link(public.get("verification_uri_complete"))
            or verification_uri,
            "expires_in": int(public.get("expires_in") or 0),
            "interval": int(public.get("interval") or 5),
        },
    )


def poll(context: object, request: Request, name: str) -> Dict:
    validation.only(request)
    service = context.service  # type: ignore[attr-defined]
    config = _connection(context, name)
    try:
        result = authorization.poll_device_authorization(service, name)
    except oauth_errors.NoPendingFlowError as error:
        if config.state == model.CONNECTED:  # finished in another tab or process
            return _connected(service, config)
        return json_reply(200, {"state": "error", "message": redact(error)})
    except oauth_errors.OAuthFlowError as error:
        for error_type, state in _OUTCOMES:
            if isinstance(error, error_type):
                return json_reply(200, {"state": state, "message": redact(error)})
        return json_reply(200, {"state": "error", "message": redact(error)})
    if result.get("status") == "connected":
        return _connected(service, model.get_connection(service, name))
    message = "Waiting for approval at ThousandEyes"
    if result.get("status") == "slow_down":
        message = "ThousandEyes asked to poll more slowly; still waiting"
    return json_reply(
        200,
        {"state": "pending", "interval": int(result.get("interval") or 5), "message": message},
    )


def _connected(service: object, config: model.ConnectionConfig) -> Dict:
    return json_reply(200, summary.connected(service, config))


def cancel(context: object, request: Request, name: str) -> Dict:
    validation.only(request)
    _connection(context, name)
    authorization.cancel_pending(context.service, name)  # type: ignore[attr-defined]
    return json_reply(200, {"state": "cancelled", "message": "Authorization cancelled"})


ROUTES = (
    route("POST", "connections/" + NAME + "/device", start),
    route("POST", "connections/" + NAME + "/poll", poll),
    route("DELETE", "connections/" + NAME + "/device", cancel),
)
