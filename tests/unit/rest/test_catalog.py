"""catalog: account groups as the connection saved them, then the tests and test label names
of the groups asked, read from the simulator with the connection's API token."""

from urllib.parse import urlsplit

from ta_thousandeyes import connections as model
from ta_thousandeyes.rest import handlers

H = handlers.CatalogHandler


def connect(call, sim):
    model.create_connection(call.service, "prod", "global", "api_token")
    form = [("api_token", sim.api_token)]
    reply = call(handlers.ConnectionsHandler, "POST", "connections/prod/token", form=form)
    assert reply.status == 200, reply.text


def api_reads(sim):
    return [(urlsplit(r.path).path, r.query.get("aid")) for r in sim.sim.request_log
            if "/users/" not in r.path]  # fmt: skip


def test_groups_only_without_aid_then_tests_and_labels_of_the_groups_asked(call, sim):
    connect(call, sim)
    sim.sim.clear_request_log()
    reply = call(H, "GET", "catalog", query=[("connection", "prod")])
    assert reply.status == 200, reply.text
    groups = sim.account_groups()
    assert reply.json["account_groups"] == groups and len(groups) > 1
    assert reply.json["tests"] == [] and api_reads(sim) == []
    group = sim.sim.world.account_group(groups[0]["aid"])
    group_test = sim.sim.world.tests_in(group.aid)[0]
    group_test.name = "<b>web</b>"  # raw in the answer: the page escapes
    reply = call(H, "GET", "catalog", query=[("connection", "prod"), ("aid", "*")])
    assert api_reads(sim) == [(p, g["aid"]) for g in groups for p in ("/v7/tests", "/v7/labels")]
    world = sim.sim.world
    assert reply.json["tests"] == [
        {"aid": g["aid"], "testId": t.test_id, "testName": t.name, "type": t.test_type}
        for g in groups
        for t in world.tests_in(g["aid"])
    ]
    test_labels = {
        x.name for g in groups for x in world.labels_in(g["aid"]) if x.label_type == "test"
    }
    assert reply.json["labels"] == sorted(test_labels)  # no agent label
    one = call(H, "GET", "catalog", query=[("connection", "prod"), ("aid", group.aid)])
    assert {t["aid"] for t in one.json["tests"]} == {group.aid}


def test_unknown_group_bad_name_and_api_failure(call, sim):
    connect(call, sim)
    unknown = call(H, "GET", "catalog", query=[("connection", "prod"), ("aid", "3")])
    assert unknown.status == 400 and "3" in unknown.json["error"]
    bad = call(H, "GET", "catalog", query=[("connection", "../x")])
    assert bad.status == 400
    sim.go_down()
    aid = sim.account_groups()[0]["aid"]
    failed = call(H, "GET", "catalog", query=[("connection", "prod"), ("aid", aid)])
    assert failed.status == 502 and "ThousandEyes did not answer" in failed.json["error"]
    assert sim.api_token not in failed.text
