"""Per-page dedup keys go to a journal; the inventory is cached between runs."""

import json

import pytest
from ta_thousandeyes.checkpoints import COLLECTION, FileCheckpointStore, KVStoreCheckpointStore
from ta_thousandeyes.collectors import inventory_cache, results

from tests.unit.collectors.helpers import Harness
from tests.unit.collectors.sim_api import AID, SimApi
from tests.unit.standins import CollectionDocs


def test_journal_is_replayed_and_folded_into_the_next_save(tmp_path):
    store = FileCheckpointStore(str(tmp_path))
    store.save("k", "o", {"start": 10, "keys": {"a": 1}})
    store.add_keys("k", "o", {}, {"b": 5})
    store.add_keys("k", "o", {}, {"a": 7, "c": 2})
    journal = tmp_path / "ta_thousandeyes" / "k.journal"
    with open(journal, "a") as handle:
        handle.write('{"torn":')  # a write cut short by a crash is skipped
    assert store.load("k") == {"start": 10, "keys": {"a": 7, "b": 5, "c": 2}}
    store.save("k", "o", {"start": 20, "keys": {"c": 2}})
    assert not journal.exists()
    assert store.load("k") == {"start": 20, "keys": {"c": 2}}
    assert list(store.owners()) == ["k"]
    store.add_keys("k", "o", {}, {"d": 1})
    store.delete("k")
    assert store.load("k") is None and not journal.exists()


def test_first_page_of_a_new_stream_saves_the_whole_state(tmp_path):
    store = FileCheckpointStore(str(tmp_path))
    store.add_keys("new", "o", {"start": 1, "floor": 1, "keys": {"x": 1}}, {"x": 1})
    assert store.load("new") == {"start": 1, "floor": 1, "keys": {"x": 1}}


def test_kvstore_journal_is_merged_and_folded_into_the_next_save(kv_service):
    service = kv_service
    docs = CollectionDocs(service, COLLECTION)
    store = KVStoreCheckpointStore(service)
    store.save("k", "o", {"start": 10, "keys": {"a": 1}})
    store.add_keys("k", "o", {}, {"b": 5})
    store.add_keys("k", "o", {}, {"a": 7, "c": 2})
    assert len(docs) == 3  # one journal document per page, the state left as it was
    restarted = KVStoreCheckpointStore(service)
    assert restarted.load("k") == {"start": 10, "keys": {"a": 7, "b": 5, "c": 2}}
    assert list(restarted.owners()) == ["k"]
    restarted.save("k", "o", {"start": 20, "keys": {"c": 2}})
    assert list(docs) == ["k"]
    assert restarted.load("k") == {"start": 20, "keys": {"c": 2}}
    restarted.add_keys("k", "o", {}, {"d": 1})
    restarted.delete("k")
    assert docs == {}


def test_kvstore_first_page_of_a_new_stream_saves_the_whole_state(kv_service):
    service = kv_service
    store = KVStoreCheckpointStore(service)
    assert store.load("new") is None
    store.add_keys("new", "o", {"start": 1, "floor": 1, "keys": {"x": 1}}, {"x": 1})
    assert list(CollectionDocs(service, COLLECTION)) == ["new"]
    assert KVStoreCheckpointStore(service).load("new") == {"start": 1, "floor": 1, "keys": {"x": 1}}


@pytest.fixture
def api():
    """The simulator's account group with one agent-to-server test every 60 s (id WEB)."""
    api = SimApi()
    (api.web,) = api.shape_tests("agent-to-server", interval=60)
    yield api
    api.stop()


@pytest.fixture
def clock(api):
    return api.clock


def test_journalled_keys_leave_memory_on_a_long_backfill(api, clock, tmp_path):
    """Keys held stay near the overlap's worth, not the backlog's (they live in the journal)."""
    api.page_size = 20
    harness = Harness(api, clock, tmp_path, clock.now - 6 * 3600)
    held = []
    original = harness.store.add_keys

    def recording_add_keys(key, owner, state, added):
        held.append(len(state["keys"]))
        original(key, owner, state, added)

    harness.store.add_keys = recording_add_keys
    harness.run(lambda ctx: results.collect(ctx, [AID], test_ids=[api.web], data_types=["network"]))
    assert len(harness.events) > 10 * api.page_size
    # two pages of grace plus the rounds within overlap + interval of the window end
    assert max(held) <= 3 * api.page_size


