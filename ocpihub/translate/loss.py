"""Loss reports: what a translation could not carry over, field by field.

Down-translation (2.3.0 → an older version) drops what the target cannot express, and
up-translation may have to leave out what the canonical model has no place for; either way the
translator records each loss here instead of losing it silently. Reports are stored with the
delivery they belong to and shown to the operator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Loss", "LossReport"]


@dataclass(frozen=True, slots=True)
class Loss:
    """One thing that did not make it: where (JSON path), what value, and why."""

    path: str
    value: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"path": self.path, "value": self.value, "reason": self.reason}


@dataclass(slots=True)
class LossReport:
    """The losses of one translation, in the order they were found."""

    losses: list[Loss] = field(default_factory=list)

    def add(self, path: str, value: Any, reason: str) -> None:
        """Record one loss."""
        self.losses.append(Loss(path, value, reason))

    def extend(self, other: LossReport, prefix: str = "") -> None:
        """Take over another report's losses, their paths below ``prefix``."""
        for loss in other.losses:
            path = f"{prefix}.{loss.path}" if prefix and loss.path else prefix or loss.path
            self.losses.append(Loss(path, loss.value, loss.reason))

    def __bool__(self) -> bool:
        return bool(self.losses)

    def __len__(self) -> int:
        return len(self.losses)

    def paths(self) -> list[str]:
        """The JSON paths of every loss (handy in tests)."""
        return [loss.path for loss in self.losses]

    def as_json(self) -> list[dict[str, Any]]:
        """JSON form, as stored with a delivery."""
        return [loss.as_dict() for loss in self.losses]
