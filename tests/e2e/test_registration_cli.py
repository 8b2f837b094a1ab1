"""`ocpihub platform register|remove` end to end: the CLI process registers the hub with a peer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.cli import cli as run_cli

pytestmark = pytest.mark.e2e

CPO = ("CPO", "NL", "CPA")


async def cli(hub: Any, *args: str) -> tuple[int, str, str]:
    """Run ``ocpihub ARGS`` against the hub's database, without blocking the servers."""
    return await run_cli(hub.settings.database_url, *args, env={"OCPIHUB_PUBLIC_URL": hub.url})


async def test_cli_register_creates_and_registers(hub, start_peer) -> None:
    """`ocpihub platform register NAME` creates the platform and registers the hub with a peer."""
    peer = await start_peer("2.1.1", [CPO], name="clipeer")
    token_a = peer.issue_token()
    code, out, err = await cli(
        hub,
        "platform",
        "register",
        "clipeer",
        "--versions-url",
        peer.versions_url,
        "--token",
        token_a,
        "--role",
        "CPO:NL:CPA",
        "--json",
    )
    assert code == 0, err
    done = json.loads(out)
    assert done["status"] == "REGISTERED"
    assert done["version"] == "2.1.1"
    assert done["parties"] == [{"role": "CPO", "country_code": "NL", "party_id": "CPA"}]
    posted = peer.of("credentials", "POST")
    assert len(posted) == 1
    assert posted[0].token_was_base64 is False
    # the peer called the hub back (a separate process from the CLI) with the hub's token
    assert peer.hub_endpoints

    code, out, err = await cli(hub, "platform", "remove", "clipeer", "--json")
    assert code == 0, err
    assert json.loads(out)["partner_notified"] is True
    assert len(peer.of("credentials", "DELETE")) == 1


async def test_cli_register_failure_exits_nonzero(hub, start_peer) -> None:
    """A failed hub-initiated registration from the CLI exits 1 with the OCPI reason."""
    peer = await start_peer("2.3.0", [CPO], name="bare", modules=[])
    code, _, err = await cli(
        hub,
        "platform",
        "register",
        "bare",
        "--versions-url",
        peer.versions_url,
        "--token",
        peer.issue_token(),
    )
    assert code == 1
    assert "no usable endpoints" in err
