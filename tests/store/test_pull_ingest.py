"""What a partner lists is partner input: a page of pulled objects, whatever it holds, is
stored object by object or refused with a counted reason, never failing the pull (issue 19.2).
Fuzzed with hypothesis on a real SQLite file."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.pull_ingest import PullSource, Seen, ingest_page
from ocpihub.hub.pull_plan import PULLED
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.store.objects import list_page
from ocpihub.store.pulls import PullProgress
from ocpihub.testing import payloads
from tests.support.databases import sqlite_url

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _valid(module: str, version: str, n: int) -> dict[str, Any]:
    if module == "tokens":
        return payloads.token("2.2.1" if version == "2.3.0" else version, "NL", "ABC", f"U{n}")
    if module == "tariffs":
        return payloads.tariff("NL", "ABC", f"T{n}", 0.25)
    return payloads.location("NL", "ABC", f"L{n}", evses=1, tariff_id="T1")


@st.composite
def items(draw: Any, module: str, version: str) -> list[Any]:
    """A page: valid objects, objects with one field replaced by anything, and anything."""
    out: list[Any] = []
    for n in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["valid", "mutated", "junk"]))
        if kind == "junk":
            out.append(draw(JSON))
            continue
        obj = copy.deepcopy(_valid(module, version, n))
        if kind == "mutated":
            obj[draw(st.sampled_from(sorted(obj)))] = draw(JSON)
        out.append(obj)
    return out


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path)

    async def go() -> None:
        db = Database(url)
        try:
            await migrate(db)
        finally:
            await db.close()

    asyncio.run(go())
    return url


async def _ingest(url: str, module: str, version: str, page: list[Any]) -> PullProgress:
    db = Database(url)
    progress = PullProgress()
    source = PullSource(1, "partner", version, (("NL", "ABC"),))
    try:
        async with db.write() as conn:
            await ingest_page(
                conn,
                PULLED[module],
                source,
                page,
                enums=EnumRegistry({}),
                now=datetime.now(UTC),
                correlation_id="c",
                progress=progress,
                seen=Seen(),
            )
            stored, _ = await list_page(conn, module, PageRequest(0, 1000))
        # only objects of the platform's own party are ever stored
        assert {(o.key.country_code, o.key.party_id) for o in stored} <= {("NL", "ABC")}
    finally:
        await db.close()
    return progress


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_page_is_stored_or_refused_object_by_object(migrated: str, data: Any) -> None:
    """Every item is either stored (or unchanged) or counted as an error with a message; no
    item makes the page fail."""
    module = data.draw(st.sampled_from(sorted(PULLED)))
    version = data.draw(st.sampled_from(["2.1.1", "2.2.1", "2.3.0"]))
    page = data.draw(items(module, version))

    progress = asyncio.run(_ingest(migrated, module, version, page))

    assert progress.stored + progress.errors <= len(page)
    assert len(progress.messages) == progress.errors
    assert all(isinstance(m, str) and m for m in progress.messages)
