"""Who is calling: the Authorization token mapped to a platform (DESIGN rule 2).

The raw token is looked up first, then its Base64 decoding. A token A (issued for registration)
opens only the versions and credentials endpoints; anything else answers 401.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ocpihub.errors import InvalidParameters, NotFound, Unauthorized
from ocpihub.hub.admin_token import check_admin_token
from ocpihub.model.parties import Platform
from ocpihub.ocpi.headers import token_candidates
from ocpihub.runtime import Runtime

__all__ = [
    "Caller",
    "admin_refusal",
    "authenticate",
    "check_version",
    "refusal",
    "resolve_caller",
    "runtime_of",
    "version_of",
]

_UNRESOLVED = object()


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated platform and the kind of token it used (``A`` or ``C``)."""

    platform: Platform
    token_kind: str


def version_of(caller: Caller) -> str:
    """The version the caller registered with (the version of the URL it may use)."""
    if caller.platform.version is None:
        raise InvalidParameters("this platform has not completed registration")
    return caller.platform.version


def check_version(caller: Caller, version: str, *, sole: str | None = None) -> None:
    """The one version check of every functional request: the URL's ``version`` must be the
    one the caller registered with (else 404). ``sole``: the module's name when ``version`` is
    the only version that has it (Payments, Bookings), which the refusal then says."""
    if version_of(caller) == version:
        return
    if sole is not None:
        raise NotFound(
            f"{sole} exists only in OCPI {version}; your platform registered with "
            f"{caller.platform.version}"
        )
    raise NotFound(
        f"your platform registered with OCPI {caller.platform.version}: use its endpoints"
    )


def runtime_of(request: Request) -> Runtime:
    """The hub's collaborators for this request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def resolve_caller(runtime: Runtime, header: str | None) -> tuple[Platform, str] | None:
    """The platform and token kind (``A`` or ``C``) an Authorization header stands for."""
    candidates = token_candidates(header)
    if not candidates:
        return None
    return await runtime.directory.caller(candidates)


def refusal(header: str | None) -> Unauthorized:
    """Why a request without a known token is refused (HTTP 401)."""
    if token_candidates(header):
        return Unauthorized("unknown credentials token")
    return Unauthorized(
        "missing Authorization header: send 'Authorization: Token <credentials token>'"
        if not header
        else "Authorization header must have the form 'Token <credentials token>'"
    )


def admin_refusal(runtime: Runtime, header: str | None) -> Unauthorized | None:
    """None when ``header`` carries the admin bearer token, else why not (HTTP 401)."""
    scheme, _, token = (header or "").partition(" ")
    expected = runtime.admin_token_hash
    if scheme.lower() != "bearer" or not token.strip() or expected is None:
        return Unauthorized("admin API: send 'Authorization: Bearer <admin token>'")
    if not check_admin_token(token.strip(), expected):
        return Unauthorized("admin API: wrong admin token")
    return None


async def authenticate(request: Request, *, allow_token_a: bool) -> Caller:
    """Resolve the caller from its token, or raise :class:`Unauthorized` (HTTP 401).

    The edge guard (``inbound/guard.py``) has usually resolved it already, before the body.
    """
    header = request.headers.get("authorization")
    found = (request.scope.get("state") or {}).get("caller", _UNRESOLVED)
    if found is _UNRESOLVED:
        found = await resolve_caller(runtime_of(request), header)
    if found is None:
        raise refusal(header)
    platform, kind = found
    if kind == "A" and not allow_token_a:
        raise Unauthorized(
            "this token is only valid for registration (versions and credentials endpoints)"
        )
    request.state.platform_id = platform.id  # for the traffic log
    return Caller(platform, kind)


async def any_token(request: Request) -> Caller:
    """FastAPI dependency: a token A or C (versions and credentials endpoints)."""
    return await authenticate(request, allow_token_a=True)


async def registered(request: Request) -> Caller:
    """FastAPI dependency: a token C of a registered platform (every functional module)."""
    return await authenticate(request, allow_token_a=False)
