"""Versions on the 2.2.1 bridge: Version and VersionDetails (digest §1.1, §4.3, §5).

Up: every 2.2.1 version number and standard module id exists in 2.3.0. A custom module id
(2.2.1 allows them) that 2.3.0's open ``ModuleID`` does not accept — not registered with the
operator's enum registry ``ctx.enums`` — is moved with its endpoint into legacy and put back on
the way down, unless no endpoint would be left (the list needs one; the canonical document
then only validates with such a registry).

Down: module ids pass unchanged, ``payments`` and ``Booking`` included, since 2.2.1 itself
admits custom modules and partners ignore the ones they do not know. A version number 2.2.1
does not know (``2.3.0``, custom) cannot be expressed at all; the hub answers the versions list
itself per version, so this raises :class:`~ocpihub.translate.MissingContext` rather than
inventing a number.
"""

from __future__ import annotations

import re

from ocpihub.ocpi.v2_3_0.enums import ModuleID as CanonicalModuleID
from ocpihub.translate import Down, MissingContext, Up

from .common import Doc, DownState, UpState, down_with, identity_up, item, up_with
from .enums import known

__all__ = ["DOWN", "UP"]

_CANONICAL_MODULES = frozenset(m.value for m in CanonicalModuleID)
_ENDPOINT_KEY = re.compile(r"^endpoints\[(\d+)\]$")


def _module_accepted(identifier: object, state: UpState) -> bool:
    if identifier in _CANONICAL_MODULES:
        return True
    registry = state.ctx.enums
    return registry is not None and bool(registry.accepts("ModuleID", identifier))


def _version_details_up(body: Doc, state: UpState) -> Doc:
    endpoints = body.get("endpoints")
    if not isinstance(endpoints, list):
        return body
    custom = [
        i for i, e in enumerate(endpoints) if not _module_accepted(e.get("identifier"), state)
    ]
    if not custom or len(custom) == len(endpoints):
        return body
    for i in custom:
        state.keep(item("endpoints", i), endpoints[i])
    body["endpoints"] = [e for i, e in enumerate(endpoints) if i not in custom]
    return body


def _version_number_down(body: Doc) -> None:
    version = body.get("version")
    if not known("VersionNumber", version):
        raise MissingContext(
            f"cannot translate: OCPI 2.2.1 has no version number {version!r}; "
            "the versions list must be answered per version"
        )


def _version_down(body: Doc, state: DownState) -> Doc:
    _version_number_down(body)
    return body


def _version_details_down(body: Doc, state: DownState) -> Doc:
    _version_number_down(body)
    restored = sorted(
        (int(m.group(1)), value)
        for key, value in state.legacy.items()
        if (m := _ENDPOINT_KEY.match(key)) is not None and isinstance(value, dict)
    )
    endpoints = body.get("endpoints")
    if restored and isinstance(endpoints, list):
        for index, endpoint in restored:
            endpoints.insert(min(index, len(endpoints)), endpoint)
    return body


UP: dict[str, Up] = {"Version": identity_up, "VersionDetails": up_with(_version_details_up)}
DOWN: dict[str, Down] = {
    "Version": down_with(_version_down),
    "VersionDetails": down_with(_version_details_down),
}
