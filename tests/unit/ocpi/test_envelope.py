"""The response envelope."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from ocpihub.ocpi.envelope import envelope, envelope_bytes


def test_success_envelope_has_all_fields() -> None:
    """data, status_code and a UTC timestamp with Z."""
    body = envelope({"a": 1}, timestamp=datetime(2024, 1, 2, 3, 4, 5, 123, tzinfo=UTC))
    assert body == {"data": {"a": 1}, "status_code": 1000, "timestamp": "2024-01-02T03:04:05Z"}


def test_error_envelope_has_message_and_no_data() -> None:
    """An error envelope carries status_message and leaves data out."""
    body = orjson.loads(envelope_bytes(None, 2001, "field x missing"))
    assert body["status_code"] == 2001
    assert body["status_message"] == "field x missing"
    assert "data" not in body
    assert body["timestamp"].endswith("Z")


def test_data_can_be_left_out_on_success() -> None:
    """Where the spec says nothing of data, the envelope can omit it."""
    assert "data" not in envelope({"x": 1}, include_data=False)


def test_empty_list_is_kept() -> None:
    """An empty list is data, not absence."""
    assert envelope([])["data"] == []
