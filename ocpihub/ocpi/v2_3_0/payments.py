"""Wire models of the OCPI 2.3.0 Payments module (core edition only; digest §3.9, §4.4).

A Payment Terminal Provider (PTP) owns Terminals and FinancialAdviceConfirmations; the CPO
assigns Locations/EVSEs to terminals and writes them back to the PTP. The module exists only in
the core 2.3.0 edition (digest §7 item 3), so nothing here has a 2.2.1 or 2.1.1 twin.

Request bodies and the model each one parses into (:data:`MODELS`):

- ``Terminal`` — a full Terminal: GET answers and the CPO's PUT to the PTP.
- ``TerminalCreate`` — the PTP's POST to the CPO. The spec's prose lets that body be "just the
  terminal id" (example ``payment_terminal_create_minimal.json``), so everything except
  ``terminal_id`` is optional here, ``last_updated`` included.
- ``TerminalActivation`` — the CPO's POST to ``terminals/activate``. The spec makes
  ``terminal_id`` optional there (the PTP has not issued it yet) and keeps every other
  cardinality, so ``last_updated`` stays required.
- ``TerminalPatch`` — the CPO's PATCH assigning ``location_ids``/``evse_uids``. Every field is
  optional, **including** ``last_updated``: unlike Locations, Sessions, Tokens and Bookings, the
  Payments chapter does not demand ``last_updated`` in PATCH bodies (digest §1.3 lists the
  modules that do) and its only PATCH example has none.
- ``FinancialAdviceConfirmation`` — the PTP's POST to the CPO and GET answers.

Spec inconsistencies and what we do (digest §3.9, §7 item 7):

- ``FinancialAdviceConfirmation.total_costs`` is a 2.3.0 ``Price`` (``before_taxes``/``taxes``)
  but every example writes the 2.2.1 shape ``{"excl_vat", "incl_vat"}``. Digest §4 says to parse
  both Price shapes and emit the version's own, so a 2.2.1-shaped value is converted on input with
  the digest §4.2 rule: ``before_taxes = excl_vat`` and, when ``incl_vat`` is given,
  ``taxes = [{"name": "VAT", "amount": incl_vat - excl_vat}]`` (rounded to 4 decimals, OCPI's
  default precision). The canonical spelling written back is the 2.3.0 one; the conversion is the
  only place where ``dump(parse(x)) != x`` for this module.
- ``currency`` is CiString(3) here (String(3) elsewhere) and ``eft_data`` items and
  ``capture_status_message`` are written ``CiString[1..255]``: we read that as printable ASCII of
  1 to 255 characters.
- ``eft_data`` is ``+`` (required, non-empty) although the failure example omits it; we follow
  the table, so that example is refused with 2001.
- ``payment_terminal_put_update.json`` is called a PUT but lacks ``terminal_id``: as a Terminal it
  is refused (the PUT body is a full Terminal); it is a valid ``TerminalPatch``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from ocpihub.ocpi.fields import CiString, DateTime, OcpiModel, Url, partial_model
from ocpihub.ocpi.v2_3_0.common import CiString36, CountryCode, GeoLocation, PartyId, Price
from ocpihub.ocpi.v2_3_0.enums import CaptureStatusCode, InvoiceCreator

__all__ = [
    "MODELS",
    "CaptureStatusCode",
    "FinancialAdviceConfirmation",
    "InvoiceCreator",
    "Terminal",
    "TerminalActivation",
    "TerminalCreate",
    "TerminalPatch",
]


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must be 1 to 255 characters, got an empty string")
    return value


CiString1To255 = Annotated[str, CiString(255), AfterValidator(_non_empty)]
"""The spec's ``CiString[1..255]``: printable ASCII, 1 to 255 characters."""


def _price_from_2_2_1_shape(value: object) -> object:
    """Turn a 2.2.1-shaped Price (``excl_vat``/``incl_vat``) into the 2.3.0 shape (digest §4.2).

    A 2.3.0-shaped value (or one that is neither shape) passes unchanged for Price to judge.
    """
    if not isinstance(value, dict) or "before_taxes" in value or "excl_vat" not in value:
        return value
    excl, incl = value["excl_vat"], value.get("incl_vat")
    if not _is_number(excl) or (incl is not None and not _is_number(incl)):
        raise ValueError("a 2.2.1-shaped Price needs a numeric excl_vat and incl_vat")
    rest = {k: v for k, v in value.items() if k not in ("excl_vat", "incl_vat")}
    converted: dict[str, object] = {"before_taxes": excl, **rest}
    if incl is not None:
        try:
            vat = round(float(incl) - float(excl), 4)
        except OverflowError:
            raise ValueError("excl_vat/incl_vat out of range") from None
        converted["taxes"] = [{"name": "VAT", "amount": vat}]
    return converted


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Terminal(OcpiModel):
    """One physical payment terminal and the Locations/EVSEs assigned to it."""

    terminal_id: CiString36
    customer_reference: CiString36 | None = None
    party_id: PartyId | None = None
    country_code: CountryCode | None = None
    address: Annotated[str, CiString(45)] | None = None
    city: Annotated[str, CiString(45)] | None = None
    postal_code: Annotated[str, CiString(10)] | None = None
    state: Annotated[str, CiString(20)] | None = None
    country: Annotated[str, CiString(3), StringConstraints(pattern=r"^[A-Za-z]{2,3}$")] | None = (
        None
    )
    coordinates: GeoLocation | None = None
    invoice_base_url: Url | None = None
    invoice_creator: InvoiceCreator | None = None
    reference: CiString36 | None = None
    location_ids: list[CiString36] | None = None
    evse_uids: list[CiString36] | None = None
    last_updated: DateTime


class TerminalCreate(Terminal):
    """POST body creating a Terminal at the CPO: may be just ``terminal_id`` (spec prose)."""

    last_updated: DateTime | None = None  # type: ignore[assignment]


class TerminalActivation(Terminal):
    """POST body of ``terminals/activate``: ``terminal_id`` is not issued yet, so optional."""

    terminal_id: CiString36 | None = None  # type: ignore[assignment]


TerminalPatch = partial_model(Terminal)
"""PATCH body assigning Locations/EVSEs to a Terminal: every field optional, ``last_updated``
included (see the module docstring)."""


class FinancialAdviceConfirmation(OcpiModel):
    """What the PTP captured for one authorisation, with the EFT lines the invoice must show."""

    id: CiString36
    authorization_reference: CiString36
    total_costs: Annotated[Price, BeforeValidator(_price_from_2_2_1_shape)]
    currency: Annotated[str, CiString(3), StringConstraints(pattern=r"^[A-Za-z]{3}$")]
    eft_data: Annotated[list[CiString1To255], Field(min_length=1)]
    capture_status_code: CaptureStatusCode
    capture_status_message: CiString1To255 | None = None
    last_updated: DateTime


MODELS: dict[str, type[OcpiModel]] = {
    "Terminal": Terminal,
    "TerminalCreate": TerminalCreate,
    "TerminalActivation": TerminalActivation,
    "TerminalPatch": TerminalPatch,
    "FinancialAdviceConfirmation": FinancialAdviceConfirmation,
}
