"""Shared helpers for the simulator tests: a device-flow login and an authenticated session."""

from __future__ import annotations

import re

import requests

from tests.simulators.thousandeyes import ThousandEyesSimulator

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ALL_READ = "organization:read tests:read alerts:read streams:manage offline_access"


def start_device(sim: ThousandEyesSimulator, scope: str = ALL_READ, region: str = "us1") -> dict:
    urls = sim.region_urls(region)
    answer = requests.post(
        urls["device_authorization_url"],
        data={"client_id": sim.default_client_id, "scope": scope},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def poll(sim: ThousandEyesSimulator, device_code: str, region: str = "us1") -> requests.Response:
    return requests.post(
        sim.region_urls(region)["token_url"],
        data={
            "grant_type": DEVICE_GRANT,
            "device_code": device_code,
            "client_id": sim.default_client_id,
        },
        timeout=10,
    )


def device_login(sim: ThousandEyesSimulator, scope: str = ALL_READ, region: str = "us1") -> dict:
    """Full device flow through the approval pages; returns the token response."""
    device = start_device(sim, scope, region)
    sim.approve_device_via_pages(device["user_code"], region=region)
    answer = poll(sim, device["device_code"], region)
    assert answer.status_code == 200, answer.text
    return answer.json()


def refresh(
    sim: ThousandEyesSimulator, refresh_token: str, region: str = "us1"
) -> requests.Response:
    return requests.post(
        sim.region_urls(region)["token_url"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": sim.default_client_id,
        },
        timeout=10,
    )


def api_get(
    sim: ThousandEyesSimulator, token: str, path: str, region: str = "us1", **params: str
) -> requests.Response:
    url = path if path.startswith("http") else sim.region_urls(region)["api_base_url"] + path
    return requests.get(
        url, params=params or None, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def follow_pages(
    sim: ThousandEyesSimulator, token: str, path: str, key: str, **params: str
) -> list:
    """Read every page by following _links.next; returns all records."""
    records, answer = [], api_get(sim, token, path, **params)
    while True:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        records.extend(body[key])
        nxt = body.get("_links", {}).get("next")
        if not nxt:
            return records
        answer = api_get(sim, token, nxt["href"])


def schema_properties(text: str, name: str) -> list:
    """The property names of a components.schemas entry (its own and its allOf parts')."""
    lines = text.splitlines()
    start = lines.index(f"    {name}:")
    found = []
    for line in lines[start + 1 :]:
        if re.match(r"^    \S", line):
            break
        match = re.match(r"^(?:        |          )([A-Za-z_]+):\s*$", line)
        if match and match.group(1) not in ("properties", "items", "allOf", "example"):
            found.append(match.group(1))
        ref = re.search(r"\$ref: '#/components/schemas/(\w+)'", line)
        if ref and line.startswith("      - $ref"):
            found += schema_properties(text, ref.group(1))
    return found
