"""OCPI 2.3.0 Payments wire models: the spec's examples, bad input, round trips, fuzzing."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import OcpiModel, dump, parse
from ocpihub.ocpi.v2_3_0.payments import (
    MODELS,
    FinancialAdviceConfirmation,
    Terminal,
    TerminalActivation,
    TerminalCreate,
    TerminalPatch,
)
from tests.examples import example_files, load_example
from tests.unit.ocpi import strategies_v2_3_0_pb as s

EDITION = "2.3.0"

# the model of each payments example, from the examples README table
TERMINAL_EXAMPLES: dict[str, type[OcpiModel]] = {
    "payment_terminal_activate.json": TerminalActivation,
    "payment_terminal_create.json": TerminalCreate,
    "payment_terminal_create_minimal.json": TerminalCreate,
    "payment_terminal_example_assigned_locations.json": Terminal,
    "payment_terminal_example_assigned_locations_assigned_evses.json": Terminal,
    "payment_terminal_example_newly_created.json": Terminal,
    "payment_terminal_location_assignment.json": TerminalPatch,
}
FAC_SUCCESS_EXAMPLES = [
    "payment_financial_advice_confirmation_create.json",
    "payment_financial_advice_confirmation_example_success.json",
]
REFUSED_EXAMPLES = [
    "payment_financial_advice_confirmation_example_failure.json",
    "payment_terminal_put_update.json",
]


def test_every_payments_example_is_covered() -> None:
    """Each payment_*.json of the 2.3.0 examples has an expectation in this file."""
    names = {p.name for p in example_files(EDITION) if p.name.startswith("payment_")}
    assert names == set(TERMINAL_EXAMPLES) | set(FAC_SUCCESS_EXAMPLES) | set(REFUSED_EXAMPLES)


@pytest.mark.parametrize(("name", "model"), sorted(TERMINAL_EXAMPLES.items()))
def test_terminal_example_parses_and_round_trips(name: str, model: type[OcpiModel]) -> None:
    """A Terminal example parses into its body model and dumps back byte-for-byte equal."""
    data = load_example(EDITION, name)
    obj = parse(model, data)
    assert dump(obj) == data


@pytest.mark.parametrize("name", FAC_SUCCESS_EXAMPLES)
def test_fac_example_total_costs_is_normalised_to_the_2_3_0_price(name: str) -> None:
    """A FAC example's 2.2.1-shaped total_costs becomes before_taxes + a VAT TaxAmount (§4.2)."""
    data = load_example(EDITION, name)
    obj = parse(FinancialAdviceConfirmation, data)
    expected = copy.deepcopy(data)
    expected["total_costs"] = {"before_taxes": 4.0, "taxes": [{"name": "VAT", "amount": 0.4}]}
    assert dump(obj) == expected
    assert dump(parse(FinancialAdviceConfirmation, dump(obj))) == expected


def test_fac_failure_example_is_refused_for_missing_eft_data() -> None:
    """The failure example omits eft_data, which the table makes required (+) (digest §3.9)."""
    data = load_example(EDITION, "payment_financial_advice_confirmation_example_failure.json")
    with pytest.raises(InvalidParameters) as err:
        parse(FinancialAdviceConfirmation, data)
    assert err.value.message == "eft_data: field required"
    assert err.value.status_code == 2001


def test_terminal_put_example_is_refused_as_terminal_but_is_a_valid_patch() -> None:
    """The partial 'PUT' example lacks terminal_id (digest §3.9); as a PATCH body it is fine."""
    data = load_example(EDITION, "payment_terminal_put_update.json")
    with pytest.raises(InvalidParameters) as err:
        parse(Terminal, data)
    assert err.value.message == "terminal_id: field required"
    assert dump(parse(TerminalPatch, data)) == data


def test_terminal_patch_does_not_require_last_updated() -> None:
    """A Terminal PATCH without last_updated is accepted (Payments does not demand it)."""
    assert dump(parse(TerminalPatch, {"evse_uids": ["E1"]})) == {"evse_uids": ["E1"]}


def test_terminal_create_needs_terminal_id() -> None:
    """The minimal POST body still needs terminal_id."""
    with pytest.raises(InvalidParameters) as err:
        parse(TerminalCreate, {"city": "Vienna"})
    assert err.value.message == "terminal_id: field required"


def test_terminal_activation_needs_last_updated_but_not_terminal_id() -> None:
    """Activation drops terminal_id's requirement only; last_updated stays required."""
    assert dump(parse(TerminalActivation, {"last_updated": "2024-01-01T00:00:00Z"})) == {
        "last_updated": "2024-01-01T00:00:00Z"
    }
    with pytest.raises(InvalidParameters) as err:
        parse(TerminalActivation, {"reference": "SN-1"})
    assert err.value.message == "last_updated: field required"


def test_full_terminal_requires_last_updated() -> None:
    """A full Terminal (GET answer, PUT body) must carry last_updated."""
    with pytest.raises(InvalidParameters) as err:
        parse(Terminal, {"terminal_id": "T1"})
    assert err.value.message == "last_updated: field required"


