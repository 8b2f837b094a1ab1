"""``ocpihub.testing.payloads``: what the simulated partners send is valid in its version, and
translates to the older versions (as a 2.2.1 or 2.1.1 simulated CPO sends it)."""

from __future__ import annotations

import pytest

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import payloads
from ocpihub.translate import TranslationContext, from_canonical

TARIFF = payloads.tariff("XX", "CPO", "T1", 0.3)
LOCATION = payloads.location("XX", "CPO", "LOC1", evses=2, tariff_id="T1")
TOKEN = {"country_code": "XX", "party_id": "EM2", "uid": "U1", "type": "RFID", "contract_id": "C1"}
SESSION = payloads.session(
    "XX",
    "CPO",
    "S1",
    cdr_token=TOKEN,
    location_id="LOC1",
    evse_uid="LOC1-E2",
    start="2030-01-01T10:00:00Z",
    kwh=12.5,
    price_per_kwh=0.3,
    status="COMPLETED",
    end="2030-01-01T11:30:00Z",
)
CDR = payloads.cdr(
    "CDR1",
    session_body=SESSION,
    location_body=LOCATION,
    tariff_body=TARIFF,
    end=SESSION["end_date_time"],
)


@pytest.mark.parametrize(
    ("name", "doc"),
    [("Tariff", TARIFF), ("Location", LOCATION), ("Session", SESSION), ("CDR", CDR)],
)
@pytest.mark.parametrize("version", ["2.3.0", "2.2.1", "2.1.1"])
def test_cpo_objects_are_valid_in_every_version(name: str, doc: dict, version: str) -> None:
    """Each 2.3.0 object parses, and its translation to an older version parses there."""
    ctx = TranslationContext(
        country_code="XX", party_id="CPO", location_by_id={"LOC1": LOCATION}.get
    )
    wire, _ = from_canonical(version, name, doc, ctx)
    parse(model(version, name), wire)


@pytest.mark.parametrize("version", ["2.3.0", "2.2.1", "2.1.1"])
def test_tokens_are_valid_in_their_version(version: str) -> None:
    """An eMSP's Token of each version parses in that version."""
    parse(model(version, "Token"), payloads.token(version, "XX", "EM1", "XXEM10001"))


def test_cdr_is_priced_with_its_tariff() -> None:
    """The CDR carries its tariff and costs kWh x price, VAT on top."""
    assert CDR["tariffs"] == [TARIFF]
    assert CDR["total_cost"] == {"before_taxes": 3.75, "taxes": [{"name": "VAT", "amount": 0.79}]}
    assert CDR["total_time"] == 1.5
    assert CDR["cdr_location"]["evse_uid"] == "LOC1-E2"
