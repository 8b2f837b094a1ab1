"""Table definitions: the single source of the schema for SQLite and PostgreSQL.

Migrations in ``store/migrations/versions`` must produce exactly this (a test compares them).
OCPI objects are JSON documents (JSONB on PostgreSQL) beside indexed key columns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    column,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "JsonDoc",
    "UtcDateTime",
    "credentials_tokens",
    "endpoints",
    "hub_meta",
    "metadata",
    "objects",
    "outbox",
    "outbox_workers",
    "parties",
    "pending_requests",
    "platforms",
    "pulls",
]


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite keeps text: store naive UTC so lexical order is time order
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonDoc: Any = JSON().with_variant(JSONB(), "postgresql")
Key: Any = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

hub_meta = Table(
    "hub_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Small facts about this hub installation (e.g. the admin token's hash)."""

platforms = Table(
    "platforms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    # NEW (token A issued), REGISTERED, UNREGISTERED
    Column("status", String(16), nullable=False),
    Column("token_encoding", String(8), nullable=False),
    Column("version", String(10)),
    Column("versions_url", String(255)),
    # the token the hub sends in Authorization when it calls this platform (never logged)
    Column("outbound_token", String(64)),
    # the token this platform calls the hub with (its current token C), kept to send it again
    # in credentials updates that only change the reachable parties (never logged)
    Column("inbound_token", String(64)),
    Column("declared_roles", JsonDoc),
    Column("liveness_failures", Integer, nullable=False, server_default="0"),
    # per-platform limits; NULL: the hub-wide settings
    Column("rate_limit_per_second", Float),
    Column("max_body_bytes", Integer),
    # the interoperability profile (model/profiles.py); NULL: strict, spec-exact
    Column("profile", JsonDoc),
    # IANA zone for a 2.1.1 Location without time_zone whose coordinates lie in no zone
    Column("default_time_zone", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""One OCPI connection (one credentials token pair)."""

credentials_tokens = Table(
    "credentials_tokens",
    metadata,
    # sha256 of the token: inbound tokens are only ever compared
    Column("token_hash", String(64), primary_key=True),
    Column(
        "platform_id",
        Integer,
        ForeignKey("platforms.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # A: registration only (versions + credentials); C: everything
    Column("kind", String(1), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
"""Tokens partners present to the hub."""

parties = Table(
    "parties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "platform_id",
        Integer,
        ForeignKey("platforms.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("role", String(10), nullable=False),
    Column("business_details", JsonDoc),
    # ConnectionStatus: CONNECTED, OFFLINE, PLANNED, SUSPENDED
    Column("status", String(12), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("country_code", "party_id", "role"),
)
"""One (country_code, party_id, role), hosted by a platform."""

endpoints = Table(
    "endpoints",
    metadata,
    Column(
        "platform_id",
        Integer,
        ForeignKey("platforms.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("identifier", String(64), primary_key=True),
    # SENDER / RECEIVER; for 2.1.1 the role implied by the platform's single party role
    Column("role", String(8), primary_key=True),
    Column("url", String(255), nullable=False),
)
"""The endpoints a platform published for its negotiated version."""

objects = Table(
    "objects",
    metadata,
    # creation order; also the keyset cursor of list GETs
    Column("key", Key, primary_key=True, autoincrement=True),
    Column("module", String(20), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("object_id", String(64), nullable=False),
    # second part of identity where the spec has one (Token.type); '' otherwise
    Column("kind", String(32), nullable=False, server_default=""),
    Column("last_updated", UtcDateTime, nullable=False),
    Column("document", JsonDoc, nullable=False),
    Column("source_version", String(10), nullable=False),
    Column("original", JsonDoc),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("module", "country_code", "party_id", "object_id", "kind"),
    # identity: ids are CiStrings, unique case-insensitively; the first spelling is stored
    Index(
        "uq_objects_identity",
        "module",
        "country_code",
        "party_id",
        func.upper(column("object_id")),
        "kind",
        unique=True,
    ),
    Index("ix_objects_module_key", "module", "key"),
    # GET all of one owner's objects: the page in key order straight from the index
    Index("ix_objects_module_owner_key", "module", "country_code", "party_id", "key"),
    Index("ix_objects_module_last_updated", "module", "last_updated"),
    # find_visible: ids compared case-insensitively (CiString), on every real-time lookup
    Index("ix_objects_module_upper_object_id", "module", func.upper(column("object_id"))),
    # the CDR reconciliation report: CDRs by receipt time (store/cdr_traces.py)
    Index(
        "ix_objects_cdrs_created_at",
        "created_at",
        "key",
        postgresql_where=text("module = 'cdrs'"),
        sqlite_where=text("module = 'cdrs'"),
    ),
)
"""OCPI objects the hub stores: canonical document, original payload and its version."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    # PENDING, IN_FLIGHT, RETRY, DONE, DEAD (ocpihub.model.outbox.Status)
    Column("status", String(12), nullable=False),
    # NULL once the operator removed the receiver platform: its items stay, DEAD, with the reason
    Column("receiver_platform_id", Integer, ForeignKey("platforms.id", ondelete="SET NULL")),
    Column("to_country_code", String(2), nullable=False),
    Column("to_party_id", String(3), nullable=False),
    Column("from_country_code", String(2), nullable=False),
    Column("from_party_id", String(3), nullable=False),
    Column("broadcast", Boolean, nullable=False, server_default=false()),
    Column("module", String(20), nullable=False),
    Column("interface_role", String(8), nullable=False),
    Column("method", String(8), nullable=False),
    Column("url_suffix", String(255), nullable=False),
    Column("object_name", String(40)),
    Column("payload", JsonDoc),
    Column("original", JsonDoc),
    Column("original_version", String(10)),
    Column("ordering_key", String(200), nullable=False),
    Column("correlation_id", String(64), nullable=False),
    # an absolute URL to call instead of the receiver's endpoint + url_suffix (a result posted
    # to the requester's response_url)
    Column("target_url", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    # max age is counted from here: the enqueue, or the operator's last retry
    Column("window_start", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime),
    Column("claimed_by", String(64)),
    Column("delivered_at", UtcDateTime),
    Column("last_error", Text),
    Column("last_http_status", Integer),
    Column("last_ocpi_status", Integer),
    # the wait a receiver's Retry-After asked for, when it was longer than the hub allows
    Column("retry_after_capped", Float),
    Column("loss_report", JsonDoc),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_outbox_queue", "receiver_platform_id", "ordering_key", "id"),
    # claims walk each receiver's due items on their own (one receiver never fills the window)
    Index("ix_outbox_receiver_due", "receiver_platform_id", "status", "next_attempt_at", "id"),
    # the CDR reconciliation report: a CDR's deliveries by its ordering key (CDRs only, so
    # the hot path of other modules pays nothing for it)
    Index(
        "ix_outbox_cdrs_ordering_key",
        "ordering_key",
        postgresql_where=text("module = 'cdrs'"),
        sqlite_where=text("module = 'cdrs'"),
    ),
)
"""Deliveries the hub owes its partners (transactional outbox, DESIGN rule 7)."""

outbox_workers = Table(
    "outbox_workers",
    metadata,
    Column("worker_id", String(64), primary_key=True),
    # host, boot and pid namespace: processes that can see each other's pids
    Column("machine", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
    Index("ix_outbox_workers_machine", "machine"),
)
"""Delivery workers alive (heartbeat); a restarted process releases its dead predecessors'
claims at once."""

traffic = Table(
    "traffic",
    metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    # IN (a partner called the hub) or OUT (the hub called a partner)
    Column("direction", String(3), nullable=False),
    Column("platform_id", Integer),
    Column("from_party", String(6)),
    Column("to_party", String(6)),
    Column("module", String(20)),
    Column("method", String(8), nullable=False),
    Column("url", Text, nullable=False),
    Column("http_status", Integer),
    Column("ocpi_status", Integer),
    Column("duration_ms", Float, nullable=False),
    Column("request_id", String(64)),
    Column("correlation_id", String(64)),
    Column("outbox_id", BigInteger),
    Column("error", Text),
    # only when the traffic_log_bodies setting is on; credentials tokens redacted
    Column("request_body", Text),
    Column("response_body", Text),
    Index("ix_traffic_at", "at"),
    Index("ix_traffic_platform_id_at", "platform_id", "at"),
)
"""Every OCPI exchange in and out, without credentials tokens; pruned after the retention."""

pulls = Table(
    "pulls",
    metadata,
    Column(
        "platform_id",
        Integer,
        ForeignKey("platforms.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # locations, tariffs or tokens: a module the platform publishes a Sender interface of
    Column("module", String(32), primary_key=True),
    # the hub process running the pull, and until when its lease holds (renewed per page)
    Column("lease_owner", String(64)),
    Column("lease_until", UtcDateTime),
    # the current or last run: delta or full; RUNNING, OK or FAILED
    Column("kind", String(8)),
    Column("status", String(12)),
    Column("correlation_id", String(64)),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("pages", Integer, nullable=False, default=0),
    Column("objects", Integer, nullable=False, default=0),
    Column("stored", Integer, nullable=False, default=0),
    Column("removed", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    # X-Total-Count of the first page, when the partner sent one
    Column("total", Integer),
    # the last error messages of the run (a short list)
    Column("messages", JsonDoc),
    # start of the last successful pull (any kind): the next delta's date_from
    Column("synced_from", UtcDateTime),
    # start of the last successful full pull
    Column("full_synced_from", UtcDateTime),
)
"""Scheduled pulls of partners' Sender interfaces: one row per platform and module, holding
the lease that lets one hub process run it, and the progress of the current or last run."""

agreements = Table(
    "agreements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the two parties by (country_code, party_id), stored in sorted order: a pair is unordered
    Column("a_country_code", String(2), nullable=False),
    Column("a_party_id", String(3), nullable=False),
    Column("b_country_code", String(2), nullable=False),
    Column("b_party_id", String(3), nullable=False),
    # module identifiers the parties may exchange; NULL = every module
    Column("modules", JsonDoc),
    # ACTIVE or SUSPENDED
    Column("status", String(12), nullable=False),
    # real-time authorization: seconds the hub waits for the eMSP (NULL: request_timeout), and
    # what it answers the CPO when that passes (REFUSE, the default, or ALLOW)
    Column("authorize_timeout_seconds", Float),
    Column("authorize_on_timeout", String(8)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("a_country_code", "a_party_id", "b_country_code", "b_party_id"),
    Index("ix_agreements_b", "b_country_code", "b_party_id"),
)
"""Roaming agreements: the operator's permission for two parties to exchange data."""

pending_requests = Table(
    "pending_requests",
    metadata,
    # the opaque id in the hub's callback URL (or a fixed key for a profile-setter record)
    Column("id", String(64), primary_key=True),
    # commands or chargingprofiles
    Column("module", String(20), nullable=False),
    # CommandType, GET/SET/CLEAR (charging profiles), or SETTER (who last set a profile)
    Column("kind", String(32), nullable=False),
    Column("requester_platform_id", Integer, nullable=False),
    Column("requester_country_code", String(2), nullable=False),
    Column("requester_party_id", String(3), nullable=False),
    Column("requester_version", String(10), nullable=False),
    Column("receiver_platform_id", Integer, nullable=False),
    Column("receiver_country_code", String(2), nullable=False),
    Column("receiver_party_id", String(3), nullable=False),
    Column("receiver_version", String(10), nullable=False),
    # the requester's own response_url, where results are relayed
    Column("response_url", Text),
    Column("correlation_id", String(64), nullable=False),
    # reservation_id (RESERVE_NOW) or session_id: what later requests are routed by
    Column("reference", String(64)),
    # result values relayed so far (duplicates are relayed once)
    Column("results", JsonDoc),
    # when the hub posts TIMEOUT if no result came; NULL once a result (or TIMEOUT) went out
    Column("result_due_at", UtcDateTime),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_pending_requests_result_due_at", "result_due_at"),
    Index("ix_pending_requests_expires_at", "expires_at"),
    Index("ix_pending_requests_module_reference", "module", "reference"),
)
"""Commands and charging-profile requests awaiting their asynchronous result (DESIGN rule 6)."""
