"""A real headless Chromium for console tests (Debian's chromium and chromium-driver).

Selenium calls block, and the hub under test runs on the test's own event loop, so every call
goes through :meth:`Browser.run` (a worker thread). Chromium may reach 127.0.0.1 only: every
other host name fails to resolve, and background networking is off. Screenshots go to
``CONSOLE_SCREENSHOTS`` when set (how docs/operator-console/ is made), else to the test's tmp.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

__all__ = ["CHROMEDRIVER", "CHROMIUM", "Browser", "browser_missing"]

T = TypeVar("T")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def browser_missing() -> str | None:
    """Why browser tests cannot run here (None when they can)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing: apt-get install -y chromium chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


class Browser:
    """One Chromium session driven by selenium, with async helpers."""

    def __init__(self, shots: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--no-first-run",
            "--no-proxy-server",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        ):
            options.add_argument(arg)
        os.environ.setdefault("SE_AVOID_STATS", "true")
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(30)
        self.shots = shots
        shots.mkdir(parents=True, exist_ok=True)

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """Run one blocking selenium call off the event loop."""
        return await asyncio.to_thread(call, *args)

    async def get(self, url: str) -> None:
        """Open ``url``."""
        await self.run(self.driver.get, url)

    async def find(self, css: str) -> Any:
        """The first element matching ``css`` (fails when there is none)."""
        from selenium.webdriver.common.by import By

        return await self.run(self.driver.find_element, By.CSS_SELECTOR, css)

    async def find_all(self, css: str) -> list[Any]:
        """Every element matching ``css``."""
        from selenium.webdriver.common.by import By

        found: list[Any] = await self.run(self.driver.find_elements, By.CSS_SELECTOR, css)
        return found

    async def wait_for(self, css: str, timeout: float = 20) -> Any:
        """The first element matching ``css`` once the current page has one (no reloads)."""
        await self.until(
            lambda: self.driver.find_elements("css selector", css),
            what=css,
            refresh=False,
            timeout=timeout,
        )
        return await self.find(css)

    async def text(self, css: str) -> str:
        """The visible text of the first element matching ``css``."""
        element = await self.find(css)
        text: str = await self.run(lambda: element.text)
        return text

    async def click(self, css: str) -> None:
        """Click the first element matching ``css`` (and let the page it opens load)."""
        element = await self.find(css)
        await self.run(element.click)

    async def type(self, css: str, value: str) -> None:
        """Type into an input."""
        element = await self.find(css)
        await self.run(element.clear)
        await self.run(element.send_keys, value)

    async def select(self, css: str, visible_text_start: str) -> None:
        """Choose the option of a select whose text starts with ``visible_text_start``."""
        from selenium.webdriver.support.ui import Select

        element = await self.find(css)

        def choose() -> None:
            chooser = Select(element)
            for option in chooser.options:
                if option.text.startswith(visible_text_start):
                    chooser.select_by_visible_text(option.text)
                    return
            raise AssertionError(f"no option {visible_text_start!r} in {css}")

        await self.run(choose)

    async def until(
        self, check: Callable[[], Any], *, what: str, refresh: bool = True, timeout: float = 20
    ) -> Any:
        """Reload the page until ``check()`` (run in the worker thread) is truthy."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = await self.run(check)
            if result:
                return result
            assert loop.time() < deadline, f"{what}: not seen on {self.driver.current_url}"
            await asyncio.sleep(0.2)
            if refresh:
                await self.run(self.driver.refresh)

    async def screenshot(self, name: str) -> Path:
        """Save a PNG of the whole page as ``name``.png."""
        path = self.shots / f"{name}.png"

        def shoot() -> None:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            shot = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {
                        "x": 0,
                        "y": 0,
                        "width": 1280,
                        "height": min(int(height), 2400),
                        "scale": 1,
                    },
                },
            )
            path.write_bytes(base64.b64decode(shot["data"]))

        await self.run(shoot)
        return path

    def quit(self) -> None:
        """Close the browser."""
        self.driver.quit()


def require_browser() -> None:
    """Skip with the reason when Chromium or selenium are missing."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
