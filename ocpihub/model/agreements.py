"""Roaming agreements: which two parties may exchange what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Agreement", "AgreementStatus", "OnAuthorizeTimeout"]


class AgreementStatus(StrEnum):
    """An agreement is in force (ACTIVE) or paused by the operator (SUSPENDED)."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


class OnAuthorizeTimeout(StrEnum):
    """What the hub answers a CPO's real-time authorization when the eMSP does not answer in
    time: REFUSE (4002, the spec-exact default) or ALLOW (the hub allows the charge itself)."""

    REFUSE = "REFUSE"
    ALLOW = "ALLOW"


@dataclass(frozen=True, slots=True)
class Agreement:
    """Permission for parties ``a`` and ``b`` (``(country_code, party_id)``) to exchange data.

    ``modules`` limits it to those module identifiers; ``None`` means every module.
    ``authorize_timeout_seconds`` (None: the hub's request timeout or the eMSP's profile) and
    ``authorize_on_timeout``: the real-time authorization policy between the two parties.
    """

    id: int
    a: tuple[str, str]
    b: tuple[str, str]
    modules: frozenset[str] | None
    status: AgreementStatus
    created_at: datetime
    updated_at: datetime
    authorize_timeout_seconds: float | None = None
    authorize_on_timeout: OnAuthorizeTimeout = OnAuthorizeTimeout.REFUSE

    def other(self, party: tuple[str, str]) -> tuple[str, str]:
        """The party on the other side of ``party``."""
        return self.b if party == self.a else self.a

    def covers(self, module: str) -> bool:
        """Whether ``module`` is within the agreement (regardless of status)."""
        return self.modules is None or module in self.modules

    @property
    def codes(self) -> list[str]:
        """Both parties as ``CC-PID``."""
        return [f"{cc}-{pid}" for cc, pid in (self.a, self.b)]
