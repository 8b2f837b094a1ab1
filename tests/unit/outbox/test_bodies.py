"""TranslationCache: one translation per (version, object, payload), refusals never kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from ocpihub.model.outbox import Delivery, OutboxItem, Status
from ocpihub.outbox.bodies import TranslationCache
from ocpihub.outbox.delivery import prepare
from ocpihub.testing.payloads import location as sandbox_location
from ocpihub.translate import LossReport, from_canonical


def location() -> dict[str, Any]:
    """A canonical Location with two EVSEs."""
    return sandbox_location("NL", "CPO", "LOC1", evses=2, tariff_id="T1")


class Counting:
    """A translator that counts its calls and refuses payloads marked ``refuse``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(
        self, version: str, name: str, payload: dict[str, Any]
    ) -> tuple[dict[str, Any], LossReport]:
        self.calls.append((version, name))
        if payload.get("refuse"):
            raise ValueError("refused")
        return from_canonical(version, name, payload)


def test_receivers_on_one_version_share_one_translation() -> None:
    """Ten deliveries of one push (equal payloads, decoded separately) to three versions:
    three translations, each delivery given what a fresh translation gives."""
    inner = Counting()
    cache = TranslationCache(inner)
    doc = location()
    for version in ["2.2.1", "2.1.1", "2.3.0", "2.2.1", "2.1.1"] * 2:
        wire, loss = cache(version, "Location", orjson.loads(orjson.dumps(doc)))
        fresh, fresh_loss = from_canonical(version, "Location", doc)
        assert wire == fresh
        assert loss.as_json() == fresh_loss.as_json()
    assert sorted(inner.calls) == [
        ("2.1.1", "Location"),
        ("2.2.1", "Location"),
        ("2.3.0", "Location"),
    ]


def test_another_payload_is_translated_again() -> None:
    """A changed payload (the next push of the object) is never served the old body."""
    inner = Counting()
    cache = TranslationCache(inner)
    first = location()
    second = {**first, "name": "renamed"}
    assert cache("2.2.1", "Location", first)[0]["name"] == first["name"]
    assert cache("2.2.1", "Location", second)[0]["name"] == "renamed"
    assert len(inner.calls) == 2


def test_refusals_are_not_kept() -> None:
    """Every delivery of an untranslatable payload is refused by the translator itself."""
    inner = Counting()
    cache = TranslationCache(inner)
    for _ in range(2):
        with pytest.raises(ValueError, match="refused"):
            cache("2.2.1", "Location", {"refuse": True})
    assert len(inner.calls) == 2


def test_oldest_entries_go_first() -> None:
    """The cache is bounded: past its size, the least recently used entry is translated anew."""
    inner = Counting()
    cache = TranslationCache(inner, size=2)
    a, b, c = ({**location(), "name": n} for n in "abc")
    cache("2.2.1", "Location", a)
    cache("2.2.1", "Location", b)
    cache("2.2.1", "Location", a)  # a is now the most recent
    cache("2.2.1", "Location", c)  # evicts b
    cache("2.2.1", "Location", a)
    assert len(inner.calls) == 3
    cache("2.2.1", "Location", b)
    assert len(inner.calls) == 4


def test_a_receivers_backports_stay_its_own() -> None:
    """Two 2.2.1 receivers share one translation; the one whose profile back-ports a field
    gets it, the other (delivered after it) does not."""
    doc = location()
    doc["help_phone"] = "+31201234567"
    cache = TranslationCache(from_canonical)
    bodies = []
    for backports in (["location.help_phone"], []):
        prepared = prepare(
            item(doc),
            version="2.2.1",
            endpoint_url="http://r/ocpi/2.2.1/locations",
            hub_party=("NL", "HUB"),
            translate=cache,
            backports=backports,
        )
        bodies.append(orjson.loads(prepared.content or b"null"))
    assert bodies[0]["help_phone"] == "+31201234567"
    assert "help_phone" not in bodies[1]
    assert bodies[1] == from_canonical("2.2.1", "Location", doc)[0]


def item(payload: dict[str, Any]) -> OutboxItem:
    """An outbox item pushing ``payload`` as a Location."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return OutboxItem(
        id=1,
        status=Status.IN_FLIGHT,
        delivery=Delivery(
            receiver_platform_id=7,
            receiver_party=("DE", "MSP"),
            sender_party=("NL", "CPO"),
            module="locations",
            method="PUT",
            url_suffix="/NL/CPO/LOC1",
            ordering_key="locations:NL:CPO:LOC1",
            correlation_id="corr-1",
            object_name="Location",
            payload=orjson.loads(orjson.dumps(payload)),
        ),
        attempts=1,
        next_attempt_at=now,
        created_at=now,
        window_start=now,
        updated_at=now,
    )
