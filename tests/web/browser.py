"""Headless Chromium for the browser tests: Debian's, driven by Playwright (which cannot download
its own here)."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def chromium(width: int = 1440, height: int = 900) -> Iterator[Any]:
    """Yield a fresh browser context with a viewport of width × height CSS pixels."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls stay sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Sign in through the console's form, as a person would."""
    page.goto(f"{base_url}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextlib.contextmanager
def recorded(name: str) -> Iterator[tuple[Any, Any]]:
    """Yield a page of a fresh browser and a ``shot(step)`` that screenshots it.

    Screenshots go to test-artifacts/<name>/, numbered in the order taken; the folder is emptied
    first, so it holds one run's steps.
    """
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    steps = itertools.count(1)
    with chromium() as context:
        page = context.new_page()

        def shot(step: str) -> None:
            page.screenshot(path=str(folder / f"{next(steps):02d}-{step}.png"))

        yield page, shot
