"""Modular input stanzas from inputs.conf, and the XML splunkd hands the script.

inputs.conf is merged across every app and etc/system in the global context's precedence
(global_conf: system/local, apps' local/, apps' default/, system/default), so an input of
our scheme may come from another app (a deployment app holding only inputs.conf) and
`[default]` in etc/system/local applies to ours. Then, as splunkd applies it to
`[<scheme>://<name>]`: the system defaults (`index = default`, `host = $decideOnStartup`),
then the merged `[default]`, then the `[<scheme>]` stanza (per-scheme defaults), then the
input's own stanza.
"""

import os
import xml.etree.ElementTree as ET
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Tuple

from tests.simulators.splunk import conffile, global_conf

SYSTEM_DEFAULTS = OrderedDict([("host", "$decideOnStartup"), ("index", "default")])
TRUE_VALUES = ("1", "true", "t", "yes", "y")


def split_stanza(stanza: str) -> "Optional[Tuple[str, str]]":
    """`scheme://name` -> (scheme, name); None for stanzas that are not modular inputs."""
    scheme, sep, name = stanza.partition("://")
    if not sep or not scheme or not name:
        return None
    return scheme, name


def is_true(value: Optional[str]) -> bool:
    return value is not None and value.strip().lower() in TRUE_VALUES


def _raw_layers(app_dir: str) -> "OrderedDict[str, OrderedDict[str, str]]":
    return global_conf.merged(app_dir, "inputs")[0]


def defining_apps(app_dir: str) -> "Dict[str, str]":
    """stanza -> the app (or "system") whose inputs.conf of highest precedence defines it."""
    return global_conf.merged(app_dir, "inputs")[1]


def scheme_defaults(app_dir: str, scheme: str) -> "OrderedDict[str, str]":
    """What a new `[scheme://name]` inherits before its own settings."""
    raw = _raw_layers(app_dir)
    params = OrderedDict(SYSTEM_DEFAULTS)
    params.update(raw.get(conffile.DEFAULT_STANZA, {}))
    params.update(raw.get(scheme, {}))
    return params


def input_stanzas(
    app_dir: str, scheme: Optional[str] = None
) -> "OrderedDict[str, OrderedDict[str, str]]":
    """Every configured `[scheme://name]` (of one scheme if given) with its effective params."""
    raw = _raw_layers(app_dir)
    result = OrderedDict()  # type: OrderedDict
    for stanza, settings in raw.items():
        parts = split_stanza(stanza)
        if parts is None or (scheme is not None and parts[0] != scheme):
            continue
        params = OrderedDict(SYSTEM_DEFAULTS)
        params.update(raw.get(conffile.DEFAULT_STANZA, {}))
        params.update(raw.get(parts[0], {}))
        params.update(settings)
        result[stanza] = params
    return result


def resolve_host(params: "Mapping[str, str]", server_host: str) -> str:
    host = params.get("host", "")
    return server_host if not host or host == "$decideOnStartup" else host


def input_definition_xml(
    server_host: str,
    server_uri: str,
    session_key: str,
    checkpoint_dir: str,
    app_name: str,
    stanzas: "Mapping[str, Mapping[str, str]]",
    stanza_apps: "Optional[Mapping[str, str]]" = None,
) -> bytes:
    """The document splunkd writes to a modular input's stdin (UTF-8). Each stanza's `app` is
    the app that defines it (stanza_apps), else app_name."""
    root = ET.Element("input")
    ET.SubElement(root, "server_host").text = server_host
    ET.SubElement(root, "server_uri").text = server_uri
    ET.SubElement(root, "session_key").text = session_key
    ET.SubElement(root, "checkpoint_dir").text = checkpoint_dir
    configuration = ET.SubElement(root, "configuration")
    for name, params in stanzas.items():
        app = (stanza_apps or {}).get(name, app_name)
        stanza = ET.SubElement(configuration, "stanza", {"name": name, "app": app})
        for key, value in params.items():
            ET.SubElement(stanza, "param", {"name": key}).text = value
    return ET.tostring(root, encoding="utf-8")


def validation_xml(
    server_host: str,
    server_uri: str,
    session_key: str,
    checkpoint_dir: str,
    input_name: str,
    params: "Mapping[str, str]",
) -> bytes:
    """The document splunkd writes to `<script> --validate-arguments` (one <item> only)."""
    root = ET.Element("items")
    ET.SubElement(root, "server_host").text = server_host
    ET.SubElement(root, "server_uri").text = server_uri
    ET.SubElement(root, "session_key").text = session_key
    ET.SubElement(root, "checkpoint_dir").text = checkpoint_dir
    item = ET.SubElement(root, "item", {"name": input_name})
    for key, value in params.items():
        ET.SubElement(item, "param", {"name": key}).text = value
    return ET.tostring(root, encoding="utf-8")


def checkpoint_dir(splunk_home: str, scheme: str) -> str:
    """$SPLUNK_DB/modinputs/<scheme>, with SPLUNK_DB = $SPLUNK_HOME/var/lib/splunk."""
    return os.path.join(splunk_home, "var", "lib", "splunk", "modinputs", scheme)


def child_env(splunk_home: str, server_host: str, extra_env: "Optional[Dict[str, str]]") -> dict:
    """A clean environment like the one splunkd gives its children, plus the test's extras."""
    env = {
        key: os.environ[key]
        for key in ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR")
        if key in os.environ
    }
    env.update(
        SPLUNK_HOME=splunk_home,
        SPLUNK_DB=os.path.join(splunk_home, "var", "lib", "splunk"),
        SPLUNK_ETC=os.path.join(splunk_home, "etc"),
        SPLUNK_SERVER_NAME=server_host,
    )
    env.update(extra_env or {})
    return env
