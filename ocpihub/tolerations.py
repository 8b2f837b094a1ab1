"""Where the edge reports what a partner's profile let through: one log line per platform,
deviation and exchange kind (per process), and every use counted in the metrics
(``ocpihub_profile_tolerated_total{platform,deviation}``). Built by ``app.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import structlog

from ocpihub.model.parties import Platform

__all__ = ["LIST_WRAPPED", "Tolerations"]

log = structlog.get_logger("ocpihub.profiles")

LIST_WRAPPED = "list_wrapped"
"""The deviation name ``accept_list_wrapped`` is counted under."""

Count = Callable[[str, str], None]
"""``(platform name, deviation)``: one more use (the metrics counter)."""


class Tolerations:
    """Records tolerated deviations (see the module docstring)."""

    def __init__(self, count: Count | None = None) -> None:
        self.count = count
        self._logged: set[tuple[int, str, str]] = set()

    def used(self, platform: Platform, deviation: str, exchange: str, path: str = "") -> None:
        """``platform``'s ``deviation`` was accepted in an ``exchange`` (e.g. ``Location``,
        ``POST commands``), at ``path`` of its data."""
        key = (platform.id, deviation, exchange)
        if key not in self._logged:
            self._logged.add(key)
            log.info(
                "profile_tolerated",
                platform=platform.name,
                deviation=deviation,
                exchange=exchange,
                path=path or None,
            )
        if self.count is not None:
            self.count(platform.name, deviation)

    def used_all(self, platform: Platform, exchange: str, repairs: Iterable[object]) -> None:
        """Each of ``repairs`` (:class:`ocpihub.ocpi.tolerant.Repair`) as one use."""
        for repair in repairs:
            self.used(
                platform,
                str(getattr(repair, "deviation", "")),
                exchange,
                str(getattr(repair, "path", "")),
            )
