"""Connections: the non-secret model in ``ta_thousandeyes_connections.conf``.

A connection is one authorized link to a ThousandEyes organization in one region. Its
secrets (tokens, API token, client secret) live in the credential store under
``connection:<name>``; this module keeps everything else. ``assembly`` opens one for use.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import credential_store, features, redaction, regions, settings, splunk_service

CONF_NAME = "ta_thousandeyes_connections"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

DEVICE_CODE = "device_code"
AUTHORIZATION_CODE = "authorization_code"
API_TOKEN = "api_token"  # noqa: S105 - an auth method name
AUTH_METHODS = (DEVICE_CODE, AUTHORIZATION_CODE, API_TOKEN)

CONNECTED = "connected"
NEEDS_REAUTHORIZATION = "needs_reauthorization"
DISCONNECTED = "disconnected"
ERROR = "error"
STATES = (CONNECTED, NEEDS_REAUTHORIZATION, DISCONNECTED, ERROR)

# A disconnected connection has no tokens: only a completed authorization connects it
# (allow_from_disconnected=True), so a late refresher can never resurrect or flag it.
_TRANSITIONS = {
    DISCONNECTED: {DISCONNECTED, ERROR},
    CONNECTED: set(STATES),
    NEEDS_REAUTHORIZATION: set(STATES),
    ERROR: set(STATES),
}


class ConnectionConfigError(ValueError):
    """A connection name, region, auth method or state that is not acceptable."""


class UnknownConnectionError(KeyError):
    """No connection of that name."""

    def __str__(self) -> str:
        return "No ThousandEyes connection named {!r}".format(self.args[0] if self.args else "")


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name) or name == "default":
        raise ConnectionConfigError(
            "Connection names are 1-64 letters, digits, '_', '.' or '-', starting with a "
            "letter or digit"
        )
    return name


@dataclass
class ConnectionConfig:
    name: str
    region: str
    auth_method: str
    scopes: List[str] = field(default_factory=list)  # granted (the token response's scope)
    state: str = DISCONNECTED
    error: str = ""
    user_email: str = ""
    account_groups: List[Dict[str, str]] = field(default_factory=list)
    last_refresh: float = 0.0
    token_expiry: float = 0.0
    client_id: str = ""
    # Optional features the admin turned on (features.FEATURES keys): their scopes are asked
    # for on top of [oauth] scopes by the next authorization.
    features: List[str] = field(default_factory=list)

    def validate(self) -> None:
        validate_name(self.name)
        if self.region not in regions.REGION_KEYS:
            raise ConnectionConfigError(f"Unknown region {self.region!r}")
        if self.auth_method not in AUTH_METHODS:
            raise ConnectionConfigError(f"Unknown auth method {self.auth_method!r}")
        if self.state not in STATES:
            raise ConnectionConfigError(f"Unknown state {self.state!r}")
        for scope in self.scopes:
            settings.parse_scopes(scope)
        try:
            self.features = features.parse(self.features)
        except features.UnknownFeatureError as error:
            raise ConnectionConfigError(str(error))

    def requested_scopes(self, base: List[str]) -> List[str]:
        """What this connection's next OAuth flow asks for, given the base scopes."""
        return features.requested_scopes(base, self.features)

    def to_stanza(self) -> Dict[str, str]:
        return {
            "region": self.region,
            "auth_method": self.auth_method,
            "scopes": " ".join(self.scopes),
            "state": self.state,
            "error": redaction.redact(self.error) if self.error else "",
            "user_email": self.user_email,
            "account_groups": json.dumps(self.account_groups, separators=(",", ":")),
            "last_refresh": _epoch_text(self.last_refresh),
            "token_expiry": _epoch_text(self.token_expiry),
            "client_id": self.client_id,
            "features": ",".join(self.features),
        }

    def as_public_dict(self) -> Dict[str, object]:
        """What the setup page may show: no secret is part of the model."""
        data = dict(self.__dict__)  # type: Dict[str, object]
        data["error"] = redaction.redact(self.error) if self.error else ""
        return data


def _epoch_text(value: float) -> str:
    return str(int(value)) if value else ""


