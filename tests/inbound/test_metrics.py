"""GET /metrics: Prometheus text with OCPI request counts and outbox gauges."""

from __future__ import annotations

from typing import Any

import httpx

from ocpihub.app import create_app


async def test_metrics_count_requests_and_show_outbox(make_settings: Any) -> None:
    """Answered OCPI requests are counted by version/module/status; outbox gauges are present."""
    app = create_app(make_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            assert (await client.get("/ocpi/versions")).status_code == 401
            assert (await client.get("/ocpi/2.3.0/locations/sender")).status_code == 401
            r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert (
        'ocpihub_requests_total{method="GET",module="versions",status="401",version=""} 1.0' in text
    )
    assert 'module="locations",status="401",version="2.3.0"} 1.0' in text
    assert 'ocpihub_outbox_items{status="DEAD"} 0.0' in text
    assert "ocpihub_request_seconds_bucket" in text
