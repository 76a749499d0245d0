"""The add-on's own listings read every entry from a splunkd that pages (30 entries unless
count says otherwise): secrets spread over more storage/passwords entries than one page, and
more connection stanzas than one page."""

from ta_thousandeyes import splunk_service
from ta_thousandeyes.credential_store import CredentialStore

RECORDS = 12  # each record is a head and at least two chunks: over 30 entries in all


def test_secrets_over_more_than_one_page_of_entries(service):
    store = CredentialStore(service)
    records = {
        f"connection:c{n:02d}": {"refresh_token": f"rt-{n:02d}-" + "x" * 400}
        for n in range(RECORDS)
    }
    for key, record in records.items():
        store.write(key, record)
    assert len(service.storage_passwords.list(count=-1)) > 30
    for key, record in records.items():
        assert store.read(key) == record


def test_conf_stanzas_over_more_than_one_page(service):
    for n in range(35):
        splunk_service.write_stanza(
            service, "ta_thousandeyes_connections", f"c{n:02d}", {"region": "global"}
        )
    stanzas = splunk_service.read_stanzas(service, "ta_thousandeyes_connections")
    assert {f"c{n:02d}" for n in range(35)} <= set(stanzas)
