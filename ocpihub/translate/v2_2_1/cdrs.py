"""CDRs on the 2.2.1 bridge, and the classes Sessions share with them (digest §4.3 CDRs).

Up: every Price becomes the 2.3.0 shape, embedded tariffs are translated as Tariffs, and a
2.2-style ``cdr_token`` without ``country_code``/``party_id`` (the spec's own 2.2.1 examples)
gets its owner from the stored Token (``ctx.token_by_uid``), or the translation fails with
:class:`~ocpihub.translate.MissingContext`.

Down: a CDR is never dropped (digest §7 item 18), so values 2.2.1 lacks are mapped, never
removed: ``TokenType`` → ``OTHER``, ``connector_standard`` → table or power-type fallback,
bookings reservation dimensions → ``RESERVATION_TIME``; ``booking_id`` is dropped;
``cdr_token`` always carries ``country_code``/``party_id``.
"""

from __future__ import annotations

from typing import Any

from ocpihub.translate import Down, MissingContext, Up

from .common import (
    Doc,
    DownState,
    UpState,
    at,
    down_with,
    item,
    price_down,
    price_up,
    up_with,
)
from .enums import cdr_dimension_type_down, connector_type_down, token_type_down
from .tariffs import tariff_down, tariff_up

__all__ = [
    "DOWN",
    "PRICES",
    "UP",
    "cdr_token_down",
    "cdr_token_up",
    "charging_periods_down",
]

PRICES = (
    "total_cost",
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)
"""Every Price field of a CDR (Sessions have only ``total_cost``)."""


def cdr_token_up(token: Any, path: str, state: UpState) -> Any:
    """A CdrToken with its owner: 2.2-style tokens get it from the stored Token."""
    if not isinstance(token, dict):
        return token
    if token.get("country_code") is not None and token.get("party_id") is not None:
        return token
    lookup = state.ctx.require("token_by_uid", f"a 2.2-style {path} without its owner")
    uid = token.get("uid")
    stored = lookup(uid) if isinstance(uid, str) else None
    if not stored or stored.get("country_code") is None or stored.get("party_id") is None:
        raise MissingContext(
            f"cannot translate: {path} has no country_code/party_id (2.2 style) and the hub "
            f"knows no Token with uid {uid!r} to take them from"
        )
    rest = {k: v for k, v in token.items() if k not in ("country_code", "party_id")}
    return {"country_code": stored["country_code"], "party_id": stored["party_id"], **rest}


def cdr_token_down(token: Any, path: str, state: DownState) -> Any:
    """A CdrToken whose type 2.2.1 knows."""
    if isinstance(token, dict) and isinstance(token.get("type"), str):
        token["type"] = token_type_down(token["type"], at(path, "type"), state)
    return token


def charging_periods_down(periods: Any, path: str, state: DownState) -> Any:
    """Charging periods whose dimension types 2.2.1 knows."""
    if not isinstance(periods, list):
        return periods
    for i, period in enumerate(periods):
        dimensions = period.get("dimensions")
        if not isinstance(dimensions, list):
            continue
        for j, dimension in enumerate(dimensions):
            where = at(item(at(item(path, i), "dimensions"), j), "type")
            dimension["type"] = cdr_dimension_type_down(dimension["type"], where, state)
    return periods


def _cdr_up(cdr: Doc, state: UpState) -> Doc:
    """A 2.2.1 CDR as a canonical one."""
    if "cdr_token" in cdr:
        cdr["cdr_token"] = cdr_token_up(cdr["cdr_token"], "cdr_token", state)
    for key in PRICES:
        if key in cdr:
            cdr[key] = price_up(cdr[key], key, state)
    if isinstance(cdr.get("tariffs"), list):
        cdr["tariffs"] = [
            tariff_up(t, item("tariffs", i), state) for i, t in enumerate(cdr["tariffs"])
        ]
    return cdr


def _cdr_down(cdr: Doc, state: DownState) -> Doc:
    """A canonical CDR as a 2.2.1 one (never dropped)."""
    if "booking_id" in cdr:
        state.lose(
            "booking_id",
            cdr.pop("booking_id"),
            "field of the 2.3.0 bookings edition; 2.2.1 cannot express it",
        )
    if "cdr_token" in cdr:
        cdr["cdr_token"] = cdr_token_down(cdr["cdr_token"], "cdr_token", state)
    location = cdr.get("cdr_location")
    if isinstance(location, dict) and isinstance(location.get("connector_standard"), str):
        location["connector_standard"] = connector_type_down(
            location["connector_standard"],
            "cdr_location.connector_standard",
            state,
            power_type=location.get("connector_power_type"),
            must_keep=True,
        )
    for key in PRICES:
        if key in cdr:
            cdr[key] = price_down(cdr[key], key, state)
    if isinstance(cdr.get("tariffs"), list):
        cdr["tariffs"] = [
            tariff_down(t, item("tariffs", i), state) for i, t in enumerate(cdr["tariffs"])
        ]
    if "charging_periods" in cdr:
        cdr["charging_periods"] = charging_periods_down(
            cdr["charging_periods"], "charging_periods", state
        )
    return cdr


UP: dict[str, Up] = {"CDR": up_with(_cdr_up)}
DOWN: dict[str, Down] = {"CDR": down_with(_cdr_down)}
