"""Real-time authorization through the hub: a CPO's ``POST {uid}/authorize`` forwarded to the
eMSP named by the OCPI-to headers, else to the one owning the stored token (the token cache),
and its answer relayed in the CPO's version (``hub/relay.py``).

Outcomes the hub produces itself (docs/modules/tariffs-tokens.md): unknown token → 2004;
OCPI-to names a party without an agreement → 4001; eMSP unreachable → 4003, too slow → 4002 —
unless the agreement's policy (issue 19.1) allows on timeout: then the hub answers ALLOWED
itself, from the eMSP's party, and says so (:func:`hub_allows`); an eMSP answer that is no
OCPI envelope → 4000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import structlog

from ocpihub.errors import (
    ForwardTimeout,
    HubError,
    InvalidParameters,
    ReceiverNotConnected,
    UnknownReceiver,
    UnknownToken,
)
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Relayed, Reply, Route, single_object, translated
from ocpihub.hub.tokens import (
    classify_answer,
    requesting_party,
    synthesized_token,
    wire_token_type,
)
from ocpihub.model.agreements import Agreement, OnAuthorizeTimeout
from ocpihub.model.parties import Target
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.urls import join_url
from ocpihub.store.db import Database
from ocpihub.store.objects import StoredObject, find_visible
from ocpihub.translate import PRIVATE_KEY, TranslationContext, from_canonical

__all__ = ["AuthorizeContext", "authorize", "hub_allows"]

MODULE = "tokens"
_OWNER_ROLES = ("EMSP",)
log = structlog.get_logger("ocpihub.authorize")

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuthorizeContext(TranslationContext):
    """A translation context that also names the Token an AuthorizationInfo answers for.

    The 2.1.1 translator reads ``token`` to fill the Token a 2.1.1 answer lacks (2.2+ requires
    it, digest §4.3 Tokens).
    """

    token: Doc | None = None


@dataclass(frozen=True, slots=True)
class _Asked:
    """Where an authorize request goes (CPO → eMSP) and the stored token, when read."""

    hop: Route
    stored: StoredObject | None
    looked_up: bool = True
    """False when OCPI-to named the eMSP: the stored token is read only if the answer needs it."""


async def _emsp(
    db: Database, relay: Relay, origin: Origin, uid: str, token_type: str
) -> tuple[Party, Party, Target, StoredObject | None]:
    """(CPO, eMSP, agreed target, stored token): OCPI-to when given, else the token's owner."""
    directory = relay.directory
    hosted = [
        (p.country_code, p.party_id, p.role) for p in await directory.parties(origin.platform_id)
    ]
    cpo = requesting_party(hosted, origin.from_party, "CPO")
    targets = {
        t.party: t
        for t in await directory.agreed_targets(cpo, MODULE, interface_role="SENDER")
        if t.role in _OWNER_ROLES
    }
    if origin.to_party is not None:
        emsp = origin.to_party
        if emsp not in targets:
            raise UnknownReceiver(
                f"{emsp[0]}-{emsp[1]} (OCPI-to) is no eMSP you have an active agreement with "
                "covering tokens: the hub does not forward your request"
            )
        return cpo, emsp, targets[emsp], None  # no query before forwarding (uids are case-blind)
    async with db.read() as conn:
        stored = await find_visible(conn, MODULE, uid, targets, kind=token_type)
        others = (
            set(targets) - {(stored.key.country_code, stored.key.party_id)} if stored else set()
        )
        elsewhere = await find_visible(conn, MODULE, uid, others, kind=token_type)
    if stored is None:
        raise UnknownToken(
            f"no token {uid!r} of type {token_type} that your agreements let you use"
        )
    emsp = (stored.key.country_code, stored.key.party_id)
    if elsewhere is not None:
        raise InvalidParameters(
            f"several eMSPs have a token {uid!r} of type {token_type}: name the one to ask "
            "with the OCPI-to-country-code and OCPI-to-party-id headers"
        )
    return cpo, emsp, targets[emsp], stored


async def _route(db: Database, relay: Relay, origin: Origin, uid: str, token_type: str) -> _Asked:
    """The hop to the eMSP's tokens Sender endpoint."""
    cpo, emsp, target, stored = await _emsp(db, relay, origin, uid, token_type)
    platform, endpoints = await relay.directory.platform_with_endpoints(target.platform_id)
    if platform is None:  # removed since the agreements were read
        raise ReceiverNotConnected(f"{emsp[0]}-{emsp[1]} is no longer connected to the hub")
    urls = [e.url for e in endpoints if e.identifier == MODULE and e.role == "SENDER"]
    roleless = platform.version is not None and not ocpi_version(platform.version).has_roles
    if not urls and roleless:  # 2.1.1 endpoints may carry no role
        urls = [e.url for e in endpoints if e.identifier == MODULE]
    if not urls:
        raise ReceiverNotConnected(
            f"{emsp[0]}-{emsp[1]} publishes no tokens sender endpoint: it cannot authorize "
            "tokens in real time"
        )
    hop = Route(cpo, emsp, platform, urls[0], MODULE)
    return _Asked(hop, stored, looked_up=origin.to_party is None)


