"""Scopes (issue 16 point 4): the simulator's per-endpoint scope map against the sources.

The table is ``tests/simulators/thousandeyes/scopes.py``. The OpenAPI files
(``shared/thousandeyes-openapi``, v7 2023) name no OAuth scope for any operation: each file has
only ``security: [BearerAuth: [read]]`` and an http bearer scheme. The tests below fail when a
file starts naming scopes (an OAuth2 scheme or an operation-level ``security``), so the table
cannot drift from it unnoticed, and they check the 403 each operation documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from tests.simulators.thousandeyes import ThousandEyesSimulator
from tests.simulators.thousandeyes.api_v7 import HANDLERS
from tests.simulators.thousandeyes.oauth_store import SUPPORTED_SCOPES
from tests.simulators.thousandeyes.scopes import DOCUMENTED, SCOPE_BY_AREA, SCOPE_RULES

from .helpers import api_get, device_login

_METHOD = re.compile(r"^    (get|post|put|delete|patch):\s*$")


def _spec_dir() -> Optional[Path]:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "thousandeyes-openapi"
        if (candidate / "admin.yaml").is_file():
            return candidate
    return None


SPEC = _spec_dir()
needs_spec = pytest.mark.skipif(SPEC is None, reason="shared/thousandeyes-openapi not found")


def _operations(text: str) -> Dict[Tuple[str, str], List[str]]:
    """{(method, path): the operation's lines} from an OpenAPI YAML file (block style)."""
    ops: Dict[Tuple[str, str], List[str]] = {}
    lines = text.splitlines()
    in_paths, path, current = False, None, None
    for line in lines:
        if re.match(r"^[A-Za-z]", line):
            in_paths = line.startswith("paths:")
            current = None
            continue
        if not in_paths:
            continue
        if re.match(r"^  \S", line):
            path, current = line.strip().rstrip(":"), None
        elif _METHOD.match(line):
            current = ops.setdefault((_METHOD.match(line).group(1), path), [])
        elif re.match(r"^    \S", line):
            current = None
        elif current is not None:
            current.append(line)
    return ops


def _top_level_block(text: str, key: str) -> List[str]:
    lines, out, inside = text.splitlines(), [], False
    for line in lines:
        if re.match(r"^[A-Za-z]", line):
            inside = line.startswith(key + ":")
            continue
        if inside:
            out.append(line)
    return out


@needs_spec
@pytest.mark.parametrize("name", sorted(p.name for p in (SPEC or Path(".")).glob("*.yaml")))
def test_spec_files_name_no_oauth_scope(name):
    """Every OA file: global security is BearerAuth only, no OAuth2 scheme, no per-op security."""
    text = (SPEC / name).read_text()
    assert [s.strip() for s in _top_level_block(text, "security")] == [
        "- BearerAuth:", "- read"
    ], name  # fmt: skip
    components = "\n".join(_top_level_block(text, "components"))
    assert "oauth2" not in components.lower() and "flows:" not in components, name
    for (method, path), body in _operations(text).items():
        assert not any(x.startswith("      security:") for x in body), (name, method, path)


@needs_spec
@pytest.mark.parametrize(
    "spec_file,method,path",
    sorted({ref for rule in SCOPE_RULES for ref in rule.spec}),
)
def test_table_operations_exist_and_document_403(spec_file, method, path):
    """Each OA operation the table cites exists, and its 403 is problem+json Error.

    streaming.yaml documents its 403 as "Forbidden" with no body (and none for POST); the
    simulator answers the same problem+json there as everywhere."""
    ops = _operations((SPEC / spec_file).read_text())
    assert (method, path) in ops, f"{spec_file}: {method.upper()} {path} not in the spec"
    body = "\n".join(ops[(method, path)])
    forbidden = re.search(r'"403":\n((?:          .*\n?)+)', body)
    if (spec_file, method, path) == ("streaming.yaml", "post", "/v7/stream"):
        assert forbidden is None  # documents 400, 401, 409, 412, 500: no 403 at all
        return
    assert forbidden, f"{spec_file} {method} {path}: no 403 documented"
    block = forbidden.group(1)
    if spec_file == "streaming.yaml":  # documents a bare "Forbidden", no body
        assert block.strip() == "description: Forbidden"
        return
    assert "application/problem+json" in block
    assert "#/components/schemas/Error" in block
    assert "Insufficient permissions to query endpoint" in block


def test_every_served_area_needs_a_documented_scope_word():
    """No endpoint answers any valid token; every scope is one DOC-OA documents."""
    assert set(HANDLERS) | {"instant-tests"} == set(SCOPE_BY_AREA)
    for rule in SCOPE_RULES:
        assert rule.scope in DOCUMENTED and rule.scope in SUPPORTED_SCOPES, rule
        assert rule.basis in ("DOC-OA", "assumed"), rule
    assert SCOPE_BY_AREA["users"] == SCOPE_BY_AREA["account-groups"] == "organization:read"
    assert all(
        w in DOCUMENTED["organization:read"] for w in ("account groups", "users", "user activities")
    )


def _problem_403(response, scope: str) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) <= {"type", "title", "status", "detail", "instance"}  # admin.yaml Error
    assert body["status"] == 403 and body["title"] == "Forbidden" and scope in body["detail"]
    assert f'scope="{scope}"' in response.headers["WWW-Authenticate"]


