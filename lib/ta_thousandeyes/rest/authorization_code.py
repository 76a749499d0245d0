"""Authorization code + PKCE: connections/<name>/authorize (POST, returns the URL to open) and
oauth/callback (GET, where ThousandEyes sends the browser back with code and state).

The callback URL is fixed (a registered client needs one exact redirect URI), so the
connection is found by the ``state`` its pending flow holds. The verifier and state stay in
the credential store. The callback answers a small HTML page that sends the browser back to
the setup page with only an outcome word and the connection name in the query.
"""

import hmac
from html import escape
from typing import Dict, Mapping, Optional
from urllib.parse import urlencode, urlsplit

from .. import APP_NAME, authorization, credential_store
from .. import connections as model
from ..oauth import errors as oauth_errors
from ..redaction import redact
from . import summary, validation, web_origin
from .base import Request, RestError, json_reply, route
from .connections import NAME

SETUP_VIEW = "ta_thousandeyes_setup"
CALLBACK_PARAMETERS = ("code", "state", "error", "error_description", "error_uri", "iss")
# From .../<locale>/splunkd/__raw/servicesNS/nobody/<app>/ta_thousandeyes/oauth/callback
# seven levels up is /<locale>/ (keeps any Splunk Web root_endpoint prefix).
_TO_LOCALE_ROOT = "../" * 7


def start(context: object, request: Request, name: str) -> Dict:
    validation.only(request, "redirect_uri")
    service = context.service  # type: ignore[attr-defined]
    name = validation.connection_name(name)
    redirect_uri = validation.redirect_uri(request.arg("redirect_uri"))
    origins = web_origin.splunk_web_origins(service, request.server_names)
    if not origins.admits(redirect_uri):
        raise RestError(
            400,
            "redirect_uri must be this Splunk Web's OAuth callback URL, on Splunk Web's own "
            "address (this server's name, or web.conf tools.proxy.base behind a proxy)",
        )
    config = model.get_connection(service, name)
    if config.auth_method != model.AUTHORIZATION_CODE:
        raise RestError(409, f"Connection {name!r} does not use the authorization code method")
    url = authorization.start_authorization_code(service, name, redirect_uri)
    if urlsplit(url).scheme not in ("https", "http"):
        raise RestError(502, "The authorization server URL is not a web address")
    return json_reply(200, {"authorize_url": url})


def _connection_for_state(service: object, state: str) -> Optional[str]:
    """The connection whose pending PKCE flow issued this state (constant-time compare)."""
    if not state:
        return None
    store = credential_store.CredentialStore(service)
    for config in model.list_connections(service):
        if config.auth_method != model.AUTHORIZATION_CODE:
            continue
        try:
            record = store.read(credential_store.connection_key(config.name)) or {}
        except credential_store.CorruptRecordError:
            continue  # holds no flow anyone can finish; the page shows the damage
        pending = record.get("pending")
        if not isinstance(pending, dict) or pending.get("kind") != "pkce":
            continue
        expected = str(pending.get("state") or "")
        if expected and hmac.compare_digest(expected.encode(), state.encode()):
            return config.name
    return None


def _back_to_setup(outcome: str, name: str = "", message: str = "") -> Dict:
    query = {"auth": outcome}
    if name:
        query["connection"] = name
    target = f"{_TO_LOCALE_ROOT}app/{APP_NAME}/{SETUP_VIEW}?{urlencode(query)}"
    text = message or "Returning to the ThousandEyes setup page."
    url = escape(target, quote=True)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={url}">'
        f"<title>ThousandEyes authorization</title></head><body><p>{escape(text)}</p>"
        f'<p><a href="{url}">Continue to the setup page</a></p></body></html>'
    )
    return {
        "status": 200,
        "payload": page,
        "headers": {
            "Content-Type": "text/html; charset=UTF-8",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",  # the URL of this page carries the code
            "X-Content-Type-Options": "nosniff",
        },
    }


def callback(context: object, request: Request) -> Dict:
    validation.only(request, *CALLBACK_PARAMETERS)
    params = {}  # type: Dict[str, str]
    for key in CALLBACK_PARAMETERS:
        value = request.arg(key)
        if value is not None:
            params[key] = value
    service = context.service  # type: ignore[attr-defined]
    name = _connection_for_state(service, params.get("state", ""))
    if name is None:
        return _back_to_setup("error", message="This authorization response is not expected.")
    return _complete(service, name, params)


def _complete(service: object, name: str, params: Mapping[str, str]) -> Dict:
    try:
        config = authorization.complete_authorization_code(service, name, params)
    except oauth_errors.DeniedError:
        return _back_to_setup("denied", name)
    except oauth_errors.ExpiredError:
        return _back_to_setup("expired", name)
    except oauth_errors.OAuthFlowError as error:
        return _back_to_setup("error", name, redact(error))
    return _back_to_setup("connected", name, str(summary.connected(service, config)["message"]))


ROUTES = (route("POST", "connections/" + NAME + "/authorize", start),)
CALLBACK_ROUTES = (route("GET", "oauth/callback", callback),)
