"""Who is calling: the Authorization token mapped to a platform (DESIGN rule 2).

The raw token is looked up first, then its Base64 decoding. A token A (issued for registration)
opens only the versions and credentials endpoints; anything else answers 401.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ocpihub.errors import Unauthorized
from ocpihub.model.parties import Platform
from ocpihub.ocpi.headers import token_candidates
from ocpihub.runtime import Runtime

__all__ = ["Caller", "authenticate", "runtime_of"]


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated platform and the kind of token it used (``A`` or ``C``)."""

    platform: Platform
    token_kind: str


def runtime_of(request: Request) -> Runtime:
    """The hub's collaborators for this request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def authenticate(request: Request, *, allow_token_a: bool) -> Caller:
    """Resolve the caller from its token, or raise :class:`Unauthorized` (HTTP 401)."""
    header = request.headers.get("authorization")
    candidates = token_candidates(header)
    if not candidates:
        raise Unauthorized(
            "missing Authorization header: send 'Authorization: Token <credentials token>'"
            if not header
            else "Authorization header must have the form 'Token <credentials token>'"
        )
    found = await runtime_of(request).directory.caller(candidates)
    if found is None:
        raise Unauthorized("unknown credentials token")
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
