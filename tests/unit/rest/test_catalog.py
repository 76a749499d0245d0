"""catalog: account groups as the connection saved them, tests and labels of the groups asked."""

from ta_thousandeyes import api_client, assembly
from ta_thousandeyes.rest import catalog, handlers


class _Page:
    def __init__(self, items):
        self.items = items


class _Client:
    def __init__(self, tests_by_aid, fail=False):
        self.tests_by_aid = tests_by_aid
        self.fail = fail
        self.asked = []

    def pages(self, path, aid=None, items_key=None):
        self.asked.append((path, aid))
        if self.fail:
            raise api_client.ApiError(503, "upstream down")
        yield _Page(self.tests_by_aid.get(aid, []))


class _Connection:
    closed = False

    def __init__(self):
        groups = [{"aid": 1, "name": "Prod"}, {"aid": "2", "name": "Lab"}]
        self.config = type("C", (), {"account_groups": groups})()

    def close(self):
        _Connection.closed = True


def _wire(monkeypatch, client):
    monkeypatch.setattr(assembly, "open_connection", lambda service, name: _Connection())
    monkeypatch.setattr(catalog, "client_for", lambda connection, name: client)


def test_groups_only_without_aid_then_tests_and_labels_of_the_groups_asked(call, monkeypatch):
    tests = {"1": [{"testId": 7, "testName": "<b>web</b>", "type": "http-server",
                    "labels": [{"labelId": "9", "name": "Edge"}, "Core"]}]}  # fmt: skip
    client = _Client(tests)
    _wire(monkeypatch, client)
    reply = call(handlers.CatalogHandler, "GET", "catalog", query=[("connection", "prod")])
    assert reply.status == 200, reply.text
    assert reply.json["account_groups"] == [
        {"aid": "1", "name": "Prod"},
        {"aid": "2", "name": "Lab"},
    ]
    assert reply.json["tests"] == [] and client.asked == []
    reply = call(handlers.CatalogHandler, "GET", "catalog",
                 query=[("connection", "prod"), ("aid", "*")])  # fmt: skip
    assert client.asked == [("/tests", "1"), ("/tests", "2")]
    assert reply.json["tests"] == [
        {"aid": "1", "testId": "7", "testName": "<b>web</b>", "type": "http-server",
         "labels": ["Edge", "Core"]}
    ]  # fmt: skip
    assert reply.json["labels"] == ["Core", "Edge"] and _Connection.closed


def test_unknown_group_bad_name_and_api_failure(call, monkeypatch):
    _wire(monkeypatch, _Client({}, fail=True))
    unknown = call(handlers.CatalogHandler, "GET", "catalog",
                   query=[("connection", "prod"), ("aid", "3")])  # fmt: skip
    assert unknown.status == 400 and "3" in unknown.json["error"]
    bad = call(handlers.CatalogHandler, "GET", "catalog", query=[("connection", "../x")])
    assert bad.status == 400
    failed = call(handlers.CatalogHandler, "GET", "catalog",
                  query=[("connection", "prod"), ("aid", "1")])  # fmt: skip
    assert failed.status == 502 and "ThousandEyes did not answer" in failed.json["error"]
