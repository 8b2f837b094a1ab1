"""Per-partner metrics from the partner client's observations (no network, no database reads)."""

from __future__ import annotations

from prometheus_client import generate_latest

from ocpihub.metrics import Metrics
from ocpihub.outbound.client import Exchange
from ocpihub.store.db import Database


def exchange(status: int | None, body: bytes | None, **extra: object) -> Exchange:
    """One outbound call as the observer sees it."""
    return Exchange("PUT", "http://p/x", {}, None, status, body, 12.0, None, extra)


async def test_deliveries_failures_and_relays_are_counted() -> None:
    """Outbox attempts count per receiver and module, failures when not 2xx/1xxx; synchronous
    relays are timed per module; registration calls are neither."""
    db = Database("sqlite+aiosqlite:///:memory:")
    try:
        metrics = Metrics(db)  # no directory: platforms are labelled by id
        ok = b'{"status_code": 1000, "timestamp": "x"}'
        refused = b'{"data": null, "status_code": 2001}'
        await metrics.observe_outbound(
            exchange(200, ok, outbox_id=1, platform_id=7, module="locations")
        )
        await metrics.observe_outbound(
            exchange(200, refused, outbox_id=2, platform_id=7, module="locations")
        )
        await metrics.observe_outbound(
            exchange(None, None, outbox_id=3, platform_id=7, module="tariffs")
        )
        await metrics.observe_outbound(exchange(200, ok, platform_id=7, module="commands"))
        await metrics.observe_outbound(exchange(200, ok, platform_id=7, module="credentials"))
        await metrics.observe_inbound(7, b'..."status_code":2001,"timestamp":"x"}')
        text = generate_latest(metrics.registry).decode()
    finally:
        await db.close()
    assert 'ocpihub_deliveries_total{module="locations",platform="7"} 2.0' in text
    assert 'ocpihub_delivery_failures_total{module="locations",platform="7"} 1.0' in text
    assert 'ocpihub_delivery_failures_total{module="tariffs",platform="7"} 1.0' in text
    assert 'ocpihub_relay_seconds_count{module="commands"} 1.0' in text
    assert 'module="credentials"' not in text
    assert 'ocpihub_inbound_requests_total{ocpi_status="2001",platform="7"} 1.0' in text
