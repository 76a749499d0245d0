"""Per-type measurement fields of one test-result record (field names from the SDK models)."""

from __future__ import annotations

import functools
import json
import random
from typing import Any, Callable, Dict, Tuple

from .world import Test

Metrics = Dict[str, Any]
MetricsText = Callable[[random.Random, Test, bool], str]
_ENCODER = json.JSONEncoder(separators=(",", ":"))  # what json.dumps(..., separators=) uses
_LOSS_CHOICES = (0.0, 0.0, 0.0, 1.0)
_json_string = functools.lru_cache(maxsize=1024)(json.dumps)


def _network_values(rng: random.Random, bad: bool) -> Tuple[float, ...]:
    """(avg, min, max latency, jitter, loss, health score): the draws of a network record."""
    base = rng.uniform(5, 120)
    loss = round(rng.uniform(20, 60), 1) if bad else round(rng.choice(_LOSS_CHOICES), 1)
    latency = base * (3 if bad else 1)
    jitter = round(rng.uniform(0, 5) * (4 if bad else 1), 3)
    health = round(0.3 if bad else rng.uniform(0.9, 1.0), 3)
    return round(latency, 3), round(latency * 0.9, 3), round(latency * 1.3, 3), jitter, loss, health


def _network(rng: random.Random, test: Test, bad: bool) -> Metrics:
    avg, low, high, jitter, loss, health = _network_values(rng, bad)
    return {
        "avgLatency": avg,
        "minLatency": low,
        "maxLatency": high,
        "jitter": jitter,
        "loss": loss,
        "serverIp": "203.0.113.10",
        "server": f"{test.target}:443",
        "healthScore": health,
    }


# json.dumps writes a float as repr() does, so %r of these floats is exactly its encoding.
_NETWORK_TEXT = (
    '{"avgLatency":%r,"minLatency":%r,"maxLatency":%r,"jitter":%r,"loss":%r,'
    '"serverIp":"203.0.113.10","server":%s,"healthScore":%r}'
)


def _network_text(rng: random.Random, test: Test, bad: bool) -> str:
    avg, low, high, jitter, loss, health = _network_values(rng, bad)
    server = _json_string(f"{test.target}:443")
    return _NETWORK_TEXT % (avg, low, high, jitter, loss, server, health)


def _path_vis(rng: random.Random, test: Test, bad: bool) -> Metrics:
    hops = rng.randint(6, 16)
    return {
        "server": f"{test.target}:443",
        "serverIp": "203.0.113.10",
        "sourceIp": f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "pathTraces": [
            {
                "ipAddress": "203.0.113.10",
                "numberOfHops": hops,
                "pathId": str(rng.randint(1, 9)),
                "responseTime": rng.randint(5, 300) * (3 if bad else 1),
            }
        ],
    }


def _http(rng: random.Random, test: Test, bad: bool) -> Metrics:
    dns, connect, ssl, wait, receive = (rng.randint(1, 60) for _ in range(5))
    metrics: Metrics = {
        "serverIp": "203.0.113.10",
        "responseCode": 503 if bad else 200,
        "numRedirects": 0,
        "dnsTime": dns,
        "connectTime": connect,
        "sslTime": ssl,
        "waitTime": wait,
        "receiveTime": receive,
        "responseTime": dns + connect + ssl + wait,
        "totalTime": dns + connect + ssl + wait + receive,
        "wireSize": rng.randint(2000, 90000),
        "throughput": rng.randint(100000, 9000000),
    }
    if bad:
        metrics["errorType"] = "HTTP"
        metrics["errorDetails"] = "HTTP 503 Service Unavailable"
    return metrics


def _page_load(rng: random.Random, test: Test, bad: bool) -> Metrics:
    dom = rng.randint(300, 2500) * (3 if bad else 1)
    return {
        "responseTime": rng.randint(50, 400),
        "totalSize": rng.randint(100000, 3000000),
        "numObjects": rng.randint(10, 120),
        "numErrors": rng.randint(1, 5) if bad else 0,
        "domLoadTime": dom,
        "pageLoadTime": dom + rng.randint(100, 2000),
    }


def _web_transactions(rng: random.Random, test: Test, bad: bool) -> Metrics:
    metrics: Metrics = {
        "componentErrors": rng.randint(1, 3) if bad else 0,
        "transactionTime": rng.randint(800, 9000),
    }
    if bad:
        metrics["errorType"] = "Timeout"
        metrics["errorDetails"] = _transaction_error(rng)
    return metrics


