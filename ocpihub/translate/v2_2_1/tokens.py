"""Tokens on the 2.2.1 bridge: Token, its PATCH twin, AuthorizationInfo, LocationReferences.

2.2.1 and 2.3.0 tokens have the same fields (digest §4.3 Tokens). Up is a copy; down, a
``TokenType`` 2.2.1 lacks (``EMAID``, bookings' ``LICENSE_PLATE``, custom values) is sent as
``OTHER`` with a loss entry: the token is still sent, whether to push such tokens at all is the
hub's routing decision, not the translator's.
"""

from __future__ import annotations

from typing import Any

from ocpihub.translate import Down, Up

from .common import Doc, DownState, at, down_with, identity_down, identity_up, patch_up
from .enums import token_type_down

__all__ = ["DOWN", "UP", "token_down"]


def token_down(token: Any, path: str, state: DownState) -> Any:
    """A Token (or Token PATCH) whose type 2.2.1 knows."""
    if isinstance(token, dict) and isinstance(token.get("type"), str):
        token["type"] = token_type_down(token["type"], at(path, "type"), state)
    return token


def _token_down(body: Doc, state: DownState) -> Doc:
    done: Doc = token_down(body, "", state)
    return done


def _authorization_info_down(body: Doc, state: DownState) -> Doc:
    if "token" in body:
        body["token"] = token_down(body["token"], "token", state)
    return body


UP: dict[str, Up] = {
    "Token": identity_up,
    "TokenPatch": patch_up,
    "AuthorizationInfo": identity_up,
    "LocationReferences": identity_up,
}
DOWN: dict[str, Down] = {
    "Token": down_with(_token_down),
    "TokenPatch": down_with(_token_down),
    "AuthorizationInfo": down_with(_authorization_info_down),
    "LocationReferences": identity_down,
}
