"""connections and connections/<name>[/logout|features]: list with status, create or change,
log out, turn optional features on or off.

Changing the region or method of a connection that holds tokens is refused (409): tokens
belong to one region and one grant, so the admin logs out first. Features (``features``:
comma-separated keys of ``ta_thousandeyes.features``, never scopes) change only what the next
authorization asks for; the page then offers "Reconnect to grant <scope>".
"""

from typing import Dict

from .. import authorization, credential_store, features
from .. import connections as model
from . import status, summary, validation
from .base import Request, RestError, json_reply, route

NAME = r"(?P<name>[^/]+)"


def _damage(service: object) -> Dict[str, str]:
    """connection name -> why its stored credentials cannot be read."""
    prefix = credential_store.connection_key("")
    damaged = credential_store.CredentialStore(service).damaged()
    return {key[len(prefix) :]: why for key, why in damaged.items() if key.startswith(prefix)}


def _summary(service: object, config: model.ConnectionConfig) -> Dict[str, object]:
    labels = summary.region_labels(service)
    inputs = status.inputs_by_connection(service).get(config.name, [])
    damage = _damage(service).get(config.name)
    base = summary.base_scopes(service)
    return summary.connection_summary(config, labels, inputs, damage, base)


def list_connections(context: object, request: Request) -> Dict:
    validation.only(request)
    service = context.service  # type: ignore[attr-defined]
    labels = summary.region_labels(service)
    inputs = status.inputs_by_connection(service)
    damage = _damage(service)
    base = summary.base_scopes(service)
    items = [
        summary.connection_summary(
            config, labels, inputs.get(config.name, []), damage.get(config.name), base
        )
        for config in model.list_connections(service)
    ]
    catalog = [
        {"key": f.key, "label": f.label, "scope": f.scope, "description": f.description}
        for f in features.FEATURES.values()
    ]  # what the connect form offers before any connection exists
    return json_reply(200, {"connections": items, "features": catalog})


def get_connection(context: object, request: Request, name: str) -> Dict:
    validation.only(request)
    service = context.service  # type: ignore[attr-defined]
    config = model.get_connection(service, validation.connection_name(name))
    return json_reply(200, {"connection": _summary(service, config)})


def save_connection(context: object, request: Request) -> Dict:
    """Create a connection, or change region/method of one that holds no tokens; ``features``
    when given (absent: keep them)."""
    validation.only(request, "name", "region", "auth_method", "features")
    name = validation.connection_name(request.arg("name"))
    region = validation.region_key(request.arg("region"))
    method = validation.auth_method(request.arg("auth_method"))
    given = request.arg("features")
    chosen = None if given is None else validation.feature_keys(given)
    service = context.service  # type: ignore[attr-defined]
    try:
        config = model.get_connection(service, name)
    except model.UnknownConnectionError:
        config = model.create_connection(service, name, region, method, feature_keys=chosen)
        return json_reply(201, {"connection": _summary(service, config)})
    if config.region != region and config.state != model.DISCONNECTED:
        raise RestError(
            409,
            f"Connection {name!r} is authorized in another region; log it out before "
            "changing its region",
        )
    if config.region != region or config.auth_method != method:
        config = model.update_connection(service, name, region=region, auth_method=method)
    if chosen is not None and chosen != config.features:
        config = model.update_connection(service, name, features=chosen)
    return json_reply(200, {"connection": _summary(service, config)})


def save_features(context: object, request: Request, name: str) -> Dict:
    """Turn optional features on or off: ``features`` lists the ones on (empty: none)."""
    validation.only(request, "features")
    service = context.service  # type: ignore[attr-defined]
    name = validation.connection_name(name)
    given = request.arg("features")
    if given is None:
        raise RestError(400, "Missing parameter 'features' (empty: no optional feature)")
    chosen = validation.feature_keys(given)
    model.get_connection(service, name)  # 404 before any work
    config = model.update_connection(service, name, features=chosen)
    return json_reply(200, {"connection": _summary(service, config)})


def logout(context: object, request: Request, name: str) -> Dict:
    validation.only(request)
    service = context.service  # type: ignore[attr-defined]
    name = validation.connection_name(name)
    model.get_connection(service, name)  # 404 before any work
    result = authorization.logout(service, name)
    config = model.get_connection(service, name)
    return json_reply(
        200,
        {
            "message": "Logged out",
            "revoked": bool(result.get("revoked")),
            "revocation_offered": bool(result.get("revocation_offered")),
            "connection": _summary(service, config),
        },
    )


def delete_connection(context: object, request: Request, name: str) -> Dict:
    """Log out (revoking where possible), then forget the connection."""
    validation.only(request)
    service = context.service  # type: ignore[attr-defined]
    name = validation.connection_name(name)
    model.get_connection(service, name)
    result = authorization.logout(service, name)
    model.delete_connection(service, name)
    return json_reply(
        200, {"message": "Logged out and removed", "revoked": bool(result.get("revoked"))}
    )


ROUTES = (
    route("GET", "connections", list_connections),
    route("POST", "connections", save_connection),
    route("GET", "connections/" + NAME, get_connection),
    route("DELETE", "connections/" + NAME, delete_connection),
    route("POST", "connections/" + NAME + "/logout", logout),
    route("POST", "connections/" + NAME + "/features", save_features),
)
