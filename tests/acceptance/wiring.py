"""Point the add-on installed in the Splunk stand-in at the ThousandEyes simulator."""

from ta_thousandeyes import connections, regions, settings, splunk_service

from tests import verification


def point_addon_at_simulator(splunk, sim):
    """An admin's splunklib service for the add-on, its regions, CA and client id set to sim's.

    This is what an admin does in local/ (region hosts) and on the settings form (CA bundle,
    client id) when their ThousandEyes is not the public cloud.
    """
    service = admin_service(splunk)
    write_simulator_settings(
        service, sim.regions_conf(), sim.ca_bundle_path, client_id=sim.default_client_id
    )
    return service


def admin_service(splunk):
    """A splunklib service for the Splunk stand-in's admin, trusting its CA."""
    return splunk_service.connect(
        splunk.splunkd_uri, splunk.login("admin", "changeme"), ca_bundle=splunk.ca_bundle_path
    )


def write_simulator_settings(service, regions_conf, ca_bundle, client_id=None):
    """Region hosts, CA bundle and (optionally) OAuth client id of a simulator, in local/."""
    for key, stanza in regions_conf.items():
        splunk_service.write_stanza(service, regions.CONF_NAME, key, stanza)
    splunk_service.write_stanza(service, settings.CONF_NAME, "tls", {"ca_bundle": ca_bundle})
    if client_id:
        splunk_service.write_stanza(service, settings.CONF_NAME, "oauth", {"client_id": client_id})


def secrets_sent_outside_regions(sim, service):
    """The simulator's requests that carried an issued secret to a host of a region no
    connection uses: the request-log part of every secret scan (a secret sent to another
    origin has leaked even when it is stored nowhere)."""
    used = {config.region for config in connections.list_connections(service)}
    return verification.request_log_hits(sim.secrets_sent_outside(sorted(used)))


class StaticToken:
    """The token source of an API-token connection (docs/design.md's TokenSource) holding one
    simulator-issued token, for code that calls the API without a connection behind it."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refresh_after_unauthorized(self, rejected_token: str) -> str:
        raise AssertionError("the simulator refused its own API token")
