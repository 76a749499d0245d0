"""What the page shows about a connection: the non-secret model plus its inputs' last runs."""

from typing import Dict, List, Optional

from .. import connections as model
from .. import regions
from . import app_state


def region_labels(service: object) -> Dict[str, str]:
    try:
        return {key: region.label for key, region in regions.load_regions(service).items()}
    except regions.RegionError:
        return {}


def connection_summary(
    config: model.ConnectionConfig,
    labels: Optional[Dict[str, str]] = None,
    inputs: Optional[List[Dict[str, object]]] = None,
    damage: Optional[str] = None,
) -> Dict[str, object]:
    """Only fields from the connection model, which holds no secret by design.

    damage: what is wrong with the connection's stored credentials, if they cannot be read
    (shown as an error state with a way out, whatever the model's state says)."""
    public = config.as_public_dict()
    state, error = config.state, public["error"]
    if damage and state != model.DISCONNECTED:
        state = model.ERROR
        error = f"The stored credentials cannot be read ({damage}): log out to remove them."
    return {
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
    }


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
        "connection": connection_summary(config, labels),
    }
