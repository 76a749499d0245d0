"""Real events of every sourcetype the add-on produces, for the static search checks.

The add-on's own collectors (test results of every data type, alerts, events, the activity
log, inventory) run in-process against the ThousandEyes simulator over loopback HTTPS, with
the add-on's ApiClient, ApiTransport and XmlEventWriter: the code path of the modular inputs
and of the acceptance runs, minus the process around it. The simulator's small world has
every test type in its default account group, so every data type yields results. Nothing
here is a hand-written field list: the fields are what the events carry.
"""

import io
import json
import tempfile
import xml.etree.ElementTree as ET
from typing import Dict, List

from ta_thousandeyes.api_client import ApiClient
from ta_thousandeyes.api_transport import ApiTransport
from ta_thousandeyes.checkpoints import FileCheckpointStore, owner_of
from ta_thousandeyes.collectors import activity, alerts, events, inventory, test_results
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.events import XmlEventWriter
from ta_thousandeyes.http import destination as origin

from tests.simulators.thousandeyes import ThousandEyesSimulator

HOURS = 24  # enough simulated history for alerts and events that start and clear


class _StaticToken:
    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refresh_after_unauthorized(self, rejected_token: str) -> str:
        raise RuntimeError("the simulator refused its own API token")


def collect_events(seed: int = 7) -> List[Dict]:
    """Every event one run of each input writes over HOURS of simulated history, as
    ``{"sourcetype", "source", "_time", "_raw"}`` (what the index keeps of it)."""
    with ThousandEyesSimulator(seed=seed, size="small", https=True) as sim, \
            tempfile.TemporaryDirectory(prefix="te-knowledge-") as checkpoints:  # fmt: skip
        user = sim.world.user_by_email(sim.demo_email)
        token = sim.create_api_token(sim.demo_email)
        base = sim.region_urls("global")["api_base_url"]
        transport = ApiTransport([origin(base)], ca_bundle=sim.ca_bundle_path)
        client = ApiClient(base, transport, _StaticToken(token))
        out = io.BytesIO()
        writer = XmlEventWriter(output=out, error=io.StringIO())
        groups = list(user.aids)
        now = sim.clock.now()
        runs = [
            ("thousandeyes_test_results", lambda c: test_results.collect(c, [user.default_aid])),
            ("thousandeyes_alerts", lambda c: alerts.collect(c, groups)),
            ("thousandeyes_events", lambda c: events.collect(c, groups)),
            ("thousandeyes_activity", lambda c: activity.collect(c)),
            ("thousandeyes_inventory", lambda c: inventory.collect(c, groups)),
        ]
        for scheme, collect in runs:
            ctx = RunContext(
                client, writer, FileCheckpointStore(checkpoints),
                owner_of(scheme, "prod", "thousandeyes"), scheme + "://knowledge",
                index="thousandeyes", host="knowledge-host",
                initial_start=now - HOURS * 3600, clock=sim.clock.now,
            )  # fmt: skip
            collect(ctx)
            assert not ctx.errors, (scheme, ctx.errors)
        writer.close()
        transport.close()
    root = ET.fromstring(out.getvalue().decode("utf-8"))
    return [
        {
            "sourcetype": e.findtext("sourcetype"),
            "source": e.findtext("source"),
            "_time": float(e.findtext("time")),
            "_raw": e.findtext("data"),
        }
        for e in root.iter("event")
    ]


def json_fields(value, prefix: str = "") -> set:
    """Field names Splunk's KV_MODE = json (and spath) gives a JSON value: ``a.b`` for an
    object member, ``a{}`` for an array's values, ``a{}.b`` for members of objects in it."""
    names = set()
    if isinstance(value, dict):
        for key, member in value.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(member, (dict, list)):
                names |= json_fields(member, name)
            else:
                names.add(name)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                names |= json_fields(item, prefix + "{}")
            else:
                names.add(prefix + "{}")
    return names


def fields_by_sourcetype(collected: List[Dict]) -> Dict[str, set]:
    found = {}  # type: Dict[str, set]
    for event in collected:
        found.setdefault(event["sourcetype"], set()).update(json_fields(json.loads(event["_raw"])))
    return found
