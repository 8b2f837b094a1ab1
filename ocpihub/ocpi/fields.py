"""Building blocks shared by the wire models of every OCPI version.

Wire models are pydantic v2 classes deriving from :class:`OcpiModel`. They keep unknown JSON
fields (2.3.0 forbids rejecting them, and we relay them untouched), and they dump back to
exactly the JSON they were given when dumped with ``exclude_unset=True`` (see :func:`dump`).

Field types:

- :data:`DateTime` — read tolerantly (``Z``, numeric offsets, no zone = UTC, 0–9 fractional
  digits), always held and written as a UTC string ending in ``Z``.
- ``Annotated[str, CiString(n)]`` / ``Annotated[str, String(n)]`` — length-limited strings
  (``CiString`` printable ASCII).
- :data:`Url` — string(255).
- :data:`Number`, :data:`Integer`, :data:`Boolean` — strict: partner data is never coerced
  (``"1.5"``, ``true`` in a number field, ``1.0`` in an integer field, ``1`` or ``"true"`` in a
  boolean field are refused with a 2001 naming the field). A whole number is a valid
  ``Number``.
- :data:`CurrencyCode` (ISO 4217: three upper-case letters), :data:`CountryAlpha3` (ISO 3166-1
  alpha-3: three upper-case letters), :data:`LanguageCode` (ISO 639-1: two letters).
- ``Annotated[str, OpenEnum(name, values)]`` — a 2.3.0 open enum: the spec's values always
  pass; any other value passes only when the :class:`EnumRegistry` handed in the validation
  context accepts it. The open enums and their spec values are listed in
  ``ocpi/open_enums.py``, which the versions' wire enums build their markers from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    Strict,
    StringConstraints,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from ocpihub.errors import InvalidParameters

__all__ = [
    "Boolean",
    "CiString",
    "CountryAlpha3",
    "CurrencyCode",
    "DateTime",
    "EnumRegistry",
    "Integer",
    "LanguageCode",
    "Number",
    "OcpiModel",
    "OpenEnum",
    "String",
    "Url",
    "dump",
    "format_datetime",
    "is_later",
    "parse",
    "parse_datetime",
    "partial_model",
    "validation_error",
]


class OcpiModel(BaseModel):
    """Base of every wire model: unknown fields are kept, field names are the JSON names."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        use_enum_values=True,
        ser_json_inf_nan="null",
    )


M = TypeVar("M", bound=BaseModel)

# --- DateTime -------------------------------------------------------------------------------

_DT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(value: str) -> datetime:
    """Parse an OCPI DateTime leniently into an aware UTC datetime.

    Accepts ``Z``, ``+hh:mm``/``+hhmm`` offsets, no designator (taken as UTC, as the spec says)
    and 0–9 fractional digits (beyond microseconds they are truncated).
    """
    m = _DT_RE.match(value.strip())
    if m is None:
        raise ValueError(f"not an OCPI DateTime: {value!r}")
    year, month, day, hour, minute, second, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz: timezone = UTC
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        parsed = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
        )
        return parsed.astimezone(UTC)
    except OverflowError:  # a valid date whose UTC form leaves datetime's range
        raise ValueError(f"not a valid OCPI DateTime: {value!r}") from None


