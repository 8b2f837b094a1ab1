"""Everything that leaves the OCPI edge is an envelope: success, OcpiError, and HTTP faults.

The exception handlers installed by ``app.py`` live here. Unexpected exceptions become a 3000
envelope with HTTP 500 (and a log line), never a bare stack trace.
"""

from __future__ import annotations

from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ocpihub.errors import (
    InvalidParameters,
    MethodNotAllowed,
    NotFound,
    OcpiError,
    PayloadTooLarge,
    ServerError,
    UnsupportedMediaType,
)
from ocpihub.ocpi.envelope import SUCCESS, envelope_bytes
from ocpihub.ocpi.modules import SUPPORTED_VERSIONS
from ocpihub.ocpi.version import ocpi_version

__all__ = [
    "admin_error_response",
    "error_response_for",
    "install_error_handlers",
    "ocpi_error_response",
    "ocpi_response",
]

log = structlog.get_logger("ocpihub.inbound")

_BY_HTTP: dict[int, type[OcpiError]] = {
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


def ocpi_response(
    data: Any = None,
    *,
    status_code: int = SUCCESS,
    status_message: str | None = None,
    http_status: int = 200,
    headers: dict[str, str] | None = None,
    include_data: bool = True,
) -> Response:
    """An OCPI envelope as an HTTP response."""
    return Response(
        envelope_bytes(data, status_code, status_message, include_data=include_data),
        status_code=http_status,
        headers=headers,
        media_type="application/json",
    )


def ocpi_error_response(error: OcpiError, headers: dict[str, str] | None = None) -> Response:
    """The envelope and HTTP status an OcpiError stands for."""
    return ocpi_response(
        error.data,
        status_code=error.status_code,
        status_message=error.message,
        http_status=error.http_status,
        headers=headers,
    )


def admin_error_response(error: OcpiError, http_status: int | None = None) -> Response:
    """Admin API errors: plain JSON ``{"error", "status_code"}`` with a fitting HTTP status."""
    status = http_status or error.http_status
    if status == 200:  # registration/hub failures reached through the admin API
        status = 502
    body = {"error": error.message, "status_code": error.status_code}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _for_211(error: OcpiError) -> OcpiError:
    """The error as a 2.1.1 caller can read it: no 2004 and no hub codes (digest §1.6)."""
    from ocpihub.hub.tokens import legacy_status

    code = legacy_status(error.status_code)
    if code == error.status_code:
        return error
    legacy = OcpiError(f"{error.message} (hub status {error.status_code})", data=error.data)
    legacy.status_code = code  # type: ignore[misc]
    legacy.http_status = error.http_status  # type: ignore[misc]
    return legacy


def _legacy_codes(path: str) -> bool:
    """Whether a request below ``/ocpi/{version}/`` is in a version without 2004 and the hub
    codes."""
    parts = path.split("/", 3)  # "", "ocpi", version, the rest
    return (
        len(parts) == 4
        and parts[1] == "ocpi"
        and parts[2] in SUPPORTED_VERSIONS
        and not ocpi_version(parts[2]).has_hub_status_codes
    )


def error_response_for(
    path: str,
    error: OcpiError,
    http_status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """``error`` as the caller of ``path`` reads errors: admin JSON, or an OCPI envelope (in
    2.1.1's codes on 2.1.1 paths)."""
    if path.startswith("/admin/"):
        response = admin_error_response(error, http_status)
        if headers:
            response.headers.update(headers)
        return response
    if _legacy_codes(path):
        error = _for_211(error)
    response = ocpi_error_response(error, headers)
    if http_status is not None:
        response.status_code = http_status
    return response


def _respond(request: Request, error: OcpiError, http_status: int | None = None) -> Response:
    return error_response_for(request.url.path, error, http_status)


async def _on_ocpi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OcpiError)
    if exc.http_status >= 500:
        log.error("ocpi_error", path=request.url.path, status=exc.status_code, msg=exc.message)
    return _respond(request, exc)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    error_cls = _BY_HTTP.get(exc.status_code, OcpiError)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such endpoint: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        detail = f"method {request.method} is not allowed on {request.url.path}"
    error = error_cls(detail)
    response = _respond(request, error, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg')} (got {err.get('input')!r})")
    return _respond(request, InvalidParameters("; ".join(parts)))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path, method=request.method)
    return _respond(request, ServerError("internal error; the hub operator has the details"))


def install_error_handlers(app: FastAPI) -> None:
    """Make every error an OCPI envelope (admin API errors use the same shape)."""
    app.add_exception_handler(OcpiError, _on_ocpi_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
