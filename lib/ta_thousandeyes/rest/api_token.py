"""connections/<name>/token: connect with a user API token (POST). The token is checked with
ThousandEyes, stored in the credential store, and never echoed back.
"""

from typing import Dict

from .. import authorization
from .. import connections as model
from . import summary, validation
from .base import Request, RestError, json_reply, route
from .connections import NAME


def connect(context: object, request: Request, name: str) -> Dict:
    validation.only(request, "api_token")
    service = context.service  # type: ignore[attr-defined]
    name = validation.connection_name(name)
    token = validation.required(request, "api_token")
    if any(character.isspace() for character in token) or not token.isprintable():
        raise RestError(400, "The API token must be one word of printable characters")
    config = model.get_connection(service, name)
    if config.auth_method != model.API_TOKEN:
        raise RestError(409, f"Connection {name!r} does not use the API token method")
    config = authorization.connect_api_token(service, name, token)
    return json_reply(200, summary.connected(service, config))


ROUTES = (route("POST", "connections/" + NAME + "/token", connect),)
