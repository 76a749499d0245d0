"""KV store write rules: the limits.conf [kvstore] limits and the collections.conf field types.

Sources:
- limits.conf.spec (9.4) [kvstore]: max_documents_per_batch_save = 1000,
  max_size_per_batch_save_mb = 50, max_rows_per_query = 50000 (larger results are cut).
- REST API reference, "KV store endpoint descriptions" (6.2.3/6.4.0): 16 MB per document.
- collections.conf.spec (9.4): `field.<name> = number|bool|string|time`; without a type the
  field keeps its JSON type; `enforceTypes` (default false): "When set to true, invalid insert
  operations fail. When set to false, invalid insert operations drop only the invalid field."
- The batch_save refusal's text and status are splunkd's own, as quoted from a
  `splunk.BadRequest` in a public add-on (code search: "Too many documents for a single batch
  save"): HTTP 400, "Request exceeds API limits - see limits.conf for details. (Too many
  documents for a single batch save, max_documents_per_batch_save=1000)". The texts for the
  other two limits and for a type refusal are not published; ours follow the same pattern.

Conversions (the spec names the types, not the conversions; these are the stand-in's choice):
number and time take JSON numbers and numeric strings and store a float (time as epoch
seconds); bool takes JSON booleans, 0/1 and the words true/false/t/f/yes/no/1/0; string takes
strings, numbers and booleans. Arrays convert item by item; null stays null; anything else is
invalid. `_key` is always a string and `_user` is the namespace's user (both reserved).
"""

import json
import math
from typing import Any, Dict, List, Optional

MAX_DOCUMENTS_PER_BATCH_SAVE = 1000
MAX_SIZE_PER_BATCH_SAVE_MB = 50
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_ROWS_PER_QUERY = 50000
LIMITS = "Request exceeds API limits - see limits.conf for details."
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


class Refused(Exception):
    """A write splunkd refuses: HTTP 400 with this text."""


def batch_refusal(body: bytes, count: int) -> "Optional[str]":
    if count > MAX_DOCUMENTS_PER_BATCH_SAVE:
        return (
            f"{LIMITS} (Too many documents for a single batch save, "
            f"max_documents_per_batch_save={MAX_DOCUMENTS_PER_BATCH_SAVE})"
        )
    if len(body) > MAX_SIZE_PER_BATCH_SAVE_MB * 1024 * 1024:
        return (
            f"{LIMITS} (Batch save too large, "
            f"max_size_per_batch_save_mb={MAX_SIZE_PER_BATCH_SAVE_MB})"
        )
    return None


class _Invalid(Exception):
    pass


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise _Invalid()
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            raise _Invalid()
    else:
        raise _Invalid()
    if math.isnan(result) or math.isinf(result):
        raise _Invalid()
    return result


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _Invalid()


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise _Invalid()


CONVERTERS = {"number": _number, "time": _number, "bool": _bool, "string": _string}


def _convert(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_convert(item, kind) for item in value]
    return CONVERTERS[kind](value)


def field_types(settings: Dict[str, str]) -> Dict[str, str]:
    return {
        key[len("field.") :]: value.strip().lower()
        for key, value in settings.items()
        if key.startswith("field.") and value.strip().lower() in CONVERTERS
    }


def enforces_types(settings: Dict[str, str]) -> bool:
    return str(settings.get("enforceTypes", "false")).strip().lower() in ("1", "true", "t", "yes")


def typed(document: Dict[str, Any], settings: Dict[str, str]) -> Dict[str, Any]:
    """The document as stored: typed fields converted, invalid ones dropped (or Refused)."""
    if len(json.dumps(document).encode("utf-8")) > MAX_DOCUMENT_BYTES:
        raise Refused(f"{LIMITS} (Document too large, max size per document is 16 MB)")
    types = field_types(settings)
    enforce = enforces_types(settings)
    stored = {}  # type: Dict[str, Any]
    for name, value in document.items():
        kind = types.get(name)
        if kind is None or name in ("_key", "_user"):
            stored[name] = value
            continue
        try:
            stored[name] = _convert(value, kind)
        except _Invalid:
            if enforce:
                raise Refused(f"Failed to convert value of field '{name}' to type {kind}")
            # enforceTypes = false: only the invalid field is dropped
    return stored


def typed_all(documents: List[Dict[str, Any]], settings: Dict[str, str]) -> List[Dict[str, Any]]:
    return [typed(document, settings) for document in documents]
