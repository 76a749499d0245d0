"""What the page shows about a connection: the non-secret model plus its inputs' last runs."""

from typing import Dict, List, Optional

from .. import connections as model
from .. import features, regions, settings
from . import app_state


def region_labels(service: object) -> Dict[str, str]:
    try:
        return {key: region.label for key, region in regions.load_regions(service).items()}
    except regions.RegionError:
        return {}


def base_scopes(service: object) -> List[str]:
    """``[oauth] scopes``; the default when the conf cannot be read as scopes."""
    try:
        return list(settings.load_settings(service).scopes)
    except settings.SettingsError:
        return list(settings.DEFAULT_SCOPES)


def feature_status(config: model.ConnectionConfig, base: List[str]) -> Dict[str, object]:
    """Per feature: turned on (requested), asked for anyway by ``[oauth] scopes`` (in_base),
    held by the current grant (granted); and the scopes the next authorization would add
    (missing) or give up (unneeded).

    A user API token carries every scope, so its features are all granted and need no
    reconnect; a logged-out connection holds nothing."""
    token = config.auth_method == model.API_TOKEN
    live = config.state != model.DISCONNECTED
    held = set(config.scopes) if live else set()
    requested = config.requested_scopes(base)
    items = [
        {
            "key": key,
            "label": feature.label,
            "scope": feature.scope,
            "description": feature.description,
            "requested": key in config.features,
            "in_base": feature.scope in base,
            "granted": (token and live) or feature.scope in held,
        }
        for key, feature in features.FEATURES.items()
    ]
    oauth_connected = config.state == model.CONNECTED and not token
    missing = [scope for scope in requested if scope not in held]
    unneeded = [
        feature.scope
        for feature in features.FEATURES.values()
        if feature.scope in held and feature.scope not in requested
    ]
    return {
        "features": items,
        "requested_scopes": [] if token else requested,
        "missing_scopes": missing if oauth_connected else [],
        "unneeded_scopes": unneeded if oauth_connected else [],
    }


def connection_summary(
    config: model.ConnectionConfig,
    labels: Optional[Dict[str, str]] = None,
    inputs: Optional[List[Dict[str, object]]] = None,
    damage: Optional[str] = None,
    base: Optional[List[str]] = None,
) -> Dict[str, object]:
    """Only fields from the connection model, which holds no secret by design.

    damage: what is wrong with the connection's stored credentials, if they cannot be read
    (shown as an error state with a way out, whatever the model's state says).
    base: ``[oauth] scopes`` (base_scopes), for what the next authorization asks for."""
    public = config.as_public_dict()
    state, error = config.state, public["error"]
    if damage and state != model.DISCONNECTED:
        state = model.ERROR
        error = f"The stored credentials cannot be read ({damage}): log out to remove them."
    summary = {
        "name": config.name,
        "region": config.region,
        "region_label": (labels or {}).get(config.region) or config.region,
        "auth_method": config.auth_method,
        "state": state,
        "error": error,
        "credentials_damaged": bool(damage),
        "user_email": config.user_email,
        "account_groups": [
            {"aid": str(group.get("aid", "")), "name": str(group.get("name", ""))}
            for group in config.account_groups
        ],
        "last_refresh": int(config.last_refresh or 0),
        "token_expiry": int(config.token_expiry or 0),
        "scopes": list(config.scopes),
        "needs_reauthorization": config.state == model.NEEDS_REAUTHORIZATION,
        "inputs": list(inputs or []),
    }  # type: Dict[str, object]
    summary.update(feature_status(config, list(settings.DEFAULT_SCOPES) if base is None else base))
    return summary


def connected_message(config: model.ConnectionConfig, labels: Dict[str, str]) -> str:
    who = config.user_email or "the ThousandEyes user"
    return f"Connected as {who} ({labels.get(config.region) or config.region})"


def connected(service: object, config: model.ConnectionConfig) -> Dict[str, object]:
    """The page's answer once a connection works (the app is marked configured first)."""
    app_state.mark_configured(service)
    labels = region_labels(service)
    return {
        "state": "connected",
        "message": connected_message(config, labels),
        "connection": connection_summary(config, labels, base=base_scopes(service)),
    }
