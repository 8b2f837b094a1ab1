"""Reading a partner's data with the deviations its profile tolerates (docs/partners.md).

Pure functions, no I/O. Strict parsing (:func:`ocpihub.ocpi.fields.parse`) runs first and is
all that runs for spec-exact data, so tolerance costs nothing on the normal path. Only when it
refuses, and only for the deviations the caller names, are the refused values repaired where
the refusal points (never anywhere else) and the data parsed again; anything still wrong is
refused as strictly as without a profile, naming the field. Each repair is reported so the
edge can count it.

- ``numbers_as_strings``: a string of a decimal number where a number (or of an integer where
  an integer) is required becomes that number;
- ``lowercase_enums``: an enum value in another letter case becomes the spec's spelling (of
  a closed enum, or of a 2.3.0 open enum's spec values);
- ``status_code_as_string`` (:func:`envelope_status`): an answer's ``status_code`` given as a
  string of digits is read as that integer;
- :func:`unwrap_single`: a one-element list holding the one object a request needs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ocpihub.ocpi.fields import EnumRegistry, validation_error
from ocpihub.ocpi.open_enums import OPEN_ENUMS

__all__ = ["Repair", "envelope_status", "parse_tolerant", "unwrap_single"]

M = TypeVar("M", bound=BaseModel)

_DECIMAL = re.compile(r"^-?\d{1,15}(\.\d{1,15})?$")
_INTEGER = re.compile(r"^-?\d{1,18}$")
_QUOTED = re.compile(r"'([^']*)'")
_OPEN_ENUM = re.compile(r"is not a known or registered (\w+) value")
_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Repair:
    """One tolerated deviation: which, where (JSON path) and the value as sent."""

    deviation: str
    path: str
    value: Any


def _number(value: Any, kind: str) -> int | float | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if kind == "int_type":
        return int(text) if _INTEGER.match(text) else None
    if _DECIMAL.match(text):
        return int(text) if _INTEGER.match(text) else float(text)
    return None


def _enum_value(value: Any, expected: list[str] | frozenset[str]) -> str | None:
    if not isinstance(value, str):
        return None
    matches = [v for v in expected if v.upper() == value.upper()]
    return matches[0] if len(matches) == 1 and matches[0] != value else None


def _expected(err: Any) -> list[str] | frozenset[str]:
    """The spec's values of the enum a refusal is about (closed or open enum)."""
    if err["type"] == "enum":
        return _QUOTED.findall(str((err.get("ctx") or {}).get("expected", "")))
    found = _OPEN_ENUM.search(str(err.get("msg", ""))) if err["type"] == "value_error" else None
    return OPEN_ENUMS.get(found.group(1), frozenset()) if found else []


def _repaired(err: Any, tolerate: Collection[str]) -> tuple[str, Any] | None:
    kind, value = err["type"], err.get("input")
    if kind in ("float_type", "int_type") and "numbers_as_strings" in tolerate:
        number = _number(value, kind)
        if number is not None:
            return "numbers_as_strings", number
    if kind in ("enum", "value_error") and "lowercase_enums" in tolerate:
        spelled = _enum_value(value, _expected(err))
        if spelled is not None:
            return "lowercase_enums", spelled
    return None


def _holds(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _set(data: Any, loc: tuple[Any, ...], value: Any) -> bool:
    """Put ``value`` at ``loc`` in ``data``, when ``loc`` names a place in it."""
    if not loc:
        return False
    node = data
    for part in loc[:-1]:
        if not _holds(node, part):
            return False
        node = node[part]
    if not _holds(node, loc[-1]):
        return False
    node[loc[-1]] = value
    return True


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def parse_tolerant(
    model: type[M],
    data: object,
    *,
    tolerate: Collection[str],
    enums: EnumRegistry | None = None,
    prefix: str = "",
) -> tuple[M, list[Repair]]:
    """``data`` validated into ``model``, with the ``tolerate``d deviations repaired; the
    repairs made. Anything else wrong is :class:`InvalidParameters` (2001) naming the field,
    exactly as strict parsing says it (``data`` itself is never changed)."""
    work: Any = data
    repairs: list[Repair] = []
    for _ in range(_ROUNDS + 1):
        try:
            return model.model_validate(work, context={"enums": enums}), repairs
        except ValidationError as exc:
            refused = exc
        if not tolerate:
            break
        found = []
        for err in refused.errors(include_url=False):
            fixed = _repaired(err, tolerate)
            if fixed is not None:
                found.append((tuple(err["loc"]), err.get("input"), fixed))
        if not found:
            break
        if work is data:
            work = copy.deepcopy(data)
        changed = False
        for loc, value, (deviation, new) in found:
            if _set(work, loc, new):
                changed = True
                repairs.append(Repair(deviation, _path(loc), value))
        if not changed:
            break
    raise validation_error(refused, prefix=prefix) from None


def envelope_status(envelope: object, tolerate: Collection[str]) -> tuple[int | None, bool]:
    """An answer envelope's ``status_code`` and whether reading it took a tolerance (a string
    of digits, with ``status_code_as_string``); None when it has no usable one."""
    if not isinstance(envelope, dict):
        return None, False
    code = envelope.get("status_code")
    if isinstance(code, int) and not isinstance(code, bool):
        return code, False
    if (
        isinstance(code, str)
        and "status_code_as_string" in tolerate
        and code.isascii()
        and code.isdigit()
        and len(code) == 4
    ):
        return int(code), True
    return None, False


def unwrap_single(data: object) -> object | None:
    """The one object of a one-element list (``[{…}]``); None for anything else."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        return data[0]
    return None
