"""Traffic-log entries: module names from URLs, OCPI status, token redaction."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from ocpihub.ocpi.modules import module_of
from ocpihub.outbound.client import Exchange
from ocpihub.store.traffic import redact
from ocpihub.wiring import entry_from_exchange

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_module_of() -> None:
    """The module is the first path segment naming one; versions paths are 'versions'."""
    assert module_of("http://p/ocpi/2.2.1/locations/receiver/NL/ABC/1") == "locations"
    assert module_of("/ocpi/2.3.0/credentials") == "credentials"
    assert module_of("/ocpi/versions") == "versions"
    assert module_of("http://p/ocpi/2.3.0") == "versions"
    assert module_of("/health") is None


def test_redact_replaces_every_token_field() -> None:
    """Every 'token' key at any depth is redacted; other fields are kept."""
    body = {"data": {"token": "s3cret", "url": "u", "roles": [{"token": "x", "role": "CPO"}]}}

    assert redact(body) == {
        "data": {
            "token": "[redacted]",
            "url": "u",
            "roles": [{"token": "[redacted]", "role": "CPO"}],
        }
    }


def test_outbound_entry_keeps_no_authorization_and_redacts_credentials() -> None:
    """An outbound credentials call is logged without its Authorization header or token."""
    exchange = Exchange(
        method="POST",
        url="http://p/ocpi/2.3.0/credentials",
        request_headers={
            "Authorization": "Token c2VjcmV0",
            "X-Request-ID": "r1",
            "X-Correlation-ID": "c1",
        },
        request_body=orjson.dumps({"token": "secret-b", "url": "http://hub"}),
        status=200,
        response_body=orjson.dumps({"data": {"token": "secret-c"}, "status_code": 1000}),
        duration_ms=12.5,
    )
    row = entry_from_exchange(exchange, NOW).row(keep_bodies=True)
    text = orjson.dumps(row, default=str).decode()

    assert row["module"] == "credentials"
    assert row["ocpi_status"] == 1000
    assert (row["request_id"], row["correlation_id"]) == ("r1", "c1")
    assert "secret" not in text
    assert "c2VjcmV0" not in text
    assert "[redacted]" in row["request_body"]


def test_bodies_left_out_unless_asked() -> None:
    """Without the bodies setting, rows carry no bodies but still the OCPI status."""
    exchange = Exchange(
        "PUT",
        "http://p/locations/NL/A/1",
        {},
        b'{"id": "1"}',
        200,
        b'{"status_code": 2001, "status_message": "no"}',
        3.0,
    )
    row = entry_from_exchange(exchange, NOW).row(keep_bodies=False)

    assert (row["request_body"], row["response_body"]) == (None, None)
    assert row["ocpi_status"] == 2001


def test_credentials_redacted_by_content_whatever_the_url() -> None:
    """A credentials body sent to a URL that names no module is redacted all the same; a
    command's Token object (under ``token``) is kept; a cut body that may hold one is withheld."""
    exchange = Exchange(
        "POST",
        "http://p/partner-api/handshake",
        {"Authorization": "Token secret-a"},
        orjson.dumps({"token": "secret-b", "url": "http://hub/ocpi/versions"}),
        200,
        orjson.dumps({"data": {"token": "secret-c", "roles": []}, "status_code": 1000}),
        3.0,
    )
    row = entry_from_exchange(exchange, NOW).row(keep_bodies=True)
    assert row["module"] is None
    assert "secret" not in orjson.dumps(row, default=str).decode()
    assert row["response_body"].count("[redacted]") == 1

    command = {"response_url": "u", "token": {"uid": "ABC123", "type": "RFID"}}
    assert redact(command) == command

    cut = Exchange("GET", "http://p/x", {}, None, 200, b'{"data":{"token":"secret-d","ur', 1.0)
    cut_row = entry_from_exchange(cut, NOW).row(keep_bodies=True)
    assert "secret-d" not in cut_row["response_body"]
    assert cut_row["response_body"].startswith("[body withheld")
