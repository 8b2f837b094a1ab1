"""Tokens: Token, TokenPatch, AuthorizationInfo, LocationReferences, 2.1.1 ↔ canonical.

Up (digest §4.3 Tokens): owner fields from the context; ``auth_id`` → ``contract_id``.
LocationReferences loses ``connector_ids`` (gone since 2.2; kept as legacy). A 2.1.1
AuthorizationInfo has no ``token``, which 2.2+ requires: it is the token the authorization
asked about, and the body does not name it. The translator takes it from the context, from a
``token`` attribute (the canonical Token) or a ``token_uid`` attribute looked up with
``token_by_uid``; :class:`~ocpihub.translate.context.TranslationContext` has neither yet, so
until it does this raises MissingContext (see the report to the lead).

Down: ``contract_id`` → ``auth_id``; ``group_id``, ``default_profile_type``,
``energy_contract`` dropped with a loss entry; TokenType values 2.1.1 lacks → ``OTHER``.
AuthorizationInfo loses ``token`` and ``authorization_reference`` (reported; the hub keeps the
reference for the session that follows).
"""

from __future__ import annotations

from typing import Any

from ocpihub.ocpi.fields import format_datetime
from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Legacy,
    clean,
    id_up,
    join,
    legacy_of,
    make_down,
    make_up,
)
from ocpihub.translate.v2_1_1.enums import map_down

__all__ = ["DOWN", "UP", "token_down", "token_up"]

_NEW_FIELDS = ("group_id", "default_profile_type", "energy_contract")


def token_up(data: Doc, ctx: TranslationContext, legacy: Legacy, *, full: bool) -> Doc:
    """2.1.1 Token (``full``) or Token PATCH → canonical."""
    out = clean(data)
    if full:
        out["country_code"], out["party_id"] = ctx.owner("a 2.1.1 Token (2.3.0 names its owner)")
    if isinstance(out.get("uid"), str):
        out["uid"] = id_up(out["uid"], legacy, "uid")
    if "auth_id" in out:
        auth_id = out.pop("auth_id")
        out["contract_id"] = id_up(auth_id, legacy, "auth_id") if auth_id is not None else None
    return out


def token_down(doc: Doc, report: LossReport, path: str = "") -> Doc:
    """Canonical Token (or TokenPatch) → 2.1.1."""
    out = clean(doc)
    out.pop("country_code", None)  # the owner travels in the 2.1.1 URL
    out.pop("party_id", None)
    if "contract_id" in out:
        out["auth_id"] = out.pop("contract_id")
    for key in _NEW_FIELDS:
        if key in out:
            value = out.pop(key)
            if value is not None:
                report.add(join(path, key), value, f"2.1.1 tokens have no {key}")
    token_type = out.get("type")
    if isinstance(token_type, str):
        mapped = map_down("TokenType", token_type) or "OTHER"
        if mapped != token_type:
            report.add(join(path, "type"), token_type, f"2.1.1 has no such token type: {mapped}")
            out["type"] = mapped
    return out


def references_up(data: Doc, legacy: Legacy) -> Doc:
    """2.1.1 LocationReferences → canonical (``connector_ids`` kept as legacy)."""
    out = clean(data)
    if isinstance(out.get("location_id"), str):
        out["location_id"] = id_up(out["location_id"], legacy, "location_id")
    if isinstance(out.get("evse_uids"), list):
        out["evse_uids"] = [
            id_up(uid, legacy, f"evse_uids[{i}]") for i, uid in enumerate(out["evse_uids"])
        ]
    if "connector_ids" in out:
        legacy.keep("connector_ids", out.pop("connector_ids"))
    return out


def _asked_token(ctx: TranslationContext) -> Doc:
    token: Any = getattr(ctx, "token", None)
    if isinstance(token, dict):
        return token
    uid: Any = getattr(ctx, "token_uid", None)
    if isinstance(uid, str) and ctx.token_by_uid is not None:
        found = ctx.token_by_uid(uid)
        if found is not None:
            return found
    raise MissingContext(
        "cannot translate: a 2.1.1 AuthorizationInfo needs the Token it answers for "
        "(context token or token_uid), which the hub lacks"
    )


def _token_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Token → canonical Token."""
    return token_up(data, ctx, legacy, full=True)


def _token_patch_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Token PATCH → canonical TokenPatch (``last_updated`` filled)."""
    out = token_up(data, ctx, legacy, full=False)
    if out.get("last_updated") is None:
        out["last_updated"] = format_datetime(ctx.now)
        legacy.absent("last_updated")
    return out


def _references_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 LocationReferences → canonical."""
    return references_up(data, legacy)


def _authorization_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 AuthorizationInfo → canonical (``token`` from the context)."""
    out = clean(data)
    out["token"] = clean(_asked_token(ctx))
    legacy.absent("token")
    if isinstance(out.get("location"), dict):
        out["location"] = references_up(out["location"], legacy.at("location"))
    return out


def _token_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Token (or TokenPatch) → 2.1.1."""
    return token_down(doc, report)


def _references_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical LocationReferences → 2.1.1 (same fields)."""
    return clean(doc)


def _authorization_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical AuthorizationInfo → 2.1.1."""
    out = clean(doc)
    token = out.pop("token", None)
    if token is not None and "token" not in legacy_of(doc):
        report.add("token", token, "2.1.1 AuthorizationInfo carries no token")
    reference = out.pop("authorization_reference", None)
    if reference is not None:
        report.add("authorization_reference", reference, "2.1.1 AuthorizationInfo has none")
    return out


UP = {
    "Token": make_up(_token_up),
    "TokenPatch": make_up(_token_patch_up),
    "LocationReferences": make_up(_references_up),
    "AuthorizationInfo": make_up(_authorization_up),
}

DOWN = {
    "Token": make_down(_token_down),
    "TokenPatch": make_down(_token_down),
    "LocationReferences": make_down(_references_down),
    "AuthorizationInfo": make_down(_authorization_down),
}
