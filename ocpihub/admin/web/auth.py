"""Console sign-in and sign-out, and the guard every console form goes through."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

import structlog
from fastapi import APIRouter, Request
from starlette.responses import Response

from ocpihub.admin.web.console import Form, client_address, console_of, read_form, runtime_of
from ocpihub.admin.web.session import COOKIE, PRE_COOKIE, Session, sign_out
from ocpihub.errors import OcpiError
from ocpihub.hub.admin_token import check_admin_token

__all__ = ["act", "guard", "router"]

log = structlog.get_logger("ocpihub.console")

router = APIRouter()

Work = Callable[[Form], Awaitable[str]]


def _signin_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    console = console_of(request)
    pre = secrets.token_urlsafe(24)
    response = console.render(
        request, "signin.html", session=None, status=status, error=error, pre=pre
    )
    response.set_cookie(
        PRE_COOKIE,
        pre,
        max_age=3600,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=console.sessions.secure,
    )
    return response


@router.get("/admin/signin", include_in_schema=False)
async def signin_form(request: Request) -> Response:
    """The sign-in page."""
    return _signin_page(request)


@router.post("/admin/signin", include_in_schema=False)
async def signin(request: Request) -> Response:
    """Exchange the admin token for a session cookie (failures logged and limited)."""
    console = console_of(request)
    address = client_address(request)
    wait = console.limiter.retry_after(address)
    if wait:
        log.warning("console_signin_throttled", address=address, retry_after=wait)
        response = _signin_page(
            request, status=429, error=f"Too many failed sign-ins. Try again in {wait} s."
        )
        response.headers["Retry-After"] = str(wait)
        return response
    form = await read_form(request)
    pre = request.cookies.get(PRE_COOKIE, "")
    if not pre or not hmac.compare_digest(pre, form.get("csrf", "")):
        log.warning("console_csrf_refused", address=address, path=request.url.path)
        return _signin_page(
            request, status=403, error="The form had expired. Please sign in again."
        )
    expected = runtime_of(request).admin_token_hash
    token = form.get("token", "").strip()
    if not token or expected is None or not check_admin_token(token, expected):
        failures = console.limiter.failed(address)
        log.warning("console_signin_failed", address=address, failures=failures)
        return _signin_page(request, status=401, error="Wrong admin token.")
    console.limiter.succeeded(address)
    cookie, _ = console.sessions.issue()
    log.info("console_signed_in", address=address)
    response = console.redirect("/admin")
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=console.sessions.lifetime_seconds,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=console.sessions.secure,
    )
    response.delete_cookie(PRE_COOKIE, path="/admin")
    return response


@router.post("/admin/signout", include_in_schema=False)
async def signout(request: Request) -> Response:
    """End the session: recorded as signed out for every process, and the cookie removed."""
    console = console_of(request)
    checked = await guard(request)
    if isinstance(checked, Response):
        if checked.status_code == 303:  # no valid session: nothing to end but the cookie
            checked.delete_cookie(COOKIE, path="/admin")
        return checked
    session, _ = checked
    await sign_out(runtime_of(request).db, session)
    log.info("console_signed_out", address=client_address(request))
    response = console.redirect("/admin/signin", "Signed out.")
    response.delete_cookie(COOKIE, path="/admin")
    return response


async def guard(request: Request) -> tuple[Session, Form] | Response:
    """A form from a signed-in operator with the session's CSRF token; else the refusal."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return console.redirect("/admin/signin", "Please sign in.", error=True)
    form = await read_form(request)
    if not hmac.compare_digest(session.csrf, form.get("csrf", "")):
        log.warning("console_csrf_refused", address=client_address(request), path=request.url.path)
        return console.render(
            request,
            "refused.html",
            session=session,
            status=403,
            reason="The form was refused: its security (CSRF) token is missing or wrong. "
            "Reload the page and try again.",
        )
    return session, form


async def act(request: Request, work: Work, back: str, refused: str | None = None) -> Response:
    """Run one console form through :func:`guard`.

    ``work`` returns the message to show on ``back``; an OCPI error becomes the message
    instead (shown as an error, on ``refused`` when given), so every refusal names its reason.
    """
    console = console_of(request)
    checked = await guard(request)
    if isinstance(checked, Response):
        return checked
    _, form = checked
    try:
        message = await work(form)
    except OcpiError as exc:
        return console.redirect(refused or back, exc.message, error=True)
    return console.redirect(back, message)
