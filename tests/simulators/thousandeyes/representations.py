"""JSON shapes of every record, exactly as the v7 API returns them (SDK 6.0.0 field names).

``api`` is the region's API base URL (``.../v7``) used for HAL links.
"""

from __future__ import annotations

import functools
import json
import random
from typing import Any, Dict, List, Optional, Tuple

from . import incidents
from .hashing import digest_int, reseed, stable_rng, stable_text
from .result_metrics import METRICS_BY_KIND, metrics_text
from .rounds import BGP_MONITORS, units
from .timefmt import iso
from .world import NETWORK_MEASUREMENT_TYPES, AccountGroup, Agent, Test, User, World

APP = "https://app.thousandeyes.com"
Json = Dict[str, Any]
_ENCODER = json.JSONEncoder(separators=(",", ":"))  # what json.dumps(..., separators=) uses
_iso = functools.lru_cache(maxsize=1 << 16)(iso)  # a round's date, shared by its records
_MARK = "@@round@@"  # stands in for the round id while the fixed JSON is cut up


def link(href: str) -> Json:
    return {"href": href}


def test_json(test: Test, api: str) -> Json:
    body = _common_test_json(test, api)
    if test.instant:  # an instant test runs once: no interval, no alerts
        del body["interval"], body["alertsEnabled"]
    return body


def _common_test_json(test: Test, api: str) -> Json:
    return {
        "testId": test.test_id,
        "testName": test.name,
        "type": test.test_type,
        "interval": test.interval,
        "enabled": test.enabled,
        "alertsEnabled": test.alerts_enabled,
        "createdDate": iso(test.created),
        "createdBy": "Ada Admin (admin@example.com)",
        "modifiedDate": iso(test.created),
        "modifiedBy": "Ada Admin (admin@example.com)",
        "description": f"Simulated {test.test_type} test of {test.target}",
        "liveShare": False,
        "savedEvent": False,
        "_links": {
            "self": link(f"{api}/tests/{test.test_type}/{test.test_id}"),
            "testResults": [
                link(f"{api}/test-results/{test.test_id}/{kind}") for kind in test.result_kinds
            ],
        },
    }


def agent_json(agent: Agent, aid: str, world: World) -> Json:
    body: Json = {
        "agentId": agent.agent_id,
        "agentName": agent.name,
        "agentType": agent.agent_type,
        "location": agent.location,
        "countryId": agent.country_id,
        "enabled": True,
        "ipAddresses": [agent.ip],
        "publicIpAddresses": [agent.ip.replace("10.", "198.", 1)],
        "coordinates": {"latitude": agent.latitude, "longitude": agent.longitude},
        "network": "Simulated Networks (AS 64500)",
    }
    if agent.agent_type == "enterprise":
        group = world.account_group(aid)
        body["agentState"] = "online"
        body["hostname"] = f"{agent.name.replace(' ', '-').lower()}.corp.example"
        body["accountGroups"] = [{"aid": aid, "accountGroupName": group.name if group else ""}]
    return body


def account_group_json(group: AccountGroup, world: World, user: User, current_aid: str) -> Json:
    org = world.organization(group.org_id)
    return {
        "aid": group.aid,
        "accountGroupName": group.name,
        "isCurrentAccountGroup": group.aid == current_aid,
        "isDefaultAccountGroup": group.aid == user.default_aid,
        "organizationName": org.name,
        "orgId": org.org_id,
    }


def user_json(user: User, world: World, api: str) -> Json:
    login_group = world.account_group(user.default_aid)
    return {
        "uid": user.uid,
        "name": user.name,
        "email": user.email,
        "dateRegistered": iso(world.origin - 400 * 86400),
        "loginAccountGroup": {"aid": login_group.aid, "accountGroupName": login_group.name},
        "accountGroupRoles": [
            {
                "accountGroup": {"aid": aid, "accountGroupName": world.account_group(aid).name},
                "roles": [{"roleId": "57", "name": "Account Admin", "isBuiltin": True}],
            }
            for aid in user.aids
        ],
        "_links": {"self": link(f"{api}/users/{user.uid}")},
    }


