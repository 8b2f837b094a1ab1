"""Streamed (chunked) bodies are bounded, and refused callers are refused before their body.

A raw client sends a chunked body and never ends it: the hub must answer while the client is
still sending — 401 for a caller without a valid token, 413 once the body passes the limit —
instead of reading everything first.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
import pytest

from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.support.connect import connect

LIMIT = 20_000
CHUNK = b"x" * 4096


async def _unfinished_chunked(
    url: str, path: str, headers: dict[str, str], chunks: int, method: str = "POST"
) -> tuple[int, dict[str, Any] | None]:
    """Send ``chunks`` chunks of a never-finished chunked body; the status the hub answers."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        head = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        for _ in range(chunks):
            writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
        # no last chunk: a server that waits for the whole body never answers
        with contextlib.suppress(ConnectionError):  # the hub may stop reading: fine
            await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=20)
        response_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=20)
        length = 0
        for line in response_head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        body = await asyncio.wait_for(reader.readexactly(length), timeout=20) if length else b""
        return int(status_line.split()[1]), (orjson.loads(body) if body else None)
    finally:
        writer.close()


@pytest.fixture
async def small_hub(hub_factory: Any) -> RunningHub:
    """A hub accepting bodies of at most ``LIMIT`` bytes."""
    return await hub_factory(max_body_bytes=LIMIT)


async def test_admin_refuses_an_unauthenticated_stream_before_reading_it(
    small_hub: RunningHub,
) -> None:
    """An unauthenticated chunked POST to the admin API is answered 401 while it streams."""
    status, body = await _unfinished_chunked(
        small_hub.url, "/admin/api/platforms", {"Content-Type": "application/json"}, chunks=2
    )
    assert status == 401
    assert body is not None and "admin" in body["error"]


async def test_admin_stream_over_the_limit_is_refused(small_hub: RunningHub) -> None:
    """An authenticated admin POST streaming past the body limit gets 413 before it ends."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"}
    status, body = await _unfinished_chunked(
        small_hub.url, "/admin/api/platforms", headers, chunks=2 * LIMIT // len(CHUNK)
    )
    assert status == 413
    assert body is not None and str(LIMIT) in body["error"]


async def test_ocpi_refuses_an_unauthenticated_stream_before_reading_it(
    small_hub: RunningHub,
) -> None:
    """An OCPI PUT with an unknown token is answered 401 (OCPI envelope) while it streams."""
    headers = {"Content-Type": "application/json", "Authorization": "Token nobody-knows-this"}
    status, body = await _unfinished_chunked(
        small_hub.url, "/ocpi/2.3.0/locations/receiver/NL/ALF/LOC1", headers, 2, "PUT"
    )
    assert status == 401
    assert body is not None and body["status_code"] == 2000


async def test_ocpi_stream_over_the_limit_is_refused(
    small_hub: RunningHub, start_peer: Any
) -> None:
    """An authenticated OCPI PUT streaming past the limit gets 413 (2001) before it ends."""
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    await connect(small_hub.app.state.runtime.db, cpo, small_hub.versions_url)
    assert cpo.hub_token is not None
    headers = {"Content-Type": "application/json", "Authorization": f"Token {cpo.hub_token}"}
    status, body = await _unfinished_chunked(
        small_hub.url,
        "/ocpi/2.3.0/locations/receiver/NL/ALF/LOC1",
        headers,
        chunks=2 * LIMIT // len(CHUNK),
        method="PUT",
    )
    assert status == 413
    assert body is not None and body["status_code"] == 2001
