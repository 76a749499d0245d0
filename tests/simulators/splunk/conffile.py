"""Splunk .conf files as splunkd reads and writes them.

Format (admin manual, "About configuration files"): `[stanza]` headers, `key = value`
lines, `#` comments on their own lines, a trailing backslash continues a value on the next
line, settings before any stanza belong to `[default]`. Layering: `local/` over `default/`,
setting by setting; `[default]` settings apply to every stanza that does not set them.
"""

import os
import threading
from collections import OrderedDict
from typing import Dict, Optional

Stanzas = "OrderedDict[str, OrderedDict[str, str]]"

DEFAULT_STANZA = "default"


def parse(text: str) -> "OrderedDict[str, OrderedDict[str, str]]":
    stanzas = OrderedDict()  # type: OrderedDict
    current = stanzas.setdefault(DEFAULT_STANZA, OrderedDict())
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = stanzas.setdefault(line[1:-1], OrderedDict())
            continue
        if "=" not in line:
            continue  # splunkd ignores lines it cannot read (and says so in btool)
        key, _, value = line.partition("=")
        value = value.strip()
        while value.endswith("\\") and index < len(lines):
            value = value[:-1] + "\n" + lines[index].strip()
            index += 1
        current[key.strip()] = value
    if not stanzas[DEFAULT_STANZA]:
        del stanzas[DEFAULT_STANZA]
    return stanzas


def dump(stanzas: "Dict[str, Dict[str, str]]") -> str:
    out = []
    for name, settings in stanzas.items():
        out.append(f"[{name}]")
        for key, value in settings.items():
            out.append("{} = {}".format(key, str(value).replace("\n", "\\\n")))
        out.append("")
    return "\n".join(out)


def read_file(path: str) -> "OrderedDict[str, OrderedDict[str, str]]":
    if not os.path.exists(path):
        return OrderedDict()
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())


class AppConf:
    """One conf file of one app: default/<name>.conf under local/<name>.conf.

    Writes go to local/ only, as splunkd's REST API does; reads merge both layers.
    """

    _locks = {}  # type: Dict[str, threading.RLock]

    def __init__(self, app_dir: str, name: str) -> None:
        self.app_dir = app_dir
        self.name = name
        self.default_path = os.path.join(app_dir, "default", name + ".conf")
        self.local_path = os.path.join(app_dir, "local", name + ".conf")
        self._lock = AppConf._locks.setdefault(self.local_path, threading.RLock())

    def stanzas(self) -> "OrderedDict[str, OrderedDict[str, str]]":
        """Merged stanzas, with [default] settings applied to every other stanza."""
        with self._lock:
            merged = OrderedDict()  # type: OrderedDict
            for layer in (read_file(self.default_path), read_file(self.local_path)):
                for stanza, settings in layer.items():
                    merged.setdefault(stanza, OrderedDict()).update(settings)
        defaults = merged.get(DEFAULT_STANZA, OrderedDict())
        result = OrderedDict()  # type: OrderedDict
        for stanza, settings in merged.items():
            combined = OrderedDict(defaults)
            combined.update(settings)
            result[stanza] = combined
        return result

    def stanza(self, name: str) -> "Optional[OrderedDict[str, str]]":
        return self.stanzas().get(name)

    def local_stanzas(self) -> "OrderedDict[str, OrderedDict[str, str]]":
        with self._lock:
            return read_file(self.local_path)

    def update(self, stanza: str, settings: "Dict[str, str]") -> None:
        """Create the stanza in local/ if needed and set the given settings there."""
        with self._lock:
            local = read_file(self.local_path)
            local.setdefault(stanza, OrderedDict()).update(
                (key, str(value)) for key, value in settings.items()
            )
            self._write_local(local)

    def delete(self, stanza: str) -> bool:
        """Remove a stanza from local/. Stanzas that exist only in default/ cannot be deleted."""
        with self._lock:
            local = read_file(self.local_path)
            if stanza not in local:
                return False
            del local[stanza]
            self._write_local(local)
            return True

    def _write_local(self, stanzas: "Dict[str, Dict[str, str]]") -> None:
        os.makedirs(os.path.dirname(self.local_path), exist_ok=True)
        temporary = self.local_path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(dump(stanzas))
        os.replace(temporary, self.local_path)
