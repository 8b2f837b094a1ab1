"""A Peer's Sender list (GET all): its own objects, filtered and paged as OCPI says.

``SenderList`` holds the objects a peer publishes on one module's Sender interface and answers
``GET`` on it: ``date_from``/``date_to`` compared with ``last_updated``, ``offset``/``limit``
(``page_size`` caps the limit, like a partner capping pages), ``X-Total-Count``, ``X-Limit``
and a ``Link`` to the next page. ``loop_link`` makes every page link to the first one (a
broken partner whose ``Link`` never ends). ``delay`` makes every page take that long, and
``most_at_once`` records how many pages were ever being served at the same time; while
``gate`` is cleared, every page waits for it to be set again (a partner stalled until a test
says so).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

__all__ = ["SenderList"]


def _open_gate() -> asyncio.Event:
    gate = asyncio.Event()
    gate.set()
    return gate


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class SenderList:
    """The objects of one module a peer serves to whoever pulls them."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    loop_link: bool = False
    delay: float = 0.0
    most_at_once: int = 0
    gate: asyncio.Event = field(default_factory=_open_gate)
    _busy: int = 0

    def put(self, obj: dict[str, Any], id_field: str = "id") -> None:
        """Add ``obj``, or replace the object with the same id."""
        self.objects = [o for o in self.objects if o.get(id_field) != obj.get(id_field)]
        self.objects.append(obj)

    def remove(self, object_id: str, id_field: str = "id") -> None:
        """Stop listing the object with this id."""
        self.objects = [o for o in self.objects if o.get(id_field) != object_id]

    def _selected(self, query: dict[str, str]) -> list[dict[str, Any]]:
        out = self.objects
        if "date_from" in query:
            start = _instant(query["date_from"])
            out = [o for o in out if _instant(o["last_updated"]) >= start]
        if "date_to" in query:
            end = _instant(query["date_to"])
            out = [o for o in out if _instant(o["last_updated"]) < end]
        return out

    async def serve(
        self, url: str, query: dict[str, str]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """:meth:`page`, after ``delay`` seconds and once ``gate`` is set (counted in
        ``most_at_once``)."""
        self._busy += 1
        self.most_at_once = max(self.most_at_once, self._busy)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            await self.gate.wait()
            return self.page(url, query)
        finally:
            self._busy -= 1

    def page(self, url: str, query: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The data and headers of one page of the list at ``url`` (without its query)."""
        selected = self._selected(query)
        offset = int(query.get("offset", "0"))
        limit = min(int(query.get("limit", str(self.page_size))), self.page_size)
        data = selected[offset : offset + limit]
        headers = {"X-Total-Count": str(len(selected)), "X-Limit": str(limit)}
        if self.loop_link:
            headers["Link"] = f'<{url}?{urlencode({**query, "offset": "0"})}>; rel="next"'
        elif offset + limit < len(selected):
            after = {**query, "offset": str(offset + limit), "limit": str(limit)}
            headers["Link"] = f'<{url}?{urlencode(after)}>; rel="next"'
        return data, headers