def _float(value: Optional[str]) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def _groups(value: Optional[str]) -> List[Dict[str, str]]:
    try:
        groups = json.loads(value or "[]")
    except ValueError:
        return []
    if not isinstance(groups, list):
        return []
    return [
        {"aid": str(group.get("aid", "")), "name": str(group.get("name", ""))}
        for group in groups
        if isinstance(group, dict)
    ]


def config_from_stanza(name: str, stanza: Dict[str, str]) -> ConnectionConfig:
    state = stanza.get("state") or DISCONNECTED
    return ConnectionConfig(
        name=name,
        region=stanza.get("region") or "global",
        auth_method=stanza.get("auth_method") or DEVICE_CODE,
        scopes=settings.parse_scopes(stanza.get("scopes", "")),
        state=state if state in STATES else ERROR,
        error=stanza.get("error") or "",
        user_email=stanza.get("user_email") or "",
        account_groups=_groups(stanza.get("account_groups")),
        last_refresh=_float(stanza.get("last_refresh")),
        token_expiry=_float(stanza.get("token_expiry")),
        client_id=stanza.get("client_id") or "",
        features=features.known(re.split(r"[\s,]+", stanza.get("features") or "")),
    )


def list_connections(service: object) -> List[ConnectionConfig]:
    stanzas = splunk_service.read_stanzas(service, CONF_NAME)
    return [
        config_from_stanza(name, stanza)
        for name, stanza in sorted(stanzas.items())
        if NAME_RE.match(name)
    ]


def get_connection(service: object, name: str) -> ConnectionConfig:
    validate_name(name)
    stanza = splunk_service.read_stanza(service, CONF_NAME, name)
    if stanza is None or not stanza.get("region"):
        raise UnknownConnectionError(name)
    return config_from_stanza(name, stanza)


def save_connection(service: object, config: ConnectionConfig) -> None:
    config.validate()
    splunk_service.write_stanza(service, CONF_NAME, config.name, config.to_stanza())


def create_connection(
    service: object,
    name: str,
    region: str,
    auth_method: str,
    scopes: Optional[List[str]] = None,
    feature_keys: Optional[List[str]] = None,
) -> ConnectionConfig:
    """A new, disconnected connection (fails if the name is taken).

    scopes: what the connection is expected to be granted; a feature's scope among them turns
    that feature on (a flow asks for [oauth] scopes plus the features' scopes, not for these).
    """
    validate_name(name)
    if splunk_service.read_stanza(service, CONF_NAME, name):
        raise ConnectionConfigError(f"A connection named {name!r} already exists")
    regions.get_region(service, region)  # the region must be configured
    config = ConnectionConfig(
        name=name,
        region=region,
        auth_method=auth_method,
        scopes=list(scopes or []),
        features=list(feature_keys or []) + features.for_scopes(scopes or []),
    )
    save_connection(service, config)
    return config


def delete_connection(service: object, name: str) -> None:
    """Forget the connection and its secrets (callers revoke first: see authorization.logout)."""
    validate_name(name)
    key = credential_store.connection_key(name)
    with credential_store.record_lock(key):
        credential_store.CredentialStore(service).delete(key)
    splunk_service.delete_stanza(service, CONF_NAME, name)


def update_connection(
    service: object,
    name: str,
    allow_from_disconnected: bool = False,
    **changes: object,
) -> ConnectionConfig:
    """Change fields of a connection, checking the state transition when the state changes."""
    config = get_connection(service, name)
    new_state = changes.get("state")
    if new_state is not None and not allow_from_disconnected:
        if new_state not in _TRANSITIONS.get(config.state, set(STATES)):
            raise ConnectionConfigError(
                f"Connection {name!r} cannot go from {config.state} to {new_state}"
            )
    for key, value in changes.items():
        if not hasattr(config, key) or key == "name":
            raise ConnectionConfigError(f"Unknown connection field {key!r}")
        setattr(config, key, value)
    config.validate()
    stanza = config.to_stanza()
    splunk_service.write_stanza(service, CONF_NAME, name, {key: stanza[key] for key in changes})
    return config
