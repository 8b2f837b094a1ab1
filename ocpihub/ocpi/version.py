"""What each OCPI version can say: capabilities instead of version numbers.

Code outside ``ocpi/`` and ``translate/`` never compares version strings; it asks the version
what it can do: ``ocpi_version(platform.version).has_roles``. Which modules a version defines
comes from the module table (``ocpi/modules.py``); the wire facts below are declared once per
version — as what 2.1.1 and 2.2.1 lack against the newest version — and checked against the
version packages' models (tests/unit/ocpi/test_version.py). Versions order by their number.

Which version the canonical model is, is the version bridge's business
(``translate.CANONICAL_VERSION``), not a capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import total_ordering

from ocpihub.ocpi.modules import ModuleId, offers

__all__ = [
    "NEWEST",
    "OLDEST",
    "VERSIONS",
    "OcpiVersion",
    "TokenForm",
    "ocpi_version",
]


class TokenForm(StrEnum):
    """How a version writes the token after ``Authorization: Token`` (digest §1.2)."""

    PLAIN = "plain"  # 2.1.1: the token as issued
    BASE64 = "base64"  # 2.2+: the token Base64-encoded


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class OcpiVersion:
    """One OCPI version's capabilities. Defaults are the newest version's; each older version
    states where it differs."""

    number: str
    has_roles: bool = True
    """A platform hosts parties in roles: credentials list them, version-details endpoints name
    their interface role (SENDER/RECEIVER), objects and their URLs name the owning party
    (``country_code``/``party_id``), and functional requests carry OCPI-from/-to. 2.1.1: one
    connection is one CPO or eMSP party, named without a role; endpoints carry no role."""
    token_form: TokenForm = TokenForm.BASE64
    has_hub_status_codes: bool = True
    """Status codes 2004 (unknown object), x9xx and the 4xxx hub errors exist; a 2.1.1 party
    says "unknown token" with HTTP 404 and reads the nearest generic code instead."""
    has_hub_role: bool = False
    """The hub names itself in credentials with the role ``HUB`` (2.2.1; 2.3.0 has none)."""
    has_hub_party_id: bool = True
    """Credentials carry ``hub_party_id``, and a hub lists in ``roles`` every party reachable
    through it (2.3.0)."""
    token_types: frozenset[str] | None = None
    """The token types the version names; None: TokenType is open (2.3.0, digest §5)."""
    typed_token_urls: bool = True
    """Token URLs (and authorize requests) name the token type with ``?type=``."""
    has_cdr_token: bool = True
    """Sessions and CDRs carry the token as a CdrToken; 2.1.1 names it by ``auth_id`` only."""
    embeds_location: bool = False
    """Sessions and CDRs embed the whole Location (2.1.1), not its id."""
    authorization_has_token: bool = True
    """An AuthorizationInfo carries the Token it authorizes (2.1.1's has none)."""
    appends_charging_periods: bool = True
    """A Session PATCH's ``charging_periods`` add to the stored ones (2.1.1: they replace
    them, digest §4.3 Sessions)."""
    has_charging_preferences: bool = True
    """The sessions Sender interface takes ChargingPreferences."""
    has_cancel_reservation: bool = True
    """The CANCEL_RESERVATION command exists."""
    has_command_result: bool = True
    """A CPO posts a command's result as a CommandResult (2.1.1: a CommandResponse body)."""
    has_command_timeout: bool = True
    """A CommandResponse says how long to wait for the result (``timeout``)."""
    patches_tariffs: bool = False
    """The tariffs Receiver interface takes PATCH (2.1.1; it left in 2.2, digest §4.3)."""
    key: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", tuple(int(p) for p in self.number.split(".")))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OcpiVersion) and self.key == other.key

    def __lt__(self, other: OcpiVersion) -> bool:
        return self.key < other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.number

    def offers(self, module_id: str) -> bool:
        """Whether the version defines the module ``module_id`` (the module table says)."""
        return offers(self.number, module_id)

    @property
    def has_charging_profiles(self) -> bool:
        """The chargingprofiles module exists (2.2+)."""
        return self.offers(ModuleId.CHARGING_PROFILES)

    @property
    def has_hub_client_info(self) -> bool:
        """The hubclientinfo module exists (2.2+): the hub tells platforms who is connected."""
        return self.offers(ModuleId.HUB_CLIENT_INFO)

    @property
    def has_payments(self) -> bool:
        """The payments module exists (2.3.0)."""
        return self.offers(ModuleId.PAYMENTS)


VERSIONS: tuple[OcpiVersion, ...] = (
    OcpiVersion(
        "2.1.1",
        has_roles=False,
        token_form=TokenForm.PLAIN,
        has_hub_status_codes=False,
        has_hub_party_id=False,
        token_types=frozenset({"RFID", "OTHER"}),
        typed_token_urls=False,
        has_cdr_token=False,
        embeds_location=True,
        authorization_has_token=False,
        appends_charging_periods=False,
        has_charging_preferences=False,
        has_cancel_reservation=False,
        has_command_result=False,
        has_command_timeout=False,
        patches_tariffs=True,
    ),
    OcpiVersion(
        "2.2.1",
        has_hub_role=True,
        has_hub_party_id=False,
        token_types=frozenset({"RFID", "OTHER", "AD_HOC_USER", "APP_USER"}),
    ),
    OcpiVersion("2.3.0"),
)
"""Every version the hub speaks, oldest first: ``SUPPORTED_VERSIONS``."""

_BY_NUMBER = {v.number: v for v in VERSIONS}

OLDEST = VERSIONS[0]
NEWEST = VERSIONS[-1]


def ocpi_version(number: str) -> OcpiVersion:
    """The capabilities of version ``number`` (ValueError for a version the hub lacks)."""
    found = _BY_NUMBER.get(number)
    if found is None:
        raise ValueError(f"OCPI {number!r} is not a version the hub speaks")
    return found
