"""CDR reconciliation: did every CDR a CPO sent reach its eMSP? One read service behind the
CLI (``ocpihub cdr reconcile``), the admin API (``GET /admin/api/reports/cdrs``) and the
console's Reconciliation page (docs/reconciliation.md).

Per CPO–eMSP pair and UTC day of *receipt* (when the hub stored the CDR): how many CDRs the CPO
sent, how many the eMSP acknowledged, and every other one with the state of its delivery.

- **delivered**: its outbox item is DONE, i.e. the eMSP answered HTTP 2xx with an OCPI 1xxx
  status. Also a CDR whose item is gone although it was queued (a mailbox copy exists) and that
  was received longer ago than the DONE retention: only DONE items are ever deleted
  (``prune_done``), so it was delivered; counted as ``delivered_pruned`` too.
- **pending**: queued, not tried yet or in flight. **retrying**: attempts failed, more to come.
- **refused**: DEAD because the eMSP's answer said no (OCPI 2xxx, its hub's 4001, or an HTTP 4xx
  without an envelope): sending it again as it is cannot help.
- **dead**: DEAD for any other reason (attempts or age exhausted on failures, the receiver
  platform removed); the operator can retry it once the cause is gone.
- **not_queued**: stored without a delivery (no agreement or no receiver when it arrived, e.g.
  a pulled CDR), or queued so recently that its item cannot have been pruned, yet it is gone.

The eMSP of a CDR is the receiver of its delivery, else the party its mailbox copy is filed
under (the OCPI-to party, or its ``cdr_token`` owner, when it arrived), else its ``cdr_token``
owner. The judgement of one CDR (:func:`judge`) is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from ocpihub.errors import InvalidParameters
from ocpihub.hub.csv_export import to_csv as rows_to_csv
from ocpihub.model.outbox import Status
from ocpihub.outbox.retry import Outcome, Verdict, classify
from ocpihub.store.cdr_traces import CdrTrace, DeliveryTrace, cdr_traces
from ocpihub.store.db import Database

__all__ = [
    "FILTER_FIELDS",
    "MAX_DAYS",
    "MAX_LIMIT",
    "CdrReport",
    "CdrState",
    "DayCount",
    "Judged",
    "MissingCdr",
    "ReportFilter",
    "judge",
    "reconcile_cdrs",
    "report_filter",
    "to_csv",
]

Party = tuple[str, str]

FILTER_FIELDS = ("cpo", "emsp", "from", "to")
"""The filter names, as query parameters, form fields and CLI options."""

MAX_DAYS = 366
MAX_LIMIT = 10_000
DEFAULT_DAYS = 7
_PAGE = 2000
_PARTY = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{3})$")


class CdrState(StrEnum):
    """What became of one CDR's delivery to its eMSP."""

    DELIVERED = "delivered"
    PENDING = "pending"
    RETRYING = "retrying"
    DEAD = "dead"
    REFUSED = "refused"
    NOT_QUEUED = "not_queued"


MISSING_STATES = tuple(s for s in CdrState if s is not CdrState.DELIVERED)


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which CDRs a report covers: received on ``first_day``..``last_day`` (UTC, inclusive),
    of ``cpo`` and for ``emsp`` when given; at most ``limit`` missing CDRs listed."""

    first_day: date
    last_day: date
    cpo: Party | None = None
    emsp: Party | None = None
    limit: int = 1000

    @property
    def since(self) -> datetime:
        """The first instant covered."""
        return datetime.combine(self.first_day, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first instant no longer covered."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), UTC)

    def as_json(self) -> dict[str, Any]:
        """The filter as given back in reports."""
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "cpo": _code(self.cpo),
            "emsp": _code(self.emsp),
        }


def _code(party: Party | None) -> str | None:
    return f"{party[0]}-{party[1]}" if party else None


def _party(name: str, value: str) -> Party:
    found = _PARTY.match(value)
    if not found:
        raise InvalidParameters(f"{name} {value!r} must have the form CC-PID, e.g. NL-ABC")
    return (found.group(1).upper(), found.group(2).upper())


def _day(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameters(f"{name} {value!r} is not a date, e.g. 2026-01-31") from None


def report_filter(
    values: Mapping[str, str | None], *, today: date | None = None, limit: int = 1000
) -> ReportFilter:
    """A filter from text values named as in :data:`FILTER_FIELDS` (empty ones ignored).

    Defaults: ``to`` today (UTC), ``from`` six days before ``to``. Bad values raise
    InvalidParameters naming them.
    """
    given = {k: v.strip() for k, v in values.items() if v is not None and v.strip() != ""}
    unknown = sorted(set(given) - set(FILTER_FIELDS))
    if unknown:
        raise InvalidParameters(f"unknown report filter {unknown[0]!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameters(f"limit {limit} must be between 1 and {MAX_LIMIT}")
    last = _day("to", given["to"]) if "to" in given else (today or datetime.now(UTC).date())
    first = _day("from", given["from"]) if "from" in given else last - timedelta(DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidParameters(f"from {first.isoformat()} is after to {last.isoformat()}")
    if (last - first).days >= MAX_DAYS:
        raise InvalidParameters(f"from {first} to {last}: at most {MAX_DAYS} days per report")
    return ReportFilter(
        first_day=first,
        last_day=last,
        cpo=_party("cpo", given["cpo"]) if "cpo" in given else None,
        emsp=_party("emsp", given["emsp"]) if "emsp" in given else None,
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class Judged:
    """One CDR's verdict: its state, its eMSP, the delivery it was judged by."""

    state: CdrState
    emsp: Party | None
    delivery: DeliveryTrace | None = None
    pruned: bool = False


