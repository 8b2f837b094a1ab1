"""OCPI request headers: the Authorization token, request/correlation ids, routing headers.

Pure functions over header values; no I/O. The lookup order for tokens follows DESIGN rule 2:
the raw value first, then its Base64 decoding — never decode first, since a plain token can
look like Base64.
"""

from __future__ import annotations

import base64
import binascii
import os
import random
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.modules import configuration_modules

__all__ = [
    "CONFIGURATION_MODULES",
    "CORRELATION_ID",
    "REQUEST_ID",
    "PartyRef",
    "RoutingHeaders",
    "carries_party_headers",
    "encode_token",
    "new_id",
    "parse_routing_headers",
    "party_headers",
    "token_candidates",
]

REQUEST_ID = "X-Request-ID"
CORRELATION_ID = "X-Correlation-ID"
FROM_CC, FROM_PID = "OCPI-from-country-code", "OCPI-from-party-id"
TO_CC, TO_PID = "OCPI-to-country-code", "OCPI-to-party-id"

CONFIGURATION_MODULES = frozenset({"versions"}) | configuration_modules()
"""Modules whose exchanges carry no routing headers (digest §1.9): versions and the
configuration modules of the module table."""

_TOKEN_PREFIX = re.compile(r"^\s*token\s+", re.IGNORECASE)
_CC = re.compile(r"^[A-Za-z]{2}$")
_PID = re.compile(r"^[A-Za-z0-9]{3}$")


_ids = random.Random()  # seeded from the OS once; request ids need uniqueness, not secrecy
os.register_at_fork(after_in_child=_ids.seed)  # a forked process must not repeat its parent


def new_id() -> str:
    """A fresh X-Request-ID / X-Correlation-ID value: a version-4 UUID (without a system call
    per id, which ``uuid.uuid4`` makes)."""
    return str(uuid.UUID(int=_ids.getrandbits(128), version=4))


def token_candidates(authorization: str | None) -> list[str]:
    """The token values to try, in order, for an ``Authorization: Token …`` header.

    First the value as sent; then, if it is valid Base64 of printable ASCII, the decoded value
    (with one trailing newline dropped: the 2.3.0 examples encode one, digest §7 item 1).
    An absent or non-``Token`` header yields no candidates.
    """
    if not authorization:
        return []
    m = _TOKEN_PREFIX.match(authorization)
    if m is None:
        return []
    raw = authorization[m.end() :].strip()
    if not raw:
        return []
    out = [raw]
    try:
        decoded = base64.b64decode(raw, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return out
    decoded = decoded.removesuffix("\n").removesuffix("\r")
    if decoded and decoded != raw and all(0x21 <= ord(c) <= 0x7E for c in decoded):
        out.append(decoded)
    return out


def encode_token(token: str, *, base64_encode: bool) -> str:
    """The Authorization header value for ``token``, Base64-encoded (2.2+) or plain (2.1.1)."""
    if base64_encode:
        return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")
    return "Token " + token


@dataclass(frozen=True, slots=True)
class PartyRef:
    """One OCPI party address: (country_code, party_id), upper-cased (they are CiStrings)."""

    country_code: str
    party_id: str

    @classmethod
    def of(cls, country_code: str, party_id: str) -> PartyRef:
        """A normalised reference (upper case)."""
        return cls(country_code.upper(), party_id.upper())

    def __str__(self) -> str:
        return f"{self.country_code}-{self.party_id}"


@dataclass(frozen=True, slots=True)
class RoutingHeaders:
    """What a request says about its parties (digest §1.9); either side may be absent."""

    from_party: PartyRef | None
    to_party: PartyRef | None


def _pair(headers: Mapping[str, str], cc_name: str, pid_name: str) -> PartyRef | None:
    cc, pid = headers.get(cc_name), headers.get(pid_name)
    if cc is None and pid is None:
        return None
    if cc is None or pid is None:
        missing = cc_name if cc is None else pid_name
        raise InvalidParameters(f"header {missing} is missing: it goes together with its pair")
    if not _CC.match(cc):
        raise InvalidParameters(f"header {cc_name}: {cc!r} is not a 2-letter country code")
    if not _PID.match(pid):
        raise InvalidParameters(f"header {pid_name}: {pid!r} is not a 3-character party id")
    return PartyRef.of(cc, pid)


def parse_routing_headers(headers: Mapping[str, str]) -> RoutingHeaders:
    """Read the OCPI-from/-to headers; a half or malformed pair is a 2001 error.

    ``headers`` must be case-insensitive (Starlette's ``Headers`` is).
    """
    return RoutingHeaders(
        from_party=_pair(headers, FROM_CC, FROM_PID),
        to_party=_pair(headers, TO_CC, TO_PID),
    )


def carries_party_headers(version: str | None, module: str | None) -> bool:
    """Whether an exchange in ``version`` about ``module`` names its parties: functional
    modules of 2.2+ do; 2.1.1 (which has no routing headers) and configuration modules do not."""
    return (
        version not in (None, "2.1.1")
        and module is not None
        and (module not in CONFIGURATION_MODULES)
    )


def party_headers(
    version: str | None, module: str | None, sender: tuple[str, str], receiver: tuple[str, str]
) -> dict[str, str]:
    """OCPI-from (``sender``) and OCPI-to (``receiver``) of one exchange: the one builder of the
    routing headers, for the requests the hub sends and the answers it gives.

    Only functional modules of 2.2+ carry them: none in 2.1.1 (or an unknown version), none on
    the configuration modules.
    """
    if not carries_party_headers(version, module):
        return {}
    return {FROM_CC: sender[0], FROM_PID: sender[1], TO_CC: receiver[0], TO_PID: receiver[1]}
