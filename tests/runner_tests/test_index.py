"""The index store: one JSON-lines file per index, searched by field and time."""

import threading

import pytest

from tests.simulators.splunk.index import IndexStore


def event(n, index="main", sourcetype="st", source="s://a", host="h"):
    return {
        "_time": float(n),
        "index": index,
        "sourcetype": sourcetype,
        "source": source,
        "host": host,
        "_raw": f"event {n}",
        "_indextime": 0,
        "stanza": source,
    }


@pytest.fixture
def store(tmp_path):
    store = IndexStore(str(tmp_path / "idx"))
    store.append(
        [
            event(1),
            event(2, sourcetype="other"),
            event(3, index="te"),
            event(4, host="h2"),
            event(5),
        ]
    )
    return store


def test_one_file_per_index(store, tmp_path):
    assert store.indexes() == ["main", "te"]
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["main.jsonl", "te.jsonl"]


def test_search_filters(store):
    assert [e["_raw"] for e in store.search(index="te")] == ["event 3"]
    assert [e["_time"] for e in store.search(sourcetype="st")] == [1.0, 4.0, 5.0, 3.0]
    assert [e["_time"] for e in store.search(host="h2")] == [4.0]
    assert store.count(source="nope") == 0
    assert [e["_time"] for e in store.search(index="main", earliest=2, latest=5)] == [2.0, 4.0]
    assert store.count(predicate=lambda e: e["_raw"].endswith("5")) == 1


def test_count_by(store):
    assert store.count_by("index") == {"main": 4, "te": 1}
    assert store.count_by("index", "sourcetype") == {
        ("main", "st"): 3,
        ("main", "other"): 1,
        ("te", "st"): 1,
    }
    assert store.count_by("host", index="main") == {"h": 3, "h2": 1}


def test_invalid_index_names_are_refused(tmp_path):
    with pytest.raises(ValueError):
        IndexStore(str(tmp_path)).append([event(1, index="../escape")])


def test_concurrent_writers_never_split_lines(tmp_path):
    store = IndexStore(str(tmp_path))

    def write(tag):
        with store.writer() as writer:
            for n in range(3000):
                writer.write(event(n, source=tag))

    threads = [threading.Thread(target=write, args=(f"s://{t}",)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count_by("source") == {f"s://{t}": 3000 for t in range(4)}
