"""Money the hub computes while translating: one rounding rule for every version.

OCPI numbers carry at most four decimals. An amount the hub *divides* (the net price of a gross
2.3.0 tariff price and its VAT, for 2.2.1 and 2.1.1 receivers) is computed in decimal
arithmetic on the values as written and rounded once, half-even, to four decimals. A total the
hub *adds up* (2.2.1 ``incl_vat`` from ``before_taxes`` and the tax amounts) is the exact
decimal sum of its parts as sent (:func:`total_of`): it has no more decimals than they have,
so it always equals its parts and is never rounded apart from them. Amounts the hub only
relays are sent as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["DECIMALS", "money", "net_of", "total_of"]

DECIMALS = 4
_QUANTUM = Decimal(1).scaleb(-DECIMALS)


def _decimal(value: float) -> Decimal:
    # the shortest repr: 0.1 is 0.1, not 0.1000000000000000055511151231257827
    return Decimal(repr(float(value)))


def money(value: Decimal) -> float:
    """``value`` rounded half-even to four decimals, as a JSON number."""
    return float(value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN))


def net_of(gross: float, vat_percent: float) -> float:
    """The net price of ``gross`` at ``vat_percent`` VAT, rounded once."""
    return money(_decimal(gross) / (1 + _decimal(vat_percent) / 100))


def total_of(*parts: float) -> float:
    """The exact decimal sum of ``parts`` (``0.1 + 0.2`` is ``0.3``), not rounded."""
    return float(sum((_decimal(p) for p in parts), Decimal(0)))
