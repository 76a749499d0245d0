"""Object permissions from an app's metadata (default.meta under local.meta), as splunkd has them.

Sources (SPEC94 = repo livehybrid/splunk-spec-files at dff5abf; S804 = repo vncloudsco/splunk):
- SPEC94 default.meta.spec:8-37: reading an object needs read on the app (`[]`), on its category
  (e.g. `[views]`, a conf file's name, `[passwords]`, `[collections]`) and on the object
  (`[<category>/<object>]`); changing it needs write on the object as well; adding or removing
  objects needs write on the app. An object is visible only in its own app unless it has
  `export = system`. A level without `access` takes the one above it.
- S804 etc/system/metadata/default.meta: what an app without `[] access` gets
  (`read : [ * ], write : [ admin ]`).
- SPEC94 authorize.conf.spec:447-451: `admin_all_objects` bypasses every ACL.
- S804 etc/system/default/authorize.conf:210,232: power imports user; admin imports power and
  user (a role grants what the roles it imports grant).
- POST <entity>/acl takes `sharing` (app, global; `user` needs an owner), `owner`,
  `perms.read`, `perms.write` (comma-separated roles) and writes the object's stanza of
  local.meta (community.splunk.com "Is it possible to set app permissions via the REST API?";
  solnlib acl.py always sends `sharing`, and re-sends the current perms it wants to keep).
"""

import os
import re
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from . import atom, conffile

ALL_OBJECTS = "admin_all_objects"
IMPORTED_ROLES = {"admin": ("power", "user"), "sc_admin": ("power", "user"), "power": ("user",)}
SYSTEM_DEFAULT_ACCESS = {"read": ["*"], "write": ["admin"]}
_ACCESS = re.compile(r"\s*(read|write)\s*:\s*\[([^\]]*)\]\s*,?")


def parse_access(text: str) -> Dict[str, List[str]]:
    """`read : [ * ], write : [ admin, power ]` -> {"read": ["*"], "write": ["admin", "power"]}."""
    result = {}  # type: Dict[str, List[str]]
    for action, roles in _ACCESS.findall(text or ""):
        result[action] = [role.strip() for role in roles.split(",") if role.strip()]
    return result


def format_access(perms: Dict[str, List[str]]) -> str:
    actions = [action for action in ("read", "write") if action in perms]
    return ", ".join(f"{action} : [ {', '.join(perms[action])} ]" for action in actions)


def user_roles(user: Any) -> "set":
    roles = set(user.roles)
    for role in list(roles):
        roles.update(IMPORTED_ROLES.get(role, ()))
    return roles


def _allows(user: Any, roles: List[str]) -> bool:
    return "*" in roles or bool(user_roles(user) & set(roles))


def object_stanza(category: str, name: str) -> str:
    return f"{category}/{quote(name, safe='')}"


class ObjectAcl:
    """The resolved ACL of one object of one app."""

    def __init__(
        self,
        app: str,
        levels: "List[Dict[str, List[str]]]",
        settings: Dict[str, str],
        private_to: "Optional[str]" = None,
    ) -> None:
        self.app = app
        self.levels = levels  # access of the app, the category and the object (inherited)
        self.export = settings.get("export", "none").strip().lower()
        self.owner = private_to or settings.get("owner", "").strip() or "nobody"
        self.private = private_to is not None  # in etc/users/<owner>/<app>: sharing "user"

    @property
    def perms(self) -> Dict[str, List[str]]:
        return self.levels[2]

    @property
    def sharing(self) -> str:
        if self.private:
            return "user"
        return (
            "global" if self.export == "system" else ("system" if self.app == "system" else "app")
        )

    def can_read(self, user: Any) -> bool:
        if user.has(ALL_OBJECTS):
            return True
        if self.private:
            return user.name == self.owner  # a private object is its owner's only
        return all(_allows(user, level.get("read", [])) for level in self.levels)

    def can_write(self, user: Any) -> bool:
        if user.has(ALL_OBJECTS):
            return True
        return self.can_read(user) and _allows(user, self.perms.get("write", []))

    def as_dict(self, user: Any, removable: bool = False) -> Dict[str, Any]:
        """The entry's eai:acl as splunkd renders it for this user."""
        writable = self.can_write(user)
        return {
            "app": self.app,
            "can_change_perms": writable,
            "can_list": True,
            "can_share_app": writable,
            "can_share_global": writable,
            "can_share_user": False,
            "can_write": writable,
            "modifiable": True,
            "owner": self.owner,
            "perms": {"read": list(self.perms["read"]), "write": list(self.perms["write"])},
            "removable": removable,
            "sharing": self.sharing,
        }


