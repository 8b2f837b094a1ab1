"""Shared wire-model building blocks: DateTime, strings, open enums, error messages."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import (
    CiString,
    DateTime,
    OcpiModel,
    OpenEnum,
    dump,
    format_datetime,
    is_later,
    parse,
    parse_datetime,
    partial_model,
)


class Thing(OcpiModel):
    id: Annotated[str, CiString(3)]
    at: DateTime
    kind: Annotated[str, OpenEnum("ThingKind", ["A", "B"])]
    size: float | None = None


class Registry:
    def accepts(self, enum_name: str, value: str) -> bool:
        return (enum_name, value) == ("ThingKind", "CUSTOM")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T10:20:30Z", datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-01T10:20:30", datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-01T12:20:30+02:00", datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-01T05:20:30-0500", datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-01T10:20:30.1Z", datetime(2024, 3, 1, 10, 20, 30, 100000, tzinfo=UTC)),
        ("2024-03-01T10:20:30.123456789Z", datetime(2024, 3, 1, 10, 20, 30, 123456, tzinfo=UTC)),
    ],
)
def test_datetime_read_tolerantly(text: str, expected: datetime) -> None:
    """Z, offsets, no zone (UTC) and 0-9 fractional digits are all read."""
    assert parse_datetime(text) == expected


def test_datetime_written_as_utc_z() -> None:
    """Written DateTimes are UTC with Z; fractions only when present."""
    assert format_datetime(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00Z"
    assert format_datetime(datetime(2024, 1, 1, 0, 0, 0, 120000, tzinfo=UTC)) == (
        "2024-01-01T00:00:00.12Z"
    )


def test_model_datetime_normalised_to_utc() -> None:
    """A wire DateTime with an offset is held as UTC Z; a Z value is unchanged."""
    thing = parse(Thing, {"id": "abc", "at": "2024-01-01T01:00:00+01:00", "kind": "A"})
    assert thing.at == "2024-01-01T00:00:00Z"
    same = {"id": "abc", "at": "2024-01-01T00:00:00.250Z", "kind": "A"}
    assert dump(parse(Thing, same)) == same


def test_unknown_fields_are_kept() -> None:
    """Unknown JSON fields survive parsing and dumping."""
    data = {"id": "abc", "at": "2024-01-01T00:00:00Z", "kind": "B", "x_extra": {"n": 1}}
    assert dump(parse(Thing, data)) == data


def test_every_bad_field_is_named_with_its_value() -> None:
    """One 2001 lists every bad field with its JSON path and the value sent."""
    with pytest.raises(InvalidParameters) as caught:
        parse(Thing, {"id": "abcd", "at": "nope", "kind": "Z"})
    msg = caught.value.message
    assert "id: String should have at most 3 characters (got 'abcd')" in msg
    assert "at: not an OCPI DateTime: 'nope'" in msg
    assert "kind: 'Z' is not a known or registered ThingKind value (got 'Z')" in msg
    assert caught.value.status_code == 2001


def test_missing_field_is_named() -> None:
    """A missing required field is reported by name."""
    with pytest.raises(InvalidParameters, match="at: field required"):
        parse(Thing, {"id": "abc", "kind": "A"})


def test_cistring_must_be_ascii() -> None:
    """CiStrings are printable ASCII."""
    with pytest.raises(InvalidParameters, match="must be printable ASCII"):
        parse(Thing, {"id": "ab\u00e9", "at": "2024-01-01T00:00:00Z", "kind": "A"})


def test_open_enum_accepts_registered_value_only_with_registry() -> None:
    """An open-enum value outside the spec passes only when the registry accepts it."""
    data = {"id": "abc", "at": "2024-01-01T00:00:00Z", "kind": "CUSTOM"}
    with pytest.raises(InvalidParameters, match="'CUSTOM' is not a known or registered ThingKind"):
        parse(Thing, data)
    assert parse(Thing, data, enums=Registry()).kind == "CUSTOM"


def test_partial_model_makes_fields_optional() -> None:
    """A PATCH twin accepts any subset of fields, and keeps required ones required."""
    patch = partial_model(Thing)
    assert dump(parse(patch, {"kind": "A"})) == {"kind": "A"}
    strict = partial_model(Thing, required=["at"])
    with pytest.raises(InvalidParameters, match="at: field required"):
        parse(strict, {"kind": "A"})


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    )
)
def test_garbage_gives_only_2001(value: object) -> None:
    """Any JSON value either parses or raises InvalidParameters; never anything else."""
    with contextlib.suppress(InvalidParameters):
        parse(Thing, value)


def _written(moment: datetime, offset_minutes: int, digits: int) -> str:
    """``moment`` as a partner might write it: some offset, 0-6 fractional digits."""
    zone = timezone(timedelta(minutes=offset_minutes))
    local = moment.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    if offset_minutes == 0:
        return text + "Z"
    sign = "+" if offset_minutes > 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from([0, 60, -300, 330]),
    st.sampled_from([0, 60, -300, 330]),
)
def test_is_later_compares_instants(a: datetime, b: datetime, za: int, zb: int) -> None:
    """is_later agrees with the instants written, whatever offsets and precision (15.12)."""
    a, b = a.replace(microsecond=a.microsecond // 1000 * 1000), b.replace(microsecond=0)
    assert is_later(_written(a, za, 3), _written(b, zb, 0)) is (a > b)


def test_is_later_fractions_and_absent() -> None:
    """Fractional seconds count; a missing current value is earlier; junk is never later."""
    assert is_later("2024-05-01T08:00:00.500Z", "2024-05-01T08:00:00Z")
    assert not is_later("2024-05-01T08:00:00Z", "2024-05-01T08:00:00.5Z")
    assert is_later("2024-05-01T08:00:00Z", None)
    assert not is_later("soon", "2024-05-01T08:00:00Z")
