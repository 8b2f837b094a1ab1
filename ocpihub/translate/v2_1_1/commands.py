"""Commands, 2.1.1 ↔ canonical: the four requests, the sync answer and the async result.

2.1.1 uses one ``CommandResponse`` body both for the CPO's immediate answer and for the result
POSTed later to ``response_url`` (digest §7 item 15). The tables name them apart:
``CommandResponse`` is the sync answer (canonical CommandResponse), ``CommandResult`` the async
result (canonical CommandResult), both with the 2.1.1 ``CommandResponse`` shape on the wire.

Up: an embedded Token is translated as a Token of the sending eMSP (owner from the context);
``reservation_id`` (int) becomes its decimal string; the sync answer gets ``timeout`` =
:data:`DEFAULT_TIMEOUT` seconds (2.2+ requires one, 2.1.1 has none) and ``TIMEOUT`` →
``REJECTED`` (2.2+ moved TIMEOUT to the result); the async ``UNKNOWN_SESSION`` → ``FAILED``.

Down: ``connector_id`` and ``authorization_reference`` dropped with a loss entry (the hub
should remember the reference for the session that follows); a ``reservation_id`` that is not
a decimal integer becomes a stable positive int (CRC-32, reported: the hub keeps the pair);
``timeout`` and ``message`` dropped; result types 2.1.1 lacks → ``REJECTED``. CancelReservation
does not exist in 2.1.1: the hub answers it itself (digest §4.3), so there is no translator.
"""

from __future__ import annotations

import re
import zlib

from ocpihub.translate.context import TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Legacy,
    clean,
    id_up,
    legacy_of,
    make_down,
    make_up,
)
from ocpihub.translate.v2_1_1.enums import ASYNC_RESULT_UP, SYNC_RESPONSE_UP, map_down
from ocpihub.translate.v2_1_1.tokens import token_down, token_up

__all__ = ["DEFAULT_TIMEOUT", "DOWN", "UP"]

DEFAULT_TIMEOUT = 60
"""Seconds to wait for a 2.1.1 CPO's async result (2.1.1 gives no timeout; digest §4.3)."""

_INTEGER = re.compile(r"^-?[0-9]+$")
_IDS = {"location_id": 36, "evse_uid": 36, "connector_id": 36, "session_id": 36}


def _request_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 command request → canonical (ids, embedded Token, reservation id)."""
    out = clean(data)
    for key, max_len in _IDS.items():
        if isinstance(out.get(key), str):
            out[key] = id_up(out[key], legacy, key, max_len)
    if isinstance(out.get("token"), dict):
        out["token"] = token_up(out["token"], ctx, legacy.at("token"), full=True)
    if isinstance(out.get("reservation_id"), int):
        out["reservation_id"] = str(out["reservation_id"])
    return out


def _reservation_id_down(value: str, report: LossReport) -> int:
    if _INTEGER.match(value) and str(int(value)) == value:
        return int(value)
    number = zlib.crc32(value.encode("utf-8")) & 0x7FFFFFFF
    report.add("reservation_id", value, f"2.1.1 reservation ids are integers: sent as {number}")
    return number


def _request_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical StartSession, StopSession or ReserveNow → 2.1.1."""
    out = clean(doc)
    for key in ("authorization_reference", "connector_id"):
        if key in out:
            value = out.pop(key)
            if value is not None:
                report.add(key, value, f"2.1.1 has no {key} in this command")
    if isinstance(out.get("token"), dict):
        out["token"] = token_down(out["token"], report, "token")
    if isinstance(out.get("reservation_id"), str):
        out["reservation_id"] = _reservation_id_down(out["reservation_id"], report)
    return out


def _unlock_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical UnlockConnector → 2.1.1 (same fields)."""
    return clean(doc)


def _response_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 sync CommandResponse → canonical CommandResponse (``timeout`` added)."""
    out = clean(data)
    result = out["result"]
    out["result"] = SYNC_RESPONSE_UP[result]
    if out["result"] != result:
        legacy.keep("result", result)
    if out.get("timeout") is None:
        out["timeout"] = DEFAULT_TIMEOUT
        legacy.absent("timeout")
    return out


def _result_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 async CommandResponse → canonical CommandResult."""
    out = clean(data)
    result = out["result"]
    out["result"] = ASYNC_RESULT_UP[result]
    if out["result"] != result:
        legacy.keep("result", result)
    return out


def _drop_message(out: Doc, report: LossReport) -> None:
    message = out.pop("message", None)
    if message:
        report.add("message", message, "2.1.1 command answers carry no message")


def _response_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical CommandResponse → 2.1.1 sync CommandResponse."""
    out = clean(doc)
    timeout = out.pop("timeout", None)
    if timeout is not None and "timeout" not in legacy_of(doc):
        report.add("timeout", timeout, "2.1.1 command answers carry no timeout")
    _drop_message(out, report)
    result = out["result"]
    out["result"] = map_down("CommandResponseType", result)
    kept = str(legacy_of(doc).get("result"))
    if out["result"] != result and SYNC_RESPONSE_UP.get(kept) != result:
        report.add("result", result, f"2.1.1 has no such response: {out['result']}")
    return out


def _result_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical CommandResult → 2.1.1 async CommandResponse."""
    out = clean(doc)
    _drop_message(out, report)
    result = out["result"]
    out["result"] = map_down("CommandResultType", result)
    kept = str(legacy_of(doc).get("result"))
    if out["result"] != result and ASYNC_RESULT_UP.get(kept) != result:
        report.add("result", result, f"2.1.1 has no such result: {out['result']}")
    return out


UP = {
    "StartSession": make_up(_request_up),
    "StopSession": make_up(_request_up),
    "ReserveNow": make_up(_request_up),
    "UnlockConnector": make_up(_request_up),
    "CommandResponse": make_up(_response_up),
    "CommandResult": make_up(_result_up),
}

DOWN = {
    "StartSession": make_down(_request_down),
    "StopSession": make_down(_request_down),
    "ReserveNow": make_down(_request_down),
    "UnlockConnector": make_down(_unlock_down),
    "CommandResponse": make_down(_response_down),
    "CommandResult": make_down(_result_down),
}
