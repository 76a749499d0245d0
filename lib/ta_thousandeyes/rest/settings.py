"""settings (GET/POST): proxy, CA bundle, log level, client id. The proxy password is
write-only: it goes to the credential store and the page only learns whether one is set.
"""

from typing import Dict

from .. import credential_store, settings
from . import validation
from .base import Request, RestError, json_reply, route

FIELDS = (
    "proxy_enabled",
    "proxy_scheme",
    "proxy_host",
    "proxy_port",
    "proxy_username",
    "proxy_password",
    "proxy_password_clear",
    "ca_bundle",
    "log_level",
    "client_id",
)


def _public(service: object, current: settings.Settings) -> Dict[str, object]:
    record = credential_store.CredentialStore(service).read(settings.PROXY_SECRET_KEY) or {}
    return {
        "proxy_enabled": current.proxy_enabled,
        "proxy_scheme": current.proxy_scheme,
        "proxy_host": current.proxy_host,
        "proxy_port": current.proxy_port or "",
        "proxy_username": current.proxy_username,
        "proxy_password": "set" if record.get("password") else "not set",
        "ca_bundle": current.ca_bundle,
        "log_level": current.log_level,
        "client_id": current.client_id,
    }


def get_settings(context: object, request: Request) -> Dict:
    validation.only(request)
    service = context.service  # type: ignore[attr-defined]
    return json_reply(200, {"settings": _public(service, settings.load_settings(service))})


def _apply(request: Request, current: settings.Settings) -> None:
    """Copy the given fields onto current (absent fields keep their value)."""
    if request.arg("proxy_enabled") is not None:
        current.proxy_enabled = validation.boolean("proxy_enabled", request.arg("proxy_enabled"))
    if request.arg("proxy_scheme") is not None:
        current.proxy_scheme = validation.choice(
            "Proxy scheme", request.arg("proxy_scheme"), settings.PROXY_SCHEMES
        )
    if request.arg("proxy_host") is not None:
        current.proxy_host = validation.printable("Proxy host", request.arg("proxy_host"), 253)
    if request.arg("proxy_port") is not None:
        current.proxy_port = validation.port(request.arg("proxy_port"))
    if request.arg("proxy_username") is not None:
        current.proxy_username = validation.printable(
            "Proxy user", request.arg("proxy_username"), 256
        )
    if request.arg("ca_bundle") is not None:
        path = validation.printable("CA bundle path", request.arg("ca_bundle"), 1024)
        if path and not settings.is_ca_bundle(path):
            raise RestError(
                400, "CA bundle must be the absolute path of a PEM file of CA certificates"
            )
        current.ca_bundle = path
    if request.arg("log_level") is not None:
        current.log_level = validation.log_level(request.arg("log_level"))
    if request.arg("client_id") is not None:
        client_id = validation.printable("Client id", request.arg("client_id"), 256)
        if " " in client_id:
            raise RestError(400, "Client id must not contain spaces")
        current.client_id = client_id


def save_settings(context: object, request: Request) -> Dict:
    validation.only(request, *FIELDS)
    service = context.service  # type: ignore[attr-defined]
    current = settings.load_settings(service)
    _apply(request, current)
    password = request.arg("proxy_password")
    clear = validation.boolean("proxy_password_clear", request.arg("proxy_password_clear"))
    if password is not None and len(password) > 256:
        raise RestError(400, "Proxy password is too long")
    settings.save_settings(service, current)  # validates the whole set first
    store = credential_store.CredentialStore(service)
    if clear or password:
        with credential_store.record_lock(settings.PROXY_SECRET_KEY):
            if clear:
                store.delete(settings.PROXY_SECRET_KEY)
            else:
                store.write(settings.PROXY_SECRET_KEY, {"password": password})
    return json_reply(200, {"message": "Settings saved", "settings": _public(service, current)})


ROUTES = (
    route("GET", "settings", get_settings),
    route("POST", "settings", save_settings),
)
