"""The console's plumbing: its state on the app, page rendering, forms, flash messages.

``Console`` is built by ``app.py`` and kept as ``app.state.console``. Pages are Jinja2
templates (autoescaped) rendered on the server; every answer is ``no-store``, may not be
framed, and may load nothing but the console's own stylesheet (no scripts at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ocpihub.admin.web.charts import exchange_chart
from ocpihub.admin.web.session import (
    COOKIE,
    ConsoleSessions,
    Session,
    SignInLimiter,
    is_signed_out,
)
from ocpihub.runtime import Runtime

__all__ = ["FLASH_COOKIE", "MAX_FORM_BYTES", "Console", "Form", "console_of", "read_form"]

HERE = Path(__file__).resolve().parent
FLASH_COOKIE = "ocpihub_console_flash"
MAX_FORM_BYTES = 65_536
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _when(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    text: str = value.strftime("%Y-%m-%d %H:%M:%S")
    return text + " UTC"


def _age(seconds: float) -> str:
    if seconds < 1:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _rate(value: float) -> str:
    return f"{value:g} requests/s" if value else "no limit"


@dataclass
class Console:
    """What the console keeps per process: sessions, the sign-in limiter, the templates."""

    sessions: ConsoleSessions
    limiter: SignInLimiter

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["when"] = _when
        self.templates.filters["age"] = _age
        self.templates.filters["rate"] = _rate
        self.templates.globals["chart"] = exchange_chart

    async def session(self, request: Request) -> Session | None:
        """The signed-in operator's session, if the request carries a valid one that was not
        signed out."""
        session = self.sessions.read(request.cookies.get(COOKIE))
        if session is None or await is_signed_out(runtime_of(request).db, session):
            return None
        return session

    def render(
        self,
        request: Request,
        template: str,
        *,
        session: Session | None,
        status: int = 200,
        **context: Any,
    ) -> Response:
        """A page: the template with the session's CSRF token and the pending flash message."""
        flash = request.cookies.get(FLASH_COOKIE)
        kind, _, text = unquote(flash or "").partition(":")
        body = self.templates.get_template(template).render(
            csrf=session.csrf if session else "",
            signed_in=session is not None,
            flash={"kind": kind, "text": text} if text else None,
            path=request.url.path,
            **context,
        )
        response = HTMLResponse(body, status_code=status, headers=HEADERS)
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/admin")
        return response

    def redirect(self, to: str, message: str | None = None, *, error: bool = False) -> Response:
        """303 to ``to``, with a one-time message for the next page."""
        response = RedirectResponse(to, status_code=303, headers=HEADERS)
        if message:
            value = quote(f"{'error' if error else 'ok'}:{message[:500]}")
            response.set_cookie(
                FLASH_COOKIE,
                value,
                path="/admin",
                httponly=True,
                samesite="strict",
                secure=self.sessions.secure,
            )
        return response


def console_of(request: Request) -> Console:
    """The console of the app serving ``request``."""
    console: Console = request.app.state.console
    return console


def runtime_of(request: Request) -> Runtime:
    """The hub's collaborators (``runtime.py``)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


class Form(dict[str, str]):
    """A submitted form: the first value of each field, and :meth:`all` of a repeated one."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__({name: values[0] for name, values in fields.items()})
        self._all = fields

    def all(self, name: str) -> list[str]:
        """Every value of a field (checkboxes)."""
        return list(self._all.get(name, []))


async def read_form(request: Request) -> Form:
    """An ``application/x-www-form-urlencoded`` body (an empty form when it is too large)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return Form({})
    return Form(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))


def client_address(request: Request) -> str:
    """The caller's address (the peer of the connection; a proxy's when behind one)."""
    return request.client.host if request.client else "unknown"
