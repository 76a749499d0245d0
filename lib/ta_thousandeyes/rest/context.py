"""Per-request access to splunkd: the admin check and the service the handlers work through.

splunkd already enforces restmap.conf's ``capability``; the handler checks again with the
caller's own session (defence in depth: a mistaken local restmap.conf must not open the
credential store). The work itself uses the system token splunkd passes
(``passSystemAuth``), because writing the app's .conf files needs ``admin_all_objects``
even for an admin who was granted only ``edit_storage_passwords``.
"""

from typing import FrozenSet, Optional

from .. import splunk_service
from .base import Request, RestError

ADMIN_CAPABILITIES = frozenset({"admin_all_objects", "edit_storage_passwords"})


class SplunkContext:
    def __init__(self, request: Request) -> None:
        self.request = request
        self._service: Optional[object] = None

    def _connect(self, token: str) -> object:
        if not self.request.server_uri or not token:
            raise RestError(401, "The request carries no splunkd session")
        return splunk_service.connect(self.request.server_uri, token)

    def user_capabilities(self) -> FrozenSet[str]:
        service = self._connect(self.request.user_token)
        response = service.get("authentication/current-context", output_mode="json")
        import json

        body = json.loads(response.body.read().decode("utf-8"))
        entries = body.get("entry") or [{}]
        capabilities = (entries[0].get("content") or {}).get("capabilities") or []
        return frozenset(str(capability) for capability in capabilities)

    def require_admin(self) -> None:
        if not (self.user_capabilities() & ADMIN_CAPABILITIES):
            raise RestError(
                403, "This page needs the admin_all_objects or edit_storage_passwords capability"
            )

    @property
    def service(self) -> object:
        """A Service in the app's namespace with splunkd's system token (or the user's)."""
        if self._service is None:
            self._service = self._connect(self.request.system_token or self.request.user_token)
        return self._service
