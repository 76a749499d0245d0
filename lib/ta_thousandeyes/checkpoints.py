"""Checkpoints: KV store collection first, files under checkpoint_dir where the KV store is off.

A checkpoint is keyed by what data it tracks, not by the input's name: scheme, connection,
index, account group and (for test results) test and data type. So renaming an input with
unchanged settings resumes where the old name stopped (a rename is delete + create in
Splunk), and `prune` removes checkpoints that no configured input tracks any more.
Callers save a checkpoint only after the events it covers were flushed to stdout.

Saves are cheap: compact JSON through the C encoder (``json.dump`` to a file would use the
pure-Python one), and between two full saves of a stream the dedup keys each page adds go
through ``add_keys``, which both stores journal (a line appended to a per-key file, or one KV
store document per page): O(page), not O(keys held). ``load`` merges the journal, ``save``
replaces the state and drops it. Because the journal holds them, a collector may forget
journalled keys it no longer needs in memory (``journals_added_keys``).
"""

import json
import logging
import os
import re
import time
import uuid
from typing import Any, Dict, Iterable, List, Optional

COLLECTION = "ta_thousandeyes_checkpoints"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode

logger = logging.getLogger(__name__)


def owner_of(scheme: str, connection: str, index: str) -> str:
    """The group of checkpoints one input's settings own (used to prune deleted inputs)."""
    return "{}|{}|{}".format(scheme, connection, index or "default")


# Key parts keep letters, digits and "_"; any other character is "-" and the two hex digits of
# each of its UTF-8 bytes, so "." never occurs inside a part and joins them unambiguously.
_ESCAPED = re.compile(r"[^A-Za-z0-9_]")
_HEX_ESCAPE = re.compile(r"(?:-[0-9a-f]{2})+")
_KEY = re.compile(r"[A-Za-z0-9_]*(?:-[0-9a-f]{2}[A-Za-z0-9_]*)*")
# A part the legacy key kept as it was and that splitting on "__" gives back.
_LEGACY_CLEAN = re.compile(r"[A-Za-z0-9.-]+(?:_[A-Za-z0-9.-]+)*")


def _escape_part(match: "re.Match") -> str:
    return "".join(f"-{byte:02x}" for byte in match.group().encode("utf-8", "surrogatepass"))


def _unescape_part(match: "re.Match") -> str:
    return bytes.fromhex(match.group().replace("-", "")).decode("utf-8", "surrogatepass")


def checkpoint_key(owner: str, *parts: object) -> str:
    """A KV store and file-system safe key for one tracked stream of data: injective, so two
    streams never share one (each part is escaped on its own, then joined with ".")."""
    texts = [owner] + [str(part) for part in parts]
    return ".".join(_ESCAPED.sub(_escape_part, text) for text in texts)


def key_parts(key: str) -> Optional[List[str]]:
    """checkpoint_key's owner and parts, or None when key is not in its form."""
    pieces = key.split(".")
    if len(pieces) < 2 or not all(_KEY.fullmatch(piece) for piece in pieces):
        return None
    return [_HEX_ESCAPE.sub(_unescape_part, piece) for piece in pieces]


def legacy_checkpoint_key(key: str) -> Optional[str]:
    """The key earlier releases gave the same stream ("|" joined, then "|" -> "__" and
    anything unsafe -> "_"): not injective, so two streams could share it."""
    parts = key_parts(key)
    if parts is None:
        return None
    return _SAFE.sub("_", "|".join(parts).replace("|", "__"))


def _legacy_key_shared(key: str) -> bool:
    """Whether another stream may have used the legacy key of this one: unless every piece of
    owner and parts came through unchanged and "__" separates them alone."""
    parts = key_parts(key) or []
    pieces = [piece for part in parts for piece in part.split("|")]
    return not all(_LEGACY_CLEAN.fullmatch(piece) for piece in pieces)


