"""JSON shapes of every record, exactly as the v7 API returns them (SDK 6.0.0 field names).

``api`` is the region's API base URL (``.../v7``) used for HAL links.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import incidents
from .hashing import stable_rng
from .result_metrics import METRICS_BY_KIND
from .rounds import BGP_MONITORS
from .timefmt import iso
from .world import AccountGroup, Agent, Test, User, World

APP = "https://app.thousandeyes.com"
Json = Dict[str, Any]


def link(href: str) -> Json:
    return {"href": href}


def test_json(test: Test, api: str) -> Json:
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
    if test.test_type == "bgp":
        del body["interval"]  # BGP tests have no interval setting in the typed model
    return body
