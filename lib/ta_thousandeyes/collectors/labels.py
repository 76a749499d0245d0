"""Which tests carry which labels: read from /v7/labels, since a test's own listing names none.

``GET /v7/tests`` answers ``SimpleTest`` items, which have no ``labels`` field (tests.yaml);
the labels of an account group are ``GET /v7/labels`` (each a ``Label``: ``labelId``,
``name``, ``type``) and the tests one carries are its ``ids`` in ``GET /v7/labels/test/{id}``
(labels.yaml ``LabelDetail``). Only labels of type ``test`` are tests' labels.
"""

from typing import Any, Dict, List, Sequence
from urllib.parse import quote

from ..api_client import ApiClient


def label_list(client: ApiClient, aid: str) -> List[Dict[str, str]]:
    """The account group's test labels, ``{"labelId", "name"}`` each (one request)."""
    found = []
    for page in client.pages("/labels", aid=aid, items_key="labels"):
        for label in page.items:
            if isinstance(label, dict) and label.get("type") == "test" and label.get("labelId"):
                found.append({"labelId": str(label["labelId"]), "name": str(label.get("name", ""))})
    return found


def attach_labels(
    client: ApiClient, aid: str, tests: List[Dict[str, Any]], wanted: Sequence[str]
) -> None:
    """Give each test a ``labels`` list of the wanted labels (names or ids, any case) it
    carries. Only the wanted labels' details are read: one request for the list, one per
    wanted label that exists, so a label filter costs its own labels, not the group's."""
    names = {str(w).strip().lower() for w in wanted if str(w).strip()}
    carried = {}  # type: Dict[str, List[Dict[str, str]]]
    for label in label_list(client, aid):
        if label["labelId"].lower() not in names and label["name"].lower() not in names:
            continue
        detail = client.get("/labels/test/" + quote(label["labelId"], safe=""), aid=aid)
        for test_id in detail.get("ids") or ():
            carried.setdefault(str(test_id), []).append(label)
    for test in tests:
        test["labels"] = carried.get(str(test.get("testId")), [])
