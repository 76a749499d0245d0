"""Add-on wide settings from ``ta_thousandeyes_settings.conf``: proxy, TLS, logging, OAuth.

The proxy password is the only secret here and lives in the credential store under
``settings:proxy``; everything else is plain configuration.
"""

import os
import re
import ssl
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import http, splunk_service

CONF_NAME = "ta_thousandeyes_settings"
PROXY_SECRET_KEY = "settings:proxy"  # noqa: S105 - a store key, not a secret
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PROXY_SCHEMES = ("http", "https")
# What the collectors read (tests, results and events; alerts; users, account groups and the
# activity log) plus offline_access for a refresh token.
DEFAULT_SCOPES = ("organization:read", "tests:read", "alerts:read", "offline_access")
_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$")
_SCOPE_RE = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")  # RFC 6749 scope-token
MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024  # certifi's bundle is about 300 KB
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\s]+?-----END \1-----")
_CERTIFICATE_LABELS = (b"CERTIFICATE", b"TRUSTED CERTIFICATE")


class SettingsError(ValueError):
    """A setting that cannot be used as given."""


def is_ca_bundle(path: str) -> bool:
    """Whether path is an absolute path of a PEM file holding CA certificates and no other
    PEM blocks (a private key, say), that TLS can load. One answer for a missing, unreadable
    or other file, so the setting cannot be used to probe the server's files."""
    if not path or not os.path.isabs(path):
        return False
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_CA_BUNDLE_BYTES:
            return False
        with open(path, "rb") as handle:
            data = handle.read(MAX_CA_BUNDLE_BYTES + 1)
        labels = [match.group(1) for match in _PEM_BLOCK.finditer(data)]
        if not labels or data.count(b"-----BEGIN ") != len(labels):
            return False
        if any(label not in _CERTIFICATE_LABELS for label in labels):
            return False
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except (OSError, ValueError, ssl.SSLError):
        return False
    return True


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on", "t", "y")


def parse_scopes(value: str) -> List[str]:
    scopes = [scope for scope in re.split(r"[\s,]+", value or "") if scope]
    for scope in scopes:
        if not _SCOPE_RE.match(scope):
            raise SettingsError(f"Invalid OAuth scope {scope!r}")
    return scopes


@dataclass
class Settings:
    proxy_enabled: bool = False
    proxy_scheme: str = "http"
    proxy_host: str = ""
    proxy_port: int = 0
    proxy_username: str = ""
    ca_bundle: str = ""
    log_level: str = "INFO"
    client_id: str = ""
    scopes: List[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    refresh_margin_seconds: int = 15
    keep_alive_seconds: int = 3600  # refresh an idle connection when older than this

    def validate(self) -> None:
        if self.log_level not in LOG_LEVELS:
            raise SettingsError("Log level must be one of {}".format(", ".join(LOG_LEVELS)))
        if self.proxy_enabled:
            if self.proxy_scheme not in PROXY_SCHEMES:
                raise SettingsError("Proxy scheme must be http or https")
            if not _HOST_RE.match(self.proxy_host or ""):
                raise SettingsError("Proxy host is not a valid host name or address")
            if not 0 < int(self.proxy_port) < 65536:
                raise SettingsError("Proxy port must be between 1 and 65535")
        if self.ca_bundle and not os.path.isabs(self.ca_bundle):
            raise SettingsError("CA bundle must be an absolute path")
        if not 0 <= int(self.refresh_margin_seconds) <= 3600:
            raise SettingsError("Refresh margin must be between 0 and 3600 seconds")
        if int(self.keep_alive_seconds) < 60:
            raise SettingsError("Keep-alive interval must be at least 60 seconds")
        for scope in self.scopes:
            parse_scopes(scope)

    def proxy(self, password: Optional[str] = None) -> Optional[http.Proxy]:
        """The proxy for http.build_session (credentials kept apart); None when disabled."""
        if not self.proxy_enabled or not self.proxy_host:
            return None
        return http.Proxy(
            scheme=self.proxy_scheme,
            host=self.proxy_host,
            port=int(self.proxy_port),
            username=self.proxy_username,
            password=(password or "") if self.proxy_username else "",
        )

    def to_stanzas(self) -> Dict[str, Dict[str, str]]:
        return {
            "proxy": {
                "enabled": "1" if self.proxy_enabled else "0",
                "scheme": self.proxy_scheme,
                "host": self.proxy_host,
                "port": str(self.proxy_port or ""),
                "username": self.proxy_username,
            },
            "tls": {"ca_bundle": self.ca_bundle},
            "logging": {"level": self.log_level},
            "oauth": {
                "client_id": self.client_id,
                "scopes": " ".join(self.scopes),
                "refresh_margin_seconds": str(self.refresh_margin_seconds),
                "keep_alive_seconds": str(self.keep_alive_seconds),
            },
        }


def _int(value: Optional[str], default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def settings_from_stanzas(stanzas: Dict[str, Dict[str, str]]) -> Settings:
    proxy = stanzas.get("proxy", {})
    oauth = stanzas.get("oauth", {})
    defaults = Settings()
    return Settings(
        proxy_enabled=_truthy(proxy.get("enabled", "0")),
        proxy_scheme=(proxy.get("scheme") or "http").strip().lower(),
        proxy_host=(proxy.get("host") or "").strip(),
        proxy_port=_int(proxy.get("port"), 0),
        proxy_username=(proxy.get("username") or "").strip(),
        ca_bundle=(stanzas.get("tls", {}).get("ca_bundle") or "").strip(),
        log_level=(stanzas.get("logging", {}).get("level") or "INFO").strip().upper(),
        client_id=(oauth.get("client_id") or "").strip(),
        scopes=parse_scopes(oauth.get("scopes", "")) or list(DEFAULT_SCOPES),
        refresh_margin_seconds=_int(
            oauth.get("refresh_margin_seconds"), defaults.refresh_margin_seconds
        ),
        keep_alive_seconds=_int(oauth.get("keep_alive_seconds"), defaults.keep_alive_seconds),
    )


def load_settings(service: object) -> Settings:
    return settings_from_stanzas(splunk_service.read_stanzas(service, CONF_NAME))


def save_settings(service: object, settings: Settings) -> None:
    """Validate, then write every stanza (the proxy password goes to the credential store)."""
    settings.validate()
    for stanza, values in settings.to_stanzas().items():
        splunk_service.write_stanza(service, CONF_NAME, stanza, values)
