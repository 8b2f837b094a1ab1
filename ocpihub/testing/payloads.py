"""Valid OCPI objects for simulated partners and tests: what a real platform would send.

Builders take the few values that vary (ids, parties, times, amounts) and return plain JSON
dictionaries in one version's shape. CPO objects are 2.3.0 (the hub's native version); tokens
come in each version's shape, since eMSPs of every version push them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocpihub.translate import from_canonical

__all__ = [
    "cdr",
    "command_token",
    "evse_status_patch",
    "location",
    "now",
    "session",
    "tariff",
    "token",
]

JSON = dict[str, Any]
VAT = 0.21  # every simulated tariff charges 21 % VAT on top


def now() -> str:
    """The current UTC time as OCPI writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tariff(cc: str, pid: str, tariff_id: str, price_per_kwh: float) -> JSON:
    """A 2.3.0 Tariff: ``price_per_kwh`` (before taxes) per kWh in EUR."""
    return {
        "country_code": cc,
        "party_id": pid,
        "id": tariff_id,
        "currency": "EUR",
        "type": "REGULAR",
        "elements": [
            {
                "price_components": [
                    {"type": "ENERGY", "price": price_per_kwh, "vat": VAT * 100, "step_size": 1}
                ]
            }
        ],
        "tax_included": "NO",
        "last_updated": now(),
    }


def _evse(cc: str, pid: str, location_id: str, number: int, tariff_id: str) -> JSON:
    return {
        "uid": f"{location_id}-E{number}",
        "evse_id": f"{cc}*{pid}*E{location_id}{number}",
        "status": "AVAILABLE",
        "connectors": [
            {
                "id": "1",
                "standard": "IEC_62196_T2",
                "format": "SOCKET",
                "power_type": "AC_3_PHASE",
                "max_voltage": 230,
                "max_amperage": 32,
                "tariff_ids": [tariff_id],
                "last_updated": now(),
            }
        ],
        "last_updated": now(),
    }


def location(
    cc: str, pid: str, location_id: str, *, evses: int, tariff_id: str, name: str | None = None
) -> JSON:
    """A 2.3.0 Location with ``evses`` EVSEs (uids ``{location_id}-E{n}``), one connector each."""
    number = sum(ord(c) for c in location_id) % 90
    return {
        "country_code": cc,
        "party_id": pid,
        "id": location_id,
        "publish": True,
        "name": name or f"Sandbox site {location_id}",
        "address": f"Simulatorstraat {number + 1}",
        "city": "Utrecht",
        "postal_code": "3511",
        "country": "NLD",
        "coordinates": {"latitude": f"52.{number:02d}0000", "longitude": f"5.{number:02d}0000"},
        "parking_type": "ON_STREET",
        "evses": [_evse(cc, pid, location_id, n, tariff_id) for n in range(1, evses + 1)],
        "time_zone": "Europe/Amsterdam",
        "last_updated": now(),
    }


def evse_status_patch(status: str) -> JSON:
    """The body of a 2.3.0 EVSE PATCH that changes its status."""
    return {"status": status, "last_updated": now()}


def token(version: str, cc: str, pid: str, uid: str) -> JSON:
    """An RFID Token of eMSP ``cc``-``pid`` in ``version``'s shape (contract id from the uid)."""
    canonical: JSON = {
        "country_code": cc,
        "party_id": pid,
        "uid": uid,
        "type": "RFID",
        "issuer": f"Sandbox eMSP {cc}-{pid}",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": now(),
        "contract_id": f"{cc}-{pid}-C{uid}",
    }
    wire, _ = from_canonical(version, "Token", canonical, owned=True)
    return wire


def command_token(version: str, cc: str, pid: str, uid: str) -> JSON:
    """The Token an eMSP of ``version`` puts in a START_SESSION (the whole Token object)."""
    return token(version, cc, pid, uid)


def _cost(kwh: float, price_per_kwh: float) -> JSON:
    before = round(kwh * price_per_kwh, 2)
    return {"before_taxes": before, "taxes": [{"name": "VAT", "amount": round(before * VAT, 2)}]}


def session(
    cc: str,
    pid: str,
    session_id: str,
    *,
    cdr_token: JSON,
    location_id: str,
    evse_uid: str,
    start: str,
    kwh: float,
    price_per_kwh: float,
    status: str,
    end: str | None = None,
) -> JSON:
    """A 2.3.0 Session at connector 1 of ``evse_uid``, its cost so far."""
    body: JSON = {
        "country_code": cc,
        "party_id": pid,
        "id": session_id,
        "start_date_time": start,
        "kwh": kwh,
        "cdr_token": cdr_token,
        "auth_method": "COMMAND",
        "location_id": location_id,
        "evse_uid": evse_uid,
        "connector_id": "1",
        "currency": "EUR",
        "total_cost": _cost(kwh, price_per_kwh),
        "status": status,
        "last_updated": now(),
    }
    if end is not None:
        body["end_date_time"] = end
    return body


def cdr(
    cdr_id: str,
    *,
    session_body: JSON,
    location_body: JSON,
    tariff_body: JSON,
    end: str,
) -> JSON:
    """The 2.3.0 CDR of a finished Session, priced with ``tariff_body`` (which it carries)."""
    kwh = float(session_body["kwh"])
    price = float(tariff_body["elements"][0]["price_components"][0]["price"])
    evse = next(e for e in location_body["evses"] if e["uid"] == session_body["evse_uid"])
    connector = evse["connectors"][0]
    start = session_body["start_date_time"]
    hours = max(
        (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600,
        0.001,
    )
    return {
        "country_code": session_body["country_code"],
        "party_id": session_body["party_id"],
        "id": cdr_id,
        "start_date_time": start,
        "end_date_time": end,
        "session_id": session_body["id"],
        "cdr_token": session_body["cdr_token"],
        "auth_method": session_body["auth_method"],
        "cdr_location": {
            "id": location_body["id"],
            "name": location_body["name"],
            "address": location_body["address"],
            "city": location_body["city"],
            "postal_code": location_body["postal_code"],
            "country": location_body["country"],
            "coordinates": location_body["coordinates"],
            "evse_uid": evse["uid"],
            "evse_id": evse["evse_id"],
            "connector_id": connector["id"],
            "connector_standard": connector["standard"],
            "connector_format": connector["format"],
            "connector_power_type": connector["power_type"],
        },
        "currency": "EUR",
        "tariffs": [tariff_body],
        "charging_periods": [
            {
                "start_date_time": start,
                "dimensions": [{"type": "ENERGY", "volume": kwh}],
                "tariff_id": tariff_body["id"],
            }
        ],
        "total_cost": _cost(kwh, price),
        "total_energy": kwh,
        "total_energy_cost": _cost(kwh, price),
        "total_time": round(hours, 3),
        "last_updated": now(),
    }