def _decoded(text: str) -> Any:
    """One journal entry's JSON, or None when it is torn or not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def _merge_journal(state: Dict[str, Any], entries: Iterable[Any]) -> None:
    """Merge journal entries (dedup key -> reference time; anything else is skipped) into
    ``state["keys"]``, keeping the later reference of a key found twice."""
    keys = state.get("keys")
    if not isinstance(keys, dict):
        keys = state["keys"] = {}
    for added in entries:
        if isinstance(added, dict):
            for name, reference in added.items():
                keys[name] = max(reference, keys.get(name, reference))


class CheckpointStore:
    """Interface: load/save/delete JSON-able dicts by key; list keys with their owner."""

    backend = "none"
    # True when add_keys persists the added keys by themselves (a journal), so the state
    # passed along may omit keys journalled earlier; False: add_keys saves that state whole.
    journals_added_keys = False

    def load(self, key: str) -> Optional[Dict[str, Any]]:
        raise NotImplementedError

    def load_migrating(self, key: str, owner: str) -> Optional[Dict[str, Any]]:
        """load, or else the stream's checkpoint under its legacy key, moved to key.

        An upgrade then resumes every stream where it stopped. The legacy document is
        deleted unless another stream may share it (it then migrates from it as well; prune
        removes it with its input)."""
        state = self.load(key)
        legacy = legacy_checkpoint_key(key) if state is None else None
        if legacy is None or legacy == key:
            return state
        state = self.load(legacy)
        if state is None:
            return None
        self.save(key, owner, state)
        if not _legacy_key_shared(key):
            self.delete(legacy)
        logger.info("checkpoint %s moved to its new key %s", legacy, key)
        return state

    def save(self, key: str, owner: str, state: Dict[str, Any]) -> None:
        raise NotImplementedError

    def add_keys(
        self, key: str, owner: str, state: Dict[str, Any], added: Dict[str, float]
    ) -> None:
        """Record the dedup keys one page added. state is the whole current state (its
        ``keys`` already include added); stores with a cheaper incremental form override."""
        self.save(key, owner, state)

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def owners(self) -> Dict[str, str]:
        """key -> owner of every checkpoint held."""
        raise NotImplementedError

    def prune(self, live_owners: Iterable[str], scheme: str = "") -> List[str]:
        """Delete checkpoints (of scheme, when given) whose owner no configured input has;
        returns the keys deleted."""
        live = set(live_owners)
        deleted = []
        for key, owner in self.owners().items():
            if scheme and not owner.startswith(scheme + "|"):
                continue
            if owner not in live:
                self.delete(key)
                deleted.append(key)
        return deleted


class FileCheckpointStore(CheckpointStore):
    """One JSON file per key, replaced atomically (the legacy checkpoint_dir way)."""

    backend = "file"
    journals_added_keys = True

    def __init__(self, directory: str) -> None:
        self.directory = os.path.join(directory, "ta_thousandeyes")
        os.makedirs(self.directory, exist_ok=True)

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, _SAFE.sub("_", key) + ".json")

    def _journal(self, key: str) -> str:
        return self._path(key)[: -len(".json")] + ".journal"

    def load(self, key: str) -> Optional[Dict[str, Any]]:
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                document = json.loads(handle.read())
        except FileNotFoundError:
            return None
        except ValueError:
            logger.warning("checkpoint %s is unreadable; starting it afresh", key)
            return None
        state = document.get("state") if isinstance(document, dict) else None
        if not isinstance(state, dict):
            return None
        self._replay_journal(key, state)
        return state

    def _replay_journal(self, key: str, state: Dict[str, Any]) -> None:
        """Merge the keys pages added since the last full save (a torn last line is skipped:
        losing it can only repeat events, never skip them)."""
        try:
            with open(self._journal(key), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return
        _merge_journal(state, (_decoded(line) for line in lines))

    def save(self, key: str, owner: str, state: Dict[str, Any]) -> None:
        path = self._path(key)
        temporary = f"{path}.{os.getpid()}.tmp"
        document = {"owner": owner, "updated": time.time(), "state": state}
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(_ENCODE(document))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        # The full state now holds every journalled key.
        self._remove(self._journal(key))

    def add_keys(
        self, key: str, owner: str, state: Dict[str, Any], added: Dict[str, float]
    ) -> None:
        if not os.path.exists(self._path(key)):
            self.save(key, owner, state)  # the journal needs a full state to apply to
            return
        # No fsync: a journal line lost to a power cut only repeats that page's events.
        with open(self._journal(key), "a", encoding="utf-8") as handle:
            handle.write(_ENCODE(added) + "\n")

    def delete(self, key: str) -> None:
        self._remove(self._path(key))
        self._remove(self._journal(key))

    @staticmethod
    def _remove(path: str) -> None:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass

    def owners(self) -> Dict[str, str]:
        result = {}
        for name in os.listdir(self.directory):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(self.directory, name), encoding="utf-8") as handle:
                    result[name[:-5]] = json.loads(handle.read()).get("owner", "")
            except (OSError, ValueError):
                continue
        return result


class KVStoreCheckpointStore(CheckpointStore):
    """Documents in the ``ta_thousandeyes_checkpoints`` collection; state kept as a JSON string
    so arbitrary dedup keys never collide with KV store field-name rules.

    The keys a page adds go into a journal document of their own (``journal_of`` = the
    stream's key, ``state`` = ``{"keys": ...}``) rather than a save of every key held, which
    would cost O(keys) in memory and I/O per page and O(keys^2) over a backfill.
    """

    backend = "kvstore"
    journals_added_keys = True

    def __init__(self, service: Any, collection: str = COLLECTION) -> None:
        self.data = service.kvstore[collection].data
        self._saved = set()  # type: set  # keys whose state document exists
        self._journalled = set()  # type: set  # keys that may have journal documents

    def load(self, key: str) -> Optional[Dict[str, Any]]:
        from splunklib.binding import HTTPError

        try:
            document = self.data.query_by_id(key)
        except HTTPError as error:
            if error.status == 404:
                return None
            raise
        try:
            state = json.loads(document.get("state") or "null")
        except ValueError:
            return None
        if not isinstance(state, dict):
            return None  # not _saved: the first page's full save replaces it
        self._saved.add(key)
        self._replay_journal(key, state)
        return state

    def _replay_journal(self, key: str, state: Dict[str, Any]) -> None:
        """Merge the keys pages added since the last full save."""
        documents = self.data.query(query=_ENCODE({"journal_of": key}), fields="state")
        if not documents:
            return
        self._journalled.add(key)
        entries = (_decoded(document.get("state") or "null") for document in documents)
        _merge_journal(state, (entry.get("keys") for entry in entries if isinstance(entry, dict)))

    def save(self, key: str, owner: str, state: Dict[str, Any]) -> None:
        document = {
            "_key": key,
            "owner": owner,
            "updated": time.time(),
            "state": _ENCODE(state),
        }
        self.data.batch_save(document)  # upsert by _key in one call
        self._saved.add(key)
        if key in self._journalled:
            # After the state: a crash in between leaves keys already in it, merged twice.
            self.data.delete(query=_ENCODE({"journal_of": key}))
            self._journalled.discard(key)

    def add_keys(
        self, key: str, owner: str, state: Dict[str, Any], added: Dict[str, float]
    ) -> None:
        if key not in self._saved:
            self.save(key, owner, state)  # the journal needs a full state to apply to
            return
        journal = {
            "_key": f"{key}.journal.{uuid.uuid4().hex}",
            "journal_of": key,
            "updated": time.time(),
            "state": _ENCODE({"keys": added}),
        }
        self._journalled.add(key)
        self.data.batch_save(journal)

    def delete(self, key: str) -> None:
        from splunklib.binding import HTTPError

        try:
            self.data.delete_by_id(key)
        except HTTPError as error:
            if error.status != 404:
                raise
        self.data.delete(query=_ENCODE({"journal_of": key}))
        self._saved.discard(key)
        self._journalled.discard(key)

    def owners(self) -> Dict[str, str]:
        documents = self.data.query(fields="_key,owner,journal_of")
        return {doc["_key"]: doc.get("owner", "") for doc in documents if not doc.get("journal_of")}


def open_store(service: Any, checkpoint_dir: str, collection: str = COLLECTION) -> CheckpointStore:
    """The KV store collection when it answers, else files under checkpoint_dir."""
    if service is not None:
        try:
            store = KVStoreCheckpointStore(service, collection)
            store.data.query(limit=1, fields="_key")
            return store
        except Exception as error:  # KV store disabled, collection missing, splunkd down
            logger.warning(
                "KV store unavailable (%s); using checkpoint files under %s",
                type(error).__name__,
                checkpoint_dir,
            )
    return FileCheckpointStore(checkpoint_dir)
