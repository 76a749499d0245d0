"""ThousandEyes regions: each key maps to a fixed set of hosts held in the app's configuration.

The browser only ever sends a region key; every URL the add-on calls comes from
``ta_thousandeyes_regions.conf`` (admins override hosts in ``local/``), so a token is never
sent to a host somebody typed in.
"""

from dataclasses import dataclass
from typing import Dict, FrozenSet, Tuple

from . import http, splunk_service

CONF_NAME = "ta_thousandeyes_regions"
REGION_KEYS = ("global", "us1", "us2", "eu")
URL_FIELDS = (
    "api_base_url",
    "metadata_url",
    "device_authorization_url",
    "token_url",
    "authorize_url",
    "revocation_url",
    "registration_url",
)
_REQUIRED_FIELDS = ("api_base_url", "token_url")


class RegionError(ValueError):
    """An unknown region key, or a region whose configuration is unusable."""


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    api_base_url: str
    metadata_url: str = ""
    device_authorization_url: str = ""
    token_url: str = ""
    authorize_url: str = ""
    revocation_url: str = ""  # empty: the server offers no revocation
    registration_url: str = ""

    @property
    def origins(self) -> FrozenSet[str]:
        """Every origin this region's configuration names: the only places a secret may go."""
        return frozenset(
            http.destination(getattr(self, name)) for name in URL_FIELDS if getattr(self, name)
        )

    def owns(self, url: str) -> bool:
        """Whether the URL policy admits ``url`` and it goes to one of the region's origins."""
        return http.admits(url, self.origins)

    def as_public_dict(self) -> Dict[str, str]:
        return {"key": self.key, "label": self.label}


def region_from_stanza(key: str, stanza: Dict[str, str]) -> Region:
    values = {name: (stanza.get(name) or "").strip() for name in URL_FIELDS}
    missing = [name for name in _REQUIRED_FIELDS if not values[name]]
    if missing:
        raise RegionError(
            "Region {!r} is missing {} in {}.conf".format(key, ", ".join(missing), CONF_NAME)
        )
    for name, url in values.items():
        if url:
            try:
                http.destination(url)
            except http.UnsafeUrlError as error:
                raise RegionError(f"Region {key!r}: {name} is refused: {error}")
    values["api_base_url"] = values["api_base_url"].rstrip("/")
    return Region(key=key, label=(stanza.get("label") or key).strip(), **values)


def load_regions(service: object) -> Dict[str, Region]:
    """The configured regions, in the fixed key order; unknown stanzas are ignored."""
    stanzas = splunk_service.read_stanzas(service, CONF_NAME)
    return {key: region_from_stanza(key, stanzas[key]) for key in REGION_KEYS if key in stanzas}


def get_region(service: object, key: str) -> Region:
    if key not in REGION_KEYS:
        raise RegionError(f"Unknown region {key!r}; expected one of {REGION_KEYS}")
    stanza = splunk_service.read_stanza(service, CONF_NAME, key)
    if stanza is None:
        raise RegionError(f"Region {key!r} is not configured in {CONF_NAME}.conf")
    return region_from_stanza(key, stanza)


def region_choices(service: object) -> Tuple[Dict[str, str], ...]:
    """(key, label) pairs for a region picker."""
    return tuple(region.as_public_dict() for region in load_regions(service).values())
