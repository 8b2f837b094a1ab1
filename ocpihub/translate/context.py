"""What a translator may need to know beyond the object itself.

Up-translation from an older version sometimes has to fill fields the newer version requires
(owner country/party of a 2.1.1 object, the time zone of a Location, the token data behind a
2.1.1 session's ``auth_id``, the stored Location behind a 2.1.1 Session or CDR, ...). The caller
(the hub, which can look things up) passes them in a :class:`TranslationContext`; a translator
that needs something the context lacks raises :class:`MissingContext` naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpihub.errors import NotEnoughInformation

__all__ = ["MissingContext", "TranslationContext"]


class MissingContext(NotEnoughInformation):
    """The hub lacks information it needs to translate this object for another version."""


TokenLookup = Callable[[str], dict[str, Any] | None]
LocationLookup = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class TranslationContext:
    """Facts a translator may use. Every field is optional; ask with :meth:`require`.

    - ``country_code``/``party_id``: the owner of the object (from the URL or the platform).
    - ``time_zone``: IANA zone to use when a Location lacks one.
    - ``token_by_uid``: canonical Token document for a token uid / auth_id (token cache).
    - ``location_by_id``: canonical Location document by location id (owner's store).
    - ``now``: receipt time, used where a version requires ``last_updated`` and the sender's
      version had none (2.1.1 PATCH bodies; digest §1.3, §7 item 17).
    - ``enums``: the open-enum registry (operator-registered values).
    - ``role``: the single role of a 2.1.1 partner (its credentials and details carry none).
    - ``token``/``token_uid``: the canonical Token (or just its uid) an AuthorizationInfo answers
      for (2.2+ requires the token in the answer; 2.1.1 does not give it).
    - ``owned``: the document is the caller's own, used for nothing after the translation (it
      was just decoded): a translator may rewrite it in place instead of a private copy.
    """

    country_code: str | None = None
    party_id: str | None = None
    time_zone: str | None = None
    token_by_uid: TokenLookup | None = None
    location_by_id: LocationLookup | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    enums: Any = None
    role: str | None = None
    token: dict[str, Any] | None = None
    token_uid: str | None = None
    owned: bool = False

    def require(self, name: str, why: str) -> Any:
        """The value of field ``name``, or :class:`MissingContext` saying what needed it."""
        value = getattr(self, name)
        if value is None:
            raise MissingContext(f"cannot translate: {why} needs {name}, which the hub lacks")
        return value

    def owner(self, why: str) -> tuple[str, str]:
        """The owner's (country_code, party_id), required."""
        return self.require("country_code", why), self.require("party_id", why)
