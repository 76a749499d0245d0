"""Assembles a working connection from its stored model: region, HTTP session, token source, lock.

The setup page's flows and the inputs both start here, so both reach only the region's hosts
through one URL policy, with one CA bundle and proxy, and both take the same lock (under the
instance's run directory, ``locks.run_directory``) before they touch the connection's
credential record. ``connections`` is the model alone; nothing here is stored.
"""

import time
from dataclasses import dataclass
from typing import Callable, List, Optional

import requests

from . import connections, credential_store, http, locks, regions, settings, tokens
from .api_client import TokenSource


@dataclass
class Parts:
    """What every use of a connection starts from (a flow step, a refresh, a collection)."""

    service: object
    config: connections.ConnectionConfig
    region: regions.Region
    settings: settings.Settings
    proxy: Optional[http.Proxy]
    session: requests.Session  # every call of this connection (http's one policy), region only
    store: credential_store.CredentialStore
    key: str  # the connection's credential record
    lock: locks.ConnectionLock  # every writer of that record holds it

    @property
    def scopes(self) -> List[str]:
        """What a flow asks for: ``[oauth] scopes`` plus the scopes of the connection's
        features. Not the scopes granted last time, so a scope added to either is asked for
        when the admin reconnects, and one the admin turned off is given up."""
        return self.config.requested_scopes(list(self.settings.scopes))

    def close(self) -> None:
        self.session.close()


@dataclass
class Connection:
    """An opened connection: what a collector needs to call the v7 API (over ``session``)."""

    parts: Parts
    token_source: TokenSource  # tokens.TokenManager or tokens.ApiTokenSource

    @property
    def name(self) -> str:
        return self.parts.config.name

    @property
    def config(self) -> connections.ConnectionConfig:
        return self.parts.config

    @property
    def region(self) -> regions.Region:
        return self.parts.region

    @property
    def settings(self) -> settings.Settings:
        return self.parts.settings

    @property
    def session(self) -> requests.Session:
        return self.parts.session

    @property
    def api_base_url(self) -> str:
        return self.parts.region.api_base_url

    def close(self) -> None:
        self.parts.close()


def connection_lock(name: str, lock_dir: Optional[str] = None) -> locks.ConnectionLock:
    """The lock of a connection's credential record; lock_dir only where a test isolates it."""
    return credential_store.record_lock(credential_store.connection_key(name), lock_dir)


def parts(
    service: object,
    name: str,
    lock_dir: Optional[str] = None,
    config: Optional[connections.ConnectionConfig] = None,
) -> Parts:
    """The pieces of connection ``name``; raises connections.UnknownConnectionError."""
    config = config or connections.get_connection(service, name)
    region = regions.get_region(service, config.region)
    current = settings.load_settings(service)
    proxy = _proxy(service, current)
    return Parts(
        service=service,
        config=config,
        region=region,
        settings=current,
        proxy=proxy,
        session=http_session(current, region, proxy),
        store=credential_store.CredentialStore(service),
        key=credential_store.connection_key(name),
        lock=connection_lock(name, lock_dir),
    )


def http_session(
    current: settings.Settings, region: regions.Region, proxy: Optional[http.Proxy]
) -> requests.Session:
    """HTTP session with the settings' CA bundle and proxy; credentials only to the region."""
    return http.build_session(region.origins, current.ca_bundle or None, proxy)


def _proxy(service: object, current: settings.Settings) -> Optional[http.Proxy]:
    proxy_password = None
    if current.proxy_enabled and current.proxy_username:
        record = credential_store.CredentialStore(service).read(settings.PROXY_SECRET_KEY) or {}
        proxy_password = record.get("password")
    return current.proxy(proxy_password)


def open_connection(
    service: object,
    name: str,
    clock: Callable[[], float] = time.time,
    lock_dir: Optional[str] = None,
) -> Connection:
    """Open a connection for API calls.

    Raises tokens.ReauthorizationRequired (with a message fit for one log line) when the
    connection is logged out or needs re-authorization, UnknownConnectionError when it does
    not exist.
    """
    config = connections.get_connection(service, name)
    if config.state == connections.DISCONNECTED:
        raise tokens.ReauthorizationRequired(
            name, f"Connection {name!r} is logged out; connect it on the setup page"
        )
    if config.state == connections.NEEDS_REAUTHORIZATION:
        raise tokens.ReauthorizationRequired(
            name,
            "Connection {!r} needs re-authorization on the setup page{}".format(
                name, ": " + config.error if config.error else ""
            ),
        )
    opened = parts(service, name, lock_dir, config)
    try:
        source = tokens.token_source_for(
            service, config, opened.region, opened.settings, opened.session, clock, lock_dir
        )
    except Exception:
        opened.close()
        raise
    return Connection(parts=opened, token_source=source)
