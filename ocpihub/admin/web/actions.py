"""Console forms (POST): every action calls the service the CLI and the admin API call.

Each goes through :func:`~ocpihub.admin.web.auth.act` (signed in, CSRF token checked) and
answers with a redirect carrying a one-time message; refusals name their reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ocpihub.admin.web.auth import act, guard
from ocpihub.admin.web.console import Form, console_of, runtime_of
from ocpihub.errors import InvalidParameters, OcpiError
from ocpihub.hub.agreement_actions import (
    add_agreement,
    remove_agreement,
    set_authorize_policy,
    set_status,
)
from ocpihub.hub.credentials_refresh import update_credentials
from ocpihub.hub.party_actions import suspend_party
from ocpihub.hub.platforms import add_platform, parse_role_spec, set_limits, set_profile
from ocpihub.hub.registration import Registrar
from ocpihub.model.agreements import AgreementStatus
from ocpihub.model.parties import TokenEncoding
from ocpihub.model.profiles import DEVIATIONS
from ocpihub.outbox.replay import retry_all_dead, retry_item
from ocpihub.store import platforms as platform_store
from ocpihub.translate.backports import BACKPORTS

__all__ = ["router"]

router = APIRouter()


def _registrar(request: Request) -> Registrar:
    """The running hub's one registrar, as the admin API's: a removal tells the other side of
    each agreement it ends."""
    return runtime_of(request).registrar


def _int(form: Form, name: str) -> int:
    value = form.get(name, "").strip()
    if not value.isdigit():
        raise InvalidParameters(f"{name} {value!r} must be a number")
    return int(value)


# --- platforms -------------------------------------------------------------------------------


@router.post("/admin/platforms", include_in_schema=False)
async def platform_add(request: Request) -> Response:
    """Add a platform; its token A is shown once, on the page this answers with."""
    checked = await guard(request)
    if isinstance(checked, Response):
        return checked
    session, form = checked
    console = console_of(request)
    runtime = runtime_of(request)
    try:
        roles = [parse_role_spec(r) for r in form.get("roles", "").replace(",", " ").split()]
        encoding = TokenEncoding(form.get("token_encoding", "auto"))
        created = await add_platform(
            runtime.db,
            form.get("name", ""),
            public_url=runtime.settings.public_url,
            token_encoding=encoding,
            roles=roles,
        )
    except (OcpiError, ValueError) as exc:
        message = exc.message if isinstance(exc, OcpiError) else "token encoding is not valid"
        return console.redirect("/admin", message, error=True)
    return console.render(request, "platform_added.html", session=session, created=created)


@router.post("/admin/platforms/{platform_id}/register", include_in_schema=False)
async def platform_register(platform_id: int, request: Request) -> Response:
    """Hub-initiated registration with the partner's versions URL and token A."""

    async def work(form: Form) -> str:
        done = await _registrar(request).register_with(
            platform_id, form.get("versions_url", "").strip(), form.get("token", "")
        )
        return f"Registered with {done.name} (OCPI {done.version})."

    return await act(request, work, f"/admin/platforms/{platform_id}")


def _limit(form: Form, name: str, kind: type[float] | type[int]) -> float | int | None:
    """A limit from the form: blank is the hub-wide setting; otherwise a number (> 0 for
    a body size, >= 0 for a rate: 0 means no limit)."""
    text = form.get(name, "").strip()
    if text == "":
        return None
    try:
        number = kind(text)
    except ValueError:
        number = -1
    if number < 0 or (kind is int and number == 0):
        raise InvalidParameters(f"{name} {text!r} is not a valid limit (blank: the default)")
    return number


@router.post("/admin/platforms/{platform_id}/limits", include_in_schema=False)
async def platform_limits(platform_id: int, request: Request) -> Response:
    """Set the platform's rate limit, body-size limit (blank: the hub-wide setting) and default
    time zone (blank: none)."""

    async def work(form: Form) -> str:
        changes = {
            "rate_limit_per_second": _limit(form, "rate_limit_per_second", float),
            "max_body_bytes": _limit(form, "max_body_bytes", int),
            "default_time_zone": form.get("default_time_zone", "").strip() or None,
        }
        done = await set_limits(runtime_of(request).db, platform_id, changes)
        return f"Limits of {done.name} saved."

    return await act(request, work, f"/admin/platforms/{platform_id}")


