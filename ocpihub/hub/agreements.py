"""Agreement policy (pure): which roles exchange data, and who may reach whom for what.

Nothing flows between two parties unless an ACTIVE agreement covers the module (DESIGN, rule 4
and "Agreement"). These functions decide; store/ and the handlers carry the decisions out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ocpihub.errors import InvalidParameters
from ocpihub.model.agreements import Agreement, AgreementStatus
from ocpihub.ocpi.modules import agreement_modules

__all__ = [
    "AGREEMENT_MODULES",
    "EXCHANGING_ROLES",
    "allowed",
    "compatible_roles",
    "parse_modules",
    "parse_party_code",
    "partners",
]

EXCHANGING_ROLES: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("CPO", "EMSP"),
        ("CPO", "NSP"),
        ("CPO", "NAP"),
        ("CPO", "SCSP"),
        ("CPO", "PTP"),
        ("CPO", "OTHER"),
        ("EMSP", "SCSP"),
    )
)
"""Role pairs that exchange data in OCPI (digest §6): an agreement needs one of them."""

AGREEMENT_MODULES: tuple[str, ...] = agreement_modules()
"""Functional modules an agreement can be limited to, alphabetically (the module table's)."""

_CODE = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{3})$")


def parse_party_code(code: str) -> tuple[str, str]:
    """``NL-ABC`` → ``("NL", "ABC")``; anything else is a 2001 naming the value."""
    m = _CODE.match(code.strip())
    if m is None:
        raise InvalidParameters(f"party {code!r} must be written CC-PID, e.g. NL-ABC")
    return m.group(1).upper(), m.group(2).upper()


def parse_modules(modules: Iterable[str] | None) -> frozenset[str] | None:
    """The module limit of an agreement; ``None`` or empty means every module."""
    if modules is None:
        return None
    chosen = frozenset(m.strip().lower() for m in modules)
    unknown = sorted(chosen - set(AGREEMENT_MODULES))
    if unknown:
        raise InvalidParameters(
            f"modules: {', '.join(unknown)} not agreeable; "
            f"choose from {', '.join(AGREEMENT_MODULES)}"
        )
    return chosen or None


def compatible_roles(roles_a: Iterable[str], roles_b: Iterable[str]) -> bool:
    """Whether some role of one party exchanges data with some role of the other."""
    return any(frozenset((x, y)) in EXCHANGING_ROLES for x in roles_a for y in roles_b)


def allowed(
    agreements: Iterable[Agreement], a: tuple[str, str], b: tuple[str, str], module: str
) -> bool:
    """Whether ``a`` and ``b`` may exchange ``module`` data now."""
    pair = {a, b}
    return any(
        ag.status is AgreementStatus.ACTIVE and {ag.a, ag.b} == pair and ag.covers(module)
        for ag in agreements
    )


def partners(
    agreements: Iterable[Agreement], party: tuple[str, str], module: str | None = None
) -> set[tuple[str, str]]:
    """The parties ``party`` may reach (for ``module``, or for anything when None)."""
    out = set()
    for ag in agreements:
        if ag.status is not AgreementStatus.ACTIVE or party not in (ag.a, ag.b):
            continue
        if module is None or ag.covers(module):
            out.add(ag.other(party))
    return out
