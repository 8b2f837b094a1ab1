"""Credentials on the 2.2.1 bridge (digest §2, §4.3 Credentials / Versions, §7 item 2).

Up: a 2.2.1 hub announces itself with a ``HUB`` role, which 2.3.0 lacks. That role becomes
``OTHER`` (original kept as legacy, see :mod:`.hub_client_info`), and ``hub_party_id`` — the
2.3.0 way of saying "this platform routes as a hub" — is set to that role's country code and
party id when the sender did not give one.

Down: ``HUB`` roles are restored from legacy; ``hub_party_id`` is dropped (2.2.1 has no such
field) and reported, unless it only repeats a restored ``HUB`` role. Logo images follow the
ImageCategory table.
"""

from __future__ import annotations

from ocpihub.translate import Down, Up

from .common import Doc, DownState, UpState, at, business_details_down, down_with, item, up_with
from .hub_client_info import role_down, role_up

__all__ = ["DOWN", "UP"]


def _credentials_up(body: Doc, state: UpState) -> Doc:
    roles = body.get("roles")
    if not isinstance(roles, list):
        return body
    for i, role in enumerate(roles):
        was_hub = isinstance(role, dict) and role.get("role") == "HUB"
        role_up(role, item("roles", i), state)
        if was_hub and "hub_party_id" not in body:
            body["hub_party_id"] = f"{role['country_code']}{role['party_id']}"
    return body


def _credentials_down(body: Doc, state: DownState) -> Doc:
    hubs: set[str] = set()
    for i, role in enumerate(body.get("roles") or []):
        path = item("roles", i)
        role_down(role, path, state)
        if "business_details" in role:
            role["business_details"] = business_details_down(
                role["business_details"], at(path, "business_details"), state
            )
        if role.get("role") == "HUB":
            hubs.add(f"{role['country_code']}{role['party_id']}")
    if "hub_party_id" in body:
        hub_party_id = body.pop("hub_party_id")
        if hub_party_id not in hubs:
            state.lose(
                "hub_party_id",
                hub_party_id,
                "field added in 2.3.0; a 2.2.1 hub names itself with a HUB role instead",
            )
    return body


UP: dict[str, Up] = {"Credentials": up_with(_credentials_up)}
DOWN: dict[str, Down] = {"Credentials": down_with(_credentials_down)}
