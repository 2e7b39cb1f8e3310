"""A view in the console: marked as a view, its query and schema shown, no preview, Query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from django.test import Client

from console.catalog.models import Dataset, Table
from console.engine import tables
from console.engine.views import write_view
from tests.web.browser import chromium, sign_in

QUERY = "SELECT user_id, rating\nFROM bqml_tutorial.scores\nWHERE rating > 59"


@pytest.fixture
def view(dataset: Dataset) -> Table:
    data = pa.table(
        {"user_id": pa.array(range(1, 121), pa.int64()), "rating": [u / 2 for u in range(1, 121)]}
    )
    tables.write_version(dataset, "scores", data.schema, None, data.to_batches())
    return write_view(None, dataset, "top", QUERY, description="Best ratings")


def test_it_shows_a_views_query_and_no_preview(client: Client, view: Table) -> None:
    html = client.get("/d/bqml_tutorial/t/top/?tab=details").content.decode()
    assert '<p class="subtitle">View</p>' in html
    assert '<pre class="sql-block" aria-labelledby="view-query-heading"' in html
    assert "WHERE rating &gt; 59" in html
    assert "?tab=preview" not in html and "Number of rows" not in html
    # Asking for the preview anyway shows the schema.
    html = client.get("/d/bqml_tutorial/t/top/?tab=preview").content.decode()
    assert '<a href="?tab=schema" aria-current="page">Schema</a>' in html
    assert "rating" in html and "FLOAT" in html
    # The dataset's list marks it as a view, with no rows or size of its own.
    html = client.get("/d/bqml_tutorial/").content.decode()
    start = html.index('<td><svg class="icon icon-view"')
    row = html[start : html.index("</tr>", start)]
    assert ">top</a>" in row and row.count('<td class="num">—</td>') == 2


@pytest.fixture
def page(live_server: Any, transactional_db: None, owner: Any) -> Iterator[Any]:
    with chromium(width=1280, height=800) as context:
        page = context.new_page()
        sign_in(page, live_server.url, "alice", "alice-password")
        yield page


@pytest.mark.browser
@pytest.mark.worker
def test_it_marks_opens_and_queries_a_view_in_the_browser(
    page: Any, live_server: Any, worker: None, view: Table
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/d/bqml_tutorial/")
    explorer = page.get_by_role("navigation", name="Explorer")
    row = explorer.locator("li.tree-row", has_text="top")
    expect(row.get_by_role("img", name="View")).to_be_visible()
    expect(explorer.locator("li.tree-row", has_text="scores").get_by_role("img")).to_have_count(0)
    row.get_by_role("link", name="top").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("top")
    tabs = page.get_by_role("navigation", name="View tabs")
    expect(tabs.get_by_role("link")).to_have_text(["Schema", "Details"])
    expect(page.get_by_role("cell", name="user_id", exact=True)).to_be_visible()
    tabs.get_by_role("link", name="Details").click()
    expect(page.get_by_test_id("view-query")).to_have_text(QUERY)

    page.get_by_role("toolbar", name="View actions").get_by_role("link", name="Query").click()
    editor = page.get_by_label("Query editor")
    expect(editor).to_have_value("SELECT * FROM `bqml_tutorial.top`")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("columnheader", name="rating")).to_be_attached()
    expect(page.locator(".result-table tbody tr")).to_have_count(2)

    # Deleting it from its page drops the view (with DROP VIEW, which a view needs).
    page.goto(f"{live_server.url}/d/bqml_tutorial/t/top/")
    page.get_by_role("toolbar", name="View actions").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete view")
    dialog.get_by_label("to confirm").fill("delete")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("View bqml_tutorial.top deleted.")).to_be_visible()
    assert not Table.objects.filter(table_id="top").exists()