def _switch_number(form: Form, name: str, kind: type[float] | type[int]) -> float | int | None:
    """A profile number from the form: blank is none (the default); otherwise above 0."""
    text = form.get(name, "").strip()
    if text == "":
        return None
    try:
        number = kind(text)
    except ValueError:
        number = 0
    if number <= 0:
        raise InvalidParameters(f"{name} {text!r} must be a number above 0 (blank: the default)")
    return number


@router.post("/admin/platforms/{platform_id}/profile", include_in_schema=False)
async def platform_profile(platform_id: int, request: Request) -> Response:
    """Set the platform's interoperability profile (every switch, as the form shows them)."""

    async def work(form: Form) -> str:
        changes = {
            "page_size_cap": _switch_number(form, "page_size_cap", int),
            "timeout_seconds": _switch_number(form, "timeout_seconds", float),
            "concurrency": _switch_number(form, "concurrency", int),
            "accept_list_wrapped": "accept_list_wrapped" in form,
            "tolerate": sorted(n for n in DEVIATIONS if f"tolerate.{n}" in form),
            "backports": sorted(n for n in BACKPORTS if f"backport.{n}" in form),
        }
        done = await set_profile(runtime_of(request).db, platform_id, changes)
        return f"Interoperability profile of {done.name} saved."

    return await act(request, work, f"/admin/platforms/{platform_id}")


@router.post("/admin/platforms/{platform_id}/credentials", include_in_schema=False)
async def platform_credentials(platform_id: int, request: Request) -> Response:
    """Update credentials with the partner (a token rotation)."""

    async def work(form: Form) -> str:
        refresher = runtime_of(request).credentials
        done = await update_credentials(refresher, platform_id)
        return f"Credentials updated with {done.name}."

    return await act(request, work, f"/admin/platforms/{platform_id}")


async def _suspend(request: Request, platform_id: int, suspended: bool) -> Response:
    runtime = runtime_of(request)

    async def work(form: Form) -> str:
        async with runtime.db.read() as conn:
            hosted = await platform_store.list_parties(conn, platform_id)
        codes = sorted({p.code for p in hosted})
        if not codes:
            raise InvalidParameters("this platform hosts no parties yet")
        for code in codes:
            await suspend_party(runtime.db, code, suspended, notify=runtime.notify_parties)
        return f"{'Suspended' if suspended else 'Resumed'}: {', '.join(codes)}."

    return await act(request, work, f"/admin/platforms/{platform_id}")


@router.post("/admin/platforms/{platform_id}/suspend", include_in_schema=False)
async def platform_suspend(platform_id: int, request: Request) -> Response:
    """Suspend every party of the platform: nothing flows to or from them."""
    return await _suspend(request, platform_id, True)


@router.post("/admin/platforms/{platform_id}/resume", include_in_schema=False)
async def platform_resume(platform_id: int, request: Request) -> Response:
    """Resume every party of the platform."""
    return await _suspend(request, platform_id, False)


@router.post("/admin/platforms/{platform_id}/remove", include_in_schema=False)
async def platform_remove(platform_id: int, request: Request) -> Response:
    """Remove the platform (``hub/platform_removal.py``): refused while deliveries are queued
    for it unless the form's ``force`` box is ticked; the refusal is shown on its page."""

    async def work(form: Form) -> str:
        force = form.get("force", "") in ("1", "on", "true")
        removed = await _registrar(request).remove(platform_id, force=force)
        return _removal_message(platform_id, removed)

    page = f"/admin/platforms/{platform_id}"
    return await act(request, work, "/admin", refused=page)


def _removal_message(platform_id: int, removed: dict[str, Any]) -> str:
    """What a removal did, in one line: the partner told, agreements ended, items moved."""
    told = {
        True: "the partner was told",
        False: "the partner could not be told",
        None: "the partner was not told (not registered)",
    }
    said = [f"Platform {platform_id} removed; {told[removed['partner_notified']]}"]
    said += [
        f"agreement {a['id']} ({' <-> '.join(a['parties'])}) ended"
        for a in removed["agreements_ended"]
    ]
    if removed["dead_lettered"]:
        said.append(f"{removed['dead_lettered']} queued deliveries moved to the dead-letter list")
    return "; ".join(said) + "."


