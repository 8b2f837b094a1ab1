"""The one rule for the hub's Authorization header towards a partner (DESIGN rule 2).

:class:`PartnerAuth` is what every outbound call carries instead of a bare token: the token and
the form it goes in. The form comes from the platform's ``token_encoding`` setting and the OCPI
version in use — ``auto`` means what that version prescribes (2.1.1 plain, 2.2+ Base64; digest
§1.2). Only the very first versions GET of a handshake, before any version is chosen, may try
both forms (:meth:`PartnerAuth.before_version`); every call after the version is chosen —
version details, credentials, deliveries, relays, liveness, credentials updates — uses
:meth:`PartnerAuth.for_version` or :meth:`PartnerAuth.of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocpihub.errors import ReceiverNotConnected
from ocpihub.model.parties import Platform, TokenEncoding
from ocpihub.ocpi.headers import encode_token
from ocpihub.ocpi.version import TokenForm, ocpi_version

__all__ = ["PartnerAuth"]


@dataclass(frozen=True, slots=True)
class PartnerAuth:
    """A token the hub calls a partner with, and whether it goes Base64-encoded."""

    token: str = field(repr=False)
    base64: bool

    @classmethod
    def for_version(cls, token: str, encoding: TokenEncoding, version: str) -> PartnerAuth:
        """The form ``encoding`` gives ``token`` when talking OCPI ``version``."""
        return cls(token, encoding.encodes(ocpi_version(version).token_form is TokenForm.BASE64))

    @classmethod
    def before_version(cls, token: str, encoding: TokenEncoding) -> list[PartnerAuth]:
        """The forms to try, in order, on a versions GET before any version is chosen:
        Base64 then plain for ``auto`` (the partner's version is not known yet), else the
        configured form only."""
        if encoding is TokenEncoding.AUTO:
            return [cls(token, True), cls(token, False)]
        return [cls(token, encoding is TokenEncoding.BASE64)]

    @classmethod
    def of(cls, platform: Platform) -> PartnerAuth:
        """How the hub calls a registered ``platform``: its token, in its version's form.

        4003 when the hub holds no token for it or no version was negotiated.
        """
        if platform.outbound_token is None or platform.version is None:
            raise ReceiverNotConnected(
                f"the hub holds no token and version to call platform {platform.name} with"
            )
        return cls.for_version(platform.outbound_token, platform.token_encoding, platform.version)

    def header(self) -> str:
        """The Authorization header value."""
        return encode_token(self.token, base64_encode=self.base64)
