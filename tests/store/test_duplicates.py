"""Inserts under a unique key another row holds raise the store's DuplicateKey (both backends)."""

from __future__ import annotations

import pytest

from ocpihub.model.parties import ConnectionStatus
from ocpihub.store import agreements as agr
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database, DuplicateKey


async def test_a_taken_platform_name_is_a_duplicate_key(db: Database) -> None:
    """A second platform of one name is refused, and nothing of it is kept."""
    async with db.write() as conn:
        await plat.create_platform(conn, "cpo")
    with pytest.raises(DuplicateKey):
        async with db.write() as conn:
            await plat.create_platform(conn, "cpo")
    async with db.read() as conn:
        assert [p.name for p in await plat.list_platforms(conn)] == ["cpo"]


async def test_a_second_agreement_of_two_parties_is_a_duplicate_key(db: Database) -> None:
    """The pair is one agreement whichever side is named first."""
    async with db.write() as conn:
        await agr.create_agreement(conn, ("NL", "CPO"), ("DE", "MSP"), None)
    with pytest.raises(DuplicateKey):
        async with db.write() as conn:
            await agr.create_agreement(conn, ("DE", "MSP"), ("NL", "CPO"), None)


async def test_liveness_counts_failures_in_a_row(db: Database) -> None:
    """Each failed check adds one, an answer resets the count; a party's status is set alone."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "cpo")
        party = await plat.upsert_party(
            conn,
            p.id,
            country_code="NL",
            party_id="CPO",
            role="CPO",
            status=ConnectionStatus.CONNECTED,
        )
        counts = [
            await plat.record_liveness(conn, p.id, answered=answered)
            for answered in (False, False, True, False)
        ]
        await plat.set_liveness_status(conn, party, ConnectionStatus.OFFLINE)
    async with db.read() as conn:
        [stored] = await plat.list_parties(conn, p.id)
    assert counts == [1, 2, 0, 1]
    assert stored.status is ConnectionStatus.OFFLINE