async def _asked_token(db: Database, asked: _Asked, uid: str, token_type: str) -> Doc:
    """The canonical Token the authorization is about: stored, else what the request says."""
    stored = asked.stored
    emsp = asked.hop.receiver
    if stored is None and not asked.looked_up:
        async with db.read() as conn:
            stored = await find_visible(conn, MODULE, uid, [emsp], kind=token_type)
    if stored is not None:
        return stored.document
    return synthesized_token(
        emsp, uid, token_type, issuer=f"{emsp[0]}-{emsp[1]}", now=datetime.now(UTC)
    )


async def _relayed(
    db: Database,
    relay: Relay,
    version: str,
    asked: _Asked,
    answer: Relayed,
    uid: str,
    token_type: str,
) -> Reply:
    """The CPO's answer from the eMSP's (digest §1.6: the eMSP's 2xxx/3xxx pass unchanged)."""
    emsp_version = asked.hop.version
    outcome = classify_answer(emsp_version, answer.http_status, answer.status)
    if outcome == "failed":
        raise HubError(
            f"{answer.receiver} answered HTTP {answer.http_status}: the hub's credentials were "
            "refused"
        )
    if outcome == "unknown":
        raise UnknownToken(answer.message or f"{answer.receiver} does not know this token")
    if outcome == "refused":
        return Reply.failure(answer)
    data = single_object(answer, "AuthorizationInfo")
    lacks_token = ocpi_version(emsp_version).authorization_has_token and "token" not in data
    # the Token is needed to complete a lax answer or to translate one; else not read at all
    token = (
        await _asked_token(db, asked, uid, token_type)
        if lacks_token or emsp_version != version
        else None
    )
    if lacks_token:
        assert token is not None
        # a 2.2+ answer must name the token; a lax eMSP's is completed rather than refused
        data = {**data, "token": from_canonical(emsp_version, "Token", token)[0]}
    info = relay.validated(answer, "AuthorizationInfo", data)
    emsp = asked.hop.receiver
    ctx = AuthorizeContext(country_code=emsp[0], party_id=emsp[1], enums=relay.enums, token=token)
    return Reply.success(answer, translated(info, "AuthorizationInfo", emsp_version, version, ctx))


async def authorize(
    db: Database,
    relay: Relay,
    origin: Origin,
    uid: str,
    token_type: str,
    references: Doc | None,
) -> Reply:
    """Forward a CPO's authorization request (``references``: its validated
    LocationReferences) to the eMSP and relay its answer, or the agreement's decision."""
    version = origin.version
    asked = await _route(db, relay, origin, uid, token_type)
    hop = asked.hop
    body = None
    if references is not None:
        ctx = TranslationContext(country_code=hop.requester[0], party_id=hop.requester[1])
        body = translated(references, "LocationReferences", version, hop.version, ctx)
    asked_uid = str(asked.stored.document["uid"]) if asked.stored is not None else uid
    # the agreement's policy: its timeout, and the hub's answer when the eMSP is silent
    policy = await relay.directory.agreement(hop.requester, hop.receiver)
    try:
        answer = await relay.forward(
            hop,
            "POST",
            join_url(hop.url, quote(asked_uid, safe=""), "authorize"),
            correlation_id=origin.correlation_id,
            json=body,
            params={"type": wire_token_type(hop.version, token_type)},
            timeout=policy.authorize_timeout_seconds if policy else None,
        )
    except ForwardTimeout as exc:
        if policy is None or policy.authorize_on_timeout is not OnAuthorizeTimeout.ALLOW:
            raise
        token = await _asked_token(db, asked, uid, token_type)
        emsp = hop.receiver
        ctx = AuthorizeContext(
            country_code=emsp[0], party_id=emsp[1], enums=relay.enums, token=token
        )
        return hub_allows(version, hop, token, policy, exc.message, ctx)
    return await _relayed(db, relay, version, asked, answer, uid, token_type)


def hub_allows(
    version: str,
    hop: Route,
    token: Doc,
    agreement: Agreement,
    why: str,
    ctx: TranslationContext,
) -> Reply:
    """The hub's own ALLOWED answer to the CPO (``hop``: CPO → eMSP; ``token``: canonical),
    as an agreement that allows on timeout decides (issue 19.1): an AuthorizationInfo with
    ``allowed`` ALLOWED for the token asked about, in the CPO's version, from the eMSP's party,
    its ``info`` and status message saying that the hub decided; logged, and written to the
    traffic log entry of the CPO's request (``hub decision: …``)."""
    emsp = "-".join(hop.receiver)
    decision = (
        f"hub decision: ALLOWED, {emsp} did not answer in time ({why}); "
        f"agreement {agreement.id} allows on timeout"
    )
    token = {k: v for k, v in token.items() if k != PRIVATE_KEY}
    canonical = {
        "allowed": "ALLOWED",
        "token": token,
        "info": {"language": "en", "text": f"Authorized by the roaming hub: {emsp} did not answer"},
    }
    data, _ = from_canonical(version, "AuthorizationInfo", canonical, ctx)
    log.warning(
        "authorize_decided_by_hub",
        agreement=agreement.id,
        cpo="-".join(hop.requester),
        emsp=emsp,
        token_uid=token.get("uid"),
        reason=why,
    )
    return Reply(hop, 1000, decision, 200, data, decision=decision)