# --- agreements ------------------------------------------------------------------------------


@router.post("/admin/agreements", include_in_schema=False)
async def agreement_add(request: Request) -> Response:
    """Agree that two parties may exchange data (optionally only some modules)."""
    runtime = runtime_of(request)

    async def work(form: Form) -> str:
        modules = form.all("modules") or None
        created = await add_agreement(
            runtime.db,
            form.get("party_a", ""),
            form.get("party_b", ""),
            modules,
            notify=runtime.notify_agreement,
        )
        return f"Agreement {created.id} between {' and '.join(created.codes)} made."

    return await act(request, work, "/admin/agreements")


async def _agreement_status(
    request: Request, agreement_id: int, status: AgreementStatus
) -> Response:
    runtime = runtime_of(request)

    async def work(form: Form) -> str:
        await set_status(runtime.db, agreement_id, status, notify=runtime.notify_agreement)
        return f"Agreement {agreement_id} is {status.value}."

    return await act(request, work, "/admin/agreements")


@router.post("/admin/agreements/{agreement_id}/suspend", include_in_schema=False)
async def agreement_suspend(agreement_id: int, request: Request) -> Response:
    """Suspend an agreement."""
    return await _agreement_status(request, agreement_id, AgreementStatus.SUSPENDED)


@router.post("/admin/agreements/{agreement_id}/resume", include_in_schema=False)
async def agreement_resume(agreement_id: int, request: Request) -> Response:
    """Resume an agreement."""
    return await _agreement_status(request, agreement_id, AgreementStatus.ACTIVE)


@router.post("/admin/agreements/{agreement_id}/remove", include_in_schema=False)
async def agreement_remove(agreement_id: int, request: Request) -> Response:
    """End an agreement."""
    runtime = runtime_of(request)

    async def work(form: Form) -> str:
        await remove_agreement(runtime.db, agreement_id, notify=runtime.notify_agreement)
        return f"Agreement {agreement_id} removed."

    return await act(request, work, "/admin/agreements")


@router.post("/admin/agreements/{agreement_id}/authorize", include_in_schema=False)
async def agreement_authorize(agreement_id: int, request: Request) -> Response:
    """Set the agreement's real-time authorization policy (blank timeout: the default)."""

    async def work(form: Form) -> str:
        changes = {
            "authorize_timeout_seconds": _switch_number(form, "authorize_timeout_seconds", float),
            "authorize_on_timeout": form.get("authorize_on_timeout", "REFUSE"),
        }
        done = await set_authorize_policy(runtime_of(request).db, agreement_id, changes)
        return f"Authorization policy of agreement {done.id} saved."

    return await act(request, work, "/admin/agreements")


# --- deliveries and enums --------------------------------------------------------------------


@router.post("/admin/deliveries/{item_id}/retry", include_in_schema=False)
async def delivery_retry(item_id: int, request: Request) -> Response:
    """Queue one item again (due now, fresh attempt budget)."""

    async def work(form: Form) -> str:
        item = await retry_item(runtime_of(request).db, item_id)
        return f"Delivery {item.id} queued again."

    return await act(request, work, _back(request))


@router.post("/admin/deliveries/retry-dead", include_in_schema=False)
async def delivery_retry_dead(request: Request) -> Response:
    """Queue every DEAD item of one receiver again."""

    async def work(form: Form) -> str:
        ids = await retry_all_dead(runtime_of(request).db, _int(form, "receiver"))
        return f"{len(ids)} dead deliveries queued again."

    return await act(request, work, _back(request))


def _back(request: Request) -> str:
    # back to the same filtered list (only our own path, never another site)
    query = request.url.query
    return "/admin/deliveries" + (f"?{query}" if query else "")


@router.post("/admin/enums", include_in_schema=False)
async def enum_register(request: Request) -> Response:
    """Accept one more value of an open enum."""
    runtime = runtime_of(request)

    async def work(form: Form) -> str:
        name, value = form.get("enum", ""), form.get("value", "").strip()
        added = await runtime.enums.register(runtime.db, name, value)
        return f"{name}: {value} {'registered' if added else 'was already accepted'}."

    return await act(request, work, "/admin/enums")
