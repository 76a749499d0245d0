"""data/inputs/<scheme>[/<name>[/enable|disable]] routed to the modular input manager
(part B's inputs_manager): list/create/update/delete/set_disabled. A ValueError from
create/update is a failed --validate-arguments: HTTP 400 with the script's message.
"""

from typing import Optional

from . import atom, listing
from .passwords import forbidden_message
from .request import SplunkdRequest


class InputsEndpoint:
    def __init__(self) -> None:
        self.manager = None  # type: Any

    def handle(self, request: SplunkdRequest, parts: "list") -> atom.Body:
        mode = request.output_mode
        manager = self.manager
        if manager is None:
            # A test that lists inputs must wire the runner (set_input_manager); say so loudly.
            return atom.messages(mode, 404, "Not Found (stand-in: no modular input manager)")
        if not parts:
            return atom.messages(mode, 404, "Not Found")
        user = request.user
        assert user is not None
        scheme = parts[0]
        name = parts[1] if len(parts) > 1 else None
        action = parts[2] if len(parts) > 2 else ""
        writing = request.method in ("POST", "DELETE")
        if writing and not (user.has("admin_all_objects") or user.has("edit_modinput_" + scheme)):
            return atom.messages(mode, 403, forbidden_message(user.name, "admin_all_objects"))
        app = request.ns_app if request.ns_app not in (None, "-") else None
        collection = request.namespace_path + "/data/inputs/" + scheme
        try:
            if name is None:
                if request.method == "POST":
                    new_name = request.form_value("name")
                    if not new_name:
                        return atom.messages(mode, 400, "Missing argument: name")
                    manager.create(scheme, new_name, request.settings(), app)
                    return self._render(request, scheme, app, collection, new_name, 201)
                return self._render(request, scheme, app, collection, None, 200)
            if action in ("enable", "disable"):
                manager.set_disabled(scheme, name, action == "disable", app)
            elif action:
                return atom.messages(mode, 404, "Not Found")
            elif request.method == "DELETE":
                manager.delete(scheme, name, app)
                return self._render(request, scheme, app, collection, None, 200)
            elif request.method == "POST":
                manager.update(scheme, name, request.settings(), app)
            return self._render(request, scheme, app, collection, name, 200)
        except ValueError as error:
            return atom.messages(mode, 400, str(error))
        except KeyError as error:
            text = f"Could not find object id={error.args[0] if error.args else name}"
            return atom.messages(mode, 404, text)

    def _render(
        self,
        request: SplunkdRequest,
        scheme: str,
        app: "Optional[str]",
        collection: str,
        only: "Optional[str]",
        status: int,
    ) -> atom.Body:
        items = self.manager.list(scheme, app)
        entries = []
        for name, params in items:
            if only is not None and name != only:
                continue
            owner_app = str(params.get("eai:appName") or app or "search")
            content = {k: v for k, v in params.items()}
            entries.append(
                atom.Entry(
                    name,
                    f"/servicesNS/nobody/{owner_app}/data/inputs/{scheme}",
                    content,
                    atom.acl(owner_app),
                )
            )
        if only is not None and not entries:
            return atom.messages(request.output_mode, 404, "Could not find object id=" + only)
        if only is None:
            return listing.feed(request, scheme, collection, entries, status=status)
        return atom.feed(
            request.output_mode, request.base_url, scheme, collection, entries, status=status
        )
