"""splunklib access: a Service from what splunkd hands us, and the few .conf operations we need.

Modular inputs and REST handlers receive a server URI and a session key; everything else
in the add-on talks to splunkd through the Service built here, always in the app's own
namespace (owner ``nobody``) so conf stanzas and secrets are app-level, not per user.

Listings: splunkd returns 30 entries unless ``count`` says otherwise (REST API reference,
common GET parameters). splunklib's ``Collection.list()`` sends ``count=-1`` (all), but
``Inputs.list(kind)`` sends no count; ``list_entries`` asks for all and checks the total.
"""

import json
import ssl
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from splunklib import binding, client

from . import APP_NAME

SPLUNKD_TIMEOUT = 60  # seconds; splunklib has no timeout unless given one

# Keys splunkd adds to every conf stanza it returns; they are not settings.
_META_PREFIXES = ("eai:",)
_META_KEYS = frozenset({"disabled"})


def connect(
    server_uri: str,
    session_key: str,
    app: str = APP_NAME,
    owner: str = "nobody",
    ca_bundle: Optional[str] = None,
    timeout: int = SPLUNKD_TIMEOUT,
) -> client.Service:
    """A Service for splunkd at server_uri (e.g. ``https://127.0.0.1:8089``).

    splunkd's management port usually carries a self-signed certificate, so it is verified
    only when a CA bundle is given (splunklib's own default is not to verify).
    """
    parts = urlsplit(server_uri)
    context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None
    handler = binding.handler(timeout=timeout, verify=bool(ca_bundle), context=context)
    return client.Service(
        handler=handler,
        scheme=parts.scheme or "https",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 8089,
        token=session_key,
        app=app,
        owner=owner,
        sharing="app",
    )


class IncompleteListing(Exception):
    """splunkd's listing did not add up to the total it reported (it changed while we read it,
    or splunkd capped it): an entry missing from it is not proof the entry is gone."""


def _read_all(service: client.Service, path: str) -> Tuple[List[Tuple[str, Any]], int]:
    """One pass over a listing: (entries, pages read); IncompleteListing when the pages do not
    agree on the total or do not add up to it."""
    entries = []  # type: List[Tuple[str, Any]]
    totals = set()
    pages = 0
    while not totals or len(entries) < max(totals):
        response = service.get(path, count=0, offset=len(entries), output_mode="json")
        document = json.loads(response.body.read().decode("utf-8"))
        pages += 1
        total = (document.get("paging") or {}).get("total")
        page = document.get("entry") or []
        totals.add(total)
        if not isinstance(total, int) or not page:
            break
        entries.extend((str(entry.get("name")), entry.get("content") or {}) for entry in page)
    names = {name for name, _ in entries}
    if totals != {len(entries)} or len(names) != len(entries):
        raise IncompleteListing(f"{path}: {len(entries)} entries for reported totals {totals}")
    return entries, pages


def list_entries(service: client.Service, path: str) -> List[Tuple[str, Dict[str, Any]]]:
    """(name, content) of every entry of the EAI collection at path (in the Service's
    namespace). Asks for all (count=0) and pages on while splunkd reports more; raises
    IncompleteListing unless what arrived is exactly the total splunkd reported. A listing
    that took several pages is read twice and must come out the same: an entry deleted
    between two pages shifts the next page by one, which hides a live entry from a count."""
    entries, pages = _read_all(service, path)
    if pages > 1 and [n for n, _ in _read_all(service, path)[0]] != [n for n, _ in entries]:
        raise IncompleteListing(f"{path}: the listing changed while it was read")
    return [(name, dict(content)) for name, content in entries]


def _settings_only(content: object) -> Dict[str, str]:
    out = {}
    for key, value in dict(content).items():
        if key in _META_KEYS or key.startswith(_META_PREFIXES):
            continue
        out[key] = "" if value is None else str(value)
    return out


def _conf_file(service: client.Service, conf_name: str, create: bool = False) -> object:
    try:
        return service.confs[conf_name]
    except KeyError:
        if not create:
            return None
        return service.confs.create(conf_name)


def read_stanzas(service: client.Service, conf_name: str) -> Dict[str, Dict[str, str]]:
    """Every stanza of a conf file (local over default), without splunkd's metadata keys."""
    conf = _conf_file(service, conf_name)
    if conf is None:
        return {}
    return {
        stanza.name: _settings_only(stanza.content)
        for stanza in conf.list()
        if stanza.name != "default"
    }


def read_stanza(service: client.Service, conf_name: str, stanza: str) -> Optional[Dict[str, str]]:
    conf = _conf_file(service, conf_name)
    if conf is None:
        return None
    try:
        entity = conf[stanza]
    except KeyError:
        return None
    return _settings_only(entity.content)


def write_stanza(
    service: client.Service, conf_name: str, stanza: str, values: Dict[str, str]
) -> None:
    """Create the stanza if needed and set the given keys (other keys are left as they are)."""
    conf = _conf_file(service, conf_name, create=True)
    try:
        entity = conf[stanza]
    except KeyError:
        entity = conf.create(stanza)
    if values:
        entity.submit({key: "" if value is None else str(value) for key, value in values.items()})


def delete_stanza(service: client.Service, conf_name: str, stanza: str) -> bool:
    conf = _conf_file(service, conf_name)
    if conf is None:
        return False
    try:
        conf.delete(stanza)
    except KeyError:
        return False
    except binding.HTTPError as error:
        if error.status == 404:
            return False
        raise
    return True
