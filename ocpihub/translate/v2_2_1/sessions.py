"""Sessions on the 2.2.1 bridge: Session, its PATCH twin and ChargingPreferences.

Up: ``total_cost`` becomes the 2.3.0 Price shape and a 2.2-style ``cdr_token`` gets its owner
(see :mod:`.cdrs`). A 2.2.1 PATCH always carries ``last_updated`` (the wire model requires it);
should one arrive without, ``ctx.now`` fills it (digest §1.3). Down: Price reshaping, TokenType
and CdrDimensionType values as for CDRs. ChargingPreferences are the same in both versions.
"""

from __future__ import annotations

from ocpihub.translate import Down, Up

from .cdrs import cdr_token_down, cdr_token_up, charging_periods_down
from .common import (
    Doc,
    DownState,
    UpState,
    down_with,
    identity_down,
    identity_up,
    last_updated_up,
    price_down,
    price_up,
    up_with,
)

__all__ = ["DOWN", "UP"]


def _session_up(session: Doc, state: UpState) -> Doc:
    """A 2.2.1 Session (or Session PATCH) as a canonical one."""
    if "cdr_token" in session:
        session["cdr_token"] = cdr_token_up(session["cdr_token"], "cdr_token", state)
    if "total_cost" in session:
        session["total_cost"] = price_up(session["total_cost"], "total_cost", state)
    return session


def _session_patch_up(patch: Doc, state: UpState) -> Doc:
    return _session_up(last_updated_up(patch, state), state)


def _session_down(session: Doc, state: DownState) -> Doc:
    """A canonical Session (or Session PATCH) as a 2.2.1 one."""
    if "cdr_token" in session:
        session["cdr_token"] = cdr_token_down(session["cdr_token"], "cdr_token", state)
    if "total_cost" in session:
        session["total_cost"] = price_down(session["total_cost"], "total_cost", state)
    if "charging_periods" in session:
        session["charging_periods"] = charging_periods_down(
            session["charging_periods"], "charging_periods", state
        )
    return session


UP: dict[str, Up] = {
    "Session": up_with(_session_up),
    "SessionPatch": up_with(_session_patch_up),
    "ChargingPreferences": identity_up,
}
DOWN: dict[str, Down] = {
    "Session": down_with(_session_down),
    "SessionPatch": down_with(_session_down),
    "ChargingPreferences": identity_down,
}
