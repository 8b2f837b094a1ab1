"""Money and the bridge's general rules on 2.2.1 (digest §4.2; legacy values; extensions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocpihub.ocpi import v2_2_1, v2_3_0
from ocpihub.ocpi.fields import parse
from ocpihub.translate import TranslationContext, from_canonical, to_canonical
from ocpihub.translate.v2_2_1 import DOWN, UP
from ocpihub.translate.v2_2_1.cdrs import PRICES

CTX = TranslationContext()


def _session_patch(**fields: Any) -> dict[str, Any]:
    return {"last_updated": "2024-01-01T00:00:00Z", **fields}


def test_price_up_makes_one_vat_tax() -> None:
    """excl_vat/incl_vat become before_taxes and one VAT amount of their difference."""
    doc = UP["SessionPatch"](_session_patch(total_cost={"excl_vat": 8.5, "incl_vat": 9.35}), CTX)
    assert doc["total_cost"] == {"before_taxes": 8.5, "taxes": [{"name": "VAT", "amount": 0.85}]}


def test_price_up_without_incl_vat_has_no_taxes() -> None:
    """An absent incl_vat gives absent taxes, a null one null taxes."""
    absent = UP["SessionPatch"](_session_patch(total_cost={"excl_vat": 1.0}), CTX)
    null = UP["SessionPatch"](_session_patch(total_cost={"excl_vat": 1.0, "incl_vat": None}), CTX)
    assert absent["total_cost"] == {"before_taxes": 1.0}
    assert null["total_cost"] == {"before_taxes": 1.0, "taxes": None}


def test_price_down_sums_every_tax() -> None:
    """incl_vat is before_taxes plus every tax amount; a breakdown is reported lost."""
    taxes = [{"name": "VAT", "amount": 0.1}, {"name": "city", "amount": 0.2, "percentage": 2.0}]
    out, report = DOWN["SessionPatch"](
        _session_patch(total_cost={"before_taxes": 1.0, "taxes": taxes}), CTX
    )
    assert out["total_cost"] == {"excl_vat": 1.0, "incl_vat": 1.3}
    assert report.as_json() == [
        {
            "path": "total_cost.taxes",
            "value": taxes,
            "reason": "2.2.1 Price has no tax breakdown; only the total incl_vat is sent",
        }
    ]


def test_price_down_single_plain_vat_is_no_loss() -> None:
    """One tax named VAT with only an amount is exactly what 2.2.1 can say."""
    out, report = DOWN["SessionPatch"](
        _session_patch(
            total_cost={"before_taxes": 2.0, "taxes": [{"name": "VAT", "amount": 0.42}]}
        ),
        CTX,
    )
    assert out["total_cost"] == {"excl_vat": 2.0, "incl_vat": 2.42}
    assert not report


def test_price_down_empty_taxes_means_incl_equals_excl() -> None:
    """An empty tax list says no tax: incl_vat equals excl_vat."""
    out, _ = DOWN["SessionPatch"](
        _session_patch(total_cost={"before_taxes": 2.0, "taxes": []}), CTX
    )
    assert out["total_cost"] == {"excl_vat": 2.0, "incl_vat": 2.0}


def test_inexact_incl_vat_is_kept_as_legacy_and_restored() -> None:
    """When float arithmetic cannot rebuild incl_vat exactly, UP keeps it and DOWN restores it."""
    wire = _session_patch(total_cost={"excl_vat": 1e9, "incl_vat": 1e-9})
    doc = UP["SessionPatch"](wire, CTX)
    assert doc["_ocpihub"] == {"legacy": {"2.2.1": {"total_cost.incl_vat": 1e-9}}}
    back, report = DOWN["SessionPatch"](doc, CTX)
    assert back == wire
    assert not report


def test_stale_legacy_value_is_ignored() -> None:
    """A legacy incl_vat that no longer matches the canonical taxes is not resurrected."""
    doc = UP["SessionPatch"](_session_patch(total_cost={"excl_vat": 1e9, "incl_vat": 1e-9}), CTX)
    doc["total_cost"] = {"before_taxes": 10.0, "taxes": [{"name": "VAT", "amount": 2.1}]}
    out, _ = DOWN["SessionPatch"](doc, CTX)
    assert out["total_cost"] == {"excl_vat": 10.0, "incl_vat": 12.1}


def test_cdr_prices_all_translate() -> None:
    """Every CDR Price field is reshaped both ways (digest §4.2 'every nested money field')."""
    wire = {f"total_{k}_cost": {"excl_vat": 1.0, "incl_vat": 1.21} for k in ("fixed", "energy")}
    assert {"total_fixed_cost", "total_energy_cost", "total_reservation_cost"} <= set(PRICES)
    doc = UP["CDR"]({"total_cost": {"excl_vat": 2.0}, **wire}, CTX)
    assert doc["total_fixed_cost"] == {
        "before_taxes": 1.0,
        "taxes": [{"name": "VAT", "amount": 0.21}],
    }
    assert doc["total_cost"] == {"before_taxes": 2.0}


def test_unknown_fields_are_kept_both_ways() -> None:
    """A sender's own (non-spec) fields pass through UP and DOWN untouched."""
    wire = _session_patch(x_note="hello", total_cost={"excl_vat": 1.0, "x_code": 7})
    doc = UP["SessionPatch"](wire, CTX)
    assert doc["x_note"] == "hello" and doc["total_cost"]["x_code"] == 7
    back, report = DOWN["SessionPatch"](doc, CTX)
    assert back == wire and not report


def test_partner_sent_ocpihub_key_is_dropped() -> None:
    """The hub-private ``_ocpihub`` key is not accepted from a partner."""
    doc = UP["SessionPatch"](_session_patch(_ocpihub={"legacy": {"2.2.1": {"kwh": 1}}}), CTX)
    assert "_ocpihub" not in doc


def test_down_never_emits_the_hub_key() -> None:
    """DOWN strips ``_ocpihub`` even when it holds other versions' legacy values."""
    doc = _session_patch(_ocpihub={"legacy": {"2.1.1": {"auth_id": "X"}}})
    out, report = DOWN["SessionPatch"](doc, CTX)
    assert out == _session_patch() and not report


def test_dispatch_through_the_package_entry_points() -> None:
    """to_canonical/from_canonical reach these tables for version 2.2.1."""
    wire = {"result": "ACCEPTED", "timeout": 30}
    doc = to_canonical("2.2.1", "CommandResponse", wire)
    parse(v2_3_0.MODELS["CommandResponse"], doc)
    out, report = from_canonical("2.2.1", "CommandResponse", doc)
    assert out == wire and not report
    parse(v2_2_1.MODELS["CommandResponse"], out)


def test_patch_without_last_updated_gets_receipt_time() -> None:
    """A PATCH arriving without last_updated (2.2-era sender) gets ctx.now (digest §1.3)."""
    ctx = TranslationContext(now=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
    for name in ("LocationPatch", "EVSEPatch", "ConnectorPatch", "SessionPatch", "TokenPatch"):
        assert UP[name]({"kwh": 1.0} if name == "SessionPatch" else {}, ctx)["last_updated"] == (
            "2024-05-06T07:08:09Z"
        )
