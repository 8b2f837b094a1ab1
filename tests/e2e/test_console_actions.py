"""Console actions reach partners as the CLI's and admin API's do (forms over HTTP, no browser).

Register with a partner (hub-initiated), update credentials, suspend and resume its parties,
suspend/resume/remove an agreement, retry every dead delivery of a receiver, remove the
platform: each is checked on what the partners received.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.examples import load_example
from tests.support.cli import cli
from tests.support.connect import connect
from tests.support.console import ConsoleClient
from tests.support.databases import sqlite_url
from tests.support.waiting import eventually


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these test the console's actions, not the storage."""
    return sqlite_url(tmp_path)


async def test_platform_and_agreement_actions(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Register, update credentials, suspend/resume, agreement changes, retry dead, remove."""
    hub: RunningHub = await hub_factory(outbox_poll_interval=0.05, request_timeout=2.0)
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    await connect(hub.app.state.runtime.db, cpo, hub.versions_url)
    console = ConsoleClient(hub.url)
    try:
        await console.sign_in(ADMIN_TOKEN)
        created = await hub.add_platform(
            "emsp", roles=[{"role": "EMSP", "country_code": "DE", "party_id": "MSP"}]
        )
        page = f"/admin/platforms/{created['id']}"
        said = await console.act(
            page,
            f"{page}/register",
            versions_url=emsp.versions_url,
            token=emsp.issue_token(),
        )
        assert said == "ok: Registered with emsp (OCPI 2.3.0)."
        assert len(emsp.of("credentials", "POST")) == 1

        said = await console.act(
            page, f"{page}/limits", rate_limit_per_second="5", max_body_bytes=""
        )
        assert said == "ok: Limits of emsp saved."
        _, shown = await hub.admin("GET", f"/platforms/{created['id']}")
        assert (shown["rate_limit_per_second"], shown["max_body_bytes"]) == (5, None)
        _, html_page = await console.page(page)
        assert "5 requests/s" in html_page and "hub default: 1,048,576 bytes" in html_page
        said = await console.act(page, f"{page}/limits", rate_limit_per_second="fast")
        assert html.unescape(said) == (
            "error: rate_limit_per_second 'fast' is not a valid limit (blank: the default)"
        )

        said = await console.act(page, f"{page}/credentials")
        assert said == "ok: Credentials updated with emsp."
        assert len(emsp.of("credentials", "PUT")) == 1
        code, out, err = await cli(
            database_url,
            "platform",
            "credentials",
            "emsp",
            "--json",
            env={"OCPIHUB_PUBLIC_URL": hub.url},  # the partner calls the hub back
        )
        assert code == 0, err
        assert orjson.loads(out)["name"] == "emsp"  # the log lines went to stderr:
        logged = [orjson.loads(line) for line in err.splitlines() if line.startswith("{")]
        refreshed = next(e for e in logged if e["event"] == "credentials_refreshed")
        assert datetime.fromisoformat(refreshed["timestamp"]).tzinfo is not None
        assert len(emsp.of("credentials", "PUT")) == 2

        said = await console.act(
            "/admin/agreements", "/admin/agreements", party_a="NL-ALF", party_b="DE-MSP"
        )
        assert said.startswith("ok: Agreement 1 between")
        said = await console.act(page, f"{page}/suspend")
        assert said == "ok: Suspended: DE-MSP."
        await eventually(
            lambda: _async(cpo.of("hubclientinfo", "PUT")),
            lambda got: got and got[-1].body["status"] == "SUSPENDED",
            what="CPO told SUSPENDED",
        )
        assert await console.act(page, f"{page}/resume") == "ok: Resumed: DE-MSP."
        await eventually(
            lambda: _async(cpo.of("hubclientinfo", "PUT")),
            lambda got: got[-1].body["status"] == "CONNECTED",
            what="CPO told CONNECTED",
        )

        # a refused delivery, then "retry all dead" of that receiver delivers it
        emsp.on("PUT", "locations", lambda r: (200, {"status_code": 2001, "timestamp": "x"}))
        loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
        url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
        assert (await cpo.request("PUT", url, json=loc))[0] in (200, 201)
        await eventually(
            lambda: hub.admin("GET", "/outbox?status=DEAD"), lambda r: len(r[1]) == 1, what="DEAD"
        )
        emsp.handlers.clear()
        listing = f"/admin/deliveries?receiver={created['id']}&status=DEAD"
        said = await console.act(
            listing,
            f"/admin/deliveries/retry-dead?receiver={created['id']}",
            receiver=created["id"],
        )
        assert said == "ok: 1 dead deliveries queued again."
        await eventually(
            lambda: _async([r for r in emsp.of("locations", "PUT") if r.accepted]),
            lambda got: len(got) == 2,
            what="delivered after retry",
        )

        assert await console.act("/admin/agreements", "/admin/agreements/1/suspend") == (
            "ok: Agreement 1 is SUSPENDED."
        )
        assert await console.act("/admin/agreements", "/admin/agreements/1/resume") == (
            "ok: Agreement 1 is ACTIVE."
        )
        said = await console.act("/admin/agreements", "/admin/agreements/1/remove")
        assert said == "ok: Agreement 1 removed."
        said = await console.act("/admin/agreements", "/admin/agreements/1/remove")
        assert said == "error: no agreement with id 1"

        said = await console.act(page, f"{page}/remove")
        assert html.unescape(said) == (
            f"ok: Platform {created['id']} removed; the partner was told."
        )
        assert len(emsp.of("credentials", "DELETE")) == 1
        status, _ = await console.page(page)
        assert status == 303  # gone: back to the overview
    finally:
        await console.close()


async def test_remove_refused_while_deliveries_are_queued_unless_forced(
    hub_factory: Any, start_peer: Any
) -> None:
    """The console's Remove follows the CLI's and admin API's rule: refused (on the platform's
    page, nothing changed) while deliveries are queued for it; with the force box ticked, they
    move to the dead-letter list with the reason, its agreement ends and the other side hears
    SUSPENDED."""
    hub: RunningHub = await hub_factory(outbox_poll_interval=0.05, request_timeout=2.0)
    db = hub.app.state.runtime.db
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    await connect(db, cpo, hub.versions_url)
    emsp_id = await connect(db, emsp, hub.versions_url)
    status, agreement = await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", "DE-MSP"]})
    assert status == 201, agreement
    await eventually(
        lambda: _async(cpo.of("hubclientinfo", "PUT")), bool, what="CPO told CONNECTED"
    )
    emsp.down = True
    loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    assert (await cpo.request("PUT", url, json=loc))[0] in (200, 201)
    queued = await eventually(
        lambda: hub.admin("GET", f"/outbox?platform={emsp_id}&module=locations"),
        lambda r: r[1] and all(i["attempts"] >= 1 for i in r[1]),
        what="the delivery tried and queued",
    )
    console = ConsoleClient(hub.url)
    try:
        await console.sign_in(ADMIN_TOKEN)
        page = f"/admin/platforms/{emsp_id}"
        _, shown = await console.page(page)
        assert '<input type="checkbox" name="force" value="1">' in shown
        assert "move the 1 deliveries queued for it to the dead-letter list" in shown
        assert "never deleted" in shown

        said = await console.act(page, f"{page}/remove")
        assert html.unescape(said) == (
            "error: platform emsp has 1 deliveries queued; force the removal to move them to "
            "the dead-letter list (CLI: --force; admin API: ?force=true; console: the force box)"
        )  # shown on the platform's page, which is still there
        status, still = await hub.admin("GET", f"/platforms/{emsp_id}")
        assert (status, still["status"]) == (200, "REGISTERED")
        _, agreements = await hub.admin("GET", "/agreements")
        assert [a["id"] for a in agreements] == [agreement["id"]]

        said = await console.act(page, f"{page}/remove", force="1")
        assert html.unescape(said) == (
            f"ok: Platform {emsp_id} removed; the partner could not be told; agreement "
            f"{agreement['id']} (DE-MSP <-> NL-ALF) ended; 1 queued deliveries moved to the "
            "dead-letter list."
        )
        _, dead = await hub.admin("GET", "/outbox?status=DEAD")
        assert [i["id"] for i in dead] == [i["id"] for i in queued[1]]
        assert "'emsp' was removed by the operator" in dead[0]["last_error"]
        await eventually(
            lambda: _async(cpo.of("hubclientinfo", "PUT")),
            lambda got: (got[-1].body["party_id"], got[-1].body["status"]) == ("MSP", "SUSPENDED"),
            what="CPO told SUSPENDED",
        )
        assert (await console.page(page))[0] == 303  # gone
        status, overview = await console.page("/admin")  # dead items of no platform: no error
        assert status == 200 and "emsp" not in overview, overview[:300]
        _, metrics = await console.page("/metrics")  # nor in the per-receiver series
        assert "ocpihub_database_up 1.0" in metrics
    finally:
        await console.close()


async def _async(value: Any) -> Any:
    return value
