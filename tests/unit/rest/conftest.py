"""Helpers for the REST handler unit tests: splunkd's request JSON, a context on the in-process
Splunk stand-in, and the ThousandEyes simulator behind the flows.

The context is what splunkd access gives a handler (``service``, ``require_admin``); its
``service`` is a splunklib Service of the in-process stand-in (tests/unit/standins.py), so the
real connection, region, settings and credential-store code runs against splunkd's REST API.
The ``sim`` fixture points every region at a ThousandEyes simulator
(tests/unit/connections/sim_oauth.py), so the handlers' flows talk to it over HTTPS.
"""

import json

import pytest
from ta_thousandeyes import credential_store, regions, settings, splunk_service
from ta_thousandeyes.rest import handlers

from tests.unit.connections.sim_oauth import SimOAuth
from tests.unit.standins import APP

SIM_REGIONS = ("global", "us1", "us2", "eu")


class StubContext:
    """What a handler gets per request; records whether the admin check ran."""

    admin = True
    instances = []
    service_to_use = None

    def __init__(self, request):
        self.request = request
        self.service = StubContext.service_to_use
        self.checked = False
        StubContext.instances.append(self)

    def require_admin(self):
        from ta_thousandeyes.rest.base import RestError

        self.checked = True
        if not self.admin:
            raise RestError(403, "This page needs the admin_all_objects capability")


def request_json(method, path, form=None, query=None, user="admin"):
    return json.dumps(
        {
            "method": method,
            "rest_path": "/ta_thousandeyes/" + path,
            "query": [list(pair) for pair in (query or [])],
            "form": [list(pair) for pair in (form or [])],
            "session": {"user": user, "authtoken": "user-session-token"},
            "system_authtoken": "system-session-token",
            "server": {
                "rest_uri": "https://127.0.0.1:8089",
                "hostname": "Splunk-SH1",
                "servername": "sh1.example.com",
            },
            "output_mode": "json",
            "ns": {"app": "TA-thousandeyes", "user": "nobody"},
        }
    )


class Caller:
    """Calls a handler as splunkd would; ``service`` is a Service of the stand-in."""

    def __init__(self, standin):
        StubContext.admin = True
        StubContext.instances = []
        self.service = standin.service()
        StubContext.service_to_use = self.service

    def __call__(self, handler_class, method, path, form=None, query=None):
        handler = handler_class("", "")
        handler.context_factory = StubContext
        reply = handler.handle(request_json(method, path, form, query))
        assert set(reply) == {"status", "payload", "headers"}
        return Reply(reply)

    def write_conf(self, conf_name, stanzas):
        """Write stanzas (name -> settings) into the app's conf file through splunkd. A new
        stanza is created by a POST naming it in the body: names like ``scheme://name`` cannot
        be addressed in a path the way splunklib sends them (their slashes unencoded)."""
        try:
            conf = self.service.confs[conf_name]
        except KeyError:
            conf = self.service.confs.create(conf_name)
        existing = {stanza.name for stanza in conf.list()}
        for stanza, values in stanzas.items():
            if stanza in existing:
                splunk_service.write_stanza(self.service, conf_name, stanza, values)
            else:
                conf.create(stanza, **values)

    def insert_documents(self, collection, documents):
        data = self.service.kvstore[collection].data
        for document in documents:
            data.insert(json.dumps(document))

    def app_configured(self):
        """app.conf [install] is_configured as splunkd reports it (apps/local/<app>)."""
        return self.service.apps[APP].content["configured"] in ("1", "true", True)


def pending_record(call, name):
    """The connection's credential record (its pending flow, tokens), None when there is none."""
    return credential_store.CredentialStore(call.service).read(
        credential_store.connection_key(name)
    )


def interval_passes(call, name):
    """The add-on's wait before its next device poll is over (the admin waited ``interval``):
    the handlers' flows run on the wall clock, the simulator on its own frozen one."""
    record = pending_record(call, name)
    record["pending"]["next_poll_at"] = 0
    credential_store.CredentialStore(call.service).write(
        credential_store.connection_key(name), record
    )


def connect_by_device(call, sim, name):
    """Start the device flow on the setup page, approve it at the simulator, poll: connected."""
    path = f"connections/{name}/"
    user_code = call(handlers.ConnectionsHandler, "POST", path + "device").json["user_code"]
    sim.approve_device(user_code)
    interval_passes(call, name)
    reply = call(handlers.ConnectionsHandler, "POST", path + "poll")
    assert reply.json["state"] == "connected", reply.text
    return reply


class Reply:
    def __init__(self, reply):
        self.status = reply["status"]
        self.headers = reply["headers"]
        self.text = reply["payload"]
        content_type = self.headers.get("Content-Type", "")
        self.json = json.loads(self.text) if content_type.startswith("application/json") else None


@pytest.fixture
def call(splunk_standin, tmp_path, monkeypatch):
    # the handlers' flows take their locks under $SPLUNK_HOME/var/run (locks.run_directory)
    monkeypatch.setenv("SPLUNK_HOME", str(tmp_path / "splunk-home"))
    (tmp_path / "splunk-home").mkdir()
    return Caller(splunk_standin)


@pytest.fixture
def sim(call, monkeypatch):
    """A ThousandEyes simulator serving the regions in SIM_REGIONS, its CA trusted and its
    public client configured: the handlers' flows reach it over HTTPS."""
    server = SimOAuth()
    stanza = server.region_stanza()
    labels = {key: region.label for key, region in regions.load_regions(call.service).items()}
    call.write_conf(
        regions.CONF_NAME, {key: dict(stanza, label=labels[key]) for key in SIM_REGIONS}
    )
    call.write_conf(
        settings.CONF_NAME,
        {"tls": {"ca_bundle": server.ca_path}, "oauth": {"client_id": server.client_id}},
    )
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.stop()


@pytest.fixture
def connections_handler():
    return handlers.ConnectionsHandler
