"""CDR reconciliation end to end: a CPO pushes CDRs through the real hub; one eMSP refuses one
of them (OCPI 2001) and fails on another (HTTP 500) until it is dead. The report — admin API,
CLI and console — finds exactly those two missing and every other one delivered, per pair,
and follows the operator's retry once the eMSP takes the failed one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.examples import load_example
from tests.support.cli import cli
from tests.support.connect import connect
from tests.support.console import ConsoleClient
from tests.support.databases import sqlite_url
from tests.support.waiting import eventually

FAST: dict[str, Any] = {
    "outbox_poll_interval": 0.05,
    "outbox_retry_base_delay": 0.05,
    "outbox_retry_max_delay": 0.2,
    "outbox_max_attempts": 3,
    "request_timeout": 2.0,
}
CPO = ("CPO", "NL", "ALF")
EMSP = ("EMSP", "DE", "MSP")
OTHER = ("EMSP", "BE", "EMP")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite: the report's reads are tested on both backends in
    tests/store/test_cdr_reconciliation.py; this test is about what partners and operators
    see."""
    return sqlite_url(tmp_path)


def cdr(cdr_id: str, emsp: tuple[str, str, str]) -> dict[str, Any]:
    """The spec's 2.3.0 CDR as NL-ALF's ``cdr_id``, for a token of ``emsp``."""
    body = load_example("2.3.0", "cdr_example.json")
    body.update(country_code="NL", party_id="ALF", id=cdr_id)
    body["cdr_token"].update(country_code=emsp[1], party_id=emsp[2])
    body["tariffs"][0]["tax_included"] = "NO"  # required in 2.3.0, missing in the example
    return dict(body)


class LosingEmsp:
    """The eMSP's CDR receiver: refuses LOST (2001), fails FLAKY with HTTP 500 while
    ``flaky`` is set, takes everything else."""

    def __init__(self) -> None:
        self.flaky = True

    def __call__(self, r: Received) -> tuple[int, Any]:
        ts = "2026-01-01T00:00:00Z"
        if r.body["id"] == "LOST":
            return 200, {"status_code": 2001, "status_message": "unknown tariff", "timestamp": ts}
        if r.body["id"] == "FLAKY" and self.flaky:
            return 500, {"status_code": 3000, "status_message": "database down", "timestamp": ts}
        return 201, {"status_code": 1000, "timestamp": ts}


async def roam(hub: RunningHub, start_peer: Any) -> tuple[Peer, Peer, Peer, LosingEmsp]:
    """A CPO, the losing eMSP and another eMSP, connected and agreed with the CPO."""
    cpo = await start_peer("2.3.0", [CPO], name="cpo")
    emsp = await start_peer("2.3.0", [EMSP], name="emsp")
    other = await start_peer("2.3.0", [OTHER], name="other")
    for peer in (cpo, emsp, other):
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    for party in ("DE-MSP", "BE-EMP"):
        status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", party]})
        assert status == 201, body
    losing = LosingEmsp()
    emsp.on("POST", "cdrs", losing)
    return cpo, emsp, other, losing


async def push(cpo: Peer, cdr_id: str, emsp: tuple[str, str, str]) -> None:
    """The CPO POSTs one CDR; the hub stores it and answers 201."""
    status, body, _ = await cpo.request(
        "POST", cpo.hub_url("cdrs", "RECEIVER"), json=cdr(cdr_id, emsp)
    )
    assert status == 201, body


def pair(report: dict[str, Any], cpo: str, emsp: str) -> dict[str, Any]:
    """The one day row of a pair (every CDR of the test is received today)."""
    (row,) = [d for d in report["days"] if (d["cpo"], d["emsp"]) == (cpo, emsp)]
    return dict(row)


