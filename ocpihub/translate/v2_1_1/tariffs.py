"""Tariffs: Tariff and TariffPatch, 2.1.1 ↔ canonical.

Up (digest §4.2, §4.3 Tariffs): owner fields from the context and ``tax_included`` = ``NO``
(2.1.1 prices exclude VAT by definition). 2.1.1 alone lets a CPO PATCH a tariff; the canonical
twin is a partial Tariff (2.3.0 has no TariffPatch model) that the hub applies to the stored
tariff before sending full PUTs to 2.2+ partners. Like every PATCH it gets ``last_updated``.

Down: 2.3.0-only fields are dropped with a loss entry (``type``, ``min_price``, ``max_price``,
``start_date_time``, ``end_date_time``, ``preauthorize_amount``, every ``vat``). Prices of a
``tax_included = YES`` tariff are converted to net with the component's ``vat`` (rounded to 4
decimals); without ``vat`` they cannot be converted, so they go as they are, reported, with an
English ``tariff_alt_text`` saying taxes are included. An element restricted by ``reservation``,
``min_current`` or ``max_current`` is dropped whole: without its restriction it would price
plain charging (digest §4.3). A tariff left with no element cannot be sent at all
(:class:`~ocpihub.translate.v2_1_1.common.Inexpressible`).
"""

from __future__ import annotations

from typing import Any

from ocpihub.ocpi.fields import format_datetime
from ocpihub.translate.context import TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.money import net_of
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Inexpressible,
    Legacy,
    clean,
    energy_mix_down,
    energy_mix_up,
    id_up,
    join,
    make_down,
    make_up,
)

__all__ = ["DOWN", "UP", "tariff_down", "tariff_up"]

_NEW_FIELDS = (
    "type",
    "min_price",
    "max_price",
    "start_date_time",
    "end_date_time",
    "preauthorize_amount",
)
_SEMANTIC_RESTRICTIONS = ("reservation", "min_current", "max_current")
_GROSS_NOTE = {"language": "en", "text": "Prices include taxes."}


def tariff_up(data: Doc, ctx: TranslationContext, legacy: Legacy, *, full: bool) -> Doc:
    """2.1.1 Tariff (``full``) or Tariff PATCH → canonical."""
    out = clean(data)
    if full:
        out["country_code"], out["party_id"] = ctx.owner("a 2.1.1 Tariff (2.3.0 names its owner)")
        out["tax_included"] = "NO"
    if isinstance(out.get("id"), str):
        out["id"] = id_up(out["id"], legacy, "id")
    if isinstance(out.get("energy_mix"), dict):
        out["energy_mix"] = energy_mix_up(out["energy_mix"])
    return out


def _component_down(
    component: Doc, tax_included: Any, report: LossReport, path: str
) -> tuple[Doc, bool]:
    """A price component for 2.1.1, and whether its price is still gross."""
    out = clean(component)
    vat = out.pop("vat", None)
    if tax_included != "YES":
        if vat is not None:
            report.add(join(path, "vat"), vat, "2.1.1 price components have no vat")
        return out, False
    if vat is None:
        return out, True
    net = net_of(out["price"], vat)  # half-even, 4 decimals (translate/money.py)
    report.add(
        join(path, "vat"), vat, f"2.1.1 prices exclude VAT: gross {out['price']} sent as net {net}"
    )
    out["price"] = net
    return out, False


def tariff_down(doc: Doc, report: LossReport, path: str = "", *, patch: bool = False) -> Doc:
    """Canonical Tariff (or partial Tariff) → 2.1.1."""
    out = clean(doc)
    out.pop("country_code", None)  # the owner travels in the 2.1.1 URL
    out.pop("party_id", None)
    tax_included = out.pop("tax_included", None)
    for key in _NEW_FIELDS:
        if key in out:
            value = out.pop(key)
            if value is not None:
                report.add(join(path, key), value, f"2.1.1 tariffs have no {key}")
    gross = False
    if isinstance(out.get("elements"), list):
        gross = _elements_down(out, tax_included, report, path, patch=patch)
    if gross:
        report.add(
            join(path, "tax_included"),
            "YES",
            "prices include taxes but give no vat: sent gross, with an alt text saying so",
        )
        out["tariff_alt_text"] = [*(out.get("tariff_alt_text") or []), dict(_GROSS_NOTE)]
    if isinstance(out.get("energy_mix"), dict):
        out["energy_mix"] = energy_mix_down(out["energy_mix"], report, join(path, "energy_mix"))
    return out


def _elements_down(
    out: Doc, tax_included: Any, report: LossReport, path: str, *, patch: bool
) -> bool:
    """Replace ``out``'s elements by those 2.1.1 can express; whether a kept price is still
    gross. A full tariff left with none cannot be sent; a PATCH then leaves its elements out."""
    kept: list[Doc] = []
    gross = False
    for i, element in enumerate(out["elements"]):
        translated, still_gross = _element_down(
            element, tax_included, report, join(path, f"elements[{i}]")
        )
        if translated is not None:
            kept.append(translated)
            gross = gross or still_gross
    if kept:
        out["elements"] = kept
    elif patch:
        del out["elements"]
    else:
        raise Inexpressible(
            "cannot translate: no element of this tariff can be expressed in OCPI 2.1.1"
        )
    return gross


def _element_down(
    element: Doc, tax_included: Any, report: LossReport, path: str
) -> tuple[Doc | None, bool]:
    """A tariff element for 2.1.1 (None when its restrictions cannot be expressed, so it is
    dropped), and whether one of its prices is still gross."""
    restrictions = element.get("restrictions") or {}
    blocking = [k for k in _SEMANTIC_RESTRICTIONS if restrictions.get(k) is not None]
    if blocking:
        dropped = f"2.1.1 cannot restrict by {', '.join(blocking)}: element dropped"
        report.add(path, element, dropped)
        return None, False
    out = clean(element)
    if isinstance(out.get("restrictions"), dict):
        out["restrictions"] = {
            k: v for k, v in out["restrictions"].items() if k not in _SEMANTIC_RESTRICTIONS
        }
    components = []
    gross = False
    for j, component in enumerate(out["price_components"]):
        translated, still_gross = _component_down(
            component, tax_included, report, join(path, f"price_components[{j}]")
        )
        gross = gross or still_gross
        components.append(translated)
    out["price_components"] = components
    return out, gross


def _tariff_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Tariff → canonical Tariff (``tax_included`` = NO)."""
    return tariff_up(data, ctx, legacy, full=True)


def _tariff_patch_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Tariff PATCH → canonical partial Tariff (``last_updated`` filled)."""
    out = tariff_up(data, ctx, legacy, full=False)
    if out.get("last_updated") is None:
        out["last_updated"] = format_datetime(ctx.now)
        legacy.absent("last_updated")
    return out


def _tariff_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Tariff → 2.1.1 Tariff."""
    return tariff_down(doc, report)


def _tariff_patch_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical partial Tariff → 2.1.1 Tariff PATCH."""
    return tariff_down(doc, report, patch=True)


UP = {"Tariff": make_up(_tariff_up), "TariffPatch": make_up(_tariff_patch_up)}
DOWN = {"Tariff": make_down(_tariff_down), "TariffPatch": make_down(_tariff_patch_down)}
