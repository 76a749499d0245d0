"""Strict validation with the official SDK models: the SDK models allow extra fields and turn
unknown enum values into UNKNOWN, so after parsing we walk the tree and fail on any extra
field (at any depth) and on any enum that became ``unknown``."""

from __future__ import annotations

import enum
import typing
from typing import Any, List

from pydantic import BaseModel


def strict_parse(model_cls: type, payload: Any) -> Any:
    parsed = model_cls.from_dict(payload)
    problems: List[str] = []
    _walk(parsed, "$", problems)
    assert not problems, f"{model_cls.__name__}: " + "; ".join(problems[:10])
    return parsed


def _walk(value: Any, where: str, problems: List[str]) -> None:
    if isinstance(value, BaseModel):
        extras = dict(value.model_extra or {})
        extras.update(getattr(value, "additional_properties", None) or {})
        if extras:
            problems.append(f"{where}: fields not in {type(value).__name__}: {sorted(extras)}")
        actual = getattr(value, "actual_instance", None)  # anyOf/oneOf wrappers
        if actual is not None:
            problems.extend(_best_alternative(value, actual, where))
            return
        for name in type(value).model_fields:
            if name in ("actual_instance", "additional_properties") or "schema" in name:
                continue
            _walk(getattr(value, name), f"{where}.{name}", problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]", problems)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{where}.{key}", problems)
    elif isinstance(value, enum.Enum) and str(value.value) == "unknown":
        problems.append(f"{where}: enum value not recognised")


def _best_alternative(wrapper: BaseModel, actual: BaseModel, where: str) -> List[str]:
    """anyOf picks the first schema that parses; accept the payload if any schema fits."""
    data = actual.model_dump(by_alias=True, exclude_none=True, mode="json")
    best: List[str] = []
    first = True
    for name, info in type(wrapper).model_fields.items():
        if not name.startswith(("anyof_schema", "oneof_schema")):
            continue
        candidate_cls = typing.get_args(info.annotation)[0]
        found: List[str] = []
        try:
            _walk(candidate_cls.from_dict(data), where, found)
        except ValueError as exc:
            found = [f"{where}: {exc}"]
        if first or len(found) < len(best):
            best, first = found, False
    return best
