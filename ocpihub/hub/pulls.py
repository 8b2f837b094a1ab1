"""Scheduled pulls: running one pull of a partner's Sender interface (docs/partners.md).

:meth:`Puller.begin` takes the pull's lease (``store/pulls.py``: one run per platform and
module across hub processes); :meth:`Puller.run` GETs the pages, following ``Link`` under the
guards (``hub/pull_plan.py``), stores each page in one transaction as if it had been pushed
(``hub/pull_ingest.py``), records progress and renews the lease after every page, and after a
complete full pull removes what the partner no longer lists. Every GET goes through the
partner client with one X-Correlation-ID per pull, so the traffic log shows the pull's pages
as OUT entries of one chain.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from ocpihub.errors import InvalidParameters, NotFound, OcpiError, PullBusy, PullStopped
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.pull_ingest import PullSource, Seen, ingest_page, remove_absent
from ocpihub.hub.pull_plan import (
    PULLED,
    LinkGuard,
    PullConfig,
    Pulled,
    next_link,
    pull_endpoint,
    pullable,
)
from ocpihub.model.parties import Platform
from ocpihub.ocpi.tolerant import Repair, envelope_status
from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.client import OutboundResponse, PartnerClient, calling_platform
from ocpihub.outbound.headers import request_headers
from ocpihub.outbound.limits import CallLimits, capped_page
from ocpihub.outbound.urls import check_partner_url
from ocpihub.settings import Settings
from ocpihub.store import pulls as store
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.store.pulls import PullProgress

__all__ = ["PullConfig", "PullRun", "Puller", "pullable_modules"]

log = structlog.get_logger("ocpihub.pulls")

Progress = Callable[[PullProgress], None]
Finished = Callable[[str, str, str, bool, dict[str, int]], None]
"""``(platform name, module, kind, ok, {"stored": n, "refused": n, "removed": n})``: a pull
ended (the metrics)."""


@dataclass
class PullRun:
    """One pull that holds its lease."""

    platform: Platform
    how: Pulled
    url: str
    party: tuple[str, str]
    kind: str
    date_from: datetime | None
    correlation_id: str
    owner: str
    started_at: datetime
    source: PullSource
    progress: PullProgress = field(default_factory=PullProgress)


def _lease_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _date_param(when: datetime) -> str:
    # whole seconds, rounded down: the next delta asks for a little more, never less
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def pullable_modules(directory: Directory, platform_id: int) -> list[str]:
    """The modules the hub can pull from this platform (it publishes them as a Sender)."""
    platform, endpoints = await directory.platform_with_endpoints(platform_id)
    parties = await directory.parties(platform_id) if platform else ()
    return pullable(platform, endpoints, parties)


class Puller:
    """Runs pulls over one database and partner client (the server's, or the CLI's)."""

    def __init__(
        self,
        db: Database,
        client: PartnerClient,
        directory: Directory,
        enums: EnumRegistry,
        settings: Settings,
    ) -> None:
        self.db, self.client, self.directory, self.enums = db, client, directory, enums
        self.settings = settings
        self.config = PullConfig.from_settings(settings)
        self.on_finished: Finished | None = None

    async def begin(self, platform_id: int, module: str, *, full: bool) -> PullRun:
        """Take the lease of this pull and start a run (404: nothing to pull; 409: running)."""
        platform, endpoints = await self.directory.platform_with_endpoints(platform_id)
        if platform is None or platform.version is None:
            raise NotFound(f"no registered platform {platform_id}")
        parties = await self.directory.parties(platform_id)
        found = pull_endpoint(module, endpoints, parties)
        if found is None:
            raise NotFound(
                f"platform {platform.name!r} publishes no {module} Sender interface the hub "
                f"pulls (pulled modules: {', '.join(PULLED)})"
            )
        how = PULLED[module]
        url, party = found
        now = datetime.now(UTC)
        owner, correlation_id = _lease_owner(), str(uuid.uuid4())
        async with self.db.write() as conn:
            rows = [r for r in await store.list_pulls(conn, now, platform_id) if r.module == module]
            synced = rows[0].synced_from if rows else None
            kind = "full" if full or synced is None else "delta"
            taken = await store.acquire(
                conn,
                platform_id,
                module,
                owner=owner,
                kind=kind,
                correlation_id=correlation_id,
                now=now,
                lease=self.config.lease,
            )
        if not taken:
            raise PullBusy(f"the {module} pull of platform {platform.name!r} is running already")
        owners = tuple((p.country_code, p.party_id) for p in parties if p.role == how.owner_role)
        tolerations = self.client.tolerations

        def tolerated(name: str, repairs: list[Repair]) -> None:
            if tolerations is not None:
                tolerations.used_all(platform, name, repairs)

        source = PullSource(
            platform.id,
            platform.name,
            platform.version,
            owners,
            tolerate=platform.profile.tolerate,
            tolerated=tolerated,
        )
        date_from = synced if kind == "delta" else None
        log.info("pull_started", platform=platform.name, module=module, kind=kind)
        return PullRun(
            platform, how, url, party, kind, date_from, correlation_id, owner, now, source
        )

    async def _page(
        self, run: PullRun, url: str, params: dict[str, str] | None
    ) -> OutboundResponse:
        headers = request_headers(
            version=run.platform.version,
            module=run.how.module,
            correlation_id=run.correlation_id,
            sender=self.settings.hub_party,
            receiver=run.party,
        )
        with calling_platform(run.platform.id):
            return await self.client.request(
                "GET",
                url,
                auth=PartnerAuth.of(run.platform),
                headers=headers,
                params=params,
                extra={"module": run.how.module, "platform_id": run.platform.id},
                limits=CallLimits.of(run.platform),
            )

    def _data(self, run: PullRun, response: OutboundResponse) -> list[Any]:
        page = run.progress.pages + 1
        body = response.json()
        data = body.get("data") if isinstance(body, dict) else None
        code, tolerated = envelope_status(body, run.platform.profile.tolerate)
        if tolerated and self.client.tolerations is not None:
            exchange = f"GET {run.how.module}"
            self.client.tolerations.used(run.platform, "status_code_as_string", exchange)
        if response.status != 200 or code != 1000 or not isinstance(data, list):
            message = body.get("status_message") if isinstance(body, dict) else None
            raw = body.get("status_code") if isinstance(body, dict) else None
            said = code if code is not None else repr(raw)
            raise PullStopped(
                f"page {page}: the partner answered HTTP {response.status}, OCPI status {said}"
                + (f": {message}" if message else "")
                + ("" if isinstance(data, list) or response.status != 200 else ", no list")
            )
        return data

    async def _fetch_all(self, run: PullRun, seen: Seen, on_progress: Progress | None) -> None:
        guard = LinkGuard(max_pages=self.config.max_pages, max_objects=self.config.max_objects)
        url: str | None = run.url
        query = {"date_from": _date_param(run.date_from)} if run.date_from else {}
        # the partner's page size cap (profile) on the first page; a Link is followed as given
        params: dict[str, str] | None = capped_page(query, run.platform.profile.page_size_cap)
        while url is not None:
            guard.page(url)
            response = await self._page(run, url, params)
            params = None  # a Link carries the query it wants
            data = self._data(run, response)
            if run.progress.total is None:
                total = _header(response.headers, "X-Total-Count")
                run.progress.total = int(total) if total and total.isdigit() else None
            guard.add(len(data))
            async with self.db.write() as conn:
                await ingest_page(
                    conn,
                    run.how,
                    run.source,
                    data,
                    enums=self.enums,
                    now=datetime.now(UTC),
                    correlation_id=run.correlation_id,
                    progress=run.progress,
                    seen=seen,
                )
            run.progress.pages += 1
            run.progress.objects += len(data)
            await self._renew(run)
            if on_progress is not None:
                on_progress(run.progress)
            url = next_link(_header(response.headers, "Link"))
            if url is not None:
                try:
                    check_partner_url(
                        url,
                        allow_private=self.settings.allow_private_addresses,
                        field="Link",
                    )
                except InvalidParameters as exc:
                    raise PullStopped(f"page {run.progress.pages}: {exc.message}") from None

    async def _renew(self, run: PullRun) -> None:
        async with self.db.write() as conn:
            held = await store.renew(
                conn,
                run.platform.id,
                run.how.module,
                owner=run.owner,
                until=datetime.now(UTC) + self.config.lease,
                progress=run.progress,
            )
        if not held:
            raise PullStopped("the pull's lease ran out and another process took the pull over")

    async def run(self, run: PullRun, on_progress: Progress | None = None) -> bool:
        """Run a begun pull to its end; whether it read the partner's whole list."""
        seen = Seen()
        complete = False
        try:
            await self._fetch_all(run, seen, on_progress)
            if run.kind == "full":
                async with self.db.write() as conn:
                    await remove_absent(
                        conn,
                        run.how,
                        run.source,
                        seen,
                        addressed=run.party,
                        correlation_id=run.correlation_id,
                        progress=run.progress,
                    )
            complete = True
        except OcpiError as exc:
            run.progress.error(exc.message)
        except asyncio.CancelledError:
            run.progress.error("stopped: the hub process running it shut down")
            raise
        finally:
            async with self.db.write() as conn:
                await store.finish(
                    conn,
                    run.platform.id,
                    run.how.module,
                    owner=run.owner,
                    now=datetime.now(UTC),
                    progress=run.progress,
                    ok=complete,
                )
        if self.on_finished is not None:
            progress = run.progress
            outcomes = {
                "stored": progress.stored,
                "refused": progress.errors,
                "removed": progress.removed,
            }
            self.on_finished(run.platform.name, run.how.module, run.kind, complete, outcomes)
        log.info(
            "pull_finished",
            platform=run.platform.name,
            module=run.how.module,
            kind=run.kind,
            ok=complete,
            pages=run.progress.pages,
            objects=run.progress.objects,
            errors=run.progress.errors,
        )
        return complete
