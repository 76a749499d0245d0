"""Checks on every parameter the browser sends; each failure is a 400 with a plain message."""

import re
from typing import Iterable, List, Optional
from urllib.parse import urlsplit

from .. import connections, features, http, regions, settings
from .base import CONTROL_PARAMETERS, Request, RestError

CALLBACK_PATH = "/ta_thousandeyes/oauth/callback"
_PRINTABLE = re.compile(r"^[\x20-\x7E]*$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def only(request: Request, *names: str) -> None:
    """Refuse parameters this route does not know (typos must not pass silently)."""
    known = set(names) | CONTROL_PARAMETERS
    unknown = sorted({name for name in request.names() if name not in known})
    if unknown:
        raise RestError(400, "Unknown parameter(s): {}".format(", ".join(unknown)))


def required(request: Request, name: str) -> str:
    value = request.arg(name)
    if value is None or not value.strip():
        raise RestError(400, f"Missing parameter {name!r}")
    return value.strip()


def connection_name(value: Optional[str]) -> str:
    if not value or not connections.NAME_RE.match(value) or value == "default":
        raise RestError(
            400,
            "Connection names are 1-64 letters, digits, '_', '.' or '-', starting with a "
            "letter or digit",
        )
    return value


def region_key(value: Optional[str]) -> str:
    if value not in regions.REGION_KEYS:
        raise RestError(400, "Region must be one of {}".format(", ".join(regions.REGION_KEYS)))
    return str(value)


def auth_method(value: Optional[str]) -> str:
    if value not in connections.AUTH_METHODS:
        raise RestError(400, "Method must be one of {}".format(", ".join(connections.AUTH_METHODS)))
    return str(value)


def feature_keys(value: Optional[str]) -> List[str]:
    """Comma-separated keys of features.FEATURES; anything else (a scope included) is a 400."""
    try:
        return features.parse((value or "").split(","))
    except features.UnknownFeatureError as error:
        raise RestError(400, str(error))


def boolean(name: str, value: Optional[str]) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RestError(400, f"Parameter {name!r} must be true or false")


def port(value: Optional[str]) -> int:
    text = (value or "").strip()
    if not text:
        return 0
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise RestError(400, "Proxy port must be a number between 1 and 65535")
    return int(text)


def choice(name: str, value: Optional[str], choices: Iterable[str]) -> str:
    options = tuple(choices)
    if value not in options:
        raise RestError(400, "{} must be one of {}".format(name, ", ".join(options)))
    return str(value)


def printable(name: str, value: Optional[str], max_length: int = 256) -> str:
    text = (value or "").strip()
    if len(text) > max_length or not _PRINTABLE.match(text):
        raise RestError(400, f"{name} must be at most {max_length} printable ASCII characters")
    return text


def log_level(value: Optional[str]) -> str:
    return choice("Log level", (value or "").strip().upper(), settings.LOG_LEVELS)


def redirect_uri(value: Optional[str]) -> str:
    """The Splunk Web callback URL: the URL policy (http.destination) admits it, our fixed
    callback path, no query or fragment. Whose origin it names is web_origin's check."""
    text = (value or "").strip()
    try:
        http.destination(text)
    except http.UnsafeUrlError:
        raise RestError(400, "redirect_uri must be this Splunk Web's OAuth callback URL")
    parts = urlsplit(text)
    if parts.query or "?" in text or not parts.path.endswith(CALLBACK_PATH) or len(text) > 1024:
        raise RestError(400, "redirect_uri must be this Splunk Web's OAuth callback URL")
    return text
