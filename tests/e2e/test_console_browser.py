"""The operator console in a real headless Chromium, against a real hub and real peers.

One hub and one browser walk through what an operator does: sign in, make an agreement with
the form, retry a dead delivery and see it delivered, follow a correlation id across hops and
export it as CSV, and see a partner go OFFLINE when its server stops. A second, smaller test
shows a form without its CSRF token refused. Screenshots of the pages are what
docs/operator-console.md shows (set CONSOLE_SCREENSHOTS=docs/operator-console to refresh them).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ocpihub.testing import Peer
from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.e2e.test_cdr_reconciliation import cdr
from tests.examples import load_example
from tests.support.browser import Browser, require_browser
from tests.support.connect import connect
from tests.support.databases import sqlite_url
from tests.support.servers import run_server
from tests.support.waiting import eventually

FAST: dict[str, Any] = {
    "outbox_poll_interval": 0.05,
    "outbox_retry_base_delay": 0.05,
    "request_timeout": 1.0,
    "liveness_interval_seconds": 0.3,
    "liveness_failure_threshold": 2,
}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Browser tests run on SQLite only: they test the pages, not the storage."""
    return sqlite_url(tmp_path)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """A headless Chromium (skipped, with the reason, when it is not installed)."""
    require_browser()
    shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "shots")
    started = Browser(shots)
    try:
        yield started
    finally:
        started.quit()


@contextlib.asynccontextmanager
async def serving(peer: Peer) -> AsyncIterator[None]:
    """Serve ``peer`` until the block ends (then its server is stopped)."""
    async with run_server(peer.app) as url:
        peer.base_url = url
        yield


async def sign_in(browser: Browser, hub: RunningHub) -> None:
    """Sign in with the admin token through the form."""
    await browser.get(f"{hub.url}/admin")
    assert "/admin/signin" in browser.driver.current_url
    await browser.type("#token", ADMIN_TOKEN)
    await browser.click("#signin")
    await browser.until(
        lambda: browser.driver.find_elements("css selector", "table.partners"),
        what="overview after sign-in",
        refresh=False,
    )


def status_of(browser: Browser, platform: str) -> str | None:
    """The status the overview shows for ``platform`` (in the worker thread)."""
    rows = browser.driver.find_elements("css selector", f'tr[data-platform="{platform}"]')
    return rows[0].get_attribute("data-status") if rows else None


REFUSE = {"status_code": 2001, "status_message": "bad seq", "timestamp": "2030-01-01T00:00:00Z"}


async def make_agreement(browser: Browser, hub: RunningHub) -> None:
    """An agreement made with the form's party pickers and a module limit."""
    await browser.get(f"{hub.url}/admin/agreements")
    await browser.select("#party_a", "NL-ALF")
    await browser.select("#party_b", "DE-MSP")
    await browser.click('input[name="modules"][value="locations"]')
    await browser.click('input[name="modules"][value="tariffs"]')
    await browser.click('input[name="modules"][value="cdrs"]')
    await browser.click("#create-agreement")
    await browser.wait_for("#flash")
    assert "made" in await browser.text("#flash")
    row = await browser.find('#agreements tr[data-status="ACTIVE"]')
    assert "locations, tariffs" in await browser.run(lambda: row.text)
    _, agreements = await hub.admin("GET", "/agreements")
    assert [(a["parties"], a["modules"]) for a in agreements] == [
        (["DE-MSP", "NL-ALF"], ["cdrs", "locations", "tariffs"])
    ]
    await browser.screenshot("agreements")


async def retry_dead_delivery(
    browser: Browser, hub: RunningHub, cpo: Peer, emsp: Peer, emsp_id: int
) -> None:
    """A delivery the eMSP refuses goes DEAD; once it is fixed, Retry delivers it."""
    emsp.on("PUT", "locations", lambda r: (200, REFUSE))
    loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    status, _, _ = await cpo.request(
        "PUT", url, json=loc, headers={"X-Correlation-ID": "corr-console-1"}
    )
    assert status in (200, 201)
    await eventually(
        lambda: hub.admin("GET", "/outbox?status=DEAD"), lambda r: len(r[1]) == 1, what="DEAD"
    )
    emsp.handlers.clear()
    await browser.get(f"{hub.url}/admin/deliveries?receiver={emsp_id}&module=locations&status=DEAD")
    dead_row = await browser.find('#deliveries tr[data-status="DEAD"]')
    assert "bad seq" in await browser.run(lambda: dead_row.text)
    await browser.screenshot("deliveries")
    await browser.click('#deliveries tr[data-status="DEAD"] button.retry')
    await browser.wait_for("#flash")
    assert "queued again" in await browser.text("#flash")
    await browser.get(f"{hub.url}/admin/deliveries?receiver={emsp_id}&module=locations")
    await browser.until(
        lambda: browser.driver.find_elements("css selector", '#deliveries tr[data-status="DONE"]'),
        what="delivered after retry",
    )
    delivered = [r for r in emsp.received if r.module == "locations" and r.accepted]
    assert [r.method for r in delivered] == ["PUT", "PUT"]  # refused once, then delivered


