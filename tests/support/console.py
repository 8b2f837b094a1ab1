"""Driving the console's forms over HTTP, as a browser would (cookies, CSRF tokens)."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

__all__ = ["ConsoleClient"]


class ConsoleClient:
    """A signed-in console session against a running hub."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        # cookies of a bare IP address (127.0.0.1) are refused by the default jar
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def close(self) -> None:
        """End the HTTP session."""
        await self.session.close()

    async def page(self, path: str) -> tuple[int, str]:
        """GET a page: (status, HTML)."""
        async with self.session.get(self.base_url + path, allow_redirects=False) as r:
            return r.status, await r.text()

    @staticmethod
    def csrf(html: str) -> str:
        """The CSRF token in a page's forms."""
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, html[:500]
        return found.group(1)

    async def sign_in(self, token: str) -> None:
        """Sign in through the form."""
        _, html = await self.page("/admin/signin")
        status, _ = await self.submit("/admin/signin", {"token": token, "csrf": self.csrf(html)})
        assert status == 303

    async def submit(self, path: str, fields: dict[str, Any]) -> tuple[int, str]:
        """POST a form: (status, where it redirects to or the page's HTML)."""
        async with self.session.post(self.base_url + path, data=fields, allow_redirects=False) as r:
            return r.status, r.headers.get("location") or await r.text()

    async def act(self, page: str, action: str, **fields: Any) -> str:
        """Submit a form found on ``page`` (with the page's CSRF token); the message shown
        on the page it leads to."""
        _, html = await self.page(page)
        status, location = await self.submit(action, {"csrf": self.csrf(html), **fields})
        assert status == 303, location
        _, after = await self.page(location)
        found = re.search(r'<p class="flash (\w+)" id="flash">([^<]*)</p>', after)
        assert found, after[:500]
        return f"{found.group(1)}: {found.group(2)}"
