"""The open enums' spec values (``ocpi/open_enums.py``): one table, equal to what every
version's wire models declare, readable without loading them (issue 18.4: ``enum list``)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Annotated, get_args, get_origin

from pydantic import BaseModel

from ocpihub.ocpi import open_enums, registry
from ocpihub.ocpi.fields import OpenEnum
from ocpihub.ocpi.modules import SUPPORTED_VERSIONS
from ocpihub.ocpi.open_enums import OPEN_ENUMS

WIRE = re.compile(
    r"^(pydantic|ocpihub\.translate|ocpihub\.ocpi\.(fields|tolerant|v\d+_\d+_\d+))(\.|$)"
)
"""pydantic and the modules that make up (or load) the wire models."""


def _in_type(annotation: object, seen: set[type[BaseModel]]) -> Iterator[OpenEnum]:
    """Every OpenEnum marker in a type: ``Annotated[str, OpenEnum(...)]``, inside lists and
    unions, and in the fields of the models it names."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _in_model(annotation, seen)
        return
    for part in get_args(annotation):
        if isinstance(part, OpenEnum):
            yield part
        else:
            yield from _in_type(part, seen)


def _in_model(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[OpenEnum]:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        yield from (m for m in field.metadata if isinstance(m, OpenEnum))
        yield from _in_type(field.annotation, seen)


def declared(version: str) -> list[OpenEnum]:
    """The OpenEnum markers of one version: its wire enums' aliases and its models' fields."""
    package = "ocpihub.ocpi.v" + version.replace(".", "_")
    enums = importlib.import_module(f"{package}.enums")
    found = [
        m
        for alias in vars(enums).values()
        if get_origin(alias) is Annotated
        for m in get_args(alias)[1:]
        if isinstance(m, OpenEnum)
    ]
    seen: set[type[BaseModel]] = set()
    for model in registry.models(version).values():
        found.extend(_in_model(model, seen))
    return found


def test_the_table_is_what_the_wire_models_declare() -> None:
    """Every open-enum field of every version takes exactly the table's values for its enum,
    and every enum of the table is open in some version (2.3.0; 2.1.1 and 2.2.1 have none)."""
    names = set()
    for version in SUPPORTED_VERSIONS:
        for marker in declared(version):
            assert marker.name in OPEN_ENUMS, (version, marker.name)
            assert marker.values == OPEN_ENUMS[marker.name], (version, marker.name)
            names.add(marker.name)
    assert names == set(OPEN_ENUMS)
    assert len(OPEN_ENUMS) == 13  # digest §5
    assert {v for v in SUPPORTED_VERSIONS if declared(v)} == {"2.3.0"}


def test_the_wire_enums_are_the_tables_classes() -> None:
    """2.3.0's wire enums export the very classes the table is built from (no second list)."""
    wire = importlib.import_module("ocpihub.ocpi.v2_3_0.enums")
    for name, values in OPEN_ENUMS.items():
        assert getattr(wire, name) is getattr(open_enums, name)
        assert values == {member.value for member in getattr(wire, name)}
        assert all(type(value) is str for value in values)


def test_the_registry_answers_from_the_table() -> None:
    """``registry.open_enums()`` is the table, and the values of ConnectorType are the spec's."""
    assert registry.open_enums() is OPEN_ENUMS
    assert registry.open_enum_names() == sorted(OPEN_ENUMS)
    assert {"IEC_62196_T2", "IEC_60309_2_single_16", "NEMA_5_20"} <= OPEN_ENUMS["ConnectorType"]


def test_reading_the_open_enums_loads_no_wire_model() -> None:
    """The open-enum registry (``hub/enums.py``) lists, describes and checks values without
    importing pydantic or any wire model (a fresh interpreter)."""
    probe = (
        "import sys\n"
        "from ocpihub.hub.enums import EnumRegistry\n"
        "from ocpihub.ocpi.registry import validate_custom_values\n"
        "validate_custom_values({'ConnectorType': ['ACME_PLUG']})\n"
        "described = EnumRegistry({'Facility': ['ROOFTOP_BAR']}).describe()\n"
        "assert described['Facility']['custom'] == ['ROOFTOP_BAR'], described\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "ocpihub.ocpi.open_enums" in loaded
    assert [m for m in loaded if WIRE.match(m)] == []
