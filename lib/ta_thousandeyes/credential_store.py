"""Secrets of the add-on in Splunk's encrypted ``storage/passwords``, one JSON record per key.

Layout (realm ``TA-thousandeyes``):
- ``<key>`` (the head) holds ``{"format": 1, "generation": G, "chunks": N, "sha256": H}``;
- ``<key>#<G>#<i>`` for i < N hold the record's JSON in chunks of at most ``chunk_size``
  characters, so secrets of any length round-trip.

A write creates the new generation's chunks first, then switches the head to it in one
update, then deletes older generations. A crash at any point leaves either the old or the new
record complete behind the head; leftovers are removed by the next write, and a record whose
chunks do not match the head's count and digest is reported as corrupt, never half-read.
Keys are ``connection:<name>`` (names never contain ``#``) and ``settings:proxy``.

Every write or delete of a record happens under that record's lock (``record_lock``): the
connection's lock for a connection, which token refreshes take too. A corrupt record can
still be deleted, and ``salvage`` reads what its remaining chunks hold (to revoke tokens).
"""

import hashlib
import json
import logging
import re
import secrets
from typing import Dict, Optional

from . import APP_NAME, locks, redaction

_log = logging.getLogger(__name__)

REALM = APP_NAME
CHUNK_SIZE = 255  # what solnlib uses; small enough for every storage/passwords backend
FORMAT = 1
_READ_ATTEMPTS = 3

# Record fields whose values are secrets (registered for redaction as they are read).
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "api_token",
        "client_secret",
        "registration_access_token",
        "device_code",
        "user_code",
        "code_verifier",
        "state",
        "password",
    }
)


class CredentialStoreError(RuntimeError):
    """The store could not be read or written."""


class CorruptRecordError(CredentialStoreError):
    """The head names chunks that are missing or do not match its digest."""


# Fields salvage looks for in the text of a corrupt record: what revocation needs.
_SALVAGED = ("access_token", "refresh_token", "client_id", "client_secret", "revocation_url")
_STRING_MEMBER = re.compile(r'"({})":("(?:[^"\\]|\\.)*")'.format("|".join(_SALVAGED)))


def connection_key(name: str) -> str:
    return f"connection:{name}"


def record_lock(key: str, directory: Optional[str] = None) -> locks.ConnectionLock:
    """The lock every writer of this record takes: a connection's own lock for its record;
    for other records a name no connection can have (connection names start alphanumeric)."""
    prefix = "connection:"
    name = key[len(prefix) :] if key.startswith(prefix) else "_" + key
    return locks.ConnectionLock(name, directory=directory)


def register_record_secrets(record: object) -> None:
    """register_secret every value of a secret field, at any depth of the record."""
    if isinstance(record, dict):
        for field, value in record.items():
            if field in SECRET_FIELDS and isinstance(value, str):
                redaction.register_secret(value)
            else:
                register_record_secrets(value)
    elif isinstance(record, list):
        for item in record:
            register_record_secrets(item)


def _chunk_name(key: str, generation: str, index: int) -> str:
    return f"{key}#{generation}#{index}"