def test_result_json(
    world: World,
    test: Test,
    kind: str,
    round_id: int,
    unit_id: str,
    direction: Optional[str],
) -> Json:
    """One record as a dict (the reference shape; ``test_result_texts`` is the fast path)."""
    rng = stable_rng(world.seed, "result", test.test_id, unit_id, round_id, direction, kind)
    bad = incidents.is_degraded(world, test, round_id)
    record: Json = {"date": iso(round_id), "roundId": round_id}
    if kind == "bgp":
        monitor = next(m for m in BGP_MONITORS if m[0] == unit_id)
        record["monitor"] = {
            "monitorId": monitor[0],
            "monitorName": monitor[1],
            "countryId": monitor[2],
        }
    else:
        agent = world.agents[unit_id]
        record["agent"] = {
            "agentId": agent.agent_id,
            "agentName": agent.name,
            "countryId": agent.country_id,
            "location": agent.location,
        }
        record["_links"] = {
            "appLink": link(
                f"{APP}/network-app-synthetics/views/?roundId={round_id}&testId={test.test_id}"
            )
        }
    if direction is not None:
        record["direction"] = direction
    record.update(METRICS_BY_KIND[kind](rng, test, bad))
    return record


def test_result_texts(
    world: World, test: Test, kind: str, first: int, start: int, stop: int
) -> List[str]:
    """Records ``start`` to ``stop`` (indexes after round ``first``, as ``rounds.locate``
    counts them) as compact JSON texts, each exactly
    ``json.dumps(test_result_json(...), separators=(",", ":"))``.

    The constant parts of every (agent, direction) are encoded once and the per-record
    generator is re-seeded in place, so a record costs one hash, one seeding and its metrics.
    """
    unit_list = units(test)
    per_round = len(unit_list)
    if stop <= start or not per_round:
        return []
    metrics_of = metrics_text(kind)
    parts = [_unit_parts(world, test, kind, unit_id, direction) for unit_id, direction in unit_list]
    rng = random.Random(0)
    texts: List[str] = []
    append = texts.append
    is_degraded = incidents.is_degraded
    index = start
    while index < stop:
        round_index, unit_index = divmod(index, per_round)
        round_id = first + round_index * test.interval
        round_text = str(round_id)
        head = f'{{"date":"{_iso(round_id)}","roundId":{round_text},'
        bad = is_degraded(world, test, round_id)
        for hash_prefix, hash_suffix, unit_head, unit_tail in parts[unit_index:]:
            if index >= stop:
                break
            reseed(rng, digest_int(hash_prefix + round_text.encode() + hash_suffix))
            metrics = metrics_of(rng, test, bad)
            if unit_tail is None:  # BGP monitors: no link to the round
                append(f"{head}{unit_head},{metrics[1:]}")
            else:
                append(f"{head}{unit_head}{round_text}{unit_tail},{metrics[1:]}")
            index += 1
    return texts


def _unit_parts(
    world: World, test: Test, kind: str, unit_id: str, direction: Optional[str]
) -> Tuple[bytes, bytes, str, Optional[str]]:
    """(hash prefix, hash suffix, JSON before the round id, JSON after it) of one unit.

    The hash text is stable_rng's (seed, "result", test, unit, round, direction, kind); the
    JSON pieces are cut from a real encoding of the record's fixed keys, with a marker
    standing in for the round id, so they cannot drift from ``test_result_json``.
    """
    text = stable_text(world.seed, "result", test.test_id, unit_id, _MARK, direction, kind)
    hash_prefix, hash_suffix = (piece.encode() for piece in text.split(_MARK))
    fixed = test_result_json(world, test, kind, 0, unit_id, direction)
    for key in ("date", "roundId"):
        del fixed[key]
    if "_links" in fixed:
        fixed["_links"]["appLink"]["href"] = fixed["_links"]["appLink"]["href"].replace(
            "roundId=0&", f"roundId={_MARK}&", 1
        )
    # keys up to the metrics: agent/monitor, _links, direction
    fixed_keys = [k for k in ("agent", "monitor", "_links", "direction") if k in fixed]
    body = _ENCODER.encode({k: fixed[k] for k in fixed_keys})[1:-1]
    if _MARK not in body:
        return hash_prefix, hash_suffix, body, None
    unit_head, unit_tail = body.split(_MARK)
    return hash_prefix, hash_suffix, unit_head, unit_tail


