"""Building the request for an outbox item: body choice, translation, headers, endpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ocpihub.model.outbox import Delivery, OutboxItem, Status
from ocpihub.model.parties import Endpoint
from ocpihub.outbox.delivery import Undeliverable, pick_endpoint, prepare
from ocpihub.translate import LossReport

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def item(**overrides: Any) -> OutboxItem:
    values: dict[str, Any] = {
        "receiver_platform_id": 7,
        "receiver_party": ("DE", "MSP"),
        "sender_party": ("NL", "CPO"),
        "module": "locations",
        "method": "PUT",
        "url_suffix": "/NL/CPO/LOC1",
        "ordering_key": "locations:NL:CPO:LOC1",
        "correlation_id": "corr-1",
        "object_name": "Location",
        "payload": {"id": "LOC1", "_ocpihub": {"secret": 1}},
    }
    values.update(overrides)
    return OutboxItem(
        id=1,
        status=Status.IN_FLIGHT,
        delivery=Delivery(**values),
        attempts=1,
        next_attempt_at=NOW,
        created_at=NOW,
        window_start=NOW,
        updated_at=NOW,
    )


def down(version: str, name: str, doc: dict[str, Any]) -> tuple[dict[str, Any], LossReport]:
    loss = LossReport()
    loss.add("publish", True, f"{version} has no publish")
    return {**doc, "translated_to": version}, loss


def refuse(version: str, name: str, doc: dict[str, Any]) -> tuple[dict[str, Any], LossReport]:
    raise ValueError(f"no {version} translator for {name}")


def test_same_version_forwards_the_original_untouched() -> None:
    """When the receiver speaks the sender's version, the original payload goes as it came."""
    original = {"id": "LOC1", "odd_field": [1, 2]}
    p = prepare(
        item(original=original, original_version="2.2.1"),
        version="2.2.1",
        endpoint_url="http://r/ocpi/2.2.1/locations/receiver",
        hub_party=("NL", "HUB"),
        translate=down,
    )

    assert original == p.body
    assert p.loss_report is None
    assert p.url == "http://r/ocpi/2.2.1/locations/receiver/NL/CPO/LOC1"


def test_other_version_is_translated_at_delivery_time_with_loss_report() -> None:
    """A receiver on another version gets the canonical translated, with its loss report."""
    p = prepare(
        item(original={"id": "LOC1"}, original_version="2.3.0"),
        version="2.1.1",
        endpoint_url="http://r/locations/",
        hub_party=("NL", "HUB"),
        translate=down,
    )

    assert p.body == {"id": "LOC1", "translated_to": "2.1.1"}
    assert p.loss_report is not None
    assert p.loss_report.paths() == ["publish"]


def test_hub_private_key_never_leaves_the_hub() -> None:
    """The top-level _ocpihub key is stripped from what 2.3.0 receivers get."""
    p = prepare(
        item(),
        version="2.3.0",
        endpoint_url="http://r",
        hub_party=("NL", "HUB"),
        translate=lambda v, n, d: (dict(d), LossReport()),
    )

    assert p.body == {"id": "LOC1"}


def test_broadcast_headers_name_the_hub_as_sender() -> None:
    """Broadcast: from = hub, to = receiving party; a new request id, the same correlation id."""
    p = prepare(
        item(broadcast=True),
        version="2.3.0",
        endpoint_url="http://r",
        hub_party=("NL", "HUB"),
        translate=down,
    )
    q = prepare(
        item(), version="2.3.0", endpoint_url="http://r", hub_party=("NL", "HUB"), translate=down
    )

    assert (p.headers["OCPI-from-country-code"], p.headers["OCPI-from-party-id"]) == ("NL", "HUB")
    assert (p.headers["OCPI-to-country-code"], p.headers["OCPI-to-party-id"]) == ("DE", "MSP")
    assert (q.headers["OCPI-from-country-code"], q.headers["OCPI-from-party-id"]) == ("NL", "CPO")
    assert "corr-1" == p.headers["X-Correlation-ID"] == q.headers["X-Correlation-ID"]
    assert p.headers["X-Request-ID"] != q.headers["X-Request-ID"]


def test_no_routing_headers_towards_211_or_configuration_modules() -> None:
    """2.1.1 receivers and hubclientinfo pushes carry no OCPI-from/-to headers."""
    for version, module in (("2.1.1", "locations"), ("2.3.0", "hubclientinfo")):
        p = prepare(
            item(module=module),
            version=version,
            endpoint_url="http://r",
            hub_party=("NL", "HUB"),
            translate=down,
        )
        assert not [h for h in p.headers if h.startswith("OCPI-")]
        assert p.headers["X-Correlation-ID"] == "corr-1"


def test_translation_failure_is_undeliverable() -> None:
    """A translator's refusal makes the item undeliverable, naming object and version."""
    with pytest.raises(Undeliverable, match=r"cannot translate Location to OCPI 2\.2\.1"):
        prepare(
            item(),
            version="2.2.1",
            endpoint_url="http://r",
            hub_party=("NL", "HUB"),
            translate=refuse,
        )


def test_bodiless_delete() -> None:
    """A delivery without payload sends no body."""
    p = prepare(
        item(method="DELETE", payload=None, object_name=None),
        version="2.3.0",
        endpoint_url="http://r",
        hub_party=("NL", "HUB"),
        translate=refuse,
    )

    assert p.body is None
    assert p.method == "DELETE"


def test_pick_endpoint_by_module_and_role() -> None:
    """The receiver's endpoint is chosen by module and interface role; 2.1.1 ignores the role."""
    endpoints = [
        Endpoint("locations", "SENDER", "http://s"),
        Endpoint("locations", "RECEIVER", "http://r"),
    ]

    assert pick_endpoint(endpoints, "locations", "RECEIVER", "2.2.1").url == "http://r"
    assert (
        pick_endpoint(
            [Endpoint("locations", "SENDER", "http://x")], "locations", "RECEIVER", "2.1.1"
        ).url
        == "http://x"
    )
    with pytest.raises(Undeliverable, match="no tariffs RECEIVER endpoint"):
        pick_endpoint(endpoints, "tariffs", "RECEIVER", "2.2.1")