class CredentialStore:
    """Whole-record reads and writes of secrets for one app realm."""

    def __init__(self, service: object, realm: str = REALM, chunk_size: int = CHUNK_SIZE) -> None:
        if chunk_size < 16:
            raise ValueError("chunk_size too small")
        self._service = service
        self._realm = realm
        self._chunk_size = chunk_size

    def _entries(self) -> Dict[str, object]:
        """username -> storage password entity, for our realm only."""
        entries = {}
        for entity in self._service.storage_passwords.list(count=-1):
            content = entity.content
            if content.get("realm") == self._realm:
                entries[content.get("username")] = entity
        return entries

    def read(self, key: str) -> Optional[dict]:
        """The record stored under key, or None when there is none."""
        error = None  # type: Optional[CorruptRecordError]
        for _ in range(_READ_ATTEMPTS):
            entries = self._entries()
            head = entries.get(key)
            if head is None:
                return None
            try:
                record = self._assemble(key, head, entries)
            except CorruptRecordError as exc:
                error = exc  # a writer may have switched generations while we listed
                continue
            register_record_secrets(record)
            return record
        raise error  # type: ignore[misc]

    def damaged(self) -> Dict[str, str]:
        """key -> what is wrong, for every record of the realm that cannot be read whole."""
        entries = self._entries()
        found = {}
        for key, head in entries.items():
            if not key or "#" in key:
                continue
            try:
                self._assemble(key, head, entries)
            except CorruptRecordError as error:
                found[key] = str(error)
        return found

    def salvage(self, key: str) -> Dict[str, str]:
        """The string fields revocation needs that the chunks still there hold whole, from a
        record read() calls corrupt (a missing chunk loses what it held, nothing else)."""
        entries = self._entries()
        head = entries.get(key)
        try:
            header = json.loads(head.content.get("clear_password") or "")  # type: ignore
            generation, count = str(header["generation"]), int(header["chunks"])
        except (AttributeError, ValueError, KeyError, TypeError):
            return {}
        runs = [""]  # texts of consecutive chunks that are there
        for index in range(count):
            entity = entries.get(_chunk_name(key, generation, index))
            if entity is None:
                runs.append("")
            else:
                runs[-1] += entity.content.get("clear_password") or ""
        found = {}  # type: Dict[str, str]
        for text in runs:
            for match in _STRING_MEMBER.finditer(text):
                try:
                    found.setdefault(match.group(1), json.loads(match.group(2)))
                except ValueError:
                    continue
        register_record_secrets(found)
        return found

    def _assemble(self, key: str, head: object, entries: Dict[str, object]) -> dict:
        try:
            header = json.loads(head.content.get("clear_password") or "")
            generation = str(header["generation"])
            count = int(header["chunks"])
            digest = str(header["sha256"])
        except (ValueError, KeyError, TypeError):
            raise CorruptRecordError(f"Credential record {key!r} has an unreadable head")
        parts = []
        for index in range(count):
            entity = entries.get(_chunk_name(key, generation, index))
            if entity is None:
                raise CorruptRecordError(
                    f"Credential record {key!r} is missing chunk {index} of {count}"
                )
            parts.append(entity.content.get("clear_password") or "")
        text = "".join(parts)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            raise CorruptRecordError(f"Credential record {key!r} fails its digest")
        try:
            record = json.loads(text)
        except ValueError:
            raise CorruptRecordError(f"Credential record {key!r} is not JSON")
        if not isinstance(record, dict):
            raise CorruptRecordError(f"Credential record {key!r} is not an object")
        return record

    def write(self, key: str, record: dict) -> None:
        """Replace the whole record under key."""
        if "#" in key:
            raise ValueError("credential keys cannot contain '#'")
        register_record_secrets(record)
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        generation = secrets.token_hex(8)
        size = self._chunk_size
        chunks = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        before = self._entries()
        passwords = self._service.storage_passwords
        for index, chunk in enumerate(chunks):
            passwords.create(chunk, _chunk_name(key, generation, index), self._realm)
        header = json.dumps(
            {
                "format": FORMAT,
                "generation": generation,
                "chunks": len(chunks),
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            },
            sort_keys=True,
        )
        head = before.get(key)
        if head is None:
            passwords.create(header, key, self._realm)
        else:
            head.update(password=header)
        self._delete_chunks(key, before, keep_generation=generation)

    def delete(self, key: str) -> bool:
        """Remove the record (head first, so no reader sees a partial one). True if it existed."""
        entries = self._entries()
        head = entries.get(key)
        if head is not None:
            head.delete()
        self._delete_chunks(key, entries, keep_generation=None)
        return head is not None

    def _delete_chunks(
        self, key: str, entries: Dict[str, object], keep_generation: Optional[str]
    ) -> None:
        prefix = key + "#"
        for username, entity in entries.items():
            if not username or not username.startswith(prefix):
                continue
            if keep_generation and username.startswith(prefix + keep_generation + "#"):
                continue
            try:
                entity.delete()
            except Exception as error:  # a leftover chunk is cleaned by the next write
                _log.debug("could not delete stale chunk: %s", redaction.redact(error))