def test_pages_write_journal_lines_not_the_whole_state(api, clock, tmp_path):
    api.page_size = 5
    harness = Harness(api, clock, tmp_path, clock.now - 3600)
    saves = []
    original = harness.store.save

    def counting_save(key, owner, state):
        saves.append(key)
        original(key, owner, state)

    harness.store.save = counting_save
    harness.run(lambda ctx: results.collect(ctx, [AID], test_ids=[api.web]))
    network = [k for k in saves if k.endswith("network")]
    # one full save for the first page, one at the window end; the pages between journal
    assert len(network) == 2
    pages = [u for u in api.requests if f"/test-results/{api.web}/network" in u]
    assert len(pages) > 3


def test_inventory_is_read_once_per_ttl(api, clock, tmp_path):
    harness = Harness(api, clock, tmp_path, clock.now - 600)

    def inventory_calls():
        return [u for u in api.requests if "/tests?" in u or "/agents?" in u]

    harness.run(lambda ctx: results.collect(ctx, [AID]))
    first = len(inventory_calls())
    assert first >= 2
    clock.now += 300
    harness.run(lambda ctx: results.collect(ctx, [AID]))
    assert len(inventory_calls()) == first  # cached
    clock.now += inventory_cache.TTL_SECONDS
    harness.run(lambda ctx: results.collect(ctx, [AID]))
    assert len(inventory_calls()) == 2 * first  # expired: read again


def test_unknown_agent_refreshes_the_inventory_next_run(api, clock, tmp_path):
    harness = Harness(api, clock, tmp_path, clock.now - 600)
    harness.run(lambda ctx: results.collect(ctx, [AID]))
    calls = len([u for u in api.requests if "/agents?" in u])
    state_file = next((tmp_path / "ta_thousandeyes").glob("*inventory.json"))
    document = json.loads(state_file.read_text())
    document["state"]["agents"] = {}  # the cache no longer names the agents
    state_file.write_text(json.dumps(document))

    def without_agent_names(url, response):  # results name agents only by id
        # agentName is optional in the v7 schema, but the simulator (like the real API, as
        # far as anyone has seen) always sends it: the answer loses it on the client's side
        if "/test-results/" not in url or response.status_code != 200:
            return
        answer = json.loads(response.content)
        for record in answer.get("results", []):
            if isinstance(record.get("agent"), dict):
                record["agent"].pop("agentName", None)
        response._content = json.dumps(answer).encode("utf-8")

    api.after_receive.append(without_agent_names)
    clock.now += 120
    harness.run(lambda ctx: results.collect(ctx, [AID]))
    clock.now += 120
    harness.run(lambda ctx: results.collect(ctx, [AID]))
    assert len([u for u in api.requests if "/agents?" in u]) == calls + 1


class ConfiguredInputs:
    """What splunkd's data/inputs/<scheme> lists (the stand-in's input manager contract),
    without a modular input runner: the inputs that exist, by scheme."""

    def __init__(self, configured):
        self.configured = configured

    def list(self, scheme, app=None):
        return [(f"in{i}", dict(c)) for i, c in enumerate(self.configured.get(scheme, []))]


def test_keep_alive_prunes_deleted_inputs_of_every_scheme(tmp_path, splunk_standin):
    from ta_thousandeyes.checkpoints import checkpoint_key, owner_of
    from ta_thousandeyes.modinputs.base import prune_all_schemes

    configured = {"thousandeyes_alerts": [{"connection": "c", "index": "main"}]}
    splunk_standin.emulator.set_input_manager(ConfiguredInputs(configured))
    try:
        service = splunk_standin.service()
        store = KVStoreCheckpointStore(service)
        kept = owner_of("thousandeyes_alerts", "c", "main")
        gone = owner_of("thousandeyes_events", "c", "main")  # its scheme has no input left
        store.save(checkpoint_key(kept, "1"), kept, {"start": 1})
        store.save(checkpoint_key(gone, "1"), gone, {"start": 1})
        assert prune_all_schemes(service, str(tmp_path / "thousandeyes_token_refresh")) == 1
        assert set(store.owners().values()) == {kept}
    finally:
        splunk_standin.emulator.set_input_manager(None)
