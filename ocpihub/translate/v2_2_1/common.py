"""Shared machinery of the 2.2.1 bridge: translation state, JSON paths, money, common classes.

Every translator works on a deep copy of its input and rewrites only the fields whose shape or
values differ between 2.2.1 and the canonical (2.3.0) model; everything else, including fields
neither version defines (a sender's own extensions), passes through untouched both ways.

What 2.2.1 says but the canonical model cannot hold is kept by UP under the hub-private key
``_ocpihub.legacy["2.2.1"]`` as ``{json_path: value}``, and restored by DOWN, which never emits
``_ocpihub``. DOWN restores a legacy value only while it still agrees with the canonical
document, so a stale entry (the object changed since) is ignored instead of resurrected.
An ``_ocpihub`` key arriving from a partner is dropped on the way up: the namespace is the hub's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ocpihub.ocpi.fields import format_datetime
from ocpihub.ocpi.jsoncopy import json_copy
from ocpihub.translate.context import TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.money import total_of

from . import enums

__all__ = [
    "HUB_KEY",
    "VERSION",
    "Doc",
    "DownState",
    "UpState",
    "at",
    "business_details_down",
    "down_with",
    "energy_mix_down",
    "identity_down",
    "identity_up",
    "image_down",
    "item",
    "last_updated_up",
    "patch_up",
    "price_down",
    "price_limit_down",
    "price_limit_up",
    "price_up",
    "up_with",
]

Doc = dict[str, Any]
VERSION = "2.2.1"
HUB_KEY = "_ocpihub"
VAT = "VAT"


@dataclass(slots=True)
class UpState:
    """One up-translation in progress: the context and the legacy values collected so far."""

    ctx: TranslationContext
    legacy: dict[str, Any] = field(default_factory=dict)

    def keep(self, path: str, value: Any) -> None:
        """Remember a 2.2.1 value the canonical model has no room for."""
        self.legacy[path] = value


@dataclass(slots=True)
class DownState:
    """One down-translation in progress: context, legacy values to restore, losses found."""

    ctx: TranslationContext
    legacy: dict[str, Any]
    report: LossReport = field(default_factory=LossReport)

    def lose(self, path: str, value: Any, reason: str) -> None:
        """Record a loss; a null or empty value carries nothing, so it is not a loss."""
        if value is None or value == [] or value == {}:
            return
        self.report.add(path, value, reason)


def at(path: str, key: str) -> str:
    """JSON path of field ``key`` below ``path``."""
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    """JSON path of list element ``index`` of the list at ``path``."""
    return f"{path}[{index}]"


def up_with(fn: Callable[[Doc, UpState], Doc]) -> Callable[[Doc, TranslationContext], Doc]:
    """An UP translator from a function that rewrites a private copy of the wire object."""

    def up(data: Doc, ctx: TranslationContext) -> Doc:
        body = json_copy(data)
        body.pop(HUB_KEY, None)
        state = UpState(ctx)
        out = fn(body, state)
        if state.legacy:
            out[HUB_KEY] = {"legacy": {VERSION: state.legacy}}
        return out

    up.__doc__ = fn.__doc__
    return up


def down_with(
    fn: Callable[[Doc, DownState], Doc],
) -> Callable[[Doc, TranslationContext], tuple[Doc, LossReport]]:
    """A DOWN translator from a function that rewrites a private copy of the canonical doc."""

    def down(doc: Doc, ctx: TranslationContext) -> tuple[Doc, LossReport]:
        body = doc if ctx.owned else json_copy(doc)
        hub = body.pop(HUB_KEY, None)
        legacy: dict[str, Any] = {}
        if isinstance(hub, dict) and isinstance(hub.get("legacy"), dict):
            mine = hub["legacy"].get(VERSION)
            legacy = mine if isinstance(mine, dict) else {}
        state = DownState(ctx, legacy)
        out = fn(body, state)
        return out, state.report

    down.__doc__ = fn.__doc__
    return down


def _same(body: Doc, state: UpState | DownState) -> Doc:
    """Same shape and values in 2.2.1 and 2.3.0: nothing to rewrite."""
    return body


def last_updated_up(body: Doc, state: UpState) -> Doc:
    """A PATCH body with ``last_updated``: 2.2.1 requires it, so it is normally there; a
    2.2-era sender's PATCH without it gets the receipt time ``ctx.now`` (digest §1.3)."""
    if "last_updated" not in body:
        body["last_updated"] = format_datetime(state.ctx.now)
    return body


identity_up = up_with(_same)
identity_down = down_with(_same)
patch_up = up_with(last_updated_up)
"""UP of a PATCH body whose fields need no rewriting."""


# --- money (digest §4.2) ---------------------------------------------------------------------


def _add(a: float, b: float) -> float:
    # decimal arithmetic on the shortest reprs: 0.1 + 0.2 gives 0.3, as a person would write it
    return total_of(a, b)