def format_datetime(value: datetime, *, fractions: bool = True) -> str:
    """Write a datetime as OCPI wants it: UTC, ``Z``, fractional seconds only when non-zero."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if fractions and value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def is_later(candidate: object, current: object) -> bool:
    """Whether DateTime ``candidate`` is a strictly later instant than ``current``.

    DateTimes are compared as instants, never as strings (``08:00:00.5Z`` is after
    ``08:00:00Z``, which a string comparison denies). A ``current`` that is absent or not a
    DateTime is earlier than any DateTime; a ``candidate`` that is not one is never later.
    """
    if not isinstance(candidate, str):
        return False
    try:
        later = parse_datetime(candidate)
    except ValueError:
        return False
    if not isinstance(current, str):
        return True
    try:
        return later > parse_datetime(current)
    except ValueError:
        return True


def _normalise_datetime(value: object) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    if not isinstance(value, str):
        raise ValueError(f"a DateTime must be a string, got {type(value).__name__}")
    if len(value) > 35:
        raise ValueError(f"not an OCPI DateTime: {value[:40]!r}")
    m = _DT_RE.match(value.strip())
    if m is None:
        raise ValueError(f"not an OCPI DateTime: {value!r}")
    parsed = parse_datetime(value)
    frac = m.group(7)
    text = parsed.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        # keep the sender's own precision (up to microseconds) so same-version relays are exact
        text += "." + frac[:6]
    return text + "Z"


DateTime = Annotated[str, BeforeValidator(_normalise_datetime)]
"""An OCPI DateTime, held as a normalised UTC string ending in ``Z``."""


# --- strings --------------------------------------------------------------------------------

_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")


def _ascii(value: str) -> str:
    if not _PRINTABLE_ASCII.match(value):
        raise ValueError(f"must be printable ASCII: {value!r}")
    return value


@dataclass(frozen=True)
class CiString:
    """Field marker: a case-insensitive printable-ASCII string, ``Annotated[str, CiString(36)]``."""

    max_length: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            _ascii, core_schema.str_schema(max_length=self.max_length)
        )


@dataclass(frozen=True)
class String:
    """Field marker: a string of at most ``max_length`` chars, ``Annotated[str, String(9)]``."""

    max_length: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.str_schema(max_length=self.max_length)


Url = Annotated[str, String(255)]

# --- strict scalars (no coercion of partner data) -------------------------------------------

Number = Annotated[float, Strict()]
"""An OCPI ``number``: a JSON number (integer or decimal), never a string or a boolean."""
Integer = Annotated[int, Strict()]
"""An OCPI ``int``: a JSON integer, never ``1.0``, a string or a boolean."""
Boolean = Annotated[bool, Strict()]
"""An OCPI ``boolean``: ``true`` or ``false``, never ``1`` or ``"true"``."""

CurrencyCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}$")]
"""ISO 4217 currency code, string(3): three upper-case letters (``EUR``; never ``eur``)."""
CountryAlpha3 = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}$")]
"""ISO 3166-1 alpha-3 country code, string(3): three upper-case letters (``NLD``)."""
LanguageCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z]{2}$")]
"""ISO 639-1 language code, string(2): two letters (``en``)."""


# --- open enums -----------------------------------------------------------------------------


class EnumRegistry(Protocol):
    """What the validators need to know about operator-registered open-enum values."""

    def accepts(self, enum_name: str, value: str) -> bool:
        """Whether ``value`` is acceptable for ``enum_name`` beyond the spec's own values."""
        ...


@dataclass(frozen=True)
class OpenEnum:
    """Field marker for a 2.3.0 OpenEnum: ``Annotated[str, OpenEnum("ConnectorType", values)]``.

    The spec's ``values`` always pass; another value passes only when the :class:`EnumRegistry`
    found in the validation context under ``"enums"`` accepts it. Without a registry, only the
    spec's values pass.
    """

    name: str
    values: frozenset[str]

    def __init__(self, name: str, values: Iterable[str]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "values", frozenset(str(v) for v in values))

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        name, known = self.name, self.values

        def check(value: str, info: core_schema.ValidationInfo) -> str:
            if value in known:
                return value
            context = info.context
            registry = context.get("enums") if isinstance(context, dict) else None
            if registry is not None and registry.accepts(name, value):
                return value
            raise ValueError(f"{value!r} is not a known or registered {name} value")

        return core_schema.with_info_after_validator_function(
            check, core_schema.str_schema(max_length=255)
        )


# --- parsing and dumping --------------------------------------------------------------------


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(body)"


def validation_error(exc: ValidationError, *, prefix: str = "") -> InvalidParameters:
    """Turn a pydantic ValidationError into one OCPI 2001 error naming every bad field."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        path = _path(loc)
        if prefix:
            path = f"{prefix}.{path}" if path != "(body)" else prefix
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            parts.append(f"{path}: field required")
        else:
            parts.append(f"{path}: {msg} (got {_describe(err.get('input'))})")
    return InvalidParameters("; ".join(parts), data=None)


def parse(
    model: type[M], data: object, *, enums: EnumRegistry | None = None, prefix: str = ""
) -> M:
    """Validate ``data`` into ``model``; any problem becomes :class:`InvalidParameters` (2001)."""
    try:
        return model.model_validate(data, context={"enums": enums})
    except ValidationError as exc:
        raise validation_error(exc, prefix=prefix) from None


def dump(obj: BaseModel) -> dict[str, Any]:
    """The JSON-ready dict of a wire object, as it was given (unset fields left out)."""
    return obj.model_dump(mode="json", exclude_unset=True, by_alias=True)


_PARTIALS: dict[type[BaseModel], type[OcpiModel]] = {}


def partial_model(model: type[BaseModel], *, required: Iterable[str] = ()) -> type[OcpiModel]:
    """The PATCH-body twin of ``model``: every field optional except ``required`` ones.

    Nested objects keep their full type: an OCPI PATCH replaces whole nested values.
    """
    cached = _PARTIALS.get(model)
    keep = set(required)
    if cached is not None and not keep:
        return cached
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in keep:
            fields[name] = (info.annotation, info)
            continue
        # absent means "unchanged"; an explicit null is validated against the field's own type,
        # so a PATCH cannot null a field the object requires (a PATCH never removes data)
        copy = FieldInfo.merge_field_infos(info, default=None)
        fields[name] = (info.annotation, copy)
    partial: type[OcpiModel] = create_model(
        f"{model.__name__}Patch",
        __base__=OcpiModel,
        __module__=model.__module__,
        **fields,
    )
    if not keep:
        _PARTIALS[model] = partial
    return partial


JsonDict = Mapping[str, Any]
