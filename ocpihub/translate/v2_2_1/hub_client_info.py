"""HubClientInfo on the 2.2.1 bridge: ClientInfo.

2.2.1 ``Role`` has ``HUB``, 2.3.0 has not (digest §4.3 Credentials, §7 item 2). Up, a ``HUB``
role becomes ``OTHER`` and the original is kept as legacy, so the hub can still tell a hub from
an OTHER party and a 2.2.1 receiver gets ``HUB`` back; 2.3.0 receivers never see ``HUB``.
"""

from __future__ import annotations

from typing import Any

from ocpihub.translate import Down, Up

from .common import Doc, DownState, UpState, at, down_with, up_with
from .enums import ROLE_UP

__all__ = ["DOWN", "UP", "role_down", "role_up"]


def role_up(holder: Any, path: str, state: UpState) -> Any:
    """An object with a ``role`` field whose 2.2.1-only value is mapped and kept as legacy."""
    if isinstance(holder, dict) and holder.get("role") in ROLE_UP:
        state.keep(at(path, "role"), holder["role"])
        holder["role"] = ROLE_UP[holder["role"]]
    return holder


def role_down(holder: Any, path: str, state: DownState) -> Any:
    """An object with a ``role`` field, its legacy 2.2.1 role restored while still consistent."""
    if not isinstance(holder, dict):
        return holder
    legacy = state.legacy.get(at(path, "role"))
    if legacy in ROLE_UP and holder.get("role") == ROLE_UP[legacy]:
        holder["role"] = legacy
    return holder


def _client_info_up(body: Doc, state: UpState) -> Doc:
    done: Doc = role_up(body, "", state)
    return done


def _client_info_down(body: Doc, state: DownState) -> Doc:
    done: Doc = role_down(body, "", state)
    return done


UP: dict[str, Up] = {"ClientInfo": up_with(_client_info_up)}
DOWN: dict[str, Down] = {"ClientInfo": down_with(_client_info_down)}
