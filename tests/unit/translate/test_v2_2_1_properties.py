"""Properties of the 2.2.1 bridge over generated objects (hypothesis).

Valid 2.2.1 objects survive UP then DOWN unchanged with no loss, and UP always gives valid
2.3.0; valid 2.3.0 objects go DOWN to valid 2.2.1 and raise nothing but MissingContext.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.ocpi import v2_2_1, v2_3_0
from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext, TranslationContext
from ocpihub.translate.v2_2_1 import DOWN, UP
from tests.unit.ocpi import strategies_v2_2_1 as s221
from tests.unit.ocpi import strategies_v2_3_0 as s230

CTX = TranslationContext()
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_tables_cover_every_2_2_1_body() -> None:
    """UP and DOWN have a translator for every object that travels as a 2.2.1 body."""
    assert set(UP) == set(v2_2_1.MODELS)
    assert set(DOWN) == set(v2_2_1.MODELS)


@pytest.mark.parametrize("name", sorted(s221.BY_MODEL))
@SETTINGS
@given(data=st.data())
def test_up_then_down_gives_back_the_2_2_1_object(name: str, data: st.DataObject) -> None:
    """DOWN(UP(x)) == x with an empty loss report, and UP(x) is valid 2.3.0."""
    wire = dump(parse(v2_2_1.MODELS[name], data.draw(s221.BY_MODEL[name]())))
    doc = UP[name](wire, CTX)
    parse(v2_3_0.MODELS[name], doc)
    back, report = DOWN[name](doc, CTX)
    assert report.as_json() == []
    assert back == wire
    assert "_ocpihub" not in back


@pytest.mark.parametrize("name", sorted(set(s230.VALID) & set(DOWN)))
@SETTINGS
@given(data=st.data())
def test_down_gives_valid_2_2_1(name: str, data: st.DataObject) -> None:
    """A valid 2.3.0 object goes down to a valid 2.2.1 one (or MissingContext), never emitting
    ``_ocpihub``, and up again to a valid 2.3.0 one."""
    doc = dump(parse(v2_3_0.MODELS[name], data.draw(s230.VALID[name]())))
    try:
        out, _ = DOWN[name](doc, CTX)
    except MissingContext:
        return
    assert dump(parse(v2_2_1.MODELS[name], out)) == out
    assert "_ocpihub" not in out
    parse(v2_3_0.MODELS[name], UP[name](out, CTX))


def _owner_lookup(uid: str) -> dict[str, Any]:
    return {"country_code": "NL", "party_id": "EMS", "uid": uid}


@pytest.mark.parametrize("name", ["Session", "CDR"])
@SETTINGS
@given(data=st.data())
def test_2_2_cdr_token_gets_its_owner(name: str, data: st.DataObject) -> None:
    """A 2.2-style cdr_token (no country_code/party_id) goes up with the stored Token's owner
    and comes back down complete; everything else is unchanged."""
    wire = dump(parse(v2_2_1.MODELS[name], data.draw(s221.BY_MODEL[name]())))
    for key in ("country_code", "party_id"):
        wire["cdr_token"].pop(key)
    ctx = TranslationContext(token_by_uid=_owner_lookup)
    doc = UP[name](wire, ctx)
    parse(v2_3_0.MODELS[name], doc)
    back, report = DOWN[name](doc, ctx)
    assert not report
    assert back["cdr_token"] == {"country_code": "NL", "party_id": "EMS", **wire["cdr_token"]}
    assert {k: v for k, v in back.items() if k != "cdr_token"} == {
        k: v for k, v in wire.items() if k != "cdr_token"
    }
