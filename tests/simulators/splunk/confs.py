"""configs/conf-<file> and properties/<file>: an app's .conf files, default/ under local/.

Reads merge the layers (conffile.AppConf); writes go to local/ of the namespace's app (or
etc/system/local outside an app). Every stanza is an object of category <file> under the app's
metadata (acl.py): a user sees only the stanzas they may read, changes only those they may
write, and adds or removes stanzas only with write on the app (SPEC94 default.meta.spec:8-37).
A namespace shows its app's stanzas and other apps' stanzas with `export = system`; `-` shows
every app's. In servicesNS/<user>/<app>, new stanzas are the user's private objects
(etc/users/<user>/<app>/local/), seen only by that user (and admin_all_objects).
<entity>/acl reads or (POST) sets a stanza's ACL in the app's local.meta.
"""

import os
from typing import Any, Callable, Dict, List, Optional

from . import acl, atom, listing
from .conffile import DEFAULT_STANZA, AppConf
from .request import SplunkdRequest

# stanza -> (app, the AppConf it lives in, its acl.ObjectAcl, its merged settings)
Visible = Dict[str, Any]


class ConfsEndpoint:
    def __init__(self, app_dirs: "Callable[[], Dict[str, str]]", system_dir: str) -> None:
        self.app_dirs = app_dirs
        self.system_dir = system_dir
        self.users_dir = os.path.join(os.path.dirname(system_dir), "users")

    def _location(self, request: SplunkdRequest) -> "tuple":
        apps = self.app_dirs()
        if request.ns_app in apps:
            return request.ns_app, apps[request.ns_app]
        return "system", self.system_dir

    def _conf(self, request: SplunkdRequest, name: str) -> AppConf:
        return AppConf(self._location(request)[1], name)

    def _private_conf(self, request: SplunkdRequest, name: str) -> "Optional[AppConf]":
        """The namespace user's own layer (servicesNS/<user>/<app>, user not nobody)."""
        owner = request.ns_user
        app = self._location(request)[0]
        if owner in (None, "", "nobody", "-") or app == "system":
            return None
        return AppConf(os.path.join(self.users_dir, owner, app), name)

    def _metadata(self, app: str) -> acl.AppMetadata:
        apps = self.app_dirs()
        return acl.AppMetadata(app, apps.get(app, self.system_dir))

    def _exists(self, request: SplunkdRequest, name: str) -> bool:
        conf = self._conf(request, name)
        return os.path.exists(conf.default_path) or os.path.exists(conf.local_path)

    def visible(self, request: SplunkdRequest, name: str) -> Visible:
        """The stanzas of <name>.conf this namespace shows this user, first layer winning."""
        user = request.user
        own_app, own_dir = self._location(request)
        layers = []  # type: List[Any]  # (app, conf, private owner, only exported stanzas)
        private = self._private_conf(request, name)
        if private is not None:
            layers.append((own_app, private, request.ns_user, False))
        if request.ns_app == "-":
            layers += [(app, AppConf(d, name), None, False) for app, d in self.app_dirs().items()]
        else:
            layers.append((own_app, AppConf(own_dir, name), None, False))
            others = [(a, d) for a, d in self.app_dirs().items() if a != own_app]
            layers += [(app, AppConf(d, name), None, True) for app, d in others]
        if own_app != "system":
            layers.append(("system", AppConf(self.system_dir, name), None, False))
        found = {}  # type: Dict[str, Any]
        for app, conf, owner, exported_only in layers:
            metadata = self._metadata(app)
            for stanza, settings in conf.stanzas().items():
                if stanza in found:
                    continue
                rule = metadata.object_acl(name, stanza, private_to=owner)
                if exported_only and rule.export != "system":
                    continue
                if user is not None and not rule.can_read(user):
                    continue
                found[stanza] = (app, conf, rule, settings)
        return found

    def _stanza_entry(
        self, request: SplunkdRequest, name: str, stanza: str, seen: Any
    ) -> atom.Entry:
        app, _, rule, settings = seen
        content = dict(settings)
        content["eai:appName"] = app
        content["eai:userName"] = rule.owner
        content.setdefault("disabled", False)
        return atom.Entry(
            stanza,
            f"/servicesNS/{rule.owner}/{app}/configs/conf-{name}",
            content,
            rule.as_dict(request.user, removable=app != "system"),
            author=rule.owner,
        )

    def _acl_call(self, request: SplunkdRequest, name: str, stanza: str, seen: Any) -> atom.Body:
        """GET/POST configs/conf-<name>/<stanza>/acl."""
        mode = request.output_mode
        app, _, rule, _ = seen
        collection = request.namespace_path + "/configs/conf-" + name
        if request.method == "POST":
            if not rule.can_write(request.user) or rule.private or app == "system":
                return acl.forbidden(mode, request.user, f"change the permissions of {stanza}")
            error, form = acl.acl_request(request)
            if error is not None:
                return error
            self._metadata(app).set_acl(name, stanza, form)
            seen = self.visible(request, name).get(stanza) or seen
        elif request.method != "GET":
            return atom.messages(mode, 405, "Method Not Allowed")
        entry = self._stanza_entry(request, name, stanza, seen)
        return atom.feed(mode, request.base_url, "conf-" + name, collection, [entry])

    def configs(
        self, request: SplunkdRequest, name: str, stanza: "Optional[str]", action: str = ""
    ) -> atom.Body:
        mode = request.output_mode
        user = request.user
        assert user is not None
        conf = self._conf(request, name)
        collection = request.namespace_path + "/configs/conf-" + name
        visible = self.visible(request, name)
        if stanza is None:
            if request.method == "GET":
                entries = [self._stanza_entry(request, name, n, v) for n, v in visible.items()]
                return listing.feed(request, "conf-" + name, collection, entries)
            if request.method != "POST":
                return atom.messages(mode, 405, "Method Not Allowed")
            if not self._metadata(self._location(request)[0]).can_create(user):
                return acl.forbidden(mode, user, f"create objects in {name}")
            new_name = request.form_value("name")
            if not new_name:
                return atom.messages(mode, 400, "Missing argument: name")
            target = self._private_conf(request, name) or conf
            if new_name in visible or new_name in target.stanzas():
                text = f"An object with name={new_name} already exists"
                return atom.messages(mode, 409, text)
            target.update(new_name, request.settings())
            entry = self._stanza_entry(
                request, name, new_name, self.visible(request, name)[new_name]
            )
            return atom.feed(mode, request.base_url, "conf-" + name, collection, [entry], 201)
        if stanza not in visible:
            return atom.messages(mode, 404, f"Could not find object id={stanza}")
        app, where, rule, _ = visible[stanza]
        if action == "acl":
            return self._acl_call(request, name, stanza, visible[stanza])
        if action:
            return atom.messages(mode, 404, "Not Found")
        if request.method in ("POST", "DELETE") and not rule.can_write(user):
            return acl.forbidden(mode, user, f"change {stanza}")
        if request.method == "DELETE":
            if not self._metadata(app).can_create(user):
                return acl.forbidden(mode, user, f"remove objects from {name}")
            if not where.delete(stanza):
                text = f"Cannot delete stanza [{stanza}]: it is defined in default/"
                return atom.messages(mode, 400, text)
            remaining = self.visible(request, name)
            entries = [self._stanza_entry(request, name, n, v) for n, v in remaining.items()]
            return listing.feed(request, "conf-" + name, collection, entries)
        if request.method == "POST":
            settings = request.settings()
            if settings:
                where.update(stanza, settings)
            visible = self.visible(request, name)
        entry = self._stanza_entry(request, name, stanza, visible[stanza])
        return atom.feed(mode, request.base_url, "conf-" + name, collection, [entry])

    def properties(self, request: SplunkdRequest, parts: List[str]) -> atom.Body:
        mode = request.output_mode
        user = request.user
        assert user is not None
        base = request.namespace_path + "/properties"
        may_create = self._metadata(self._location(request)[0]).can_create(user)
        if not parts:
            if request.method == "POST":
                name = request.form_value("__conf")
                if not name:
                    return atom.messages(mode, 400, "Missing argument: __conf")
                if not may_create:
                    return acl.forbidden(mode, user, f"create {name}")
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
        visible = self.visible(request, name)
        if len(parts) == 1:
            if request.method == "POST":
                stanza = request.form_value("__stanza")
                if not stanza:
                    return atom.messages(mode, 400, "Missing argument: __stanza")
                if stanza not in visible and not may_create:
                    return acl.forbidden(mode, user, f"create objects in {name}")
                if stanza not in conf.stanzas():
                    conf.update(stanza, {})
                return atom.empty_ok(mode, 201)
            path = base + "/" + name
            entries = [atom.Entry(n, path, {}) for n in visible if n != DEFAULT_STANZA]
            return atom.feed(mode, request.base_url, name, path, entries)
        stanza = parts[1]
        if request.method == "POST":
            seen = visible.get(stanza)
            if seen is None and (stanza in conf.stanzas() or not may_create):
                return acl.forbidden(mode, user, f"change {stanza}")
            if seen is not None and not seen[2].can_write(user):
                return acl.forbidden(mode, user, f"change {stanza}")
            where = seen[1] if seen is not None else conf
            if len(parts) == 2:
                where.update(stanza, dict(request.form))
            else:
                where.update(stanza, {parts[2]: request.form_value("value") or ""})
            return atom.empty_ok(mode, 200)
        if stanza not in visible:
            return atom.messages(mode, 404, f"Could not find object id={stanza}")
        settings = visible[stanza][3]
        if len(parts) == 2:
            path = f"{base}/{name}/{stanza}"
            entries = [atom.Entry(k, path, v) for k, v in settings.items()]
            return atom.feed(mode, request.base_url, stanza, path, entries)
        key = parts[2]
        if key not in settings:
            return atom.messages(mode, 404, f"Could not find object id={key}")
        return atom.Body(200, settings[key].encode("utf-8"), "text/plain; charset=UTF-8")

    def _conf_names(self, request: SplunkdRequest) -> List[str]:
        directory = self._location(request)[1]
        names = set()
        for layer in ("default", "local"):
            folder = os.path.join(directory, layer)
            if os.path.isdir(folder):
                names.update(f[:-5] for f in os.listdir(folder) if f.endswith(".conf"))
        return sorted(names)
