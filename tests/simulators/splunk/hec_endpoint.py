"""``data/inputs/http``: HEC tokens over splunkd's REST API (list, create, read, edit, delete,
enable, disable) and ``data/inputs/http/http``, the global settings.

Sources: help.splunk.com "HTTP Event Collector REST API endpoints" (the paths; ``http`` as the
name is the global configuration) and "Use cURL to manage HTTP Event Collector tokens"
(``POST .../data/inputs/http -d name=...``, the answer's entry content has the ``token``;
tokens live under ``servicesNS/<user>/splunk_httpinput``); splunk/terraform-provider-splunk
``client/models/http_event_collector.go`` and ``resource_splunk_inputs_http_event_collector.go``
(create with ``name`` plus index, indexes, source, sourcetype, host, disabled, useACK; entry
names ``http://<name>``; ``indexes`` a list in the content; path segment the plain name).
Managing tokens needs ``edit_token_http`` (authorize.conf) or ``admin_all_objects``. Stand-in
choices: reading needs it too (tokens are secrets); a duplicate name is 409.
"""

from typing import List, Optional

from . import atom, listing
from .hec import HEC_APP, HecTokens, is_true
from .passwords import forbidden_message
from .request import SplunkdRequest

TOKEN_SETTINGS = ("token", "index", "indexes", "sourcetype", "source", "host", "disabled",
                  "useACK", "description")  # fmt: skip
GLOBAL_SETTINGS = ("disabled", "port", "enableSSL", "dedicatedIoThreads", "useDeploymentServer")


class HecTokensEndpoint:
    def __init__(self, tokens: HecTokens) -> None:
        self.tokens = tokens

    def handle(self, request: SplunkdRequest, parts: "List[str]") -> atom.Body:
        mode, user = request.output_mode, request.user
        assert user is not None
        if not (user.has("edit_token_http") or user.has("admin_all_objects")):
            return atom.messages(mode, 403, forbidden_message(user.name, "edit_token_http"))
        name = parts[0] if parts else None
        if name is not None and name.startswith("http://"):
            name = name[len("http://") :]
        action = parts[1] if len(parts) > 1 else ""
        app = request.ns_app if request.ns_app not in (None, "-") else None
        try:
            if name == "http" or name == "":
                return self._global(request)
            if name is None:
                if request.method == "POST":
                    new_name = request.form_value("name") or ""
                    if not new_name:
                        return atom.messages(mode, 400, "Missing argument: name")
                    self.tokens.create(new_name, _settings(request, TOKEN_SETTINGS), app)
                    return self._render(request, new_name, 201)
                return self._render(request, None, 200)
            if action in ("enable", "disable"):
                self.tokens.update(name, {"disabled": "1" if action == "disable" else "0"})
            elif action:
                return atom.messages(mode, 404, "Not Found")
            elif request.method == "DELETE":
                self.tokens.delete(name)
                return self._render(request, None, 200)
            elif request.method == "POST":
                settings = _settings(request, TOKEN_SETTINGS)
                settings.pop("token", None)  # a token's value is fixed once created
                self.tokens.update(name, settings)
            return self._render(request, name, 200)
        except FileExistsError:
            taken = name or request.form_value("name")
            text = f"Object id=http://{taken} cannot be created: it already exists"
            return atom.messages(mode, 409, text)
        except ValueError as error:
            return atom.messages(mode, 400, str(error))
        except KeyError:
            return atom.messages(mode, 404, f"Could not find object id=http://{name}")

    def _render(self, request: SplunkdRequest, only: "Optional[str]", status: int) -> atom.Body:
        entries = []
        for app, name, settings in self.tokens.all():
            if only is not None and name != only:
                continue
            content = {k: v for k, v in settings.items() if k in TOKEN_SETTINGS}
            content["disabled"] = is_true(settings.get("disabled"))
            content["useACK"] = is_true(settings.get("useACK"))
            content["indexes"] = [
                i.strip() for i in settings.get("indexes", "").split(",") if i.strip()
            ]
            content["eai:appName"] = app
            collection = f"/servicesNS/nobody/{app}/data/inputs/http"
            entries.append(atom.Entry("http://" + name, collection, content, atom.acl(app)))
        collection = request.namespace_path + "/data/inputs/http"
        if only is None:
            return listing.feed(request, "http", collection, entries, status=status)
        if not entries:
            return atom.messages(
                request.output_mode, 404, f"Could not find object id=http://{only}"
            )
        return atom.feed(request.output_mode, request.base_url, "http", collection, entries,
                         status=status)  # fmt: skip

    def _global(self, request: SplunkdRequest) -> atom.Body:
        if request.method == "POST":
            self.tokens.set_global(_settings(request, GLOBAL_SETTINGS))
        settings = self.tokens.global_settings()
        content = {k: v for k, v in settings.items() if k in GLOBAL_SETTINGS}
        content["disabled"] = is_true(settings.get("disabled"))
        collection = f"/servicesNS/nobody/{HEC_APP}/data/inputs/http"
        entry = atom.Entry("http", collection, content, atom.acl(HEC_APP))
        return atom.feed(request.output_mode, request.base_url, "http", collection, [entry])


def _settings(request: SplunkdRequest, allowed: "tuple") -> dict:
    settings = request.settings()
    unknown = sorted(set(settings) - set(allowed))
    if unknown:
        raise ValueError(f'Argument "{unknown[0]}" is not supported by this handler.')
    for key in ("disabled", "useACK", "enableSSL"):
        if key in settings:
            settings[key] = "1" if is_true(settings[key]) else "0"
    return settings
