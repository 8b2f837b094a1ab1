"""The traffic log: every OCPI exchange in and out, written in the background, pruned by age.

Requests never wait for the log: :meth:`TrafficRecorder.record` only puts an entry on a bounded
in-memory queue (when it is full, entries are dropped and counted, never blocking); one task
writes queued entries in batches, in one transaction each. Entries hold no credentials token:
headers are not kept at all (only the request and correlation ids and the routing parties), an
inbound caller is identified by the SHA-256 of its token, resolved to its platform when written,
and bodies, kept only when the ``traffic_log_bodies`` setting is on, have every credentials token
(a ``token`` field holding a string, in any body, whatever its URL) replaced by
``"[redacted]"``; a body that may hold one but is not complete JSON is withheld.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import structlog
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.db import Database
from ocpihub.store.schema import credentials_tokens, traffic

__all__ = [
    "BODY_LIMIT",
    "CURRENT",
    "PRUNE_CHUNK",
    "InboundCapture",
    "TrafficEntry",
    "TrafficRecorder",
    "list_traffic",
    "prune_traffic",
    "redact",
]

log = structlog.get_logger("ocpihub.traffic")

BODY_LIMIT = 65_536
"""Bytes of a body kept in the log; longer bodies are cut and marked."""

_STATUS = re.compile(rb'"status_code"\s*:\s*(\d+)')
REDACTED = "[redacted]"


def redact(value: Any) -> Any:
    """``value`` with every credentials token replaced by ``[redacted]``, at any depth.

    What is redacted is decided by what the data is, never by where it was sent: a ``token``
    whose value is a string is a credentials token (the Credentials object of every version);
    the OCPI Token objects and command bodies carry their token as an object under ``token``
    (or as ``uid``), which stays.
    """
    if isinstance(value, dict):
        return {
            k: (REDACTED if k == "token" and isinstance(v, str) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _ocpi_status(body: bytes | None) -> int | None:
    # the envelope's status_code follows its data: look at the end only
    if not body:
        return None
    m = _STATUS.search(body[-2048:])
    return int(m.group(1)) if m else None


_TOKEN_KEY = re.compile(rb'"token"\s*:\s*"')


def _body_text(body: bytes | None, truncated: bool) -> str | None:
    if body is None or not body:
        return None
    if _TOKEN_KEY.search(body) is not None:
        # a credentials token may be in there, whatever the URL: redact it in the parsed body
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return "[body withheld: it may hold a credentials token and is not complete JSON]"
        text = orjson.dumps(redact(parsed)).decode("utf-8")
        return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + " [truncated]"
    text = body[:BODY_LIMIT].decode("utf-8", "replace")
    return text + " [truncated]" if truncated or len(body) > BODY_LIMIT else text


@dataclass(slots=True)
class TrafficEntry:
    """One exchange, as queued by the inbound middleware or the outbound observer
    (``wiring.traffic_observer``)."""

    at: datetime
    direction: str
    method: str
    url: str
    duration_ms: float
    platform_id: int | None = None
    token_hashes: tuple[str, ...] = ()
    from_party: str | None = None
    to_party: str | None = None
    module: str | None = None
    http_status: int | None = None
    ocpi_status: int | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    outbox_id: int | None = None
    error: str | None = None
    request_body: bytes | None = None
    response_body: bytes | None = None
    response_tail: bytes | None = None  # the last bytes, for the OCPI status of long answers
    response_truncated: bool = False
    row_id: int | None = None  # written already (with the request's write): complete that row

    def row(self, keep_bodies: bool) -> dict[str, Any]:
        """The table row (bodies only with ``keep_bodies``, credentials tokens redacted)."""
        return {
            "at": self.at,
            "direction": self.direction,
            "platform_id": self.platform_id,
            "from_party": self.from_party,
            "to_party": self.to_party,
            "module": self.module,
            "method": self.method,
            "url": self.url,
            "http_status": self.http_status,
            "ocpi_status": (
                self.ocpi_status
                if self.ocpi_status is not None
                else _ocpi_status(self.response_tail or self.response_body)
            ),
            "duration_ms": round(self.duration_ms, 3),
            "request_id": self.request_id,
            "correlation_id": self.correlation_id,
            "outbox_id": self.outbox_id,
            "error": self.error,
            "request_body": (_body_text(self.request_body, False) if keep_bodies else None),
            "response_body": (
                _body_text(self.response_body, self.response_truncated) if keep_bodies else None
            ),
        }


class InboundCapture:
    """The traffic entry of the inbound request being served, while it is served.

    The inbound middleware makes one per request (``snapshot`` builds the entry from what is
    known so far) and sets it as :data:`CURRENT`; the recorder's joiner writes that entry into
    the request's first committed write transaction, so that an acknowledged write is never
    without its IN entry, and the middleware's final entry then completes that row.
    """

    __slots__ = ("open", "row_id", "snapshot")

    def __init__(self, snapshot: Callable[[], TrafficEntry]) -> None:
        self.snapshot = snapshot
        self.row_id: int | None = None
        self.open = True  # closed when the answer is sent: later writes are no one's


CURRENT: contextvars.ContextVar[InboundCapture | None] = contextvars.ContextVar(
    "ocpihub_traffic_capture", default=None
)


PRUNE_CHUNK = 5_000
"""Rows deleted per transaction when pruning (the outbox prunes the same way)."""


class TrafficRecorder:
    """Queues traffic entries and writes them in batches; prunes entries past retention."""

    def __init__(
        self,
        db: Database,
        *,
        keep_bodies: bool = False,
        retention: timedelta = timedelta(days=7),
        prune_interval: float = 3600.0,
        queue_size: int = 10_000,
        batch_size: int = 500,
        linger: float = 0.2,
    ) -> None:
        self.db = db
        self.keep_bodies = keep_bodies
        self.retention = retention
        self.prune_interval = prune_interval
        self.batch_size = batch_size
        self.linger = linger
        self.dropped = 0
        self._queue: asyncio.Queue[TrafficEntry] = asyncio.Queue(maxsize=queue_size)
        # deliveries' OUT entries waiting for their outbox outcome, by item id
        self._parked: dict[int, list[TrafficEntry]] = {}
        self._writer: asyncio.Task[None] | None = None
        self._pruner: asyncio.Task[None] | None = None

    def record(self, entry: TrafficEntry) -> None:
        """Queue one entry; never waits (a full queue drops the entry and counts it)."""
        try:
            self._queue.put_nowait(entry)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("traffic_log_dropped", dropped=self.dropped)

    def record_outbound(self, entry: TrafficEntry) -> None:
        """Queue the entry of one outbound call (``wiring.traffic_observer`` makes it).

        A delivery's entry waits for its outbox outcome and is written with it
        (:meth:`join_outcomes`); every other entry is queued.
        """
        if entry.outbox_id is not None and len(self._parked) < self._queue.maxsize:
            self._parked.setdefault(entry.outbox_id, []).append(entry)
        else:
            self.record(entry)

    async def join_outcomes(
        self, conn: AsyncConnection, outbox_ids: Sequence[int]
    ) -> Callable[[bool], None] | None:
        """The delivery worker's outcome joiner: the OUT entries of these items' attempts,
        written in the transaction that records their outcomes."""
        entries = [e for i in outbox_ids for e in self._parked.get(i, ())]
        if entries:
            await conn.execute(_INSERT, [e.row(self.keep_bodies) for e in entries])

        def finish(committed: bool) -> None:
            for i in outbox_ids:
                for entry in self._parked.pop(i, ()):
                    if not committed:  # logged the ordinary way after all
                        self.record(entry)

        return finish

    @property
    def running(self) -> bool:
        """Whether the writer is alive (``GET /ready``)."""
        return self._writer is not None and not self._writer.done()

    async def start(self) -> None:
        """Start the writer and the pruner."""
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="ocpihub-traffic-writer")
            self._pruner = asyncio.create_task(self._prune_loop(), name="ocpihub-traffic-pruner")

    async def flush(self) -> None:
        """Wait until every entry queued so far is written."""
        if self._writer is not None:
            await self._queue.join()

    async def stop(self) -> None:
        """Write what is queued, then stop. Without a running writer (a CLI command starts
        none), what was queued is written here, in one transaction."""
        if self._pruner is not None:
            self._pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruner
            self._pruner = None
        if self._writer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=5)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
            return
        left = []
        while not self._queue.empty():
            left.append(self._queue.get_nowait())
            self._queue.task_done()
        if left:
            try:
                await self.write(left)
            except Exception:
                log.exception("traffic_log_write_failed", entries=len(left))

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if self.linger > 0 and self._queue.qsize() < self.batch_size:
                # let entries gather: one write per batch rather than per request keeps the
                # database's write lock free for the requests themselves
                await asyncio.sleep(self.linger)
            while len(batch) < self.batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self.write(batch)
            except Exception:
                log.exception("traffic_log_write_failed", entries=len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def join(self, conn: AsyncConnection) -> Callable[[bool], None] | None:
        """The :class:`~ocpihub.store.db.Database` joiner: the IN entry of the request being
        served, written with its (first) write transaction."""
        capture = CURRENT.get()
        if capture is None or not capture.open or capture.row_id is not None:
            return None
        row = capture.snapshot().row(self.keep_bodies)
        inserted = await conn.execute(_INSERT_RETURNING_ID, row)
        capture.row_id = int(inserted.scalar_one())

        def finish(committed: bool) -> None:
            if not committed:  # rolled back: the entry is written the ordinary way
                capture.row_id = None

        return finish

    async def write(self, batch: Sequence[TrafficEntry]) -> None:
        """Write entries now: insert new ones (resolving inbound callers' token hashes to their
        platform), complete those written with their request's transaction."""
        completing = [e for e in batch if e.row_id is not None]
        batch = [e for e in batch if e.row_id is None]
        hashes = {h for e in batch if e.platform_id is None for h in e.token_hashes}
        async with self.db.write() as conn:
            if completing:
                await _complete(conn, completing, self.keep_bodies)
            if not batch:
                return
            owners: dict[str, int] = {}
            if hashes:
                rows = await conn.execute(
                    select(credentials_tokens.c.token_hash, credentials_tokens.c.platform_id).where(
                        credentials_tokens.c.token_hash.in_(sorted(hashes))
                    )
                )
                owners = {h: p for h, p in rows.all()}
            rows_out = []
            for entry in batch:
                if entry.platform_id is None:
                    entry.platform_id = next(
                        (owners[h] for h in entry.token_hashes if h in owners), None
                    )
                rows_out.append(entry.row(self.keep_bodies))
            await conn.execute(_INSERT, rows_out)

    async def prune(self, now: datetime | None = None, *, chunk: int = PRUNE_CHUNK) -> int:
        """Delete entries older than the retention, ``chunk`` rows a transaction (a long
        delete must not hold the write lock, or on SQLite the event loop, for long); how many."""
        before = (now or datetime.now(UTC)) - self.retention
        removed = 0
        while True:
            async with self.db.write() as conn:
                deleted = await prune_traffic(conn, before, limit=chunk)
            removed += deleted
            if deleted < chunk:
                return removed
            await asyncio.sleep(0)  # let requests in between

    async def _prune_loop(self) -> None:
        while True:
            try:
                removed = await self.prune()
                if removed:
                    log.info("traffic_log_pruned", entries=removed)
            except Exception:
                log.exception("traffic_log_prune_failed")
            await asyncio.sleep(self.prune_interval)