async def follow_and_export(browser: Browser, hub: RunningHub) -> None:
    """The traffic log filtered by correlation id: the CPO's push IN, both deliveries OUT; the
    CSV export has exactly those."""
    await browser.get(f"{hub.url}/admin/traffic")
    await browser.type("#correlation_id", "corr-console-1")
    await browser.click("#filter")
    await browser.wait_for("#following")
    rows = await browser.find_all("table.traffic tbody tr[data-correlation='corr-console-1']")
    texts = [await browser.run(lambda r=r: r.text) for r in rows]
    assert texts[0].split()[2] == "IN" and "cpo" in texts[0]
    assert len(texts) == 3 and all(" OUT " in t and "emsp" in t for t in texts[1:])
    await browser.screenshot("traffic")
    link = await browser.find("#csv")
    href = await browser.run(link.get_attribute, "href")
    cookies = {c["name"]: c["value"] for c in await browser.run(browser.driver.get_cookies)}
    async with aiohttp.ClientSession(cookies=cookies) as session, session.get(href) as r:
        assert r.status == 200 and r.content_type == "text/csv"
        exported = list(csv.DictReader(io.StringIO(await r.text())))
    assert [(e["direction"], e["platform"]) for e in exported] == [
        ("IN", "cpo"),
        ("OUT", "emsp"),
        ("OUT", "emsp"),
    ]
    assert {e["correlation_id"] for e in exported} == {"corr-console-1"}


async def reconcile_a_cdr(browser: Browser, hub: RunningHub, cpo: Peer) -> None:
    """The CPO's CDR reaches the eMSP; the CDR reconciliation page counts it acknowledged."""
    body = cdr("CDR-BROWSER", ("EMSP", "DE", "MSP"))
    status, answer, _ = await cpo.request("POST", cpo.hub_url("cdrs", "RECEIVER"), json=body)
    assert status == 201, answer
    await browser.get(f"{hub.url}/admin")
    await browser.click('nav a[href="/admin/reports/cdrs"]')
    await browser.until(
        lambda: (
            "1 received, 1 acknowledged"
            in browser.driver.find_element("css selector", "#report-summary").text
        ),
        what="the CDR acknowledged on the reconciliation page",
    )
    await browser.screenshot("reconciliation")


async def test_operator_walkthrough(hub_factory: Any, start_peer: Any, browser: Browser) -> None:
    """Sign in; agreement by form; a dead delivery retried and delivered; a correlation id
    followed and exported as CSV; the eMSP goes OFFLINE on the overview when it stops."""
    hub: RunningHub = await hub_factory(**FAST)
    db = hub.app.state.runtime.db
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    emsp = Peer(version="2.2.1", parties=[("EMSP", "DE", "MSP")], name="emsp")
    async with serving(emsp):
        await connect(db, cpo, hub.versions_url)
        emsp_id = await connect(db, emsp, hub.versions_url)
        declared = {"role": "EMSP", "country_code": "BE", "party_id": "NEW"}
        await hub.add_platform("newcomer", roles=[declared])

        await sign_in(browser, hub)
        assert await browser.run(status_of, browser, "emsp") == "CONNECTED"
        assert await browser.run(status_of, browser, "newcomer") == "PLANNED"
        await make_agreement(browser, hub)
        await retry_dead_delivery(browser, hub, cpo, emsp, emsp_id)
        await follow_and_export(browser, hub)
        await reconcile_a_cdr(browser, hub, cpo)
        await browser.get(f"{hub.url}/admin/platforms/{emsp_id}")
        assert await browser.text("#platform-status") == "CONNECTED"
        force = await browser.find('#remove input[name="force"]')  # the removal's force option
        assert await browser.run(force.is_displayed)
        await browser.screenshot("platform")
    # the eMSP's server is stopped: the liveness check sees it, the overview shows it first
    await browser.get(f"{hub.url}/admin")
    await browser.until(lambda: status_of(browser, "emsp") == "OFFLINE", what="emsp OFFLINE")
    first = await browser.find("table.partners tbody tr")
    assert await browser.run(first.get_attribute, "data-platform") == "emsp"
    await browser.screenshot("overview")
    await browser.get(f"{hub.url}/admin/enums")
    await browser.screenshot("enums")


async def test_csrf_refusal_and_sign_out(hub: RunningHub, browser: Browser) -> None:
    """A form submitted without its CSRF token is refused and changes nothing; signing out
    ends the session."""
    await browser.get(f"{hub.url}/admin/signin")
    await browser.screenshot("signin")
    await sign_in(browser, hub)
    await browser.get(f"{hub.url}/admin/enums")
    await browser.type('input[name="value"]', "ACME_PLUG")
    await browser.run(
        browser.driver.execute_script,
        "document.querySelectorAll('form[action=\"/admin/enums\"] input[name=csrf]')"
        ".forEach(e => e.remove())",
    )
    await browser.click('form[action="/admin/enums"] button')
    await browser.wait_for("#refused")
    assert "CSRF" in await browser.text("#refused")
    _, enums = await hub.admin("GET", "/enums")
    assert all("ACME_PLUG" not in e["custom"] for e in enums.values())

    await browser.get(f"{hub.url}/admin")
    await browser.click("#signout")
    await browser.wait_for("#signin")
    assert "/admin/signin" in browser.driver.current_url
    await browser.get(f"{hub.url}/admin/traffic")
    assert "/admin/signin" in browser.driver.current_url