def _sub(a: float, b: float) -> float:
    return float(Decimal(repr(a)) - Decimal(repr(b)))


def _vat_taxes(excl: float, incl: float) -> list[Doc]:
    return [{"name": VAT, "amount": _sub(incl, excl)}]


def price_up(price: Any, path: str, state: UpState) -> Any:
    """2.2.1 ``{excl_vat, incl_vat?}`` → 2.3.0 ``{before_taxes, taxes?}`` (one VAT amount).

    An absent ``incl_vat`` gives absent ``taxes`` and a null one null ``taxes``, so the way back
    is exact. When float arithmetic cannot give ``incl_vat`` back exactly, it is kept as legacy.
    """
    if not isinstance(price, dict):
        return price
    out: Doc = {"before_taxes": price.pop("excl_vat")}
    if "incl_vat" in price:
        incl = price.pop("incl_vat")
        if incl is None:
            out["taxes"] = None
        else:
            out["taxes"] = _vat_taxes(out["before_taxes"], incl)
            if _add(out["before_taxes"], out["taxes"][0]["amount"]) != incl:
                state.keep(at(path, "incl_vat"), incl)
    out.update(price)
    return out


def price_down(price: Any, path: str, state: DownState) -> Any:
    """2.3.0 ``{before_taxes, taxes?}`` → 2.2.1 ``{excl_vat, incl_vat?}`` (digest §4.2).

    ``incl_vat`` is ``before_taxes`` plus every tax amount; a breakdown other than one plain
    ``VAT`` amount (several taxes, names, percentages, account numbers) is reported lost.
    """
    if not isinstance(price, dict):
        return price
    before = price.pop("before_taxes")
    out: Doc = {"excl_vat": before}
    if "taxes" in price:
        taxes = price.pop("taxes")
        if taxes is None:
            out["incl_vat"] = None
        else:
            total = before  # an exact decimal sum of the parts as sent (translate/money.py)
            for tax in taxes:
                total = _add(total, tax["amount"])
            legacy = state.legacy.get(at(path, "incl_vat"))
            if isinstance(legacy, int | float) and taxes == _vat_taxes(before, legacy):
                total = legacy
            out["incl_vat"] = total
            if not _plain_vat(taxes):
                state.lose(
                    at(path, "taxes"),
                    taxes,
                    "2.2.1 Price has no tax breakdown; only the total incl_vat is sent",
                )
    out.update(price)
    return out


def _plain_vat(taxes: list[Doc]) -> bool:
    return len(taxes) == 0 or (
        len(taxes) == 1 and set(taxes[0]) == {"name", "amount"} and taxes[0]["name"] == VAT
    )


def price_limit_up(price: Any) -> Any:
    """2.2.1 Tariff ``Price`` → 2.3.0 ``PriceLimit``: excl_vat/incl_vat → before/after_taxes."""
    if not isinstance(price, dict):
        return price
    out: Doc = {"before_taxes": price.pop("excl_vat")}
    if "incl_vat" in price:
        out["after_taxes"] = price.pop("incl_vat")
    out.update(price)
    return out


def price_limit_down(price: Any) -> Any:
    """2.3.0 ``PriceLimit`` → 2.2.1 Tariff ``Price``: before/after_taxes → excl_vat/incl_vat."""
    if not isinstance(price, dict):
        return price
    out: Doc = {"excl_vat": price.pop("before_taxes")}
    if "after_taxes" in price:
        out["incl_vat"] = price.pop("after_taxes")
    out.update(price)
    return out


# --- classes shared by several modules -------------------------------------------------------


def image_down(image: Any, path: str, state: DownState) -> Any:
    """An Image: an ImageCategory 2.2.1 lacks (custom open-enum value) becomes ``OTHER``."""
    if isinstance(image, dict) and "category" in image:
        image["category"] = enums.image_category_down(
            image["category"], at(path, "category"), state
        )
    return image


def business_details_down(details: Any, path: str, state: DownState) -> Any:
    """BusinessDetails: only its logo Image can hold values 2.2.1 lacks."""
    if isinstance(details, dict) and isinstance(details.get("logo"), dict):
        details["logo"] = image_down(details["logo"], at(path, "logo"), state)
    return details


def energy_mix_down(mix: Any, path: str, state: DownState) -> Any:
    """EnergyMix: environmental impacts of a category 2.2.1 lacks are dropped (``category``
    is required, and there is no catch-all value)."""
    if not isinstance(mix, dict) or not isinstance(mix.get("environ_impact"), list):
        return mix
    kept = []
    for i, impact in enumerate(mix["environ_impact"]):
        if enums.known("EnvironmentalImpactCategory", impact["category"]):
            kept.append(impact)
        else:
            state.lose(
                item(at(path, "environ_impact"), i),
                impact,
                f"EnvironmentalImpactCategory {impact['category']!r} does not exist in 2.2.1",
            )
    mix["environ_impact"] = kept
    return mix
