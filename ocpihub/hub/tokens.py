"""Token decisions (pure): token types per version, who receives a token push, which party asks
for a real-time authorization, and how an eMSP's answer is relayed.

- Identity of a token is (country_code, party_id, uid, type) and ``type`` defaults to ``RFID``
  when a URL leaves it out (digest §1.8, §3.5).
- A receiver is only sent a token whose type its version knows: 2.1.1 keys tokens by uid alone,
  so a non-RFID token that shares its uid with an RFID token is held back from 2.1.1 CPOs (the
  RFID one wins), and ``EMAID`` tokens are never pushed to 2.1.1 or 2.2.1 (digest §4.3 Tokens;
  the spec advises not pushing them at all: CPOs ask in real time).
- Towards 2.1.1 callers, status codes 2.1.1 does not define are replaced by the nearest code it
  does (digest §1.6): ``2004`` becomes ``2000``, hub errors ``4xxx`` become ``3000``, custom
  codes fall back to their class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.ocpi.fields import format_datetime
from ocpihub.ocpi.version import VERSIONS, ocpi_version

__all__ = [
    "DEFAULT_TOKEN_TYPE",
    "Answer",
    "classify_answer",
    "legacy_status",
    "pushes_token",
    "requesting_party",
    "synthesized_token",
    "token_type_param",
    "token_url_suffix",
    "wire_token_type",
]

DEFAULT_TOKEN_TYPE = "RFID"
"""The token type a URL means when it names none (2.2+ ``?type=``; always in 2.1.1)."""

_CLOSED_TYPES: frozenset[str] = frozenset().union(
    *(v.token_types for v in VERSIONS if v.token_types is not None)
)
"""Token types some version with a closed TokenType names: the types a receiver of such a
version is sent (itself, or as ``OTHER``); newer ones (EMAID) are not pushed to it."""

_TYPE = re.compile(r"^[A-Za-z0-9_]{1,36}$")


def token_type_param(value: str | None) -> str:
    """The token type named by a ``?type=`` query value (``RFID`` when absent)."""
    if value is None or value == "":
        return DEFAULT_TOKEN_TYPE
    if not _TYPE.match(value):
        raise InvalidParameters(f"type: {value!r} is not a token type (e.g. RFID, APP_USER)")
    return value.upper()


def wire_token_type(version: str, token_type: str) -> str:
    """``token_type`` as ``version`` can say it: itself when known there, else ``OTHER``."""
    known = ocpi_version(version).token_types
    return token_type if known is None or token_type in known else "OTHER"


def pushes_token(version: str, token_type: str, *, rfid_twin: bool) -> bool:
    """Whether a receiver on ``version`` is sent a token of ``token_type``.

    ``rfid_twin``: the owner also has an RFID token with the same uid.
    """
    receiver = ocpi_version(version)
    if receiver.token_types is None:
        return True  # an open TokenType says every type
    if token_type not in _CLOSED_TYPES:
        return False
    if not receiver.typed_token_urls:  # tokens keyed by uid alone: the RFID one wins
        return token_type == DEFAULT_TOKEN_TYPE or not rfid_twin
    return True


def token_url_suffix(
    version: str, country_code: str, party_id: str, uid: str, token_type: str
) -> str:
    """The path below a CPO's tokens endpoint for one token (2.1.1 URLs carry no type)."""
    base = f"/{country_code}/{party_id}/{quote(uid, safe='')}"
    if not ocpi_version(version).typed_token_urls:
        return base
    return f"{base}?type={quote(wire_token_type(version, token_type), safe='')}"


def requesting_party(
    hosted: Iterable[tuple[str, str, str]],
    from_party: tuple[str, str] | None,
    role: str,
) -> tuple[str, str]:
    """The party of the caller's platform that makes a request only its role may make.

    ``hosted``: (country_code, party_id, role) of the caller's platform. The OCPI-from headers
    choose when given (they must name a hosted party of ``role``); without them the platform
    must host exactly one party of ``role`` — guessing between several is refused (DESIGN rule 4).
    """
    mine = sorted({(cc, pid) for cc, pid, r in hosted if r == role})
    if from_party is not None:
        if from_party not in mine:
            raise NotFound(
                f"party {from_party[0]}-{from_party[1]} (OCPI-from) is not a {role} hosted by "
                "your platform"
            )
        return from_party
    if not mine:
        raise NotFound(f"your platform hosts no {role}: only a {role} may make this request")
    if len(mine) > 1:
        names = ", ".join(f"{cc}-{pid}" for cc, pid in mine)
        raise InvalidParameters(
            f"your platform hosts several {role}s ({names}): name the one asking with the "
            "OCPI-from-country-code and OCPI-from-party-id headers"
        )
    return mine[0]


def legacy_status(status_code: int) -> int:
    """The status code a 2.1.1 caller is sent for ``status_code`` (digest §1.6)."""
    if status_code == 2004 or 2900 <= status_code <= 2999:
        return 2000
    if 1900 <= status_code <= 1999:
        return 1000
    if 3900 <= status_code <= 3999 or 4000 <= status_code <= 4999:
        return 3000
    return status_code


Answer = str
"""How an eMSP's authorize answer is relayed: ``success``, ``unknown``, ``refused``, ``failed``."""


def classify_answer(emsp_version: str, http_status: int, ocpi_status: int | None) -> Answer:
    """What the eMSP's answer to an authorize request means for the hub.

    - ``success``: 1xxx, an AuthorizationInfo to relay;
    - ``unknown``: the eMSP does not know the token (2004; a 2.1.1 eMSP, which has no 2004,
      says so with HTTP 404, digest §4.3 Tokens);
    - ``refused``: any other 2xxx/3xxx/4xxx, relayed unchanged;
    - ``failed``: no OCPI envelope at all, or the eMSP refused the hub's own credentials
      (HTTP 401/403): relaying that would tell the CPO its token is wrong, so the hub answers.
    """
    if ocpi_status is None or http_status in (401, 403):
        return "failed"
    if 1000 <= ocpi_status <= 1999:
        return "success"
    if ocpi_status == 2004 or (
        not ocpi_version(emsp_version).has_hub_status_codes and http_status == 404
    ):
        return "unknown"
    return "refused"


def synthesized_token(
    owner: tuple[str, str], uid: str, token_type: str, *, issuer: str, now: datetime
) -> dict[str, Any]:
    """A canonical Token for an authorization about a token the hub never received.

    A 2.1.1 eMSP's AuthorizationInfo names no token, which 2.2+ requires. When the eMSP never
    pushed the token (e.g. one reached through OCPI-to headers), the hub says what it knows:
    owner, uid and type from the request, ``contract_id`` = uid (digest §4.3 Tokens), and
    ``whitelist`` ``NEVER`` (it is being authorized in real time).
    """
    return {
        "country_code": owner[0],
        "party_id": owner[1],
        "uid": uid,
        "type": token_type,
        "contract_id": uid[:36],
        "issuer": issuer[:64],
        "valid": True,
        "whitelist": "NEVER",
        "last_updated": format_datetime(now, fractions=False),
    }
