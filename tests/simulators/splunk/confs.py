"""configs/conf-<file> and properties/<file>: an app's .conf files, default/ under local/.

Reads merge the layers (conffile.AppConf); writes go to local/ of the namespace's app (or
etc/system/local outside an app), and need admin_all_objects as the app's write ACL does.
"""

import os
from typing import Callable, Dict, List, Optional

from . import atom, listing
from .conffile import DEFAULT_STANZA, AppConf
from .passwords import forbidden_message
from .request import SplunkdRequest

WRITE_CAPABILITY = "admin_all_objects"


class ConfsEndpoint:
    def __init__(self, app_dirs: "Callable[[], Dict[str, str]]", system_dir: str) -> None:
        self.app_dirs = app_dirs
        self.system_dir = system_dir

    def _location(self, request: SplunkdRequest) -> "tuple":
        apps = self.app_dirs()
        if request.ns_app in apps:
            return request.ns_app, apps[request.ns_app]
        return "system", self.system_dir

    def _conf(self, request: SplunkdRequest, name: str) -> AppConf:
        return AppConf(self._location(request)[1], name)

    def _exists(self, request: SplunkdRequest, name: str) -> bool:
        conf = self._conf(request, name)
        return os.path.exists(conf.default_path) or os.path.exists(conf.local_path)

    def _stanza_entry(
        self, request: SplunkdRequest, conf: AppConf, stanza: str, settings: Dict[str, str]
    ) -> atom.Entry:
        app = self._location(request)[0]
        content = dict(settings)
        content["eai:appName"] = app
        content["eai:userName"] = "nobody"
        content.setdefault("disabled", False)
        return atom.Entry(
            stanza,
            f"/servicesNS/nobody/{app}/configs/conf-{conf.name}",
            content,
            atom.acl(app, sharing="app" if app != "system" else "system"),
        )

    def _refuse_write(self, request: SplunkdRequest) -> "Optional[atom.Body]":
        user = request.user
        assert user is not None
        if request.method in ("POST", "DELETE") and not user.has(WRITE_CAPABILITY):
            return atom.messages(
                request.output_mode, 403, forbidden_message(user.name, WRITE_CAPABILITY)
            )
        return None

    def configs(self, request: SplunkdRequest, name: str, stanza: "Optional[str]") -> atom.Body:
        refusal = self._refuse_write(request)
        if refusal:
            return refusal
        mode = request.output_mode
        conf = self._conf(request, name)
        collection = request.namespace_path + "/configs/conf-" + name
        stanzas = conf.stanzas()
        if stanza is None:
            if request.method == "GET":
                entries = [self._stanza_entry(request, conf, n, s) for n, s in stanzas.items()]
                return listing.feed(request, "conf-" + name, collection, entries)
            if request.method != "POST":
                return atom.messages(mode, 405, "Method Not Allowed")
            new_name = request.form_value("name")
            if not new_name:
                return atom.messages(mode, 400, "Missing argument: name")
            if new_name in stanzas:
                text = f"An object with name={new_name} already exists"
                return atom.messages(mode, 409, text)
            conf.update(new_name, request.settings())
            entry = self._stanza_entry(request, conf, new_name, conf.stanzas()[new_name])
            return atom.feed(mode, request.base_url, "conf-" + name, collection, [entry], 201)
        if stanza not in stanzas:
            return atom.messages(mode, 404, f"Could not find object id={stanza}")
        if request.method == "DELETE":
            if not conf.delete(stanza):
                text = f"Cannot delete stanza [{stanza}]: it is defined in default/"
                return atom.messages(mode, 400, text)
            remaining = conf.stanzas()
            entries = [self._stanza_entry(request, conf, n, s) for n, s in remaining.items()]
            return listing.feed(request, "conf-" + name, collection, entries)
        if request.method == "POST":
            settings = request.settings()
            if settings:
                conf.update(stanza, settings)
            stanzas = conf.stanzas()
        entry = self._stanza_entry(request, conf, stanza, stanzas[stanza])
        return atom.feed(mode, request.base_url, "conf-" + name, collection, [entry])

    def properties(self, request: SplunkdRequest, parts: List[str]) -> atom.Body:
        refusal = self._refuse_write(request)
        if refusal:
            return refusal
        mode = request.output_mode
        base = request.namespace_path + "/properties"
        if not parts:
            if request.method == "POST":
                name = request.form_value("__conf")
                if not name:
                    return atom.messages(mode, 400, "Missing argument: __conf")
                conf = self._conf(request, name)
                if self._exists(request, name):
                    return atom.empty_ok(mode, 200)
                os.makedirs(os.path.dirname(conf.local_path), exist_ok=True)
                open(conf.local_path, "a", encoding="utf-8").close()
                return atom.empty_ok(mode, 201)
            entries = [atom.Entry(n, base, {}) for n in self._conf_names(request)]
            return atom.feed(mode, request.base_url, "properties", base, entries)
        name = parts[0]
        if not self._exists(request, name):
            return atom.messages(mode, 404, f"Could not find object id={name}")
        conf = self._conf(request, name)
        stanzas = conf.stanzas()
        if len(parts) == 1:
            if request.method == "POST":
                stanza = request.form_value("__stanza")
                if not stanza:
                    return atom.messages(mode, 400, "Missing argument: __stanza")
                conf.update(stanza, {})
                return atom.empty_ok(mode, 201)
            path = base + "/" + name
            entries = [atom.Entry(n, path, {}) for n in stanzas if n != DEFAULT_STANZA]
            return atom.feed(mode, request.base_url, name, path, entries)
        stanza = parts[1]
        if stanza not in stanzas and request.method != "POST":
            return atom.messages(mode, 404, f"Could not find object id={stanza}")
        if len(parts) == 2:
            if request.method == "POST":
                conf.update(stanza, dict(request.form))
                return atom.empty_ok(mode, 200)
            path = f"{base}/{name}/{stanza}"
            entries = [atom.Entry(k, path, v) for k, v in stanzas[stanza].items()]
            return atom.feed(mode, request.base_url, stanza, path, entries)
        key = parts[2]
        if request.method == "POST":
            conf.update(stanza, {key: request.form_value("value") or ""})
            return atom.empty_ok(mode, 200)
        if stanza not in stanzas or key not in stanzas[stanza]:
            return atom.messages(mode, 404, f"Could not find object id={key}")
        return atom.Body(200, stanzas[stanza][key].encode("utf-8"), "text/plain; charset=UTF-8")

    def _conf_names(self, request: SplunkdRequest) -> List[str]:
        directory = self._location(request)[1]
        names = set()
        for layer in ("default", "local"):
            folder = os.path.join(directory, layer)
            if os.path.isdir(folder):
                names.update(f[:-5] for f in os.listdir(folder) if f.endswith(".conf"))
        return sorted(names)
