"""JSON of endpoint agents, endpoint tests and their results, in SDK 6.0.0 field names.

``api`` is the region's API base URL (``.../v7``) used for HAL links. Metrics of a result are
a pure function of (seed, test, agent, round, kind), so ground truth and pages agree.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from .endpoint_world import EndpointAgent, EndpointTest, EndpointWorld, RealUserTest
from .hashing import stable_rng
from .timefmt import iso

Json = Dict[str, Any]


def _link(href: str) -> Json:
    return {"href": href}


def agent_json(agent: EndpointAgent, now: float, api: str) -> Json:
    """An agent as GET /endpoint/agents lists it at ``now``."""
    seen = now if agent.exists(now) else agent.deleted
    seen = int(seen) - int(seen) % 60  # agents check in about every minute
    return {
        "id": agent.agent_id,
        "aid": agent.aid,
        "name": agent.name,
        "computerName": agent.computer_name,
        "osVersion": {"windows": "Windows 11 23H2", "mac": "macOS 14.5"}.get(
            agent.platform, "Ubuntu 24.04"
        ),
        "platform": agent.platform,
        "manufacturer": "Simulated Devices Inc.",
        "model": "SimBook 14",
        "lastSeen": iso(seen),
        "status": "enabled" if agent.enabled(now) else "disabled",
        "deleted": not agent.exists(now),
        "version": "1.210.0",
        "createdAt": iso(agent.created),
        "numberOfClients": 1,
        "publicIP": agent.ip.replace("192.168.", "203.0.", 1),
        "location": {
            "latitude": agent.latitude,
            "longitude": agent.longitude,
            "locationName": agent.location,
        },
        "totalMemory": "16 GB",
        "licenseType": "advantage",
        "_links": {"self": _link(f"{api}/endpoint/agents/{agent.agent_id}")},
    }


def _selector(test: EndpointTest) -> Json:
    if test.agent_ids is None:
        return {"agentSelectorType": "all-agents", "maxMachines": 25}
    return {"agentSelectorType": "specific-agents", "maxMachines": 25, "agents": test.agent_ids}


def test_json(test: EndpointTest, api: str, typed: bool = False) -> Json:
    """A scheduled or dynamic test; typed adds the fields only the per-type lists carry."""
    path = "scheduled-tests" if test.kind == "scheduled" else "dynamic-tests"
    body: Json = {
        "aid": test.aid,
        "_links": {
            "self": _link(f"{api}/endpoint/tests/{path}/{test.test_type}/{test.test_id}"),
            "testResults": [
                _link(f"{api}/endpoint/test-results/{path}/{test.test_id}/{kind}")
                for kind in test.result_kinds
            ],
        },
        "agentSelectorConfig": _selector(test),
        "createdDate": iso(test.created),
        "isPrioritized": False,
        "interval": test.interval,
        "isEnabled": True,
        "modifiedDate": iso(test.created),
        "networkMeasurements": True,
        "protocol": "icmp",
        "testId": test.test_id,
        "testName": test.name,
        "labels": [],
    }
    if test.kind == "dynamic":
        body["application"] = test.application
        body["hasPing"] = body["hasTraceroute"] = True
        return body
    body.update(isSavedEvent=test.saved_event, server=test.target, type=test.test_type, port=443)
    if typed and test.test_type == "http-server":
        body.update(
            url=f"https://{test.target}/", httpTimeLimit=5000, followRedirects=True,
            verifyCertificate=True, httpVersion=2,
        )  # fmt: skip
    return body


def real_user_test_json(test: RealUserTest) -> Json:
    return {
        "profileId": test.profile_id,
        "aid": test.aid,
        "name": test.name,
        "includedDomains": list(test.included),
        "excludedDomains": list(test.excluded),
        "monitoringSettings": {
            "monitoringSettingsId": test.profile_id[:8],
            "monitoringSettingsType": "all-agents",
        },
    }


def result_json(
    world: EndpointWorld, test: EndpointTest, kind: str, agent: EndpointAgent, round_id: int
) -> Json:
    """One agent's result of one round (network, http-server or path-vis)."""
    rng = stable_rng(world.seed, "endpoint-result", test.test_id, agent.agent_id, round_id, kind)
    record: Json = {
        "aid": test.aid,
        "testId": test.test_id,
        "agentId": agent.agent_id,
        "roundId": round_id,
        "serverIp": f"198.51.100.{10 + int(test.test_id) % 200}",
        "networkProfile": {
            "ipAddress": agent.ip,
            "publicIpAddress": agent.ip.replace("192.168.", "203.0.", 1),
            "hardwareType": "wireless" if agent.platform == "mac" else "ethernet",
            "interfaceName": "en0" if agent.platform == "mac" else "eth0",
            "gateway": agent.ip.rsplit(".", 1)[0] + ".1",
            "dnsServers": ["192.168.1.53"],
        },
        "platform": agent.platform,
    }
    if kind == "network":
        latency = round(rng.uniform(8, 120), 1)
        record.update(
            avgLatency=latency, minLatency=round(latency * 0.8, 1),
            maxLatency=round(latency * 1.3, 1), loss=rng.choice((0.0, 0.0, 0.0, 2.0)),
            jitter=round(rng.uniform(0.1, 9), 2), isIcmpBlocked=False,
            score={"applicationScore": round(rng.uniform(60, 100), 1), "quality": "good"},
        )  # fmt: skip
        if test.kind == "dynamic":
            record.update(application=test.application, protocol="icmp")
    elif kind == "http-server":
        dns, connect, ssl, wait, receive = (rng.randint(2, 60) for _ in range(5))
        total = dns + connect + ssl + wait + receive
        record.update(
            score={"applicationScore": round(rng.uniform(60, 100), 1), "quality": "great"},
            connectTime=connect, dnsTime=dns, errorType="none", numRedirects=0,
            receiveTime=receive, responseCode=200, responseTime=total - receive, sslTime=ssl,
            totalTime=total, waitTime=wait, wireSize=rng.randint(2000, 90000),
            throughput=rng.randint(100000, 9000000),
        )  # fmt: skip
    else:  # path-vis
        hops = rng.randint(5, 14)
        record.update(
            server=f"{test.target}:443", sourceIp=agent.ip,
            sourcePrefix=agent.ip.rsplit(".", 1)[0] + ".0/24", location=agent.location,
            pathTraces=[{
                "ipAddress": record["serverIp"], "numberOfHops": hops,
                "pathId": f"{test.test_id}-{agent.agent_id[:8]}-{round_id}",
                "responseTime": rng.randint(10, 150),
            }],
        )  # fmt: skip
        if test.kind == "dynamic":
            record.update(application=test.application, protocol="icmp")
    return record


def measured(
    world: EndpointWorld, test: EndpointTest, rounds: Sequence[int],
    agent_ids: Optional[Sequence[str]] = None,
) -> List[Tuple[int, EndpointAgent]]:  # fmt: skip
    """(round, agent) of every result of these rounds, in output order (round, then agent),
    only of agent_ids when given (the filter body's ``searchFilters.agentId``)."""
    return [
        (round_id, agent)
        for round_id in rounds
        for agent in world.measuring(test, round_id)
        if agent_ids is None or agent.agent_id in agent_ids
    ]
