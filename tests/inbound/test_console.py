"""The console's sign-in, session cookie, CSRF and rate limit, through the real app in process."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ocpihub.app import create_app

ADMIN = "admin-secret"


@pytest.fixture
async def console(make_settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a hub's console (no redirects followed)."""
    app = create_app(make_settings(admin_token=ADMIN, console_signin_failures=3))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def csrf_of(page: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, token: str = ADMIN) -> httpx.Response:
    """Load the sign-in form and submit ``token`` with its CSRF token."""
    form = await client.get("/admin/signin")
    return await client.post("/admin/signin", data={"token": token, "csrf": csrf_of(form.text)})


async def test_pages_need_a_session(console: httpx.AsyncClient) -> None:
    """Every page redirects to the sign-in page without a session, and forms are refused."""
    for path in (
        "/admin",
        "/admin/agreements",
        "/admin/deliveries",
        "/admin/traffic",
        "/admin/enums",
        "/admin/traffic.csv",
        "/admin/platforms/1",
    ):
        r = await console.get(path)
        assert (r.status_code, r.headers["location"]) == (303, "/admin/signin"), path
    r = await console.post("/admin/agreements", data={"party_a": "NL-AAA", "party_b": "DE-BBB"})
    assert (r.status_code, r.headers["location"]) == (303, "/admin/signin")


async def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(
    console: httpx.AsyncClient,
) -> None:
    """A signed, HttpOnly, SameSite=Strict cookie scoped to /admin; sign-out removes it."""
    r = await sign_in(console)
    assert (r.status_code, r.headers["location"]) == (303, "/admin")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("ocpihub_console="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert ADMIN not in cookie
    page = await console.get("/admin")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for path in ("/admin/agreements", "/admin/deliveries", "/admin/traffic", "/admin/enums"):
        assert (await console.get(path)).status_code == 200, path

    forged = console.cookies["ocpihub_console"][:-3] + "AAA"
    console.cookies.set("ocpihub_console", forged, path="/admin")
    assert (await console.get("/admin")).status_code == 303
    await sign_in(console)
    out = await console.post("/admin/signout", data={"csrf": csrf_of(page.text)})
    assert out.headers["location"] == "/admin/signin"
    assert (
        "ocpihub_console=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    )


async def test_a_signed_out_session_is_refused_even_when_its_cookie_was_copied(
    console: httpx.AsyncClient,
) -> None:
    """Sign-out ends the session on the server: the same cookie, replayed, gets no page."""
    await sign_in(console)
    copied = console.cookies["ocpihub_console"]
    page = await console.get("/admin")
    assert page.status_code == 200
    out = await console.post("/admin/signout", data={"csrf": csrf_of(page.text)})
    assert (out.status_code, out.headers["location"]) == (303, "/admin/signin")
    console.cookies.clear()
    console.cookies.set("ocpihub_console", copied, path="/admin")
    replayed = await console.get("/admin")
    assert (replayed.status_code, replayed.headers["location"]) == (303, "/admin/signin")
    r = await console.post("/admin/agreements", data={"csrf": csrf_of(page.text)})
    assert (r.status_code, r.headers["location"]) == (303, "/admin/signin")
    console.cookies.clear()
    await sign_in(console)  # a new session works
    assert (await console.get("/admin")).status_code == 200


async def test_csrf_token_is_required(console: httpx.AsyncClient) -> None:
    """A signed-in form without the session's CSRF token is refused (403) and does nothing."""
    await sign_in(console)
    for data in ({}, {"csrf": "guessed"}):
        r = await console.post(
            "/admin/enums", data={"enum": "ConnectorType", "value": "X_PLUG", **data}
        )
        assert r.status_code == 403
        assert "CSRF" in r.text
    assert "X_PLUG" not in (await console.get("/admin/enums")).text
    page = await console.get("/admin/enums")
    ok = await console.post(
        "/admin/enums",
        data={"enum": "ConnectorType", "value": "X_PLUG", "csrf": csrf_of(page.text)},
    )
    assert ok.status_code == 303
    assert "X_PLUG" in (await console.get("/admin/enums")).text
    # the sign-in form has its own token, tied to a cookie set with the form
    r = await console.post("/admin/signin", data={"token": ADMIN, "csrf": "x"})
    assert r.status_code == 403


async def test_failed_sign_ins_are_limited_and_logged(
    console: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the configured number of failures, even the right token is refused for a while."""
    for _ in range(3):
        r = await sign_in(console, "wrong")
        assert r.status_code == 401
        assert "Wrong admin token" in r.text
    r = await sign_in(console)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "ocpihub_console=" not in r.headers.get("set-cookie", "")
    logged = capsys.readouterr()
    assert "console_signin_failed" in logged.out + logged.err
    assert "console_signin_throttled" in logged.out + logged.err


async def test_traffic_entry_shows_bodies_when_kept(make_settings: Any) -> None:
    """With traffic_log_bodies on, an entry's page shows its bodies; a bad filter is named."""
    app = create_app(make_settings(admin_token=ADMIN, traffic_log_bodies=True))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            answered = await client.get("/ocpi/versions", headers={"Authorization": "Token x"})
            assert answered.status_code == 401
            await app.state.traffic.flush()
            await sign_in(client)
            listing = await client.get("/admin/traffic?direction=IN")
            entry_id = re.search(r'href="/admin/traffic/(\d+)"', listing.text)
            assert entry_id, listing.text
            entry = await client.get(f"/admin/traffic/{entry_id.group(1)}")
            assert entry.status_code == 200
            assert "Response body" in entry.text and "status_code" in entry.text
            refused = await client.get("/admin/traffic?party=nonsense")
            assert "party &#39;nonsense&#39; must have the form CC-PID" in refused.text
            exported = await client.get("/admin/traffic.csv?direction=IN")
            assert exported.headers["content-type"].startswith("text/csv")
            assert exported.text.splitlines()[0].startswith("id,at,direction,platform_id")
