"""Token-endpoint requests per simulated hour for several inputs sharing one OAuth connection.

Each input run does what a real run does with its connection: ``open_connection`` (reads the
connection and the credential store in the Splunk stand-in, a fresh TokenManager as a new
process would have), one API call through the add-on's ApiClient, close. Inputs run every
``interval`` simulated seconds, staggered; the clock moves without sleeping. Figure: token
requests per access-token lifetime (target <= 1 per connection, whatever the inputs).
"""

from __future__ import annotations

import os
import tempfile
from typing import List

from ta_thousandeyes import assembly, connections
from ta_thousandeyes import authorization as flows
from ta_thousandeyes.api_client import ApiClient

from tests.acceptance.wiring import admin_service, write_simulator_settings
from tests.simulators.splunk import SplunkEmulator
from tests.simulators.thousandeyes import ThousandEyesSimulator

from . import splunk_setup
from .stats import Figure, measured

SCOPES = ["organization:read", "tests:read", "alerts:read", "offline_access"]
NAME = "bench"
STEP = 30.0


def run(inputs: int = 10, hours: float = 1.0, interval: float = 300.0,
        lifetime: int = 600) -> List[Figure]:  # fmt: skip
    # The simulator's page client trusts the environment; an ambient CA bundle variable would
    # replace its CA (the acceptance tests drop these variables too).
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(variable, None)
    with tempfile.TemporaryDirectory(prefix="bench-tokens-") as work:
        app = splunk_setup.copy_app(os.path.join(work, "app"))
        lock_dir = os.path.join(work, "locks")
        with ThousandEyesSimulator(seed=1, size="tiny", https=True,
                                   access_token_lifetime=lifetime) as sim, \
                SplunkEmulator(splunk_home=os.path.join(work, "splunk"),
                               apps={splunk_setup.APP_NAME: app}) as splunk:  # fmt: skip
            service = admin_service(splunk)
            write_simulator_settings(
                service, sim.regions_conf(), sim.ca_bundle_path, client_id=sim.default_client_id
            )
            _connect_device(service, sim, lock_dir)
            sim.clear_request_log()
            start = sim.clock.now()
            api_calls = 0
            steps = int(hours * 3600 / STEP)
            offsets = [i * interval / inputs for i in range(inputs)]  # staggered schedules
            for step in range(steps):
                elapsed = step * STEP
                for offset in offsets:
                    if (elapsed - offset) % interval < STEP and elapsed >= offset:
                        _one_run(service, sim, lock_dir)
                        api_calls += 1
                sim.clock.advance(STEP)
            end = sim.clock.now()
            log = [r for r in sim.request_log if start <= r.time <= end]
            token_requests = sum(1 for r in log if r.path.endswith("/oauth2/token"))
            failed = sum(1 for r in log if r.path.endswith("/oauth2/token") and r.status != 200)
    lifetimes = (end - start) / lifetime
    details = {
        "inputs": inputs, "interval": interval, "simulated_hours": round((end - start) / 3600, 2),
        "access_token_lifetime": lifetime, "input_runs": api_calls,
        "token_requests": token_requests, "token_requests_failed": failed,
        "token_requests_per_hour": round(token_requests / ((end - start) / 3600), 2),
    }  # fmt: skip
    return [
        measured("tokens.per_lifetime", f"token requests per token lifetime ({inputs} inputs)",
                 [token_requests / lifetimes], "", "<= 1", details=details),
    ]  # fmt: skip


def _connect_device(service: object, sim: ThousandEyesSimulator, lock_dir: str) -> None:
    connections.create_connection(service, NAME, "us1", "device_code", SCOPES)
    public = flows.start_device_authorization(service, NAME, sim.clock.now, lock_dir)
    sim.approve_device_via_pages(public["user_code"], region="us1")
    sim.clock.advance(public["interval"])
    result = flows.poll_device_authorization(service, NAME, sim.clock.now, lock_dir)
    if result.get("status") != "connected":
        raise RuntimeError(f"device authorization did not connect: {result}")


def _one_run(service: object, sim: ThousandEyesSimulator, lock_dir: str) -> None:
    connection = assembly.open_connection(service, NAME, sim.clock.now, lock_dir)
    try:
        client = ApiClient(connection.api_base_url, connection.session, connection.token_source)
        client.get("/users/current")
    finally:
        connection.close()
