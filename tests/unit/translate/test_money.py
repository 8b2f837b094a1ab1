"""Money the hub computes: net prices rounded once, half-even, to four decimals; exact sums."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.translate.money import net_of, total_of

prices = st.decimals(min_value=0, max_value=10_000, places=4).map(float)
vats = st.decimals(min_value=0, max_value=50, places=2).map(float)


def test_the_issue_example() -> None:
    """0.30 gross at 21 % VAT is 0.2479 net, not 0.24793388429752067."""
    assert net_of(0.30, 21) == 0.2479
    assert net_of(2.20, 10) == 2.0
    assert net_of(0.00005, 0) == 0.0  # half-even: 0.00005 -> 0.0000
    assert net_of(0.00015, 0) == 0.0002  # half-even: 0.00015 -> 0.0002


@settings(max_examples=300, deadline=None)
@given(prices, vats)
def test_net_prices_have_four_decimals_rounded_half_even(gross: float, vat: float) -> None:
    """Any net price has at most four decimals and is the exact quotient rounded half-even."""
    net = net_of(gross, vat)
    exact = Decimal(repr(gross)) / (1 + Decimal(repr(vat)) / 100)
    assert Decimal(repr(net)) == exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    assert -Decimal(repr(net)).as_tuple().exponent <= 4  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(st.lists(prices, min_size=1, max_size=5))
def test_totals_equal_their_parts(parts: list[float]) -> None:
    """A total is the exact decimal sum of its parts: four-decimal parts give a four-decimal
    total equal to them (no float residue such as 0.30000000000000004)."""
    total = total_of(*parts)
    assert Decimal(repr(total)) == sum(Decimal(repr(p)) for p in parts)
