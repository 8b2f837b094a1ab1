"""Roaming agreements: which two parties may exchange what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Agreement", "AgreementStatus"]


class AgreementStatus(StrEnum):
    """An agreement is in force (ACTIVE) or paused by the operator (SUSPENDED)."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True, slots=True)
class Agreement:
    """Permission for parties ``a`` and ``b`` (``(country_code, party_id)``) to exchange data.

    ``modules`` limits it to those module identifiers; ``None`` means every module.
    """

    id: int
    a: tuple[str, str]
    b: tuple[str, str]
    modules: frozenset[str] | None
    status: AgreementStatus
    created_at: datetime
    updated_at: datetime

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
