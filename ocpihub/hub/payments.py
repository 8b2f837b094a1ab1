"""Payments policy (pure): who a Payment Terminal Provider is, and where terminal traffic goes.

The Payments module (OCPI 2.3.0 core, digest §3.9) has two writers: the PTP creates Terminals
and posts FinancialAdviceConfirmations to a CPO (the CPO's Receiver interface), and the CPO
assigns Locations/EVSEs, activates and deactivates terminals by writing to the PTP's *Sender*
interface. Neither interface's URLs carry a country_code/party_id, so the hub keeps a terminal
registry — ``terminal_id`` → (PTP, CPO) — in the stored Terminal's hub-private annotation, and
routes each request to the one party it concerns (never a broadcast).

2.3.0's ``Role`` enum has no ``PTP`` (digest §7 item 4): a PTP registers as ``OTHER``. The hub
also accepts ``PTP`` where the operator declared it, so both count as PTP roles here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpihub.errors import InvalidParameters, NotFound

__all__ = [
    "CPO_ROLES",
    "PTP_ROLES",
    "REGISTRY_KEY",
    "choose_party",
    "hosted_party",
    "merge_terminal",
    "registry_entry",
    "terminal_parties",
    "with_registry",
]

PTP_ROLES = frozenset({"OTHER", "PTP"})
"""Party roles that act as a Payment Terminal Provider (PTP registers as OTHER in 2.3.0)."""

CPO_ROLES = frozenset({"CPO"})
"""Party roles on the Receiver side of Payments."""

REGISTRY_KEY = "_ocpihub"
"""Hub-private key of a stored Terminal holding its registry entry (never sent out)."""

Doc = dict[str, Any]
Party = tuple[str, str]


def hosted_party(
    hosted: Iterable[tuple[str, str, str]], from_party: Party | None, roles: frozenset[str]
) -> Party:
    """The caller's party that acts here: the OCPI-from one, else its only party of ``roles``.

    Several candidates without an OCPI-from header are refused rather than guessed (DESIGN
    rule 4).
    """
    mine = sorted({(cc, pid) for cc, pid, role in hosted if role in roles})
    wanted = "/".join(sorted(roles))
    if from_party is not None:
        if from_party not in mine:
            raise NotFound(
                f"party {from_party[0]}-{from_party[1]} (OCPI-from) is not a {wanted} hosted "
                "by your platform"
            )
        return from_party
    if not mine:
        raise NotFound(f"your platform hosts no {wanted} party: it may not make this request")
    if len(mine) > 1:
        names = ", ".join(f"{cc}-{pid}" for cc, pid in mine)
        raise InvalidParameters(
            f"your platform hosts several {wanted} parties ({names}): name the one acting with "
            "the OCPI-from-country-code and OCPI-from-party-id headers"
        )
    return mine[0]


def choose_party(
    to_party: Party | None, hint: Party | None, agreed: Iterable[Party], *, what: str
) -> Party:
    """The counterpart of a Payments request.

    The OCPI-to header decides when given; else ``hint`` (e.g. a Terminal's own
    country_code/party_id, which names the CPO it belongs to); else the only agreed party.
    The caller must still check a named party against the agreements: nothing is sent without
    one.
    """
    partners = sorted(set(agreed))
    chosen = to_party or hint
    if chosen is not None:
        return chosen  # the caller checks it against the agreements, with its own wording
    if len(partners) == 1:
        return partners[0]
    if not partners:
        raise NotFound(f"you have no active agreement covering payments with any {what}")
    names = ", ".join(f"{cc}-{pid}" for cc, pid in partners)
    raise InvalidParameters(
        f"several {what}s could receive this ({names}): name one with the "
        "OCPI-to-country-code and OCPI-to-party-id headers"
    )


def registry_entry(ptp: Party, cpo: Party) -> Doc:
    """The hub-private annotation linking a terminal to its PTP and its CPO."""
    return {"ptp": list(ptp), "cpo": list(cpo)}


def with_registry(terminal: Doc, ptp: Party, cpo: Party) -> Doc:
    """A canonical Terminal annotated with its registry entry."""
    return {**terminal, REGISTRY_KEY: registry_entry(ptp, cpo)}


def terminal_parties(stored: Doc) -> tuple[Party, Party] | None:
    """(PTP, CPO) of a stored Terminal, or None when it carries no registry entry."""
    entry = stored.get(REGISTRY_KEY)
    if not isinstance(entry, dict):
        return None
    ptp, cpo = entry.get("ptp"), entry.get("cpo")
    if not (isinstance(ptp, list) and isinstance(cpo, list)) or len(ptp) != 2 or len(cpo) != 2:
        return None
    return (str(ptp[0]), str(ptp[1])), (str(cpo[0]), str(cpo[1]))


def merge_terminal(stored: Doc, change: Doc) -> Doc:
    """A stored Terminal with a PATCH applied: given fields replace, lists whole (digest §1.3).

    The registry entry is kept; a PATCH without ``last_updated`` (Payments does not demand one,
    see ``ocpi/v2_3_0/payments.py``) keeps the stored value, since the hub never invents one.
    """
    out = dict(stored)
    out.update({k: v for k, v in change.items() if k != REGISTRY_KEY})
    return out
