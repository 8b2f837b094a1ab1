"""`ocpihub pull run|status` end to end: the CLI process pulls a peer's Sender list into the
hub's database; the running hub delivers what it stored (issue 19.2)."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import sys
from datetime import datetime, timedelta
from typing import Any

from ocpihub.testing import payloads
from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.e2e.test_pulls import MANUAL, pair, wait_for
from tests.support.cli import cli as run_cli
from tests.support.cli import cli_env
from tests.support.console import ConsoleClient


def _env(hub: RunningHub) -> dict[str, str]:
    return {"OCPIHUB_PUBLIC_URL": hub.url, "OCPIHUB_LOG_LEVEL": "warning"}


async def cli(hub: RunningHub, *args: str) -> tuple[int, str, str]:
    """Run ``ocpihub ARGS`` against the hub's database, without blocking the servers."""
    return await run_cli(hub.settings.database_url, *args, env=_env(hub))


async def cli_on_terminal(hub: RunningHub, *args: str) -> tuple[int, str]:
    """Run ``ocpihub ARGS`` with stderr on a pseudo-terminal; exit code and what it showed."""
    leader, follower = pty.openpty()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ocpihub",
        *args,
        env={**cli_env(hub.settings.database_url), **_env(hub)},
        stdout=asyncio.subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    await asyncio.wait_for(proc.communicate(), timeout=60)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode is not None
    return proc.returncode, shown.decode(errors="replace")


async def test_cli_pull_run_and_status(hub_factory: Any, start_peer: Any) -> None:
    """`pull run` reads the whole list across pages (plain progress lines when not on a
    terminal), the hub delivers it to the agreed eMSP, the GETs are in the traffic log, and
    `pull status` shows the run and what is due."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, _, _ = await pair(hub, start_peer)
    for n in (1, 2, 3):
        cpo.sender_lists["tariffs"].put(payloads.tariff("NL", "CPO", f"T{n}", 0.3))

    code, out, err = await cli(hub, "pull", "run", "lister", "tariffs")

    assert code == 0, err
    assert "tariffs: OK (full), 2 pages, 3 objects, 3 stored, 0 removed, 0 errors" in out
    assert "tariffs: page 1, 2 of 3 objects, 2 stored, 0 errors" in err
    assert "tariffs: page 2, 3 of 3 objects, 3 stored, 0 errors" in err
    await wait_for(lambda: len(emsp.of("tariffs", "PUT")) == 3, what="3 tariffs at the eMSP")

    code, out, err = await cli(hub, "pull", "status", "lister", "--json")
    assert code == 0, err
    by_module = {row["module"]: row for row in json.loads(out)}
    assert sorted(by_module) == ["locations", "tariffs"]
    assert by_module["locations"]["status"] is None
    tariffs = by_module["tariffs"]
    assert (tariffs["status"], tariffs["pages"], tariffs["objects"]) == ("OK", 2, 3)
    # the command's own settings (defaults here): a delta an hour after, a full a week after
    started = datetime.fromisoformat(tariffs["started_at"])
    assert datetime.fromisoformat(tariffs["next_delta"]) == started + timedelta(hours=1)
    assert datetime.fromisoformat(tariffs["next_full"]) == started + timedelta(days=7)
    status, entries = await hub.admin("GET", f"/traffic?correlation_id={tariffs['correlation_id']}")
    assert status == 200
    gets = [e for e in entries if e["method"] == "GET"]
    assert [(e["direction"], e["module"]) for e in gets] == [("OUT", "tariffs")] * 2

    code, out, _ = await cli(hub, "pull", "status", "lister")
    assert "locations: never pulled" in out
    assert "tariffs: OK (full), 2 pages, 3 objects" in out
    assert f"next delta {tariffs['next_delta']}, next full {tariffs['next_full']}" in out


async def test_cli_pull_shows_a_progress_bar_on_a_terminal(
    hub_factory: Any, start_peer: Any
) -> None:
    """On a terminal `pull run` draws a progress bar over the partner's X-Total-Count."""
    hub = await hub_factory(**MANUAL)
    cpo, _, _, _ = await pair(hub, start_peer)
    for n in range(1, 6):
        cpo.sender_lists["locations"].put(
            payloads.location("NL", "CPO", f"L{n}", evses=1, tariff_id="T1")
        )

    code, shown = await cli_on_terminal(hub, "pull", "run", "lister", "locations")

    assert code == 0, shown
    assert "locations  [------------------------------------]  0/5" in shown
    assert "locations  [####################################]  5/5" in shown
    assert "page 1," not in shown


async def test_cli_pull_refused_while_running_and_for_unpulled_module(
    hub_factory: Any, start_peer: Any
) -> None:
    """The CLI takes the same lease as the hub: while the hub runs the pull it exits 1; a module
    the platform does not publish as a Sender exits 1 naming it."""
    hub = await hub_factory(**MANUAL)
    cpo, _, cpo_id, _ = await pair(hub, start_peer)
    release = asyncio.Event()

    async def slow(item: Any) -> tuple[int, Any]:
        await release.wait()
        return 200, {"status_code": 1000, "timestamp": payloads.now(), "data": []}

    cpo.on("GET", "tariffs", slow)
    status, _ = await hub.admin("POST", f"/platforms/{cpo_id}/pulls/tariffs/run")
    assert status == 202
    try:
        code, _, err = await cli(hub, "pull", "run", "lister", "tariffs")
        assert code == 1
        assert "running already" in err
    finally:
        release.set()
    code, _, err = await cli(hub, "pull", "run", "lister", "tokens")
    assert code == 1
    assert "publishes no tokens Sender interface" in err


async def test_console_pulls_section_and_pull_now(hub_factory: Any, start_peer: Any) -> None:
    """The Platform page lists the modules the hub pulls from the platform; its "Pull now"
    button starts a pull whose progress the page then shows; a second press while it runs is
    refused with the reason."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, _ = await pair(hub, start_peer)
    for n in (1, 2, 3):
        cpo.sender_lists["tariffs"].put(payloads.tariff("NL", "CPO", f"T{n}", 0.3))
    page = f"/admin/platforms/{cpo_id}"
    console = ConsoleClient(hub.url)
    try:
        await console.sign_in(ADMIN_TOKEN)
        _, shown = await console.page(page)
        section = shown[shown.index('id="pulls"') :]
        assert 'data-module="locations"' in section and 'data-module="tariffs"' in section
        assert 'data-module="tokens"' not in section  # a CPO publishes no tokens Sender
        assert "due now" in section

        said = await console.act(page, f"{page}/pulls/tariffs/run", full="1")

        assert said.startswith("ok: Full pull of tariffs from lister started (correlation id")
        await wait_for(lambda: len(emsp.of("tariffs", "PUT")) == 3, what="3 tariffs delivered")

        async def shows_ok() -> bool:
            _, html_page = await console.page(page)
            row = html_page[html_page.index('data-module="tariffs"') :].split("</tr>", 1)[0]
            return '<span class="status ok">OK</span> full' in row and "<td>3 of 3</td>" in row

        await wait_for(shows_ok, what="the page to show the finished pull")

        release = asyncio.Event()

        async def slow(item: Any) -> tuple[int, Any]:
            await release.wait()
            return 200, {"status_code": 1000, "timestamp": payloads.now(), "data": []}

        cpo.on("GET", "locations", slow)
        said = await console.act(page, f"{page}/pulls/locations/run")
        assert said.startswith("ok: Full pull of locations")  # never pulled yet: a full one
        said = await console.act(page, f"{page}/pulls/locations/run")
        release.set()
        assert said.startswith("error:") and "running already" in said
    finally:
        await console.close()
