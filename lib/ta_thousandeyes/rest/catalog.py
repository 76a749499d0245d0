"""GET catalog?connection=<name>[&aid=<id,...>|*]: what an input of that connection can pick.
Read-only, for the Inputs page's pickers: the connection's account groups (as saved when it
connected, else read from ``/account-groups``), and for the account groups asked for (``*``:
every one) their tests (``/tests``: id, name, type) and test label names (``/labels``; the
test list names no labels, and which test carries one is read only by an input that filters
on it, collectors.labels), read live from ThousandEyes with the connection's tokens and within
the rate-limit budget every input of the connection shares. Nothing secret is returned;
errors are the connection's state (409 when it must be connected again) or the API's answer
(502).
"""

import time
from typing import Any, Dict, List

from .. import api_client, assembly, locks
from ..collectors.labels import label_list
from ..rate_limit import RateLimiter, state_path_for
from ..redaction import redact
from . import validation
from .base import Request, RestError, json_reply, route
from .handler import RestHandler

MAX_GROUPS = 20  # tests of at most this many account groups per request
DEADLINE_SECONDS = 20.0  # under Splunk Web's proxy timeout (splunkdConnectionTimeout, 30 s)


def client_for(connection: Any, name: str) -> api_client.ApiClient:
    directory = locks.run_directory()
    limiter = RateLimiter(state_path_for(directory, name, "org")) if directory else None
    return api_client.ApiClient(
        connection.region.api_base_url,
        connection.session,
        connection.token_source,
        rate_limiter=limiter,
        deadline=time.time() + DEADLINE_SECONDS,
    )


def _items(client: api_client.ApiClient, path: str, key: str, aid: Any = None) -> List[Dict]:
    found = []  # type: List[Dict]
    for page in client.pages(path, aid=aid, items_key=key):
        found.extend(item for item in page.items if isinstance(item, dict))
    return found


def _groups(client: api_client.ApiClient, config: Any) -> List[Dict[str, str]]:
    saved = [{"aid": str(g.get("aid", "")), "name": str(g.get("name", ""))}
             for g in config.account_groups]  # fmt: skip
    if saved:
        return saved
    return [
        {"aid": str(g.get("aid", "")), "name": str(g.get("accountGroupName", ""))}
        for g in _items(client, "/account-groups", "accountGroups")
    ]


def _wanted(value: Any, groups: List[Dict[str, str]]) -> List[str]:
    text = (value or "").strip()
    if not text:
        return []
    known = [g["aid"] for g in groups]
    if text == "*":
        return known[:MAX_GROUPS]
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [aid for aid in wanted if aid not in known]
    if unknown:
        raise RestError(400, "Unknown account group id(s): {}".format(", ".join(unknown)))
    if len(wanted) > MAX_GROUPS:
        raise RestError(400, f"Ask for the tests of at most {MAX_GROUPS} account groups at once")
    return wanted


def get_catalog(context: object, request: Request) -> Dict:
    validation.only(request, "connection", "aid")
    name = validation.connection_name(request.arg("connection"))
    service = context.service  # type: ignore[attr-defined]
    connection = assembly.open_connection(service, name)
    try:
        client = client_for(connection, name)
        try:
            groups = _groups(client, connection.config)
            tests = []
            labels = []  # type: List[str]
            for aid in _wanted(request.arg("aid"), groups):
                for test in _items(client, "/tests", "tests", aid):
                    tests.append(
                        {
                            "aid": aid,
                            "testId": str(test.get("testId", "")),
                            "testName": str(test.get("testName", "")),
                            "type": str(test.get("type", "")),
                        }
                    )
                names = (label["name"] for label in label_list(client, aid))
                labels.extend(name for name in names if name and name not in labels)
        except (
            api_client.ApiError,
            api_client.ApiUnavailable,
            api_client.ForeignLinkRefused,
        ) as error:
            raise RestError(502, "ThousandEyes did not answer: " + redact(error))
    finally:
        connection.close()
    body = {"connection": name, "account_groups": groups, "tests": tests, "labels": sorted(labels)}
    return json_reply(200, body)


class CatalogHandler(RestHandler):
    routes = (route("GET", "catalog", get_catalog),)
