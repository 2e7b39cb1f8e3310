"""A SQL function written in the query editor appears in the Explorer and opens on its own page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from console.catalog.models import Dataset, Project
from tests.web.browser import chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CREATE = "CREATE FUNCTION shop.with_tax(price FLOAT64) RETURNS FLOAT64 AS (ROUND(price * 1.2, 2))"


@pytest.fixture
def page(live_server: Any, transactional_db: None, owner: Any, worker: None) -> Iterator[Any]:
    Dataset.create(Project.default(), "shop")
    with chromium(width=1280, height=800) as context:
        page = context.new_page()
        sign_in(page, live_server.url, "alice", "alice-password")
        yield page


def test_it_creates_a_function_calls_it_and_shows_it(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/query")
    page.get_by_label("Query editor").fill(CREATE)
    expect(page.locator("[data-validator]")).to_contain_text("This query will process")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".explorer").get_by_role("link", name="with_tax")).to_be_visible()

    page.get_by_label("Query editor").fill("SELECT shop.with_tax(10) AS gross")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("cell", name="12.0")).to_be_visible()

    page.locator(".explorer").get_by_role("link", name="with_tax").click()
    expect(page.get_by_role("heading", name="with_tax", level=1)).to_be_visible()
    expect(page.locator("pre.sql-block")).to_have_text("ROUND(price * 1.2, 2)")
    expect(page.get_by_role("cell", name="price", exact=True)).to_be_visible()