async def test_report_finds_the_cdrs_an_emsp_lost(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Refused and dead CDRs are listed as missing with the eMSP's answer; the rest count as
    delivered, per pair; after a retry the eMSP takes, only the refused one is missing."""
    hub: RunningHub = await hub_factory(**FAST)
    cpo, emsp, other, losing = await roam(hub, start_peer)
    for cdr_id in ("CDR1", "LOST", "CDR2", "FLAKY", "CDR3"):
        await push(cpo, cdr_id, EMSP)
    await push(cpo, "CDR4", OTHER)
    await eventually(
        lambda: hub.admin("GET", "/outbox?module=cdrs&status=DEAD"),
        lambda r: len(r[1]) == 2,
        what="LOST and FLAKY dead",
    )
    await eventually(
        lambda: hub.admin("GET", "/outbox?module=cdrs&status=DONE"),
        lambda r: len(r[1]) == 4,
        what="four delivered",
    )
    acknowledged = {r.body["id"] for r in emsp.of("cdrs", "POST")} - {"LOST", "FLAKY"}
    assert acknowledged == {"CDR1", "CDR2", "CDR3"}
    assert [r.body["id"] for r in other.of("cdrs", "POST")] == ["CDR4"]

    status, report = await hub.admin("GET", "/reports/cdrs")
    assert status == 200, report
    lost = pair(report, "NL-ALF", "DE-MSP")
    assert (lost["received"], lost["delivered"], lost["missing"]) == (5, 3, 2)
    assert (lost["refused"], lost["dead"], lost["pending"], lost["not_queued"]) == (1, 1, 0, 0)
    fine = pair(report, "NL-ALF", "BE-EMP")
    assert (fine["received"], fine["delivered"], fine["missing"]) == (1, 1, 0)
    missing = {m["cdr_id"]: m for m in report["missing"]}
    assert set(missing) == {"LOST", "FLAKY"}
    assert missing["LOST"]["state"] == "refused" and missing["LOST"]["last_ocpi_status"] == 2001
    assert "unknown tariff" in missing["LOST"]["last_error"]
    assert missing["FLAKY"]["state"] == "dead" and missing["FLAKY"]["last_http_status"] == 500
    assert missing["FLAKY"]["attempts"] == 3
    assert {m["emsp"] for m in missing.values()} == {"DE-MSP"}

    code, out, err = await cli(database_url, "cdr", "reconcile", "--json")
    assert code == 0, err
    from_cli = json.loads(out)
    assert from_cli["days"] == report["days"]
    assert {m["cdr_id"]: m["state"] for m in from_cli["missing"]} == {
        "LOST": "refused",
        "FLAKY": "dead",
    }
    code, out, err = await cli(database_url, "cdr", "reconcile", "--emsp", "BE-EMP")
    assert code == 0, err
    assert "every CDR was acknowledged" in out and "LOST" not in out

    losing.flaky = False
    status, _ = await hub.admin("POST", f"/outbox/{missing['FLAKY']['outbox_id']}/retry")
    assert status == 200
    _, after = await eventually(
        lambda: hub.admin("GET", "/reports/cdrs?emsp=DE-MSP"),
        lambda r: r[1]["totals"]["missing"] == 1,
        what="FLAKY delivered after the retry",
    )
    assert [m["cdr_id"] for m in after["missing"]] == ["LOST"]
    assert pair(after, "NL-ALF", "DE-MSP")["delivered"] == 4
    code, out, err = await cli(database_url, "cdr", "reconcile", "--cpo", "NL-ALF")
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if " LOST " in x]
    assert "NL-ALF>DE-MSP" in line and "refused" in line and "unknown tariff" in line


async def test_console_page_shows_the_missing_cdr(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """The console's CDR reconciliation page (signed in) lists the refused CDR, counts the
    pair, filters by eMSP, and exports both CSVs; without a session it sends to sign-in."""
    hub: RunningHub = await hub_factory(**FAST)
    cpo, _, _, _ = await roam(hub, start_peer)
    await push(cpo, "CDR1", EMSP)
    await push(cpo, "LOST", EMSP)
    await push(cpo, "CDR2", OTHER)
    await eventually(
        lambda: hub.admin("GET", "/reports/cdrs"),
        lambda r: r[1]["totals"]["delivered"] == 2 and r[1]["totals"]["refused"] == 1,
        what="delivered and refused",
    )
    status, body = await hub.admin("GET", "/reports/cdrs?cpo=NLALF")
    assert status == 400 and "cpo 'NLALF' must have the form CC-PID" in body["error"], body
    console = ConsoleClient(hub.url)
    try:
        status, _ = await console.page("/admin/reports/cdrs")
        assert status == 303
        await console.sign_in(ADMIN_TOKEN)
        status, page = await console.page("/admin/reports/cdrs")
        assert status == 200
        assert 'href="/admin/reports/cdrs" class="here"' in page  # in the navigation
        assert '<tr data-cdr="LOST" data-state="refused">' in page
        assert "unknown tariff" in page and 'data-cdr="CDR1"' not in page
        assert 'data-pair="NL-ALF>DE-MSP"' in page and "1 missing" in page
        status, page = await console.page("/admin/reports/cdrs?emsp=BE-EMP")
        assert status == 200 and 'data-cdr="LOST"' not in page
        assert "Every CDR in this range was acknowledged" in page
        status, page = await console.page("/admin/reports/cdrs?from=yesterday")
        assert "from &#39;yesterday&#39; is not a date" in page
        status, text = await console.page("/admin/reports/cdrs.csv")
        assert status == 200
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [(r["cdr_id"], r["state"], r["emsp"]) for r in rows] == [
            ("LOST", "refused", "DE-MSP")
        ]
        status, text = await console.page("/admin/reports/cdrs.csv?rows=days")
        days = {(r["cpo"], r["emsp"]): r for r in csv.DictReader(io.StringIO(text))}
        assert days[("NL-ALF", "DE-MSP")]["missing"] == "1"
        assert days[("NL-ALF", "BE-EMP")]["delivered"] == "1"
    finally:
        await console.close()