def test_tests_read_alone_cannot_read_the_organization(te_sim):
    """DOC-OA: users, account groups and user activities are organization:read."""
    token = device_login(te_sim, scope="tests:read")["access_token"]
    for path in ("/users/current", "/account-groups", "/audit-user-events"):
        _problem_403(api_get(te_sim, token, path), "organization:read")
    assert api_get(te_sim, token, "/tests").status_code == 200
    assert api_get(te_sim, token, "/agents").status_code == 200  # assumed: tests:read
    assert api_get(te_sim, token, "/events", window="1h").status_code == 200  # assumed


def test_organization_read_alone_reads_only_the_organization(te_sim):
    token = device_login(te_sim, scope="organization:read")["access_token"]
    assert api_get(te_sim, token, "/users/current").status_code == 200
    assert api_get(te_sim, token, "/account-groups").status_code == 200
    assert api_get(te_sim, token, "/audit-user-events", window="1h").status_code == 200
    _problem_403(api_get(te_sim, token, "/tests"), "tests:read")
    _problem_403(api_get(te_sim, token, "/agents"), "tests:read")
    _problem_403(api_get(te_sim, token, "/alerts"), "alerts:read")
    _problem_403(api_get(te_sim, token, "/streams"), "streams:manage")
    _problem_403(api_get(te_sim, token, "/endpoint/tests"), "endpoint-tests:read")


def test_addon_default_scopes_cover_the_default_inputs(te_sim):
    """default/ta_thousandeyes_settings.conf [oauth] scopes: what a default connection reads."""
    conf = Path(__file__).resolve().parents[2] / "default" / "ta_thousandeyes_settings.conf"
    section = conf.read_text().split("[oauth]", 1)[1].split("\n[", 1)[0]
    defaults = re.search(r"^scopes\s*=\s*(.+)$", section, re.M).group(1).split()
    assert defaults == ["organization:read", "tests:read", "alerts:read", "offline_access"]
    token = device_login(te_sim, scope=" ".join(defaults))["access_token"]
    for path, params in (("/users/current", {}), ("/account-groups", {}), ("/tests", {}),
                         ("/agents", {}), ("/alerts", {}), ("/events", {"window": "1h"}),
                         ("/audit-user-events", {"window": "1h"})):  # fmt: skip
        assert api_get(te_sim, token, path, **params).status_code == 200, path
    # Opt-in features, documented as needing an extra scope (README, inputs.conf.spec):
    assert api_get(te_sim, token, "/streams").status_code == 403
    assert api_get(te_sim, token, "/endpoint/tests").status_code == 403


def test_user_api_token_carries_every_scope():
    with ThousandEyesSimulator(seed=1, size="small") as sim:
        token = sim.create_api_token("admin@example.com")
        for path in ("/users/current", "/account-groups", "/tests", "/alerts", "/streams"):
            assert api_get(sim, token, path).status_code == 200, path


# Issue 16 point 5, the refusals left: a cursor replayed with another aid, max outside alerts
# and events (reference/thousandeyes.md: "`max` exists only on alerts and events").


def test_cursor_replayed_with_another_aid_is_refused():
    sizes = {"alerts": 1, "events": 1, "audit-user-events": 1}
    with ThousandEyesSimulator(seed=3, size="small", page_sizes=sizes) as sim:
        token = sim.create_api_token("admin@example.com")
        for path, key in (("/events", "events"), ("/audit-user-events", "auditEvents")):
            first = api_get(sim, token, path, window="7d", aid="2001").json()
            assert len(first[key]) == 1 and "next" in first["_links"], path
            cursor = first["_links"]["next"]["href"].split("cursor=")[1].split("&")[0]
            same = api_get(sim, token, path, window="7d", aid="2001", cursor=cursor)
            assert same.status_code == 200, path
            other = api_get(sim, token, path, window="7d", aid="2002", cursor=cursor)
            assert other.status_code == 400, path
            assert other.headers["Content-Type"] == "application/problem+json"
            assert "does not belong" in other.json()["detail"]


def test_max_outside_alerts_and_events_is_refused(te_sim):
    token = te_sim.create_api_token("admin@example.com")
    assert api_get(te_sim, token, "/alerts", max="2").status_code == 200
    assert api_get(te_sim, token, "/events", window="1h", max="2").status_code == 200
    audit = api_get(te_sim, token, "/audit-user-events", max="2")
    assert audit.status_code == 400 and "max" in audit.json()["detail"]
    test = next(iter(te_sim.world.tests_in("2001", "dns-trace")))
    results = api_get(te_sim, token, f"/test-results/{test.test_id}/dns-trace", max="2")
    assert results.status_code == 400 and "max" in results.json()["detail"]
