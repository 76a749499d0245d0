"""The indexes of the Splunk stand-in: one JSON-lines file per index.

Each line is one event with the fields Splunk keeps for it: `_time`, `index`, `sourcetype`,
`source`, `host`, `_raw`, `_indextime`, plus the input stanza it came from. Searches stream
the files line by line so millions of events cost flat memory.
"""

import json
import os
import re
from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, Optional

Event = Dict[str, Any]

_INDEX_NAME = re.compile(r"^[a-z0-9_][a-z0-9_\-]*$")  # indexes.conf: lowercase, digits, _ and -


class IndexStore:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    def _path(self, index: str) -> str:
        if not _INDEX_NAME.match(index):
            raise ValueError(f"invalid index name {index!r}")
        return os.path.join(self.directory, index + ".jsonl")

    def writer(self) -> "IndexWriter":
        """A buffered writer for one run; close() (or the with block) flushes it."""
        return IndexWriter(self)

    def append(self, events: "List[Event]") -> None:
        with self.writer() as writer:
            for event in events:
                writer.write(event)

    def indexes(self) -> "List[str]":
        names = [name[: -len(".jsonl")] for name in os.listdir(self.directory)]
        return sorted(name for name in names if _INDEX_NAME.match(name))

    def search(
        self,
        index: Optional[str] = None,
        sourcetype: Optional[str] = None,
        source: Optional[str] = None,
        host: Optional[str] = None,
        earliest: Optional[float] = None,
        latest: Optional[float] = None,
        predicate: Optional[Callable[[Event], bool]] = None,
    ) -> "Iterator[Event]":
        """Events in write order; earliest is inclusive and latest exclusive, as in Splunk."""
        for name in [index] if index is not None else self.indexes():
            path = os.path.join(self.directory, name + ".jsonl")
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    event = json.loads(line)
                    if sourcetype is not None and event["sourcetype"] != sourcetype:
                        continue
                    if source is not None and event["source"] != source:
                        continue
                    if host is not None and event["host"] != host:
                        continue
                    if earliest is not None and event["_time"] < earliest:
                        continue
                    if latest is not None and event["_time"] >= latest:
                        continue
                    if predicate is not None and not predicate(event):
                        continue
                    yield event

    def count(self, **filters: Any) -> int:
        return sum(1 for _ in self.search(**filters))

    def count_by(self, *fields: str, **filters: Any) -> "Dict[Any, int]":
        """Counts per value of one field, or per tuple of values for several fields."""
        counts = Counter()  # type: Counter
        for event in self.search(**filters):
            key = tuple(event.get(name) for name in fields)  # type: Tuple[Any, ...]
            counts[key[0] if len(fields) == 1 else key] += 1
        return dict(counts)


class IndexWriter:
    """Appends events to their index files.

    Lines are buffered per index and written with one O_APPEND write of whole lines, so
    several runs writing to one index at once never interleave inside a line.
    """

    FLUSH_BYTES = 1 << 16

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self.buffers = {}  # type: Dict[str, List[bytes]]
        self.sizes = {}  # type: Dict[str, int]
        self.written = 0

    def write(self, event: Event) -> None:
        index = event["index"]
        line = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        buffer = self.buffers.setdefault(index, [])
        buffer.append(line)
        self.sizes[index] = self.sizes.get(index, 0) + len(line)
        self.written += 1
        if self.sizes[index] >= self.FLUSH_BYTES:
            self._flush_index(index)

    def _flush_index(self, index: str) -> None:
        data = b"".join(self.buffers.get(index, []))
        self.buffers[index] = []
        self.sizes[index] = 0
        if not data:
            return
        descriptor = os.open(self.store._path(index), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)

    def flush(self) -> None:
        for index in list(self.buffers):
            self._flush_index(index)

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
