"""/v7/users/current, /v7/account-groups, /v7/tests[/{type}], /v7/agents, /v7/labels[/{type}/{id}]
(not paginated)."""

from __future__ import annotations

from .api_auth import Caller, resolve_aid
from .context import SimContext
from .http_types import Request, Response, hal
from .pagination import page_url
from .problems import problem
from .representations import (
    account_group_json,
    agent_json,
    link,
    test_json,
    typed_test_json,
    user_json,
)
from .world import TEST_TYPES


def current_user(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    return hal(user_json(caller.user, ctx.world, api))


def account_groups(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    groups = [ctx.world.account_group(a) for a in caller.user.aids]
    return hal(
        {
            "accountGroups": [account_group_json(g, ctx.world, caller.user, aid) for g in groups],
            "_links": {"self": link(page_url(api, req.path[3:], dict(req.query)))},
        }
    )


def tests(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    parts = req.path.strip("/").split("/")  # v7, tests[, type[, id]]
    test_type = parts[2] if len(parts) > 2 else None
    if test_type is not None and test_type not in TEST_TYPES:
        return problem(404, f"Unknown test type '{test_type}'", req.path)
    if len(parts) > 3:
        found = ctx.world.tests.get(parts[3])
        if found is None or found.aid != aid or found.test_type != test_type:
            return problem(404, f"Test {parts[3]} not found", req.path)
        return hal(typed_test_json(found, api))
    shape = test_json if test_type is None else typed_test_json
    items = [shape(t, api) for t in ctx.world.tests_in(aid, test_type)]
    self_href = page_url(api, req.path[3:], dict(req.query))
    return hal({"tests": items, "_links": {"self": link(self_href)}})


LABEL_TYPES = ("agent", "test", "endpoint-test", "dashboard")  # labels.yaml's /v7/labels/{type}


def label_json(label, api: str, detail: bool = False) -> dict:  # noqa: ANN001
    """labels.yaml ``Label`` (``labelId``, ``isBuiltIn``, ``name``, ``type``); ``LabelDetail``
    adds ``ids``. A test's own representation names no label (tests.yaml ``SimpleTest``):
    which tests carry a label is only here."""
    body = {"labelId": label.label_id, "isBuiltIn": label.built_in, "name": label.name,
            "type": label.label_type}  # fmt: skip
    if detail:
        body["ids"] = list(label.ids)
    body["_links"] = {"self": link(f"{api}/labels/{label.label_type}/{label.label_id}")}
    return body


def labels(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    """GET /v7/labels (getLabels: every label of the account group, each without ``ids``) and
    GET /v7/labels/{type}/{labelId} (get<Type>Label: one, with ``ids``)."""
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    parts = req.path.strip("/").split("/")  # v7, labels[, type, id]
    found = ctx.world.labels_in(aid)
    if len(parts) == 2:
        self_href = page_url(api, req.path[3:], dict(req.query))
        return hal(
            {"labels": [label_json(x, api) for x in found], "_links": {"self": link(self_href)}}
        )
    if len(parts) != 4 or parts[2] not in LABEL_TYPES:
        return problem(404, "URI Resource Not Found", req.path)
    match = [x for x in found if x.label_type == parts[2] and x.label_id == parts[3]]
    if not match:
        return problem(404, f"Label {parts[3]} not found", req.path)
    return hal(label_json(match[0], api, detail=True))


def agents(ctx: SimContext, req: Request, caller: Caller, api: str) -> Response:
    aid, error = resolve_aid(ctx, caller, req)
    if error:
        return error
    wanted = req.query_lists.get("agentTypes")
    items = [
        agent_json(a, aid, ctx.world)
        for a in ctx.world.agents_in(aid)
        if not wanted or a.agent_type in wanted
    ]
    self_href = page_url(api, req.path[3:], dict(req.query))
    return hal({"agents": items, "_links": {"self": link(self_href)}})