_OPEN_STATES = {
    Status.PENDING.value: CdrState.PENDING,
    Status.IN_FLIGHT.value: CdrState.PENDING,
    Status.RETRY.value: CdrState.RETRYING,
    Status.DONE.value: CdrState.DELIVERED,
}


def _refused(item: DeliveryTrace) -> bool:
    """The last answer was the receiver saying no (the retry policy's PERMANENT verdict)."""
    if item.last_http_status is None:
        return False
    outcome = Outcome(http_status=item.last_http_status, ocpi_status=item.last_ocpi_status)
    return classify(outcome)[0] is Verdict.PERMANENT


def judge(trace: CdrTrace, *, now: datetime, retention: timedelta) -> Judged:
    """What became of ``trace``'s delivery (module docstring); ``retention`` is how long DONE
    items are kept."""
    items = trace.deliveries
    done = [i for i in items if i.status == Status.DONE.value]
    item = done[-1] if done else (items[-1] if items else None)
    if item is None:
        emsp = trace.addressee or trace.token_party
        if trace.addressee is not None and trace.received_at < now - retention:
            return Judged(CdrState.DELIVERED, emsp, pruned=True)
        return Judged(CdrState.NOT_QUEUED, emsp)
    if item.status == Status.DEAD.value:
        state = CdrState.REFUSED if _refused(item) else CdrState.DEAD
    else:
        state = _OPEN_STATES[item.status]
    return Judged(state, item.receiver_party, item)


@dataclass(slots=True)
class DayCount:
    """One CPO–eMSP pair on one day: CDRs received, and what became of them."""

    day: date
    cpo: Party
    emsp: Party | None
    states: dict[CdrState, int] = field(default_factory=dict)
    delivered_pruned: int = 0

    @property
    def received(self) -> int:
        """Every CDR of the pair received that day."""
        return sum(self.states.values())

    @property
    def delivered(self) -> int:
        """Those the eMSP acknowledged."""
        return self.states.get(CdrState.DELIVERED, 0)

    @property
    def missing(self) -> int:
        """Those it did not (yet)."""
        return self.received - self.delivered

    def as_json(self) -> dict[str, Any]:
        """As the admin API and ``--json`` show it."""
        out: dict[str, Any] = {
            "day": self.day.isoformat(),
            "cpo": _code(self.cpo),
            "emsp": _code(self.emsp),
            "received": self.received,
            "delivered": self.delivered,
            "missing": self.missing,
        }
        out.update({s.value: self.states.get(s, 0) for s in MISSING_STATES})
        out["delivered_pruned"] = self.delivered_pruned
        return out


