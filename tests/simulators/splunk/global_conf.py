"""A .conf file merged as splunkd merges it for the global context (inputs, indexing).

Source: Splunk Admin Manual, "Configuration file precedence" (docs.splunk.com/Documentation/
Splunk/9.2.4/admin/Wheretofindtheconfigurationfiles), "Precedence order within global
context": system local directory (highest), then app local directories, then app default
directories, then the system default directory (lowest). Among apps, ASCII sort order of the
app folder names decides: files in an app named "A" beat those of "B", and every upper-case
name beats every lower-case one ("Z" beats "a"). Settings merge key by key; `[default]`
settings apply to every stanza that does not set them (inputs.conf.spec / props.conf.spec,
"GLOBAL SETTINGS"). Disabled apps (app.conf `[install] state = disabled`) take no part.

The stand-in's SPLUNK_HOME is the folder above `etc/`; an app folder outside
`$SPLUNK_HOME/etc/apps` (some unit tests) is merged alone, local over default.
"""

import os
from collections import OrderedDict
from typing import List, Optional, Tuple

from tests.simulators.splunk import conffile

SYSTEM = "system"

Layer = Tuple[str, str]  # (app name or "system", path of the .conf file)


def etc_dir_of(app_dir: str) -> Optional[str]:
    """$SPLUNK_HOME/etc when app_dir is $SPLUNK_HOME/etc/apps/<app>, else None."""
    apps = os.path.dirname(os.path.abspath(app_dir))
    etc = os.path.dirname(apps)
    if os.path.basename(apps) == "apps" and os.path.basename(etc) == "etc":
        return etc
    return None


def _app_enabled(app_dir: str) -> bool:
    install = conffile.AppConf(app_dir, "app").stanza("install") or {}
    return install.get("state", "enabled").strip().lower() != "disabled"


def layers(app_dir: str, name: str) -> "List[Layer]":
    """Every file that makes up <name>.conf, highest precedence first."""
    etc = etc_dir_of(app_dir)
    if etc is None:
        app = os.path.basename(os.path.abspath(app_dir))
        return [(app, os.path.join(app_dir, d, name + ".conf")) for d in ("local", "default")]
    apps_dir = os.path.join(etc, "apps")
    apps = sorted(  # ASCII order of the folder names, as the precedence rules say
        entry
        for entry in os.listdir(apps_dir)
        if os.path.isdir(os.path.join(apps_dir, entry))
        and _app_enabled(os.path.join(apps_dir, entry))
    )
    found = [(SYSTEM, os.path.join(etc, "system", "local", name + ".conf"))]
    for folder in ("local", "default"):
        found.extend((app, os.path.join(apps_dir, app, folder, name + ".conf")) for app in apps)
    found.append((SYSTEM, os.path.join(etc, "system", "default", name + ".conf")))
    return found


def merged(app_dir: str, name: str) -> "Tuple[OrderedDict, dict]":
    """(stanza -> merged settings without [default] applied, stanza -> app defining it).

    The defining app is the one whose file of highest precedence holds the stanza header.
    """
    stanzas = OrderedDict()  # type: OrderedDict
    owners = {}  # type: dict
    for app, path in reversed(layers(app_dir, name)):  # lowest first; higher ones override
        for stanza, settings in conffile.read_file(path).items():
            stanzas.setdefault(stanza, OrderedDict()).update(settings)
            owners[stanza] = app
    return stanzas, owners
