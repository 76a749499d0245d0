"""apps/local[/<app>[/_reload]] and server/info.

`configured` mirrors app.conf [install] is_configured; POST configured=1 writes it to the
app's local/app.conf, which is what ends Splunk Web's redirect to the app's setup_view.
"""

import platform
import socket
from typing import Callable, Dict, Optional

from . import atom, listing
from .conffile import AppConf
from .passwords import forbidden_message
from .request import SplunkdRequest

TRUE_WORDS = ("1", "true", "t", "yes", "y", "on")
MANAGE_CAPABILITIES = ("admin_all_objects", "rest_apps_management")


def is_true(value: "Optional[str]") -> bool:
    return str(value or "").strip().lower() in TRUE_WORDS


def app_is_configured(app_dir: str) -> bool:
    return is_true((AppConf(app_dir, "app").stanza("install") or {}).get("is_configured"))


class AppsEndpoint:
    def __init__(self, app_dirs: "Callable[[], Dict[str, str]]") -> None:
        self.app_dirs = app_dirs

    def _entry(self, name: str, app_dir: str) -> atom.Entry:
        conf = AppConf(app_dir, "app")
        install = conf.stanza("install") or {}
        ui = conf.stanza("ui") or {}
        launcher = conf.stanza("launcher") or {}
        package = conf.stanza("package") or {}
        content = {
            "author": launcher.get("author", ""),
            "check_for_updates": is_true(package.get("check_for_updates", "true")),
            "configured": is_true(install.get("is_configured")),
            "core": False,
            "description": launcher.get("description", ""),
            "disabled": install.get("state", "enabled") == "disabled",
            "label": ui.get("label", name),
            "managed_by_deployment_client": False,
            "show_in_nav": is_true(ui.get("show_in_nav", "true")),
            "state_change_requires_restart": False,
            "version": launcher.get("version", ""),
            "visible": is_true(ui.get("is_visible", "true")),
        }
        if ui.get("setup_view"):
            content["setup_view"] = ui["setup_view"]
        return atom.Entry(name, "/servicesNS/nobody/system/apps/local", content, atom.acl(name))

    def handle(self, request: SplunkdRequest, name: "Optional[str]", action: str) -> atom.Body:
        mode = request.output_mode
        user = request.user
        assert user is not None
        apps = self.app_dirs()
        collection = request.namespace_path + "/apps/local"
        if request.method in ("POST", "DELETE") and not any(
            user.has(c) for c in MANAGE_CAPABILITIES
        ):
            return atom.messages(mode, 403, forbidden_message(user.name, "rest_apps_management"))
        if name is None:
            if request.method != "GET":
                return atom.messages(mode, 405, "Installing apps is not supported here")
            entries = [self._entry(n, d) for n, d in sorted(apps.items())]
            return listing.feed(request, "localapps", collection, entries)
        if name not in apps:
            return atom.messages(mode, 404, f"Could not find object id={name}")
        if action == "_reload":
            return atom.empty_ok(mode)
        if action:
            return atom.messages(mode, 404, "Not Found")
        if request.method == "POST":
            self._update(apps[name], request)
        return atom.feed(
            mode, request.base_url, "localapps", collection, [self._entry(name, apps[name])]
        )

    def _update(self, app_dir: str, request: SplunkdRequest) -> None:
        conf = AppConf(app_dir, "app")
        mapping = {
            "configured": ("install", "is_configured", True),
            "visible": ("ui", "is_visible", True),
            "label": ("ui", "label", False),
            "version": ("launcher", "version", False),
            "description": ("launcher", "description", False),
            "author": ("launcher", "author", False),
            "check_for_updates": ("package", "check_for_updates", True),
        }
        for argument, (stanza, key, boolean) in mapping.items():
            value = request.form_value(argument)
            if value is None:
                continue
            conf.update(stanza, {key: ("1" if is_true(value) else "0") if boolean else value})


def server_info(request: SplunkdRequest, kvstore_enabled: bool, guid: str) -> atom.Body:
    host = socket.gethostname()
    content = {
        "build": atom.SPLUNK_BUILD,
        "cpu_arch": platform.machine(),
        "guid": guid,
        "host": host,
        "host_fqdn": host,
        "isFree": False,
        "isTrial": False,
        "kvStoreStatus": "ready" if kvstore_enabled else "disabled",
        "mode": "normal",
        "os_name": platform.system(),
        "os_version": platform.release(),
        "product_type": "enterprise",
        "server_roles": ["indexer", "kv_store", "license_master", "search_head"]
        if kvstore_enabled
        else ["indexer", "license_master", "search_head"],
        "serverName": host,
        "version": atom.SPLUNK_VERSION,
    }
    entry = atom.Entry("server-info", "/services/server/info", content, atom.acl("system"))
    return atom.feed(
        request.output_mode, request.base_url, "server-info", "/services/server/info", [entry]
    )