@dataclass(frozen=True, slots=True)
class MissingCdr:
    """A CDR its eMSP has not acknowledged, with the state of its delivery."""

    trace: CdrTrace
    judged: Judged

    def as_json(self) -> dict[str, Any]:
        """As the admin API, ``--json`` and the CSV show it."""
        item = self.judged.delivery
        return {
            "cdr_id": self.trace.cdr_id,
            "cpo": _code(self.trace.cpo),
            "emsp": _code(self.judged.emsp),
            "day": self.trace.received_at.date().isoformat(),
            "received_at": self.trace.received_at.isoformat(),
            "state": self.judged.state.value,
            "outbox_id": item.id if item else None,
            "attempts": item.attempts if item else 0,
            "last_error": item.last_error if item else None,
            "last_http_status": item.last_http_status if item else None,
            "last_ocpi_status": item.last_ocpi_status if item else None,
            "receiver_removed": bool(item and item.receiver_platform_id is None),
            "updated_at": item.updated_at.isoformat() if item else None,
        }


@dataclass(slots=True)
class CdrReport:
    """Counts per pair and day, and the missing CDRs (at most the filter's limit)."""

    filter: ReportFilter
    days: list[DayCount]
    missing: list[MissingCdr]
    missing_total: int
    generated_at: datetime

    @property
    def truncated(self) -> bool:
        """More CDRs are missing than are listed."""
        return self.missing_total > len(self.missing)

    def totals(self) -> dict[str, int]:
        """Every pair and day together."""
        out = {"received": 0, "delivered": 0, "missing": 0}
        out.update({s.value: 0 for s in MISSING_STATES})
        out["delivered_pruned"] = 0
        for row in self.days:
            for name, value in row.as_json().items():
                if isinstance(value, int):
                    out[name] += value
        return out

    def as_json(self) -> dict[str, Any]:
        """The whole report as the admin API and ``--json`` give it."""
        return {
            "filter": self.filter.as_json(),
            "day_basis": "received",
            "generated_at": self.generated_at.isoformat(),
            "totals": self.totals(),
            "days": [d.as_json() for d in self.days],
            "missing": [m.as_json() for m in self.missing],
            "missing_total": self.missing_total,
            "missing_truncated": self.truncated,
        }


async def reconcile_cdrs(
    db: Database, f: ReportFilter, *, done_retention: timedelta, now: datetime | None = None
) -> CdrReport:
    """The report for ``f``; ``done_retention``: how long DONE outbox items are kept
    (``outbox_done_retention_hours``)."""
    now = now or datetime.now(UTC)
    days: dict[tuple[date, Party, Party | None], DayCount] = {}
    missing: list[MissingCdr] = []
    missing_total = 0
    after: tuple[datetime, int] | None = None
    while True:
        async with db.read() as conn:
            page = await cdr_traces(
                conn, since=f.since, until=f.until, cpo=f.cpo, after=after, limit=_PAGE
            )
        for trace in page:
            judged = judge(trace, now=now, retention=done_retention)
            if f.emsp is not None and judged.emsp != f.emsp:
                continue
            day = trace.received_at.date()
            row = days.setdefault(
                (day, trace.cpo, judged.emsp), DayCount(day, trace.cpo, judged.emsp)
            )
            row.states[judged.state] = row.states.get(judged.state, 0) + 1
            row.delivered_pruned += judged.pruned
            if judged.state is not CdrState.DELIVERED:
                missing_total += 1
                if len(missing) < f.limit:
                    missing.append(MissingCdr(trace, judged))
        if len(page) < _PAGE:
            break
        after = (page[-1].received_at, page[-1].key)
    ordered = sorted(days.values(), key=lambda d: (d.day, d.cpo, d.emsp or ("", "")))
    return CdrReport(f, ordered, missing, missing_total, now)


_DAY_FIELDS = (
    ["day", "cpo", "emsp", "received", "delivered", "missing"]
    + [s.value for s in MISSING_STATES]
    + ["delivered_pruned"]
)
_MISSING_FIELDS = [
    "day",
    "cpo",
    "emsp",
    "cdr_id",
    "received_at",
    "state",
    "outbox_id",
    "attempts",
    "last_http_status",
    "last_ocpi_status",
    "last_error",
    "receiver_removed",
    "updated_at",
]


def to_csv(report: CdrReport, what: str = "missing") -> str:
    """The missing CDRs (``what="missing"``) or the counts per pair and day (``"days"``) as
    CSV with a header row."""
    if what not in ("missing", "days"):
        raise InvalidParameters(f"what {what!r} must be missing or days")
    fields = _MISSING_FIELDS if what == "missing" else _DAY_FIELDS
    rows = (
        [m.as_json() for m in report.missing]
        if what == "missing"
        else [d.as_json() for d in report.days]
    )
    return rows_to_csv(fields, rows)
