"""A tiny in-memory ThousandEyes v7 for collector unit tests, reached through a fake session.

Data: rounds every `interval` seconds per (test, agent); alerts with start/end; events with
start/end; audit events. Windows follow the documented semantics (results include a round
that started just before startDate; alerts filter start time for trigger and clear time for
clear; events are those active in the window). Lists are paged `page_size` at a time with an
opaque cursor in `_links.next.href`.
"""

import json
from datetime import datetime, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit


def iso(epoch):
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_of(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


class FakeApi:
    base_url = "https://api.example.test/v7"

    def __init__(self, clock, page_size=3, interval=60, aid="100"):
        self.clock = clock
        self.page_size = page_size
        self.interval = interval
        self.aid = aid
        self.tests = [
            {"testId": "1", "testName": "web", "type": "agent-to-server", "interval": interval},
            {"testId": "2", "testName": "a2a", "type": "agent-to-agent", "interval": interval},
            {"testId": "3", "testName": "bgp", "type": "bgp", "interval": interval},
            {
                "testId": "4",
                "testName": "dns",
                "type": "dns-server",
                "interval": interval,
                "networkMeasurements": False,
            },
        ]
        self.agents = [
            {"agentId": "11", "agentName": "Tokyo"},
            {"agentId": "12", "agentName": "Paris"},
        ]
        self.alerts = []  # dicts with id, startDate epoch, endDate epoch or None
        self.events = []
        self.audit = []
        self.requests = []
        self.fail_after = None  # raise on the n-th request (simulates a crash)

    # -- data -------------------------------------------------------------------------
    def results(self, test, data_type, start, end):
        first = int(start // self.interval) * self.interval  # the round that began before start
        rounds = range(first, int(end) + 1, self.interval)
        out = []
        for r in rounds:
            if r > self.clock.now:
                break
            if test["type"] == "bgp":
                for monitor in ("m1", "m2"):
                    for prefix in ("p1", "p2"):
                        out.append(
                            {
                                "monitor": {"monitorId": monitor},
                                "prefixId": prefix,
                                "roundId": r,
                                "date": iso(r),
                                "reachability": 100,
                            }
                        )
                continue
            for agent in self.agents:
                base = {"agent": {"agentId": agent["agentId"]}, "roundId": r, "date": iso(r)}
                if test["type"] == "agent-to-agent":
                    for direction in ("to-target", "from-target"):
                        out.append(dict(base, direction=direction, loss=0))
                elif test["type"] == "dns-server":
                    for server in ("ns1:53", "ns2:53"):
                        out.append(dict(base, server=server, resolutionTime=3))
                else:
                    out.append(dict(base, avgLatency=10, dataType=data_type))
        return out

    def ground_truth_results(self, test_id, data_type, start, end):
        test = next(t for t in self.tests if t["testId"] == test_id)
        return [
            r for r in self.results(test, data_type, start, end) if start <= r["roundId"] <= end
        ]

    # -- HTTP --------------------------------------------------------------------------
    def session(self):
        return SimpleNamespace(get=self.get, close=lambda: None)

    def get(self, url, headers=None, **kwargs):
        self.requests.append(url)
        if self.fail_after is not None and len(self.requests) > self.fail_after:
            raise KeyboardInterrupt("simulated kill")
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path[len("/v7") :]
        body = self.route(path, query)
        if body is None:
            return self.response(404, {"title": "Not Found", "status": 404})
        return self.response(200, body)

    def response(self, status, body):
        return SimpleNamespace(
            status_code=status,
            content=json.dumps(body).encode(),
            reason="",
            headers={
                "X-Organization-Rate-Limit-Limit": "240",
                "X-Organization-Rate-Limit-Remaining": "239",
                "X-Organization-Rate-Limit-Reset": str(int(self.clock.now) + 60),
            },
        )

    def page(self, key, items, path, query):
        offset = int(query.get("cursor", "0"))
        chunk = items[offset : offset + self.page_size]
        body = {key: chunk, "_links": {"self": {"href": "x"}}}
        if offset + self.page_size < len(items):
            nxt = dict(query, cursor=str(offset + self.page_size))
            body["_links"]["next"] = {"href": f"{self.base_url}{path}?{urlencode(nxt)}"}
        return body

    def route(self, path, query):
        now = self.clock.now
        start = epoch_of(query["startDate"]) if "startDate" in query else None
        end = epoch_of(query["endDate"]) if "endDate" in query else now
        if path == "/tests":
            return self.page("tests", self.tests, path, query)
        if path == "/agents":
            return self.page("agents", self.agents, path, query)
        if path == "/account-groups":
            return {"accountGroups": [{"aid": self.aid, "accountGroupName": "Main"}]}
        if path.startswith("/test-results/"):
            _, _, test_id, data_type = path.split("/")
            test = next((t for t in self.tests if t["testId"] == test_id), None)
            if test is None:
                return None
            return self.page("results", self.results(test, data_type, start, end), path, query)
        if path == "/alerts":
            field = "start" if query.get("state", "trigger") == "trigger" else "end"
            items = [
                self.alert_json(a)
                for a in self.alerts
                if a[field] is not None and start <= a[field] <= end and a["start"] <= now
            ]
            return self.page("alerts", items, path, query)
        if path == "/events":
            items = [
                self.event_json(e)
                for e in self.events
                if e["start"] <= end
                and (e["end"] is None or e["end"] >= start)
                and e["start"] <= now
            ]
            return self.page("events", items, path, query)
        if path == "/audit-user-events":
            items = [a for a in self.audit if start <= epoch_of(a["date"]) <= end]
            return self.page("auditEvents", items, path, query)
        return None

    def alert_json(self, alert):
        body = {"id": alert["id"], "startDate": iso(alert["start"]), "alertType": "http-server"}
        if alert["end"] is not None and alert["end"] <= self.clock.now:
            body["endDate"] = iso(alert["end"])
            body["state"] = "clear"
        else:
            body["state"] = "trigger"
        return body

    def event_json(self, event):
        body = {"id": event["id"], "startDate": iso(event["start"]), "type": "network-outage"}
        if event["end"] is not None and event["end"] <= self.clock.now:
            body["endDate"] = iso(event["end"])
        return body