def alert_json(ep: incidents.AlertEpisode, now: float, api: str) -> Json:
    active = ep.is_active(now)
    body: Json = {
        "id": ep.alert_id,
        "alertType": incidents.ALERT_TYPE_BY_TEST_TYPE[ep.test.test_type],
        "alertState": "trigger" if active else "clear",
        "alertSeverity": ep.severity,
        "startDate": iso(ep.start),
        "violationCount": ep.violation_count,
        "duration": int((now if active else ep.end) - ep.start),
        "suppressed": False,
        "alertRuleId": ep.rule_id,
        "_links": {
            "self": link(f"{api}/alerts/{ep.alert_id}"),
            "test": link(f"{api}/tests/{ep.test.test_id}"),
            "rule": link(f"{api}/alerts/rules/{ep.rule_id}"),
            "appLink": link(f"{APP}/alerts/list/?__a={ep.test.aid}&alertId={ep.alert_id}"),
        },
    }
    if not active:
        body["endDate"] = iso(ep.end)
    return body


def event_json(ep: incidents.EventEpisode, now: float, api: str) -> Json:
    active = ep.is_active(now)
    body: Json = {
        "id": ep.event_id,
        "typeName": ep.type_name,
        "state": "active" if active else "resolved",
        "startDate": iso(ep.start),
        "severity": ep.severity,
        "type": ep.event_type,
        "agentType": "cloud-enterprise-agent",
        "affectedTests": {"total": ep.affected_tests, "inAccountGroup": ep.affected_tests},
        "affectedTargets": {"total": 1, "inAccountGroup": 1},
        "affectedAgents": {"total": ep.affected_agents, "inAccountGroup": ep.affected_agents},
        "_links": {"self": link(f"{api}/events/{ep.event_id}")},
    }
    if not active:
        body["endDate"] = iso(ep.end)
    return body


def activity_json(entry: incidents.ActivityEntry, world: World) -> Json:
    return {
        "aid": entry.aid,
        "accountGroupName": world.account_group(entry.aid).name,
        "date": iso(entry.date),
        "event": entry.event,
        "ipAddress": entry.ip_address,
        "uid": entry.uid,
        "user": entry.user,
    }


def typed_test_json(test: Test, api: str) -> Json:
    """A test as /v7/tests/{type} returns it: the common fields plus its type's settings."""
    body = test_json(test, api)
    url = f"https://{test.target}/"
    other_agent = test.agent_ids[-1] if test.agent_ids else "101"
    details: Dict[str, Json] = {
        "agent-to-server": {"server": f"{test.target}:443", "protocol": "tcp"},
        "agent-to-agent": {"targetAgentId": other_agent, "direction": "bidirectional"},
        "http-server": {"url": url},
        "page-load": {"url": url},
        "web-transactions": {"url": url, "transactionScript": "await driver.get(url);"},
        "api": {"url": url, "requests": [{"name": "status", "url": f"{url}status"}]},
        "dns-server": {
            "domain": test.target,
            "dnsServers": [{"serverId": "1", "serverName": "ns1.example.com."}],
        },
        "dns-trace": {"domain": test.target},
        "dnssec": {"domain": test.target},
        "ftp-server": {"url": f"ftp://{test.target}/pub/file", "requestType": "download",
                       "username": "anonymous"},
        "sip-server": {"port": 5060},
        "voice": {"targetAgentId": other_agent, "codec": "G.711 @ 64 Kbps"},
        "bgp": {"prefix": "203.0.113.0/24"},
    }  # fmt: skip
    body.update(details[test.test_type])
    if test.test_type in NETWORK_MEASUREMENT_TYPES:
        body["networkMeasurements"] = test.network_measurements
    elif test.test_type == "agent-to-server":  # here: 1-second packet loss, default false
        body["networkMeasurements"] = False
    if test.test_type == "bgp":
        del body["interval"]  # BGP tests have no interval setting in the typed model
    return body
