"""``ocpihub platform show NAME``: what the console's platform page shows, as text or JSON."""

from __future__ import annotations

from typing import Any

import typer

from ocpihub.hub.overview import find_platform, partner_health
from ocpihub.hub.platforms import platform_json
from ocpihub.store import platforms as store
from ocpihub.store.db import Database

__all__ = ["describe", "show"]


async def describe(db: Database, name: str) -> dict[str, Any]:
    """The platform named ``name`` (or with that id): settings, parties, endpoints, health."""
    platform = await find_platform(db, name)
    async with db.read() as conn:
        published = await store.list_endpoints(conn, platform.id)
    (health,) = await partner_health(db, platform_id=platform.id)
    out = platform_json(platform)
    out["connection_status"] = health.status.value
    out["parties"] = [
        {"code": p.code, "role": p.role, "status": p.status.value} for p in health.parties
    ]
    out["endpoints"] = [
        {"identifier": e.identifier, "role": e.role, "url": e.url} for e in published
    ]
    out["health"] = health.as_json()
    return out


def _line(label: str, value: Any) -> None:
    typer.echo(f"{label + ':':<22} {'-' if value is None or value == '' else value}")


def _profile(profile: dict[str, Any]) -> str:
    """The interoperability profile in one line (``ocpihub platform profile`` for all of it)."""
    parts = [
        f"{label} {profile[key]}"
        for key, label in (
            ("page_size_cap", "pages <="),
            ("timeout_seconds", "timeout s"),
            ("concurrency", "at once"),
        )
        if profile[key] is not None
    ]
    if profile["accept_list_wrapped"]:
        parts.append("list-wrapped accepted")
    parts += [f"tolerates {n}" for n in profile["tolerate"]]
    parts += [f"back-ports {n}" for n in profile["backports"]]
    return "; ".join(parts) or "strict (spec-exact)"


def show(found: dict[str, Any]) -> None:
    """Print :func:`describe`'s result for a person."""
    health = found["health"]
    box = health["outbox"]
    rate = health["error_rate_last_hour"]
    _line("platform", f"{found['name']} (id {found['id']})")
    _line("status", found["connection_status"])
    _line("registration", found["status"])
    _line("version", found["version"])
    _line("versions URL", found["versions_url"])
    _line("token encoding", found["token_encoding"])
    _line("last success in", health["last_success_in"])
    _line("last success out", health["last_success_out"])
    _line(
        "outbox",
        f"{box['pending']} pending, {box['retry']} retrying, {box['in_flight']} in flight, "
        f"{box['dead']} dead",
    )
    _line("delivery lag", f"{health['delivery_lag_seconds']:.0f} s")
    _line(
        "errors (last hour)",
        f"{health['failures_last_hour']} of {health['exchanges_last_hour']}"
        + (f" ({rate:.0%})" if rate is not None else ""),
    )
    for problem in health["problems"]:
        _line("problem", problem)
    declared = ", ".join(
        f"{r['role']}:{r['country_code']}:{r['party_id']}" for r in found["declared_roles"]
    )
    _line("declared roles", declared)
    _line("profile", _profile(found["profile"]))
    typer.echo("parties:")
    for p in found["parties"] or []:
        typer.echo(f"  {p['code']:<8} {p['role']:<6} {p['status']}")
    typer.echo("endpoints:")
    for e in found["endpoints"] or []:
        typer.echo(f"  {e['identifier']:<18} {e['role']:<9} {e['url']}")
