"""The delivery worker: one per hub process; claims due items, delivers them, records outcomes.

Mechanism only: which answers retry, and when, is :mod:`ocpihub.outbox.retry`; what goes on
the wire is :mod:`ocpihub.outbox.delivery`. The worker

- claims due queue heads (:func:`ocpihub.store.outbox_claims.claim`, taking turns
  across receivers) whenever it is woken (new work
  committed in this process, a PostgreSQL NOTIFY from another one, a finished delivery) or the
  poll interval passes; at most ``concurrency`` deliveries are in flight in this process, at
  most ``receiver_concurrency`` per receiver platform;
- delivers each claimed item in its own task, so different objects and receivers proceed in
  parallel while each queue (receiver, ordering key) has at most one item in flight anywhere;
  the receiver's version, token and endpoints come from the cached directory;
- records outcomes in group commits: the outcomes that finish while one transaction is being
  written go together in the next (no added wait when deliveries are few);
- prunes old ``DONE`` items and refreshes the outbox's statistics beside the claim loop
  (:mod:`ocpihub.outbox.maintenance`): claims never wait for them;
- on stop, claims nothing more and waits up to ``drain_timeout`` for in-flight deliveries;
  what is still running then is cancelled and released (due again at once, possibly delivered
  twice);
- gives a receiver that does not answer a rest (:mod:`ocpihub.outbox.breaker`): after a run
  of failed attempts nothing is claimed for it for a while, then one probe at a time;
- keeps its claims alive with a heartbeat (:mod:`ocpihub.outbox.liveness`): claims hold a
  short lease that the heartbeat extends while the worker lives, however long a delivery takes.
  After a crash the leases run out within ``lease`` seconds and any process delivers the items
  again; a process on the same machine (its restart) releases them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from ocpihub.errors import ForwardTimeout, ReceiverNotConnected
from ocpihub.model.outbox import OutboxItem, Status
from ocpihub.model.parties import Platform
from ocpihub.ocpi.tolerant import envelope_status
from ocpihub.outbound.client import PartnerAuth, PartnerClient
from ocpihub.outbound.limits import CallLimits
from ocpihub.outbox.bodies import TranslationCache
from ocpihub.outbox.breaker import Breakers
from ocpihub.outbox.delivery import Prepared, Translate, Undeliverable, pick_endpoint, prepare
from ocpihub.outbox.liveness import Liveness
from ocpihub.outbox.maintenance import Maintenance
from ocpihub.outbox.retry import Action, Decision, Outcome, RetryPolicy, decide
from ocpihub.settings import Settings
from ocpihub.store import outbox as store
from ocpihub.store import outbox_claims
from ocpihub.store.db import Connection, Database, is_transient
from ocpihub.store.directory import Directory
from ocpihub.store.outbox_wakeup import PgListener, install_commit_hook
from ocpihub.tolerations import Tolerations
from ocpihub.translate import from_canonical

__all__ = ["DeliveryWorker", "WorkerConfig", "pause_before_claim"]

log = structlog.get_logger("ocpihub.outbox")

_GATHER = 0.005
"""Seconds a nearly full worker waits for more deliveries to finish before claiming again."""
_SPACING = 0.010
"""Seconds at least between the starts of two claims while the worker is busy."""
_OUTCOME_TRIES = 3


def pause_before_claim(nearly_full: bool, last_took: bool, since_last: float) -> float:
    """Seconds the woken worker waits before it claims again, so that one claim (a write
    transaction) serves several deliveries: nearly full, for a few more deliveries to finish
    (``_GATHER``); busy — the last claim found work — and woken again sooner than ``_SPACING``
    after it (typically by the next push's commit), for the rest of that spacing, so that the
    pushes of those milliseconds are claimed together instead of one claim per push. Idle, or
    at a pace slower than the spacing, it claims at once."""
    if nearly_full:
        return _GATHER
    if last_took and since_last < _SPACING:
        return _SPACING - since_last
    return 0.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _translate(version: str, name: str, doc: dict[str, Any]) -> Any:
    return from_canonical(version, name, doc)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How a worker behaves; ``app.py`` fills it from the settings."""

    hub_party: tuple[str, str]
    concurrency: int = 64
    receiver_concurrency: int = 8
    poll_interval: float = 1.0
    lease: float = 6.0
    drain_timeout: float = 10.0
    request_timeout: float = 10.0
    done_retention: float = 7 * 86_400.0
    prune_interval: float = 3600.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        """The worker configuration the operator's settings describe."""
        return cls(
            hub_party=settings.hub_party,
            concurrency=settings.outbox_concurrency,
            receiver_concurrency=settings.outbox_receiver_concurrency,
            poll_interval=settings.outbox_poll_interval,
            # the heartbeat extends the leases of deliveries that take longer
            lease=settings.outbox_lease_seconds,
            drain_timeout=settings.outbox_drain_seconds,
            request_timeout=settings.request_timeout,
            done_retention=settings.outbox_done_retention_hours * 3600.0,
            prune_interval=settings.prune_interval_seconds,
            policy=RetryPolicy(
                base_delay=settings.outbox_retry_base_delay,
                max_delay=settings.outbox_retry_max_delay,
                jitter=settings.outbox_retry_jitter,
                max_attempts=settings.outbox_max_attempts,
                max_age=settings.outbox_max_age_seconds,
                retry_after_max=settings.outbox_retry_after_max_seconds,
            ),
        )


OutcomeJoiner = Callable[[Connection, list[int]], Awaitable[Callable[[bool], None] | None]]
"""Work that commits with a group commit of outcomes, given their item ids; it may return a
callback told whether the transaction committed (``store/traffic.py``: OUT entries)."""


class DeliveryWorker:
    """Delivers outbox items of one hub process (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        client: PartnerClient,
        config: WorkerConfig,
        directory: Directory | None = None,
        *,
        translate: Translate = _translate,
        clock: Callable[[], datetime] = _utcnow,
        rand: Callable[[], float] = random.random,
        worker_id: str | None = None,
        outcome_joiner: OutcomeJoiner | None = None,
    ) -> None:
        self.db = db
        # writes with each group commit of outcomes (the traffic log's OUT entries of them)
        self.outcome_joiner = outcome_joiner
        # deviations the receivers' profiles let through (counted; app.py sets it)
        self.tolerations: Tolerations | None = None
        self.client = client
        self.config = config
        self.directory = directory or Directory(db, ttl=0)
        # one translation per (version, payload): a push's receivers on one version share it
        self.translate: Translate = TranslationCache(translate)
        self.clock = clock
        self.rand = rand
        self.worker_id = worker_id or (
            f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        )
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._held: set[int] = set()  # claimed, outcome not yet written
        self._per_receiver: dict[int, int] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self.maintenance = Maintenance(
            db,
            done_retention=config.done_retention,
            prune_interval=config.prune_interval,
            clock=clock,
        )
        self._loop_task: asyncio.Task[None] | None = None
        self._uninstall: Callable[[], None] | None = None
        self._batch_room = max(1, config.concurrency // 4)
        self._finished: list[tuple[store.Finished, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._listener = None if db.is_sqlite else PgListener(db.url, self.wake)
        self._breakers = Breakers.for_policy(config.policy)
        self._liveness = Liveness(
            db, self.worker_id, lease=config.lease, held=lambda: set(self._held), clock=clock
        )

    # --- life cycle ---------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for due work now rather than at the next poll."""
        self._wake.set()

    @property
    def running(self) -> bool:
        """Whether the claiming loop is alive (``GET /ready``)."""
        return self._loop_task is not None and not self._loop_task.done()

    async def start(self) -> None:
        """Start claiming and delivering in the background."""
        if self._loop_task is not None:
            return
        self._stopping = False
        self._uninstall = install_commit_hook(self.db, self.wake)
        await self._liveness.start()  # first: a dead predecessor's claims are due again
        self._loop_task = asyncio.create_task(self._run(), name="ocpihub-outbox-worker")

    async def stop(self) -> None:
        """Claim nothing more; drain in-flight deliveries (bounded), release the rest."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            await self._loop_task
            self._loop_task = None
        await self.maintenance.stop()
        pending: set[asyncio.Task[None]] = set()
        if self._tasks:
            _, pending = await asyncio.wait(
                list(self._tasks.values()), timeout=self.config.drain_timeout
            )
        unfinished = [i for i, t in self._tasks.items() if t in pending]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self._flusher is not None:  # outcomes already handed over are written first
            await asyncio.gather(self._flusher, return_exceptions=True)
        if unfinished:
            async with self.db.write() as conn:
                released = await store.release(
                    conn, unfinished, self.worker_id, self.clock(), "released at shutdown"
                )
            log.warning("outbox_released_at_shutdown", items=released)
        self._held.clear()
        await self._liveness.stop()
        if self._listener is not None:
            await self._listener.close()
        if self._uninstall is not None:
            self._uninstall()
            self._uninstall = None

    @property
    def in_flight(self) -> int:
        """Deliveries running in this process now."""
        return len(self._tasks)

    # --- the loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_claim, took = 0.0, False
        while not self._stopping:
            self._wake.clear()
            if self._listener is not None:
                await self._listener.ensure()
            self.maintenance.start()  # in the background: claims do not wait for it
            try:
                last_claim, took = loop.time(), bool(await self.claim_and_start())
            except Exception:
                log.exception("outbox_claim_failed")
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.config.poll_interval)
            nearly_full = bool(self._tasks) and (
                self.config.concurrency - len(self._tasks) < self._batch_room
            )
            pause = pause_before_claim(nearly_full, took, loop.time() - last_claim)
            if pause > 0:
                await asyncio.sleep(pause)

    async def claim_and_start(self) -> list[OutboxItem]:
        """Claim what this process has room for and start delivering it; the claimed items."""
        free = self.config.concurrency - len(self._tasks)
        if free <= 0:
            return []
        cap = self.config.receiver_concurrency
        room = {r: cap - n for r, n in self._per_receiver.items()}
        for r in self._breakers.resting():  # receivers that do not answer: a probe at most
            in_flight = self._per_receiver.get(r, 0)
            room[r] = self._breakers.room(r, cap - in_flight, in_flight)
        async with self.db.write() as conn:
            items = await outbox_claims.claim(
                conn,
                worker_id=self.worker_id,
                now=self.clock(),
                lease=self.config.lease,
                limit=free,
                room=room,
                default_room=cap,
                held=list(self._held),
            )
        self.maintenance.claimed(len(items))
        self._held.update(i.id for i in items)
        for item in items:
            receiver = item.receiver_id
            self._per_receiver[receiver] = self._per_receiver.get(receiver, 0) + 1
            task = asyncio.create_task(self._deliver(item), name=f"ocpihub-delivery-{item.id}")
            self._tasks[item.id] = task
            task.add_done_callback(functools.partial(self._done, item))
        return items

    def _done(self, item: OutboxItem, task: asyncio.Task[None]) -> None:
        self._tasks.pop(item.id, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # its outcome could not be recorded: the lease runs out and it is delivered again
            log.error("outbox_outcome_not_recorded", item=item.id, error=str(exc))
        receiver = item.receiver_id
        left = self._per_receiver.get(receiver, 1) - 1
        if left > 0:
            self._per_receiver[receiver] = left
        else:
            self._per_receiver.pop(receiver, None)
        # the next item of this queue may be due now
        self._wake.set()

    # --- one delivery -------------------------------------------------------------------------

    async def _prepare(self, item: OutboxItem) -> tuple[Prepared, Platform]:
        d = item.delivery
        platform, endpoints = await self.directory.platform_with_endpoints(item.receiver_id)
        if platform is None or platform.version is None:
            raise Undeliverable("the receiver platform is gone or has no negotiated version")
        if platform.outbound_token is None:
            raise Undeliverable("the hub holds no token to call the receiver with")
        endpoint_url = d.target_url  # a result goes to the requester's own response_url
        if endpoint_url is None:
            endpoint_url = pick_endpoint(
                endpoints, d.module, d.interface_role, platform.version
            ).url
        prepared = prepare(
            item,
            version=platform.version,
            endpoint_url=endpoint_url,
            hub_party=self.config.hub_party,
            translate=self.translate,
            backports=platform.profile.backports,
        )
        return prepared, platform

    async def _send(self, item: OutboxItem, prepared: Prepared, platform: Platform) -> Outcome:
        d = item.delivery
        sender = self.config.hub_party if d.broadcast else d.sender_party
        try:
            response = await self.client.request(
                prepared.method,
                prepared.url,
                auth=PartnerAuth.of(platform),
                content=prepared.content,
                headers=prepared.headers,
                timeout=self.config.request_timeout,
                extra={
                    "platform_id": d.receiver_platform_id,
                    "module": d.module,
                    "from_party": "-".join(sender),
                    "to_party": "-".join(d.receiver_party),
                    "outbox_id": item.id,
                },
                limits=CallLimits.of(platform),
            )
        except (ForwardTimeout, ReceiverNotConnected) as exc:
            return Outcome.failed(exc.message)
        envelope = response.json()
        status, tolerated = envelope_status(envelope, platform.profile.tolerate)
        if tolerated and isinstance(envelope, dict):
            envelope = {**envelope, "status_code": status}
            if self.tolerations is not None:
                self.tolerations.used(
                    platform, "status_code_as_string", f"{d.method} {d.module}", "status_code"
                )
        return Outcome.answered(response.status, response.headers, envelope, self.clock())

    async def _deliver(self, item: OutboxItem) -> None:
        loss: list[dict[str, Any]] | None = None
        outcome: Outcome | None = None
        try:
            prepared, platform = await self._prepare(item)
            loss = prepared.loss_report.as_json() if prepared.loss_report else None
            outcome = await self._send(item, prepared, platform)
            self._breakers.record(item.receiver_id, outcome)
            decision = decide(
                self.config.policy,
                outcome,
                attempts=item.attempts,
                window_start=item.window_start,
                now=self.clock(),
                rand=self.rand(),
            )
        except Undeliverable as exc:
            decision = Decision(Action.DEAD, str(exc))
        except Exception as exc:
            log.exception("outbox_delivery_failed", item=item.id)
            outcome = Outcome.failed(f"hub error while delivering: {type(exc).__name__}: {exc}")
            decision = decide(
                self.config.policy,
                outcome,
                attempts=item.attempts,
                window_start=item.window_start,
                now=self.clock(),
                rand=self.rand(),
            )
        await self._record(item, decision, outcome, loss)

    async def _record(
        self,
        item: OutboxItem,
        decision: Decision,
        outcome: Outcome | None,
        loss: list[dict[str, Any]] | None,
    ) -> None:
        status = {
            Action.DONE: Status.DONE,
            Action.RETRY: Status.RETRY,
            Action.DEAD: Status.DEAD,
        }[decision.action]
        kept = await self._finish(
            store.Finished(
                item.id,
                status=status,
                now=self.clock(),
                next_attempt_at=decision.next_attempt_at,
                error=None if status is Status.DONE else decision.reason,
                http_status=outcome.http_status if outcome else None,
                ocpi_status=outcome.ocpi_status if outcome else None,
                loss_report=loss,
                retry_after_capped=decision.retry_after_capped,
            )
        )
        if not kept:
            log.warning("outbox_claim_lost", item=item.id, outcome=decision.action.value)
        elif status is not Status.DONE:
            log.info(
                "outbox_attempt_failed",
                item=item.id,
                attempts=item.attempts,
                action=decision.action.value,
                reason=decision.reason,
                next_attempt_at=decision.next_attempt_at,
            )

    async def _finish(self, outcome: store.Finished) -> bool:
        """Hand one outcome to the group commit; whether this worker still held the claim."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._finished.append((outcome, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="ocpihub-outbox-finish")
        return await done

    async def _flush(self) -> None:
        while self._finished:
            batch, self._finished = self._finished, []
            try:
                kept = await self._commit_outcomes([outcome for outcome, _ in batch])
            except Exception as exc:
                # not renewed any more: the lease runs out and the item is delivered again
                self._held.difference_update(outcome.item_id for outcome, _ in batch)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            self._held.difference_update(outcome.item_id for outcome, _ in batch)
            for outcome, done in batch:
                if not done.done():
                    done.set_result(outcome.item_id in kept)

    async def _commit_outcomes(self, outcomes: list[store.Finished]) -> set[int]:
        """Record ``outcomes`` in one transaction; the ids whose claim was still held. A
        transaction the database aborted for a reason that does not repeat (a deadlock it broke,
        a serialisation failure) is run again, a few times, before the outcomes are given up
        (their items are then delivered again when their leases run out)."""
        for attempt in range(1, _OUTCOME_TRIES + 1):
            finish: Callable[[bool], None] | None = None
            try:
                async with self.db.write() as conn:
                    kept = await store.finish_many(conn, self.worker_id, outcomes)
                    if self.outcome_joiner is not None:
                        ids = [outcome.item_id for outcome in outcomes]
                        finish = await self.outcome_joiner(conn, ids)
            except Exception as exc:
                if finish is not None:
                    finish(False)
                if attempt == _OUTCOME_TRIES or not is_transient(exc):
                    raise
                log.warning("outbox_outcomes_retried", items=len(outcomes), error=str(exc))
                await asyncio.sleep(0.01 * attempt)
                continue
            if finish is not None:
                finish(True)
            return kept
        raise AssertionError("unreachable")  # pragma: no cover