class AppMetadata:
    """metadata/default.meta under metadata/local.meta of one app (local wins key by key)."""

    def __init__(self, app: str, app_dir: str) -> None:
        self.app = app
        self.default_path = os.path.join(app_dir, "metadata", "default.meta")
        self.local_path = os.path.join(app_dir, "metadata", "local.meta")

    def stanzas(self) -> "OrderedDict[str, OrderedDict[str, str]]":
        merged = OrderedDict()  # type: OrderedDict
        for layer in (conffile.read_file(self.default_path), conffile.read_file(self.local_path)):
            for stanza, settings in layer.items():
                merged.setdefault(stanza, OrderedDict()).update(settings)
        # conffile puts settings above any stanza into [default]; in a .meta file that is [].
        if conffile.DEFAULT_STANZA in merged and "" not in merged:
            merged[""] = merged.pop(conffile.DEFAULT_STANZA)
        return merged

    def object_acl(self, category: str, name: str, private_to: "Optional[str]" = None) -> ObjectAcl:
        stanzas = self.stanzas()
        chain = [stanzas.get(""), stanzas.get(category), stanzas.get(object_stanza(category, name))]
        levels = []  # type: List[Dict[str, List[str]]]
        inherited = dict(SYSTEM_DEFAULT_ACCESS)
        settings = {}  # type: Dict[str, str]
        for stanza in chain:
            stanza = stanza or {}
            access = parse_access(stanza.get("access", ""))
            inherited = dict(inherited, **access)
            levels.append(inherited)
            settings.update({k: v for k, v in stanza.items() if k in ("export", "owner")})
        return ObjectAcl(self.app, levels, settings, private_to)

    def app_acl(self) -> ObjectAcl:
        stanza = self.stanzas().get("", {})
        access = dict(SYSTEM_DEFAULT_ACCESS, **parse_access(stanza.get("access", "")))
        return ObjectAcl(self.app, [access, access, access], {})

    def can_create(self, user: Any) -> bool:
        """Adding or removing objects needs write on the app."""
        return self.app_acl().can_write(user)

    def set_acl(self, category: str, name: str, form: Dict[str, str]) -> None:
        local = conffile.read_file(self.local_path)
        stanza = local.setdefault(object_stanza(category, name), OrderedDict())
        perms = {}  # type: Dict[str, List[str]]
        for action in ("read", "write"):
            value = form.get("perms." + action)
            if value is not None:
                perms[action] = [role.strip() for role in value.split(",") if role.strip()]
        if perms:
            stanza["access"] = format_access(perms)
        else:
            stanza.pop("access", None)
        stanza["export"] = "system" if form["sharing"] == "global" else "none"
        owner = form.get("owner")
        if owner:
            stanza["owner"] = owner
        if conffile.DEFAULT_STANZA in local:
            local[""] = local.pop(conffile.DEFAULT_STANZA)
        os.makedirs(os.path.dirname(self.local_path), exist_ok=True)
        with open(self.local_path + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(conffile.dump(local))
        os.replace(self.local_path + ".tmp", self.local_path)


def metadata(apps: Dict[str, str], app: str) -> "Optional[AppMetadata]":
    return AppMetadata(app, apps[app]) if app in apps else None


def forbidden(mode: str, user: Any, what: str) -> atom.Body:
    text = f"You (user={user.name}) do not have permission to {what}."
    return atom.messages(mode, 403, text)


def acl_request(request: Any) -> "Tuple[Optional[atom.Body], Dict[str, str]]":
    """Check a POST <entity>/acl form: (error body or None, form)."""
    mode = request.output_mode
    form = dict(request.form)
    sharing = form.get("sharing")
    if not sharing:
        return atom.messages(mode, 400, 'Argument "sharing" is required'), form
    if sharing not in ("app", "global", "user"):
        return atom.messages(mode, 400, f"Invalid sharing: {sharing}"), form
    if sharing == "user":
        # Moving an object into a user's namespace: not modelled; refuse rather than pretend.
        return atom.messages(mode, 400, "sharing=user is not supported by this stand-in"), form
    for key in form:
        if key not in ("sharing", "owner", "perms.read", "perms.write", "output_mode"):
            return atom.messages(
                mode, 400, f'Argument "{key}" is not supported by this handler.'
            ), form
    return None, form
