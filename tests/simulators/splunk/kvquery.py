"""The subset of the KV store's Mongo-like query language that add-ons use.

Equality, $ne, $gt/$gte/$lt/$lte, $in/$nin, $exists, $regex, $and/$or/$not; sort
"field[:1|-1],..."; fields "a,b" (include) or "a:0" (exclude).
"""

import re
from typing import Any, Dict, List, Optional


def _comparable(value: Any) -> tuple:
    # Mongo orders numbers before strings before objects; mixed types never compare equal.
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if value is None:
        return (0, 0)
    return (4, str(value))


def _compare(left: Any, right: Any, operator: str) -> bool:
    if left is None:
        return False
    a, b = _comparable(left), _comparable(right)
    if a[0] != b[0]:
        return False
    if operator == "$gt":
        return a[1] > b[1]
    if operator == "$gte":
        return a[1] >= b[1]
    if operator == "$lt":
        return a[1] < b[1]
    return a[1] <= b[1]


def _field(document: Dict[str, Any], path: str) -> Any:
    value = document  # type: Any
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _condition(value: Any, condition: Any) -> bool:
    if not isinstance(condition, dict) or not any(str(k).startswith("$") for k in condition):
        if isinstance(value, list) and not isinstance(condition, list):
            return condition in value
        return value == condition
    for operator, operand in condition.items():
        if operator == "$ne" and value == operand:
            return False
        if operator in ("$gt", "$gte", "$lt", "$lte") and not _compare(value, operand, operator):
            return False
        if operator == "$in" and value not in operand:
            return False
        if operator == "$nin" and value in operand:
            return False
        if operator == "$exists" and (value is not None) != bool(operand):
            return False
        if operator == "$regex" and not (isinstance(value, str) and re.search(operand, value)):
            return False
        if operator == "$not" and _condition(value, operand):
            return False
    return True


def matches(document: Dict[str, Any], query: "Optional[Dict[str, Any]]") -> bool:
    for key, condition in (query or {}).items():
        if key == "$and":
            if not all(matches(document, part) for part in condition):
                return False
        elif key == "$or":
            if not any(matches(document, part) for part in condition):
                return False
        elif not _condition(_field(document, key), condition):
            return False
    return True


def sort_documents(documents: List[Dict[str, Any]], sort: "Optional[str]") -> List[Dict[str, Any]]:
    if not sort:
        return documents
    for spec in reversed([part.strip() for part in sort.split(",") if part.strip()]):
        name, _, direction = spec.partition(":")
        descending = direction.strip() == "-1"
        documents = sorted(
            documents, key=lambda d, n=name: _comparable(_field(d, n)), reverse=descending
        )
    return documents


def project(document: Dict[str, Any], fields: "Optional[str]") -> Dict[str, Any]:
    if not fields:
        return document
    specs = [part.strip() for part in fields.split(",") if part.strip()]
    excluded = [s.split(":")[0] for s in specs if s.endswith(":0")]
    included = [s.split(":")[0] for s in specs if not s.endswith(":0")]
    if included:
        kept = {k: v for k, v in document.items() if k in included}
        if "_key" not in excluded:
            kept["_key"] = document.get("_key")
        return kept
    return {k: v for k, v in document.items() if k not in excluded}
