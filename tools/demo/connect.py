"""Connect the add-on to ThousandEyes through the setup page's REST endpoints, in the order the
page calls them: settings, create the connection, start the device authorization, poll it.
"""

from typing import Any, Callable, Dict, Optional

from .console import DemoFailure, Progress
from .web_client import SplunkWebClient


def save_settings(web: SplunkWebClient, values: Dict[str, str]) -> Dict[str, Any]:
    return web.post("settings", values).get("settings", {})


def create_connection(web: SplunkWebClient, name: str, region: str, method: str) -> None:
    web.post("connections", {"name": name, "region": region, "auth_method": method})


def mask(code: str) -> str:
    """User codes count as secrets for the leak scan: show only their shape."""
    return "".join("*" if ch.isalnum() else ch for ch in code[:-2]) + code[-2:]


def connect_with_device_code(
    web: SplunkWebClient,
    name: str,
    region: str,
    approve: Callable[[Dict[str, Any]], None],
    wait: Callable[[float], None],
    progress: Progress,
) -> Dict[str, Any]:
    """Device authorization end to end; approve() completes the user's side, wait() lets the
    poll interval pass. Returns the connection's public summary."""
    create_connection(web, name, region, "device_code")
    started = web.post(f"connections/{name}/device")
    progress.detail(
        f"device authorization started: user code {mask(started.get('user_code', ''))}, "
        f"verify at {started.get('verification_uri')}, expires in {started.get('expires_in')} s"
    )
    interval = float(started.get("interval") or 5)
    polls = int(float(started.get("expires_in") or 600) / interval) + 2  # until the code expires
    first = web.post(f"connections/{name}/poll")
    progress.detail(f"first poll before approval: {first.get('state')} ({first.get('message')})")
    approve(started)
    for _ in range(polls):
        wait(interval)
        answer = web.post(f"connections/{name}/poll")
        state = answer.get("state")
        if state == "connected":
            progress.detail(str(answer.get("message")))
            return web.get(f"connections/{name}").get("connection", {})
        if state != "pending":
            raise DemoFailure(f"device authorization ended as {state}: {answer.get('message')}")
        interval = float(answer.get("interval") or interval)
    raise DemoFailure(f"device authorization still pending after {polls} polls")


def connect_with_api_token(
    web: SplunkWebClient, name: str, region: str, token: str
) -> Dict[str, Any]:
    create_connection(web, name, region, "api_token")
    web.post(f"connections/{name}/token", {"api_token": token})
    return web.get(f"connections/{name}").get("connection", {})


def connection_status(web: SplunkWebClient, name: str) -> Optional[Dict[str, Any]]:
    return web.get(f"connections/{name}").get("connection")
