"""A platform's interoperability profile: how the hub meets one partner's known deviations.

The default (:data:`STRICT`) is spec-exact: no page cap, the hub-wide timeout, no concurrency
limit, single objects only as objects, no tolerated deviation, nothing back-ported. Every switch
is per platform and applied at the edge where that partner's data enters or leaves the hub
(DESIGN rule 12); docs/partners.md says what each does and when to use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["DEVIATIONS", "STRICT", "Profile"]

DEVIATIONS: dict[str, str] = {
    "numbers_as_strings": "a JSON string holding a decimal number where the spec has a number "
    '(``"22.5"``) is read as that number',
    "lowercase_enums": "an enum value of the spec in another letter case (``available``) is "
    "read as the spec's spelling",
    "status_code_as_string": 'an answer envelope whose status_code is a string of digits ("1000") '
    "is read as that integer",
}
"""The deviations a profile may tolerate, by name; each is refused (2001, or 4000 for a relayed
answer) unless the partner's profile names it."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One platform's switches (all off: :data:`STRICT`).

    ``page_size_cap``: the largest ``limit`` the hub sends on its GETs to the partner;
    ``timeout_seconds``: the request timeout towards it (None: the hub-wide setting);
    ``concurrency``: calls in flight to it at once, per hub process (None: no own limit);
    ``accept_list_wrapped``: a one-element list where the spec has one object is read as that
    object; ``tolerate``: names from :data:`DEVIATIONS`; ``backports``: names from the
    back-port catalogue (``translate/backports.py``) delivered to this older-version partner.
    """

    page_size_cap: int | None = None
    timeout_seconds: float | None = None
    concurrency: int | None = None
    accept_list_wrapped: bool = False
    tolerate: frozenset[str] = field(default_factory=frozenset)
    backports: frozenset[str] = field(default_factory=frozenset)

    @property
    def strict(self) -> bool:
        """Whether this is the spec-exact default."""
        return self == STRICT

    def tolerates(self, deviation: str) -> bool:
        """Whether this partner's ``deviation`` is accepted."""
        return deviation in self.tolerate

    def as_json(self) -> dict[str, Any]:
        """JSON form (admin API, CLI ``--json``, the stored column)."""
        return {
            "page_size_cap": self.page_size_cap,
            "timeout_seconds": self.timeout_seconds,
            "concurrency": self.concurrency,
            "accept_list_wrapped": self.accept_list_wrapped,
            "tolerate": sorted(self.tolerate),
            "backports": sorted(self.backports),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Profile:
        """The profile a stored JSON document describes (absent keys: the strict default)."""
        if not data:
            return STRICT
        return cls(
            page_size_cap=data.get("page_size_cap"),
            timeout_seconds=data.get("timeout_seconds"),
            concurrency=data.get("concurrency"),
            accept_list_wrapped=bool(data.get("accept_list_wrapped", False)),
            tolerate=frozenset(data.get("tolerate") or ()),
            backports=frozenset(data.get("backports") or ()),
        )

    def changed(self, **changes: Any) -> Profile:
        """A copy with ``changes`` (list-valued switches given as any iterable of names)."""
        for name in ("tolerate", "backports"):
            if name in changes:
                changes[name] = frozenset(_names(changes[name]))
        return replace(self, **changes)


def _names(values: Iterable[str] | None) -> Iterable[str]:
    return values or ()


STRICT = Profile()
"""The spec-exact default every platform starts with."""
