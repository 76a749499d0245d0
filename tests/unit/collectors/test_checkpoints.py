import pytest
from ta_thousandeyes.checkpoints import (
    FileCheckpointStore,
    KVStoreCheckpointStore,
    checkpoint_key,
    open_store,
    owner_of,
)


@pytest.fixture(params=["kvstore", "file"])
def store(request, tmp_path):
    if request.param == "kvstore":  # the Splunk stand-in's KV store, in this process
        return KVStoreCheckpointStore(request.getfixturevalue("kv_service"))
    return FileCheckpointStore(str(tmp_path))


def test_round_trip_and_overwrite(store):
    owner = owner_of("thousandeyes_test_results", "prod", "te")
    key = checkpoint_key(owner, "1234", "5678", "network")
    assert store.load(key) is None
    store.save(key, owner, {"start": 1.5, "keys": {"a|1": 1}})
    assert store.load(key) == {"start": 1.5, "keys": {"a|1": 1}}
    store.save(key, owner, {"start": 2.0, "keys": {}})
    assert store.load(key) == {"start": 2.0, "keys": {}}


def test_keys_are_safe_and_distinct(store):
    owner = owner_of("s", "my conn/é", "idx")
    k1 = checkpoint_key(owner, "1", "2", "network")
    k2 = checkpoint_key(owner, "1", "2", "path-vis")
    assert k1 != k2
    assert all(c.isalnum() or c in "_.-" for c in k1)
    store.save(k1, owner, {"start": 1})
    store.save(k2, owner, {"start": 2})
    assert store.load(k1)["start"] == 1 and store.load(k2)["start"] == 2


def test_prune_removes_only_dead_owners_of_the_scheme(store):
    live = owner_of("thousandeyes_alerts", "prod", "te")
    dead = owner_of("thousandeyes_alerts", "old", "te")
    other_scheme = owner_of("thousandeyes_events", "old", "te")
    for owner in (live, dead, other_scheme):
        store.save(checkpoint_key(owner, "1"), owner, {"start": 1})
    deleted = store.prune({live}, scheme="thousandeyes_alerts")
    assert deleted == [checkpoint_key(dead, "1")]
    assert store.load(checkpoint_key(live, "1")) is not None
    assert store.load(checkpoint_key(other_scheme, "1")) is not None


def test_renamed_input_with_same_settings_resumes():
    # keys name the data (scheme, connection, index, ...), not the input stanza
    assert checkpoint_key(owner_of("s", "c", "i"), "1") == checkpoint_key(
        owner_of("s", "c", "i"), "1"
    )


def test_open_store_prefers_kvstore(tmp_path, kv_service):
    assert open_store(kv_service, str(tmp_path)).backend == "kvstore"


def test_open_store_falls_back_to_files_when_kvstore_disabled(tmp_path, splunk_standin):
    splunk_standin.emulator.set_kvstore_enabled(False)  # a 503 on every KV store call
    store = open_store(splunk_standin.service(), str(tmp_path))
    assert store.backend == "file"
    store.save("k", "o", {"start": 3})
    assert FileCheckpointStore(str(tmp_path)).load("k") == {"start": 3}


def test_file_store_ignores_corrupt_file(tmp_path):
    store = FileCheckpointStore(str(tmp_path))
    with open(store._path("k"), "w") as handle:
        handle.write("{not json")
    assert store.load("k") is None


def _legacy(owner, *parts):
    """What earlier releases computed, written out here so the test does not trust the code."""
    import re

    raw = "|".join([owner] + [str(part) for part in parts])
    return re.sub(r"[^A-Za-z0-9_.-]", "_", raw.replace("|", "__"))


def test_keys_are_injective():
    import itertools

    # The case first: connection "a" with index "b__c", connection "a__b" with "c".
    assert checkpoint_key(owner_of("s", "a", "b__c"), "1") != checkpoint_key(
        owner_of("s", "a__b", "c"), "1"
    )
    alphabet = ["a", "_", "__", "|", ".", "-", "-2e", "é", " ", "/"]
    texts = sorted({"".join(p) for n in range(3) for p in itertools.product(alphabet, repeat=n)})
    seen = {}
    for connection, part in itertools.product(texts, repeat=2):
        key = checkpoint_key(owner_of("s", connection, "i"), part, "x")
        assert seen.setdefault(key, (connection, part)) == (connection, part), key
        assert all(c.isalnum() or c in "_.-" for c in key)
    assert len(seen) == len(texts) ** 2


def test_an_upgrade_moves_each_checkpoint_to_its_new_key(store):
    owner = owner_of("thousandeyes_test_results", "prod", "te")
    old = _legacy(owner, "2001", "10001", "network")
    store.save(old, owner, {"start": 5.0, "floor": 1.0, "keys": {"a": 4.0}})
    store.add_keys(old, owner, {"start": 5.0, "floor": 1.0, "keys": {}}, {"b": 4.5})
    key = checkpoint_key(owner, "2001", "10001", "network")
    assert key != old
    state = store.load_migrating(key, owner)
    assert state == {"start": 5.0, "floor": 1.0, "keys": {"a": 4.0, "b": 4.5}}
    assert store.load(key) == state
    assert store.load(old) is None  # no other stream could have used it
    assert set(store.owners()) == {key}
    assert store.load_migrating(checkpoint_key(owner, "2001", "10002", "network"), owner) is None


def test_a_legacy_key_two_streams_shared_serves_both(store):
    first, second = owner_of("s", "a", "b__c"), owner_of("s", "a__b", "c")
    old = _legacy(first, "1")
    assert old == _legacy(second, "1")
    store.save(old, first, {"start": 7.0})
    for owner in (first, second):
        assert store.load_migrating(checkpoint_key(owner, "1"), owner) == {"start": 7.0}
    store.save(checkpoint_key(first, "1"), first, {"start": 9.0})
    assert store.load(checkpoint_key(second, "1")) == {"start": 7.0}  # apart from now on
