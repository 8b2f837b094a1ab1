"""Commands on the 2.2.1 bridge: the five request bodies, CommandResponse and CommandResult.

2.2.1 and 2.3.0 command bodies have the same fields and closed enums (digest §4.3 Commands;
``CommandType`` only appears in the URL). The one thing to translate is the Token embedded in
StartSession and ReserveNow, handled as in :mod:`.tokens`.
"""

from __future__ import annotations

from ocpihub.translate import Down, Up

from .common import Doc, DownState, down_with, identity_down, identity_up
from .tokens import token_down

__all__ = ["DOWN", "UP"]


def _with_token_down(body: Doc, state: DownState) -> Doc:
    if "token" in body:
        body["token"] = token_down(body["token"], "token", state)
    return body


_SAME = ("StopSession", "CancelReservation", "UnlockConnector", "CommandResponse", "CommandResult")

UP: dict[str, Up] = {
    "StartSession": identity_up,
    "ReserveNow": identity_up,
    **{name: identity_up for name in _SAME},
}
DOWN: dict[str, Down] = {
    "StartSession": down_with(_with_token_down),
    "ReserveNow": down_with(_with_token_down),
    **{name: identity_down for name in _SAME},
}
