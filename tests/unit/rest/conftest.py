"""Helpers for the REST handler unit tests: splunkd's request JSON and a stubbed context.

The context stands in for splunkd access: ``service`` is an in-memory FakeService (the real
library code runs against it); OAuth flows that would call ThousandEyes are replaced per
test with ``monkeypatch``.
"""

import json

import pytest
from ta_thousandeyes.rest import handlers

from .fake_service import FakeService


class StubContext:
    """What a handler gets per request; records whether the admin check ran."""

    admin = True
    instances = []
    service_to_use = None

    def __init__(self, request):
        self.request = request
        self.service = StubContext.service_to_use or FakeService()
        self.checked = False
        StubContext.instances.append(self)

    def require_admin(self):
        from ta_thousandeyes.rest.base import RestError

        self.checked = True
        if not self.admin:
            raise RestError(403, "This page needs the admin_all_objects capability")


def request_json(method, path, form=None, query=None, user="admin"):
    return json.dumps(
        {
            "method": method,
            "rest_path": "/ta_thousandeyes/" + path,
            "query": [list(pair) for pair in (query or [])],
            "form": [list(pair) for pair in (form or [])],
            "session": {"user": user, "authtoken": "user-session-token"},
            "system_authtoken": "system-session-token",
            "server": {
                "rest_uri": "https://127.0.0.1:8089",
                "hostname": "Splunk-SH1",
                "servername": "sh1.example.com",
            },
            "output_mode": "json",
            "ns": {"app": "TA-thousandeyes", "user": "nobody"},
        }
    )


class Caller:
    def __init__(self):
        StubContext.admin = True
        StubContext.instances = []
        self.service = FakeService()
        StubContext.service_to_use = self.service

    def __call__(self, handler_class, method, path, form=None, query=None):
        handler = handler_class("", "")
        handler.context_factory = StubContext
        reply = handler.handle(request_json(method, path, form, query))
        assert set(reply) == {"status", "payload", "headers"}
        return Reply(reply)


class Reply:
    def __init__(self, reply):
        self.status = reply["status"]
        self.headers = reply["headers"]
        self.text = reply["payload"]
        content_type = self.headers.get("Content-Type", "")
        self.json = json.loads(self.text) if content_type.startswith("application/json") else None


@pytest.fixture
def call():
    return Caller()


@pytest.fixture
def connections_handler():
    return handlers.ConnectionsHandler