def _transaction_error(rng: random.Random) -> str:
    """A failed transaction's error as scripts report it: the message and the whole stack of
    the script's steps (real ones run to tens of kilobytes, non-ASCII step names included)."""
    frames = "".join(
        f"    at step {n} «Ajouter au panier — étape {n}» "
        f"(transaction.js:{10 + n}:{rng.randint(1, 80)})\n"
        for n in range(rng.randint(160, 220))
    )
    return "TimeoutError: Transaction timed out waiting for #checkout after 30000 ms\n" + frames


def _api(rng: random.Random, test: Test, bad: bool) -> Metrics:
    metrics: Metrics = {
        "apiTransactionTime": rng.randint(40, 900),
        "completion": 50.0 if bad else 100.0,
    }
    if bad:
        metrics["errorType"] = "Assertion"
        metrics["errorDetails"] = "Status code assertion failed"
    return metrics


def _ftp(rng: random.Random, test: Test, bad: bool) -> Metrics:
    parts = [rng.randint(1, 80) for _ in range(5)]
    return {
        "serverIp": "203.0.113.21",
        "responseCode": 421 if bad else 226,
        "dnsTime": parts[0],
        "connectTime": parts[1],
        "negotiationTime": parts[2],
        "waitTime": parts[3],
        "responseTime": sum(parts[:4]),
        "transferTime": parts[4],
        "totalTime": sum(parts),
        "wireSize": rng.randint(1000, 50000),
        "throughput": rng.randint(10000, 900000),
    }


def _dns_trace(rng: random.Random, test: Test, bad: bool) -> Metrics:
    return {
        "queries": rng.randint(3, 8),
        "failedQueries": rng.randint(1, 3) if bad else 0,
        "finalServerQueried": "ns1.example.com",
        "finalQueryTime": rng.randint(2, 120),
        "mappings": f"{test.target} IN A 203.0.113.10",
    }


def _dns_server(rng: random.Random, test: Test, bad: bool) -> Metrics:
    return {
        "serverId": str(rng.randint(1, 3)),
        "server": "ns1.example.com.",
        "resolutionTime": rng.randint(2, 90) * (5 if bad else 1),
        "mappings": f"{test.target} IN A 203.0.113.10",
    }


def _dnssec(rng: random.Random, test: Test, bad: bool) -> Metrics:
    metrics: Metrics = {"isValid": not bad}
    if bad:
        metrics["errorDetails"] = "RRSIG expired"
    return metrics


def _sip(rng: random.Random, test: Test, bad: bool) -> Metrics:
    dns, connect, register, options = (rng.randint(1, 60) for _ in range(4))
    return {
        "serverIp": "203.0.113.30",
        "availability": 0.0 if bad else 100.0,
        "dnsTime": dns,
        "connectTime": connect,
        "registerTime": register,
        "optionsTime": options,
        "responseCode": 503 if bad else 200,
        "responseTime": dns + connect + register,
        "totalTime": dns + connect + register + options,
        "errorType": "server" if bad else "none",
    }


def _rtp(rng: random.Random, test: Test, bad: bool) -> Metrics:
    return {
        "serverIp": "203.0.113.40",
        "dscp": "46",
        "dscpName": "EF",
        "mos": round(rng.uniform(2.0, 3.0) if bad else rng.uniform(4.0, 4.4), 2),
        "codecName": "G.711 @ 64 Kbps",
        "codecMaxMos": 4.42,
        "loss": round(rng.uniform(5, 30) if bad else rng.uniform(0, 0.5), 2),
        "discards": round(rng.uniform(0, 2), 2),
        "latency": rng.randint(10, 150),
        "pdv": rng.randint(0, 20),
    }


def _bgp(rng: random.Random, test: Test, bad: bool) -> Metrics:
    return {
        "prefixId": "1",
        "prefix": "203.0.113.0/24",
        "updates": rng.randint(0, 3) + (20 if bad else 0),
        "pathChanges": rng.randint(0, 1) + (5 if bad else 0),
        "reachability": 40.0 if bad else 100.0,
    }


METRICS_BY_KIND: Dict[str, Callable[[random.Random, Test, bool], Metrics]] = {
    "network": _network,
    "path-vis": _path_vis,
    "http-server": _http,
    "page-load": _page_load,
    "web-transactions": _web_transactions,
    "api": _api,
    "ftp-server": _ftp,
    "dns-trace": _dns_trace,
    "dns-server": _dns_server,
    "dnssec": _dnssec,
    "sip-server": _sip,
    "rtp-server": _rtp,
    "bgp": _bgp,
}


def metrics_text(kind: str) -> MetricsText:
    """A function giving ``json.dumps(METRICS_BY_KIND[kind](...), separators=(",", ":"))``
    (hand-written for network results, the bulk of every backlog)."""
    if kind == "network":
        return _network_text
    metrics = METRICS_BY_KIND[kind]
    return lambda rng, test, bad: _ENCODER.encode(metrics(rng, test, bad))