_COMPLETED = (
    "http_status",
    "ocpi_status",
    "duration_ms",
    "error",
    "request_body",
    "response_body",
    "platform_id",
)


# built once: SQLAlchemy's cost of building a statement is several times that of running it
_INSERT = insert(traffic)
_INSERT_RETURNING_ID = insert(traffic).returning(traffic.c.id)
_COMPLETE = (
    update(traffic)
    .where(traffic.c.id == bindparam("row_id"))
    .values({c: bindparam(f"new_{c}") for c in _COMPLETED})
)


async def _complete(conn: AsyncConnection, entries: Sequence[TrafficEntry], keep: bool) -> None:
    """Fill in the answer of entries written before it was known."""
    statement = _COMPLETE
    params = []
    for entry in entries:
        row = entry.row(keep)
        params.append({"row_id": entry.row_id, **{f"new_{c}": row[c] for c in _COMPLETED}})
    await conn.execute(statement, params)


async def prune_traffic(conn: AsyncConnection, before: datetime, *, limit: int) -> int:
    """Delete up to ``limit`` entries recorded before ``before``; how many."""
    oldest = select(traffic.c.id).where(traffic.c.at < before).limit(limit)
    result = await conn.execute(delete(traffic).where(traffic.c.id.in_(oldest.scalar_subquery())))
    return int(result.rowcount)


async def list_traffic(
    conn: AsyncConnection,
    *,
    platform_id: int | None = None,
    module: str | None = None,
    direction: str | None = None,
    http_status: int | None = None,
    ocpi_status: int | None = None,
    correlation_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Entries matching every given filter, newest first, as JSON-ready dicts."""
    query = select(traffic).order_by(traffic.c.id.desc()).limit(limit)
    if platform_id is not None:
        query = query.where(traffic.c.platform_id == platform_id)
    if module is not None:
        query = query.where(traffic.c.module == module)
    if direction is not None:
        query = query.where(traffic.c.direction == direction.upper())
    if http_status is not None:
        query = query.where(traffic.c.http_status == http_status)
    if ocpi_status is not None:
        query = query.where(traffic.c.ocpi_status == ocpi_status)
    if correlation_id is not None:
        query = query.where(traffic.c.correlation_id == correlation_id)
    if since is not None:
        query = query.where(traffic.c.at >= since)
    out = []
    for row in (await conn.execute(query)).mappings().all():
        item = dict(row)
        item["at"] = row["at"].isoformat()
        out.append(item)
    return out
