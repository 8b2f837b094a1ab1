"""The OCPI transport layer through the real app (in-process ASGI): envelopes, errors, tokens, ids.

A tiny probe router is mounted on the hub's app to exercise the shared machinery (JSON body
reading, token-C-only authentication) exactly as module handlers use it.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ocpihub.app import create_app
from ocpihub.errors import InvalidParameters
from ocpihub.hub.platforms import add_platform
from ocpihub.inbound.auth import Caller, registered
from ocpihub.inbound.body import read_json
from ocpihub.inbound.responses import ocpi_response
from ocpihub.store import platforms as store

probe = APIRouter()


@probe.post("/ocpi/2.3.0/probe")
async def probe_post(request: Request, caller: Caller = Depends(registered)) -> Response:
    body = await read_json(request)
    return ocpi_response({"echo": body, "platform": caller.platform.name})


@probe.get("/ocpi/2.3.0/probe/boom")
async def probe_boom(caller: Caller = Depends(registered)) -> Response:
    raise RuntimeError("unexpected")


class Hub:
    def __init__(self, client: httpx.AsyncClient, token_a: str, token_c: str) -> None:
        self.client = client
        self.token_a = token_a
        self.token_c = token_c

    def auth(self, token: str, *, b64: bool = False) -> dict[str, str]:
        value = base64.b64encode(token.encode()).decode() if b64 else token
        return {"Authorization": f"Token {value}"}


@pytest.fixture
async def hub(make_settings: Any) -> AsyncIterator[Hub]:
    settings = make_settings(max_body_bytes=2000, public_url="https://hub.test")
    app = create_app(settings)
    app.include_router(probe)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        created = await add_platform(runtime.db, "p1", public_url=settings.public_url)
        async with runtime.db.write() as conn:
            await store.add_token(conn, created.platform.id, "token-c-value", "C")
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as client:
            yield Hub(client, created.token_a, "token-c-value")


async def test_versions_with_token_a_plain_and_base64(hub: Hub) -> None:
    """Token A opens /ocpi/versions whether sent plain or Base64-encoded."""
    for b64 in (False, True):
        r = await hub.client.get("/ocpi/versions", headers=hub.auth(hub.token_a, b64=b64))
        assert r.status_code == 200
        body = r.json()
        assert body["status_code"] == 1000
        assert body["timestamp"].endswith("Z")
        assert {v["version"] for v in body["data"]} == {"2.1.1", "2.2.1", "2.3.0"}


@pytest.mark.parametrize("header", [None, "Token wrong", "Bearer x", "Token "])
async def test_missing_or_unknown_token_is_401_envelope(hub: Hub, header: str | None) -> None:
    """No token, an unknown one or another scheme: HTTP 401 with an OCPI envelope."""
    headers = {"Authorization": header} if header is not None else {}
    r = await hub.client.get("/ocpi/versions", headers=headers)
    assert r.status_code == 401
    body = r.json()
    assert body["status_code"] == 2000
    assert body["status_message"]
    assert "data" not in body


async def test_token_a_refused_outside_registration(hub: Hub) -> None:
    """Token A works on versions but not on a functional endpoint (401)."""
    r = await hub.client.post("/ocpi/2.3.0/probe", headers=hub.auth(hub.token_a), json={"x": 1})
    assert r.status_code == 401
    assert "only valid for registration" in r.json()["status_message"]


async def test_token_c_accepted_both_encodings(hub: Hub) -> None:
    """Token C works raw and Base64-encoded on functional endpoints."""
    for b64 in (False, True):
        r = await hub.client.post(
            "/ocpi/2.3.0/probe", headers=hub.auth(hub.token_c, b64=b64), json={"x": 1}
        )
        assert r.status_code == 200
        assert r.json()["data"] == {"echo": {"x": 1}, "platform": "p1"}


async def test_plain_token_that_looks_like_base64_is_found_raw(
    hub: Hub, make_settings: Any
) -> None:
    """A plain token that happens to be valid Base64 is matched as sent (never decode first)."""
    runtime = hub.client._transport.app.state.runtime  # type: ignore[attr-defined]
    tricky = base64.b64encode(b"looks-encoded").decode()
    async with runtime.db.write() as conn:
        p = await store.get_platform_by_name(conn, "p1")
        assert p is not None
        await store.add_token(conn, p.id, tricky, "C")
    r = await hub.client.post("/ocpi/2.3.0/probe", headers=hub.auth(tricky), json={})
    assert r.status_code == 200


async def test_malformed_json_is_2001_400(hub: Hub) -> None:
    """A body that is not JSON: HTTP 400, OCPI 2001, a message that says so."""
    r = await hub.client.post(
        "/ocpi/2.3.0/probe",
        headers={**hub.auth(hub.token_c), "Content-Type": "application/json"},
        content=b'{"x": ',
    )
    assert r.status_code == 400
    body = r.json()
    assert body["status_code"] == 2001
    assert "not valid JSON" in body["status_message"]


async def test_wrong_content_type_is_2001_415(hub: Hub) -> None:
    """A body sent as text/plain is refused with 415 / 2001 naming the content type."""
    r = await hub.client.post(
        "/ocpi/2.3.0/probe",
        headers={**hub.auth(hub.token_c), "Content-Type": "text/plain"},
        content=b'{"x": 1}',
    )
    assert r.status_code == 415
    assert r.json()["status_code"] == 2001
    assert "text/plain" in r.json()["status_message"]


async def test_oversized_body_is_413_envelope(hub: Hub) -> None:
    """A body over the limit setting: 413 with an envelope, announced or streamed."""
    big = b'{"x": "' + b"a" * 3000 + b'"}'
    r = await hub.client.post(
        "/ocpi/2.3.0/probe",
        headers={**hub.auth(hub.token_c), "Content-Type": "application/json"},
        content=big,
    )
    assert r.status_code == 413
    assert r.json()["status_code"] == 2001

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 500

    r = await hub.client.post(
        "/ocpi/2.3.0/probe",
        headers={**hub.auth(hub.token_c), "Content-Type": "application/json"},
        content=chunks(),
    )
    assert r.status_code == 413
    assert "over the limit" in r.json()["status_message"]


async def test_unknown_path_is_404_envelope(hub: Hub) -> None:
    """An unknown endpoint answers 404 with an OCPI envelope naming the path."""
    r = await hub.client.get("/ocpi/2.3.0/nothing/here", headers=hub.auth(hub.token_c))
    assert r.status_code == 404
    assert r.json()["status_code"] == 2000
    assert "/ocpi/2.3.0/nothing/here" in r.json()["status_message"]


async def test_unknown_version_details_is_404(hub: Hub) -> None:
    """Details of a version the hub does not speak: 404 envelope."""
    r = await hub.client.get("/ocpi/9.9", headers=hub.auth(hub.token_c))
    assert r.status_code == 404
    assert "9.9" in r.json()["status_message"]


async def test_wrong_method_is_405_envelope(hub: Hub) -> None:
    """A method the endpoint does not allow: 405 with an envelope."""
    r = await hub.client.delete("/ocpi/versions", headers=hub.auth(hub.token_c))
    assert r.status_code == 405
    assert r.json()["status_code"] == 2000


async def test_unexpected_exception_is_3000_envelope(hub: Hub) -> None:
    """A bug in a handler still answers with an envelope (3000, HTTP 500), no stack trace."""
    r = await hub.client.get("/ocpi/2.3.0/probe/boom", headers=hub.auth(hub.token_c))
    assert r.status_code == 500
    body = r.json()
    assert body["status_code"] == 3000
    assert "unexpected" not in body["status_message"]


async def test_request_and_correlation_ids_echoed(hub: Hub) -> None:
    """Given ids are echoed; missing ones are generated."""
    r = await hub.client.get(
        "/ocpi/versions",
        headers={**hub.auth(hub.token_a), "X-Request-ID": "req-1", "X-Correlation-ID": "cor-1"},
    )
    assert r.headers["X-Request-ID"] == "req-1"
    assert r.headers["X-Correlation-ID"] == "cor-1"
    r = await hub.client.get("/ocpi/versions", headers=hub.auth(hub.token_a))
    assert len(r.headers["X-Request-ID"]) == 36
    assert len(r.headers["X-Correlation-ID"]) == 36
    r = await hub.client.get("/ocpi/versions")
    assert r.status_code == 401
    assert r.headers["X-Request-ID"]


async def test_admin_api_needs_admin_token(hub: Hub) -> None:
    """The admin API refuses calls without the bearer token (401, JSON error)."""
    r = await hub.client.get("/admin/api/platforms")
    assert r.status_code == 401
    assert "error" in r.json()
    r = await hub.client.get(
        "/admin/api/platforms", headers={"Authorization": "Bearer admin-secret"}
    )
    assert r.status_code == 200
    assert [p["name"] for p in r.json()] == ["p1"]


async def test_admin_create_platform_validates_roles(hub: Hub) -> None:
    """POST /admin/api/platforms issues token A; bad roles are refused naming the value."""
    admin = {"Authorization": "Bearer admin-secret"}
    r = await hub.client.post(
        "/admin/api/platforms",
        headers=admin,
        json={"name": "cpo", "roles": [{"role": "CPO", "country_code": "NL", "party_id": "ABC"}]},
    )
    assert r.status_code == 201
    created = r.json()
    assert set(created) == {"id", "name", "token_a", "versions_url"}
    assert created["versions_url"] == "https://hub.test/ocpi/versions"
    r = await hub.client.post(
        "/admin/api/platforms",
        headers=admin,
        json={"name": "bad", "roles": [{"role": "CPO", "country_code": "NLD", "party_id": "A"}]},
    )
    assert r.status_code == 400
    assert "NLD" in r.json()["error"]
    r = await hub.client.post("/admin/api/platforms", headers=admin, json={"name": "cpo"})
    assert r.status_code == 400
    assert "exists" in r.json()["error"]


def test_hub_codes_are_translated_for_211_callers() -> None:
    """2.1.1 callers never see 2004 or 4xxx: they get 2000 / 3000 with the code in the text."""
    from ocpihub.errors import UnknownReceiver, UnknownToken
    from ocpihub.inbound.responses import _for_211

    hub = _for_211(UnknownReceiver("no such party"))
    assert (hub.status_code, hub.http_status) == (3000, 200)
    assert "hub status 4001" in hub.message
    unknown = _for_211(UnknownToken())
    assert (unknown.status_code, unknown.http_status) == (2000, 404)
    kept = InvalidParameters("x")
    assert _for_211(kept) is kept
