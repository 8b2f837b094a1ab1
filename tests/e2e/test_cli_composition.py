"""The CLI's operator actions run over the hub the server builds (``composition.build_hub``),
so they have the effects the same actions have through the admin API (issue 14.5)."""

from __future__ import annotations

from typing import Any

from ocpihub.testing import payloads
from tests.e2e.conftest import RunningHub
from tests.e2e.test_partner_tolerances import set_profile
from tests.e2e.test_pulls import MANUAL
from tests.e2e.test_pulls import pair as pulling_pair
from tests.support.cli import cli


async def _cli_logging_info(hub: RunningHub, *args: str) -> tuple[int, str, str]:
    """``ocpihub ARGS`` against the hub's database, its log (info and up) on stderr."""
    env = {"OCPIHUB_PUBLIC_URL": hub.url, "OCPIHUB_LOG_LEVEL": "info"}
    return await cli(hub.settings.database_url, *args, env=env)


async def test_cli_pull_reports_tolerated_deviations(hub_factory: Any, start_peer: Any) -> None:
    """`ocpihub pull run` of a list whose enum values a tolerant profile repairs logs the
    tolerated deviation (``profile_tolerated``), as the server's "pull now" does: the CLI's
    partner client carries the hub's tolerations (before, the CLI built a client without them
    and the deviation went unreported)."""
    hub = await hub_factory(**MANUAL)
    cpo, _, _, _ = await pulling_pair(hub, start_peer)
    loc = payloads.location("NL", "CPO", "LOC1", evses=1, tariff_id="T1")
    loc["evses"][0]["status"] = "charging"
    cpo.sender_lists["locations"].put(loc)
    await set_profile(hub, "lister", tolerate=["lowercase_enums"])
    code, out, err = await _cli_logging_info(hub, "pull", "run", "lister", "locations", "--full")
    assert code == 0, (out, err)
    assert "profile_tolerated" in err and "lowercase_enums" in err, err
