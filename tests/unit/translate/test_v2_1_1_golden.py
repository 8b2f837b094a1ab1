"""Golden files: the spec's 2.3.0 examples translated down to 2.1.1, with their loss reports.

``golden/v2_1_1/<example>.json`` holds ``{"output": ..., "losses": [...]}`` (``{"items":
[...]}`` for files holding several objects, ``{"inexpressible": message}`` when 2.1.1 cannot
carry the object at all). ``golden/v2_1_1/chain/<example>.json`` follows one example per module
through 2.2.1 first: 2.3.0 → 2.2.1 → canonical → 2.1.1 → canonical, with both loss reports.
They are the reviewed specification of the translation: regenerate with
``OCPIHUB_REGEN_GOLDEN=1`` and read the diff before committing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext
from ocpihub.translate.v2_1_1 import DOWN, UP
from tests.examples import example_files, load_example
from tests.unit.translate.test_v2_1_1_support import (
    MODELS_211,
    MODELS_230,
    canonical_only,
    context,
)

GOLDEN = Path(__file__).parent / "golden" / "v2_1_1"
REGEN = os.environ.get("OCPIHUB_REGEN_GOLDEN") == "1"
CTX = context()


def _whole(data: Any) -> list[Any]:
    return [data]


def _envelope(data: Any) -> list[Any]:
    inner = data["data"]
    return inner if isinstance(inner, list) else [inner]


def _items(data: Any) -> list[Any]:
    return list(data)


def _cdr_with_tax_included(data: Any) -> list[Any]:
    # the example's embedded tariff lacks the required tax_included
    for tariff in data["tariffs"]:
        tariff.setdefault("tax_included", "NO")
    return [data]


def _location_with_evse_parking_objects(data: Any) -> list[Any]:
    # the example writes EVSE.parking as plain ids; the table says EVSEParking (digest §7 item 6)
    for evse in data["evses"]:
        evse["parking"] = [{"parking_id": p} for p in evse.get("parking", [])]
    return [data]


_TARIFFS = sorted(
    path.name
    for path in example_files("2.3.0")
    if path.name.startswith("tariff")
    if path.name != "tariff_put_example.json"  # lacks the required last_updated (§7 item 6)
)

CASES: dict[str, tuple[str, Callable[[Any], list[Any]]]] = {
    **{f"credentials_example{n}.json": ("Credentials", _whole) for n in ("", "2", "3", "4")},
    "cdr_example.json": ("CDR", _cdr_with_tax_included),
    "location_example.json": ("Location", _location_with_evse_parking_objects),
    "location_example_parking_garage_opening_hours.json": (
        "Location",
        _location_with_evse_parking_objects,
    ),
    "location_example_uc2_destination_charger.json": ("Location", _whole),
    "location_example_uc3_destination_charger_not_published.json": ("Location", _whole),
    "location_example_uc4_limited_visibility.json": ("Location", _whole),
    "location_example_uc5_home_charge_point.json": ("Location", _whole),
    "location_patch_example_location.json": ("LocationPatch", _whole),
    "location_patch_example_remove_evse.json": ("EVSEPatch", _whole),
    "location_patch_example_status.json": ("EVSEPatch", _whole),
    "location_patch_example_tariff.json": ("ConnectorPatch", _whole),
    "session_example_1_simple_start.json": ("Session", _whole),
    "session_example_2_short_finished.json": ("Session", _whole),
    "session_patch_example_charging_period.json": ("SessionPatch", _whole),
    "session_patch_example_total_cost.json": ("SessionPatch", _whole),
    **{name: ("Tariff", _whole) for name in _TARIFFS},
    "token_example_1_app_user.json": ("Token", _whole),
    "token_example_2_full_rfid.json": ("Token", _whole),
    "token_patch_example.json": ("TokenPatch", _whole),
    "token_put_example.json": ("Token", _whole),
    "transport_and_format_get_token_example.json": ("Token", _envelope),
    "transport_and_format_get_token_list_example.json": ("Token", _envelope),
    "transport_and_format_version_details_example.json": ("VersionDetails", _envelope),
    "transport_and_format_version_info_example.json": ("Version", _envelope),
    "version_details_example.json": ("VersionDetails", _whole),
    "version_details_example2.json": ("VersionDetails", _whole),
    "versions_info_example.json": ("Version", _items),
}
"""Example file → (object name, how to get the object(s) out of the file)."""


def canonical(example: str) -> tuple[str, list[dict[str, Any]]]:
    """The object name and the canonical (validated 2.3.0) objects of one example file."""
    name, reach = CASES[example]
    objects = reach(load_example("2.3.0", example))
    return name, [dump(parse(MODELS_230[name], obj)) for obj in objects]


def _translate(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    try:
        out, report = DOWN[name](doc, CTX)
    except MissingContext as exc:
        return {"inexpressible": exc.message}
    return {"output": out, "losses": report.as_json()}


def _compare(path: Path, got: Any) -> None:
    if REGEN:
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with OCPIHUB_REGEN_GOLDEN=1"
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_every_tariff_example_is_covered() -> None:
    """The tariff examples were found beside the checkout (the table is not empty)."""
    assert len(_TARIFFS) == 21


@pytest.mark.parametrize("example", sorted(CASES))
def test_example_goes_down_as_the_golden_file_says(example: str) -> None:
    """Each 2.3.0 example translates to the reviewed 2.1.1 output and loss report."""
    name, docs = canonical(example)
    results = [_translate(name, doc) for doc in docs]
    single = len(results) == 1 and CASES[example][1] is not _items
    _compare(GOLDEN / example, results[0] if single else {"items": results})


@pytest.mark.parametrize("example", sorted(CASES))
def test_example_output_is_valid_2_1_1_and_goes_back_up(example: str) -> None:
    """Each 2.1.1 output parses as 2.1.1, and translating it up again gives valid 2.3.0."""
    name, docs = canonical(example)
    for doc in docs:
        try:
            out, _ = DOWN[name](doc, CTX)
        except MissingContext:
            continue
        assert dump(parse(MODELS_211[name], out)) == out
        back = UP[name](out, CTX)
        parse(MODELS_230[name], canonical_only(back))
        assert "_ocpihub" not in out


# --- through 2.2.1 first: 2.3.0 -> 2.2.1 -> canonical -> 2.1.1 -> canonical ------------------

CHAIN = [
    "credentials_example2.json",
    "location_example.json",
    "session_example_2_short_finished.json",
    "cdr_example.json",
    "tariff_12_025kwh_min_price.json",
    "token_example_2_full_rfid.json",
    "version_details_example2.json",
]


@pytest.mark.parametrize("example", CHAIN)
def test_chain_through_2_2_1_as_the_golden_file_says(example: str) -> None:
    """An example that first went through a 2.2.1 partner reaches 2.1.1 as reviewed."""
    from ocpihub.translate import v2_2_1

    name, docs = canonical(example)
    (doc,) = docs
    out_221, report_221 = v2_2_1.DOWN[name](doc, CTX)
    via_221 = v2_2_1.UP[name](out_221, CTX)
    got: dict[str, Any] = {"losses_2_2_1": report_221.as_json()}
    try:
        out_211, report_211 = DOWN[name](via_221, CTX)
    except MissingContext as exc:
        got["inexpressible_2_1_1"] = exc.message
    else:
        back = UP[name](out_211, CTX)
        parse(MODELS_230[name], canonical_only(back))
        got.update(output_2_1_1=out_211, losses_2_1_1=report_211.as_json(), canonical=back)
    _compare(GOLDEN / "chain" / example, got)
