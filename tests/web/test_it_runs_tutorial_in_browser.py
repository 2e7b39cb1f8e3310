"""The tutorial by clicking and typing: headless Chromium, a live server and a real worker."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.catalog import storage
from console.catalog.models import Dataset, MLModel, Table
from mfcore import make_ratings

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "tutorial"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
CREATE_MODEL = """CREATE OR REPLACE MODEL `bqml_tutorial.my_mf_model`
OPTIONS(model_type='matrix_factorization', feedback_type='explicit',
        user_col='user_id', item_col='item_id', l2_reg=9.83, num_factors=34) AS
SELECT user_id, item_id, rating FROM `bqml_tutorial.ratings`"""


@pytest.fixture
def page() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(30_000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def ratings_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ratings.csv"
    frame = make_ratings(n_users=200, n_items=150, n_ratings=4000, random_state=0)
    frame[["user_id", "item_id", "rating", "timestamp"]].to_csv(path, index=False)
    return path


def test_it_runs_tutorial_in_browser(
    live_server, worker: None, transactional_db: None, page, ratings_csv: Path
) -> None:
    from playwright.sync_api import expect

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Welcome to Quarry")).to_be_visible()
    shot("01-home")

    # Create dataset
    explorer = page.get_by_role("navigation", name="Explorer")
    explorer.get_by_role("link", name="Create dataset").click()
    page.get_by_label("Dataset ID").fill("bad-name!")
    page.get_by_role("button", name="Create dataset").click()
    expect(page.get_by_text('Invalid dataset ID "bad-name!"')).to_be_visible()
    shot("02-create-dataset-invalid")
    page.get_by_label("Dataset ID").fill("bqml_tutorial")
    page.get_by_label("Multi-region").check()
    page.get_by_label("Description").fill("BigQuery ML tutorial dataset.")
    page.get_by_role("button", name="Create dataset").click()
    expect(page).to_have_url(re.compile(r"/d/bqml_tutorial/$"))
    expect(page.get_by_role("heading", name="bqml_tutorial", level=1)).to_be_visible()
    shot("03-dataset")

    # Upload ratings
    page.get_by_role("toolbar", name="Dataset actions").get_by_role(
        "link", name="Create table"
    ).click()
    page.get_by_label("Select file").set_input_files(str(ratings_csv))
    page.get_by_label(re.compile(r"^Table\b")).fill("ratings")
    page.get_by_label("Edit as text").fill(SCHEMA)
    page.get_by_label("Header rows to skip").fill("1")
    shot("04-create-table")
    page.get_by_role("button", name="Create table").click()
    expect(page.get_by_text("Load job completed")).to_be_visible(timeout=120_000)
    expect(explorer.get_by_role("link", name="ratings", exact=True)).to_be_visible()
    shot("05-load-done")
    page.get_by_role("link", name="Go to table").click()
    expect(page.get_by_role("cell", name="timestamp", exact=True)).to_be_visible()
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_text("Showing 50 of 4,000 rows.")).to_be_visible()
    shot("06-table-preview")
    assert Table.objects.get(table_id="ratings").num_rows == 4000

    # A query that fails shows its error where the results would be
    page.get_by_role("link", name="Query", exact=True).click()
    editor = page.get_by_label("Query editor")
    expect(editor).to_have_value("SELECT * FROM `bqml_tutorial.ratings` LIMIT 1000")
    editor.fill("SELECT * FROM `bqml_tutorial.missing`")
    editor.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("bqml_tutorial.missing", timeout=60_000)
    shot("07-query-error")

    # CREATE MODEL in the editor
    editor = page.get_by_label("Query editor")
    editor.fill(CREATE_MODEL)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text("This statement created a new model named")).to_be_visible(
        timeout=180_000
    )
    expect(explorer.get_by_role("link", name="my_mf_model", exact=True)).to_be_visible()
    shot("08-create-model-done")
    page.get_by_role("link", name="Go to model").click()
    expect(page.get_by_role("heading", name="my_mf_model")).to_be_visible()
    shot("09-model-details")
    page.get_by_role("link", name="Training", exact=True).click()
    rows = page.locator(".training-table tbody tr")
    expect(rows.first).to_be_visible()
    model = MLModel.objects.get(model_id="my_mf_model")
    assert rows.count() == model.current_iterations().count() > 0
    shot("10-model-training")
    page.get_by_label("Graph", exact=True).check()
    expect(page.get_by_role("img", name="Training data loss by iteration")).to_be_visible()
    shot("11-model-training-graph")

    # Delete the dataset through the dialog
    files = [storage.resolve(Table.objects.get(table_id="ratings").data_path)]
    files += [storage.resolve(model.artifact_path)] if model.artifact_path else []
    explorer.get_by_role("link", name="bqml_tutorial", exact=True).click()
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete dataset")
    expect(dialog).to_contain_text("1 table and 1 model")
    delete = dialog.get_by_role("button", name="Delete", exact=True)
    expect(delete).to_be_disabled()
    confirm = dialog.get_by_label("to confirm")
    confirm.fill("bqml_tutoria")
    expect(delete).to_be_disabled()
    confirm.fill("bqml_tutorial")
    expect(delete).to_be_enabled()
    shot("12-delete-dialog")
    delete.click()
    expect(page.get_by_text("Dataset bqml_tutorial deleted.")).to_be_visible()
    shot("13-deleted")
    assert not Dataset.objects.exists()
    assert not any(f.exists() for f in files)
