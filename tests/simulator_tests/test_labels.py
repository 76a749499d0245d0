"""Test labels as ThousandEyes serves them (shared/thousandeyes-openapi/labels.yaml, tests.yaml).

- ``GET /v7/labels`` (getLabels) answers ``Labels``: ``labels`` of ``Label`` (``labelId``,
  ``isBuiltIn``, ``name``, ``type``: LabelType agent, test, endpoint-test, endpoint-agent or
  dashboard) and self links; no ``ids``.
- ``GET /v7/labels/test/{labelId}`` (getTestLabel) answers ``LabelDetail``: a Label with
  ``ids``, the tests it is assigned to.
- ``GET /v7/tests`` answers ``SimpleTest`` items (UnexpandedTest + UnexpandedInstantTest),
  which have no ``labels`` field: only the labels endpoints say which test carries a label.
"""

from __future__ import annotations

import pytest

from .helpers import api_get, schema_properties
from .test_scopes import SPEC, needs_spec


@pytest.fixture(scope="module")
def sim(small_sim):
    return small_sim


@needs_spec
def test_the_spec_says_labels_live_only_at_the_labels_endpoints():
    labels_spec = (SPEC / "labels.yaml").read_text(encoding="utf-8")
    assert set(schema_properties(labels_spec, "Label")) == {"labelId", "isBuiltIn", "name", "type"}
    assert "ids" in schema_properties(labels_spec, "LabelDetail")
    tests_spec = (SPEC / "tests.yaml").read_text(encoding="utf-8")
    simple = schema_properties(tests_spec, "UnexpandedTest") + schema_properties(
        tests_spec, "UnexpandedInstantTest"
    )
    assert "testId" in simple and "labels" not in simple


def test_labels_listing_and_detail(sim):
    listing = api_get(sim, sim.token, "/labels", aid="2001")
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert set(body) == {"labels", "_links"}
    assert {label["type"] for label in body["labels"]} == {"test", "agent"}
    for label in body["labels"]:
        assert set(label) == {"labelId", "isBuiltIn", "name", "type", "_links"}
    listed = api_get(sim, sim.token, "/tests", aid="2001").json()["tests"]
    assert all("labels" not in t for t in listed)
    tests = {t["testId"] for t in listed}
    carried = set()
    for label in (x for x in body["labels"] if x["type"] == "test"):
        detail = api_get(sim, sim.token, f"/labels/test/{label['labelId']}", aid="2001")
        assert detail.status_code == 200, detail.text
        assert set(detail.json()) == {"labelId", "isBuiltIn", "name", "type", "ids", "_links"}
        assert set(detail.json()["ids"]) <= tests
        carried |= set(detail.json()["ids"])
    assert carried and carried != tests  # some tests carry labels, some none


def test_labels_belong_to_their_account_group(sim):
    ours = api_get(sim, sim.token, "/labels", aid="2001").json()["labels"]
    theirs = api_get(sim, sim.token, "/labels", aid="2002").json()["labels"]
    assert {x["name"] for x in ours} == {x["name"] for x in theirs}
    assert not {x["labelId"] for x in ours} & {x["labelId"] for x in theirs}
    test_label = next(x for x in theirs if x["type"] == "test")
    other_group = api_get(sim, sim.token, f"/labels/test/{test_label['labelId']}", aid="2001")
    assert other_group.status_code == 404
    agent_label = next(x for x in ours if x["type"] == "agent")
    wrong_type = api_get(sim, sim.token, f"/labels/test/{agent_label['labelId']}", aid="2001")
    assert wrong_type.status_code == 404
    assert api_get(sim, sim.token, "/labels/nonsense/1", aid="2001").status_code == 404