def test_legacy_price_without_incl_vat_has_no_taxes() -> None:
    """excl_vat alone becomes before_taxes with no taxes list (digest §4.2)."""
    data = _fac(total_costs={"excl_vat": 2.5})
    assert dump(parse(FinancialAdviceConfirmation, data))["total_costs"] == {"before_taxes": 2.5}


def test_2_3_0_price_is_kept_as_given() -> None:
    """A 2.3.0-shaped total_costs round-trips untouched."""
    costs = {"before_taxes": 10, "taxes": [{"name": "VAT", "percentage": 21, "amount": 2.1}]}
    data = _fac(total_costs=costs)
    assert dump(parse(FinancialAdviceConfirmation, data)) == data


def test_legacy_price_with_non_numeric_amount_is_refused() -> None:
    """A 2.2.1-shaped Price with a string amount is a 2001 naming total_costs."""
    with pytest.raises(InvalidParameters) as err:
        parse(FinancialAdviceConfirmation, _fac(total_costs={"excl_vat": "4", "incl_vat": 4.4}))
    assert err.value.message == (
        "total_costs: a 2.2.1-shaped Price needs a numeric excl_vat and incl_vat "
        "(got {'excl_vat': '4', 'incl_vat': 4.4})"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"capture_status_code": "DONE"},
            "capture_status_code: Input should be 'SUCCESS', 'PARTIAL_SUCCESS' or 'FAILED' "
            "(got 'DONE')",
        ),
        (
            {"eft_data": []},
            "eft_data: List should have at least 1 item after validation, not 0 (got [])",
        ),
        (
            {"eft_data": ["ok", ""]},
            "eft_data[1]: must be 1 to 255 characters, got an empty string (got '')",
        ),
        ({"currency": "EURO"}, "currency: String should have at most 3 characters (got 'EURO')"),
        (
            {"authorization_reference": "ref-\u00e9"},
            "authorization_reference: must be printable ASCII: 'ref-é' (got 'ref-é')",
        ),
        (
            {"last_updated": "yesterday"},
            "last_updated: not an OCPI DateTime: 'yesterday' (got 'yesterday')",
        ),
    ],
)
def test_bad_fac_field_is_a_2001_naming_path_and_value(
    changes: dict[str, Any], message: str
) -> None:
    """One bad FAC field gives a 2001 whose message names the field and the value."""
    with pytest.raises(InvalidParameters) as err:
        parse(FinancialAdviceConfirmation, _fac(**changes))
    assert err.value.message == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"terminal_id": "x" * 37},
            "terminal_id: String should have at most 36 characters (got '" + "x" * 37 + "')",
        ),
        (
            {"invoice_creator": "EMSP"},
            "invoice_creator: Input should be 'CPO' or 'PTP' (got 'EMSP')",
        ),
        (
            {"location_ids": ["L1", 7]},
            "location_ids[1]: Input should be a valid string (got 7)",
        ),
        (
            {"coordinates": {"latitude": "51.0"}},
            "coordinates.longitude: field required",
        ),
    ],
)
def test_bad_terminal_field_is_a_2001_naming_path_and_value(
    changes: dict[str, Any], message: str
) -> None:
    """One bad Terminal field gives a 2001 whose message names the JSON path and the value."""
    data = {"terminal_id": "T1", "last_updated": "2024-01-01T00:00:00Z", **changes}
    with pytest.raises(InvalidParameters) as err:
        parse(Terminal, data)
    assert err.value.message == message


def test_models_lists_every_payments_body() -> None:
    """MODELS names each payments body model under its class name."""
    assert {name: model.__name__ for name, model in MODELS.items()} == {
        name: name for name in MODELS
    }
    assert set(MODELS) == {
        "Terminal",
        "TerminalCreate",
        "TerminalActivation",
        "TerminalPatch",
        "FinancialAdviceConfirmation",
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s.terminals)
def test_generated_terminals_parse_and_round_trip(data: dict[str, Any]) -> None:
    """Any valid Terminal parses (also as POST, activation and PATCH body) and dumps unchanged."""
    for model in (Terminal, TerminalCreate, TerminalActivation, TerminalPatch):
        assert dump(parse(model, data)) == data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s.financial_advice_confirmations)
def test_generated_facs_parse_and_round_trip(data: dict[str, Any]) -> None:
    """Any valid FinancialAdviceConfirmation parses and dumps unchanged."""
    assert dump(parse(FinancialAdviceConfirmation, data)) == data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(MODELS)),
    s.json_values | s.mutated(s.terminals) | s.mutated(s.financial_advice_confirmations),
)
def test_garbage_raises_only_invalid_parameters(name: str, data: Any) -> None:
    """Arbitrary JSON into any payments model either parses or raises InvalidParameters."""
    with contextlib.suppress(InvalidParameters):
        parse(MODELS[name], data)


def _fac(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "F1",
        "authorization_reference": "AUTH1",
        "total_costs": {"before_taxes": 1.0},
        "currency": "EUR",
        "eft_data": ["Visa"],
        "capture_status_code": "SUCCESS",
        "last_updated": "2024-01-01T00:00:00Z",
    }
    data.update(changes)
    return data
