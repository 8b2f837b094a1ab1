"""Tariffs on the 2.2.1 bridge (digest §4.2, §4.3 Tariffs; §7 item 16).

Up: 2.2.1 prices are net by definition, so ``tax_included`` becomes ``NO``;
``min_price``/``max_price`` turn from ``Price`` into ``PriceLimit``.

Down:

- ``tax_included`` ``NO`` is implied by 2.2.1 and dropped silently; ``N/A`` (no taxes apply)
  cannot be said and is reported; ``YES`` (gross prices) is converted per price component to
  the net price ``price / (1 + vat/100)`` when ``vat`` is given; without ``vat`` (typical North
  American tariffs) the net price is unknown, so the price is sent unchanged and reported.
  Each changed or unconvertible price is a loss entry.
- ``preauthorize_amount`` (2.3.0 Payments) is dropped.
- Elements restricted to the bookings-edition reservation kinds
  (``RESERVATION_CANCELLATION_FEES``, ``RESERVATION_OVERTIME``) are dropped, since keeping them
  without the restriction would price charging; if that would leave no element, they are kept
  as plain ``RESERVATION`` elements instead (a tariff needs at least one element).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ocpihub.translate import Down, Up
from ocpihub.translate.money import net_of

from .common import (
    Doc,
    DownState,
    UpState,
    at,
    down_with,
    energy_mix_down,
    item,
    price_limit_down,
    price_limit_up,
    up_with,
)
from .enums import RESERVATION_RESTRICTION_FALLBACK, known

__all__ = ["DOWN", "UP", "tariff_down", "tariff_up"]

TAX_INCLUDED_UP = "NO"
"""2.2.1 prices exclude VAT (digest §4.2)."""


def tariff_up(tariff: Doc, path: str, state: UpState) -> Doc:
    """A 2.2.1 Tariff as a canonical one."""
    for key in ("min_price", "max_price"):
        if key in tariff:
            tariff[key] = price_limit_up(tariff[key])
    tariff["tax_included"] = TAX_INCLUDED_UP
    return tariff


def tariff_down(tariff: Doc, path: str, state: DownState) -> Doc:
    """A canonical Tariff as a 2.2.1 one."""
    if "preauthorize_amount" in tariff:
        state.lose(
            at(path, "preauthorize_amount"),
            tariff.pop("preauthorize_amount"),
            "field added in 2.3.0 (Payments); 2.2.1 cannot express it",
        )
    for key in ("min_price", "max_price"):
        if key in tariff:
            tariff[key] = price_limit_down(tariff[key])
    tax_included = tariff.pop("tax_included", "NO")
    if tax_included == "N/A":
        state.lose(
            at(path, "tax_included"),
            tax_included,
            "2.2.1 cannot say that no taxes apply; prices sent as they are",
        )
    if isinstance(tariff.get("elements"), list):
        tariff["elements"] = _elements(tariff["elements"], at(path, "elements"), state)
        if tax_included == "YES":
            state.lose(
                at(path, "tax_included"),
                tax_included,
                "2.2.1 prices exclude VAT; gross prices converted where vat is given",
            )
            _to_net(tariff["elements"], at(path, "elements"), state)
    if "energy_mix" in tariff:
        tariff["energy_mix"] = energy_mix_down(tariff["energy_mix"], at(path, "energy_mix"), state)
    return tariff


def _bookings_only(element: Doc) -> Any:
    restrictions = element.get("restrictions")
    if not isinstance(restrictions, dict):
        return None
    reservation = restrictions.get("reservation")
    if reservation is None or known("ReservationRestrictionType", reservation):
        return None
    return reservation


def _elements(elements: list[Doc], path: str, state: DownState) -> list[Doc]:
    kept = [e for e in elements if _bookings_only(e) is None]
    if kept:
        for i, element in enumerate(elements):
            if (kind := _bookings_only(element)) is not None:
                state.lose(
                    item(path, i),
                    element,
                    f"ReservationRestrictionType {kind!r} does not exist in 2.2.1; element dropped",
                )
        return kept
    for i, element in enumerate(elements):
        restrictions = element["restrictions"]
        state.lose(
            at(at(item(path, i), "restrictions"), "reservation"),
            restrictions["reservation"],
            "ReservationRestrictionType does not exist in 2.2.1 and no other element is left; "
            f"sent as {RESERVATION_RESTRICTION_FALLBACK!r}",
        )
        restrictions["reservation"] = RESERVATION_RESTRICTION_FALLBACK
    return elements


def _to_net(elements: list[Doc], path: str, state: DownState) -> None:
    for i, element in enumerate(elements):
        for j, component in enumerate(element.get("price_components") or []):
            where = at(item(at(item(path, i), "price_components"), j), "price")
            gross = component["price"]
            vat = component.get("vat")
            factor = 1 + Decimal(repr(vat)) / 100 if vat is not None else Decimal(0)
            if factor == 0:
                why = "no vat given" if vat is None else f"vat {vat}% gives no net price"
                state.lose(where, gross, f"gross price, {why}: sent unchanged")
                continue
            net = net_of(gross, vat)  # rounded half-even to 4 decimals (translate/money.py)
            state.lose(where, gross, f"gross price converted to net with vat {vat}%")
            component["price"] = net


def _tariff_up(body: Doc, state: UpState) -> Doc:
    return tariff_up(body, "", state)


def _tariff_down(body: Doc, state: DownState) -> Doc:
    return tariff_down(body, "", state)


UP: dict[str, Up] = {"Tariff": up_with(_tariff_up)}
DOWN: dict[str, Down] = {"Tariff": down_with(_tariff_down)}
