import io
import json
import xml.etree.ElementTree as ET

from ta_thousandeyes.api_client import ApiClient
from ta_thousandeyes.checkpoints import FileCheckpointStore, owner_of
from ta_thousandeyes.collectors.base import RunContext
from ta_thousandeyes.event_xml import XmlEventWriter
from ta_thousandeyes.rate_limit import RateLimiter


class Harness:
    """Runs collectors against the simulator (a ``SimApi``) the way successive modular input
    runs would: the add-on's ApiClient over the inputs' policy session, real HTTP."""

    def __init__(self, api, clock, tmp_path, start, scheme="thousandeyes_test_results"):
        self.api = api
        self.clock = clock
        self.store = FileCheckpointStore(str(tmp_path))
        self.start = start
        self.scheme = scheme
        self.events = []  # parsed (time, sourcetype, source, data dict)

    def run(self, collect, **ctx_kwargs):
        out = io.BytesIO()
        writer = XmlEventWriter(output=out, error=io.StringIO())
        client = ApiClient(
            self.api.base_url,
            self.api.session(),
            self.api.token_source(),
            rate_limiter=RateLimiter(clock=self.clock, sleep=self.clock.sleep),
            clock=self.clock,
            sleep=self.clock.sleep,
        )
        ctx = RunContext(
            client,
            writer,
            self.store,
            owner_of(self.scheme, "conn", "te"),
            self.scheme + "://x",
            index="te",
            host="sh1",
            initial_start=self.start,
            clock=self.clock,
            **ctx_kwargs,
        )
        try:
            collect(ctx)
        finally:
            writer.close()
            self.events.extend(parse(out.getvalue()))
        return ctx


def parse(raw):
    if not raw:
        return []
    root = ET.fromstring(raw.decode("utf-8"))
    return [
        (
            float(e.findtext("time")),
            e.findtext("sourcetype"),
            e.findtext("source"),
            json.loads(e.findtext("data")),
            e.findtext("index"),
            e.findtext("host"),
        )
        for e in root.findall("event")
    ]
