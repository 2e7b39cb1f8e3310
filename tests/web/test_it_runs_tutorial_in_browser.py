"""The whole tutorial by clicking and typing: headless Chromium, a live server and a real worker.

Screenshots of every step go to test-artifacts/tutorial/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.contrib.auth import get_user_model

from console.catalog import storage
from console.catalog.models import Dataset, MLModel, Project, Table
from console.iam.models import RoleBinding
from mfcore import make_ratings
from tests.web.browser import recorded

pytestmark = [pytest.mark.browser, pytest.mark.worker]

RATINGS_SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
MOVIES_SCHEMA = "movie_id:INT64,movie_title:STRING,genre:STRING"
GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller"]
# The tutorial's statement; early_stop=FALSE makes it sweep long enough to watch it train.
CREATE_MODEL = """CREATE OR REPLACE MODEL `bqml_tutorial.my_mf_model`
OPTIONS(model_type='matrix_factorization', feedback_type='explicit',
        user_col='user_id', item_col='item_id', l2_reg=9.83, num_factors=34,
        max_iterations=20, early_stop=FALSE) AS
SELECT user_id, item_id, rating FROM `bqml_tutorial.ratings`"""
RECOMMEND = """CREATE OR REPLACE TABLE `bqml_tutorial.recommend` AS
SELECT * FROM ML.RECOMMEND(MODEL `bqml_tutorial.my_mf_model`)"""
TOP5 = """SELECT user_id,
  ARRAY_AGG(STRUCT(movie_title, genre, predicted_rating)
            ORDER BY predicted_rating DESC LIMIT 5)
FROM (SELECT user_id, item_id, predicted_rating, movie_title, genre
      FROM bqml_tutorial.recommend JOIN bqml_tutorial.movies ON item_id = movie_id)
GROUP BY user_id
ORDER BY user_id"""


@pytest.fixture
def recorder() -> Iterator[tuple[Any, Any]]:
    with recorded("tutorial") as page_and_shot:
        yield page_and_shot


@pytest.fixture
def tutorial_files(tmp_path: Path) -> tuple[Path, Path]:
    """Write MovieLens-shaped ratings (CSV with a header) and '@'-separated movies in ISO-8859-1,
    as the tutorial's sed makes them from MovieLens's movies.dat."""
    ratings = make_ratings(n_users=2000, n_items=1000, n_ratings=100_000, random_state=0)
    ratings_csv = tmp_path / "ratings.csv"
    ratings[["user_id", "item_id", "rating", "timestamp"]].to_csv(ratings_csv, index=False)
    ids = range(int(ratings["item_id"].max()) + 1)
    movies = pd.DataFrame(
        {
            "movie_id": list(ids),
            "movie_title": ["Misérables, Les (1995)"]
            + [f"Movie {i}, the sequel ({1950 + i % 70})" for i in ids][1:],
            "genre": [GENRES[i % len(GENRES)] for i in ids],
        }
    )
    movies_csv = tmp_path / "movies.csv"
    movies.to_csv(movies_csv, sep="@", header=False, index=False, encoding="latin-1")
    return ratings_csv, movies_csv


def test_it_runs_tutorial_in_browser(
    live_server, worker: None, transactional_db: None, recorder, tutorial_files
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    page, shot = recorder
    ratings_csv, movies_csv = tutorial_files

    def view_actions(name: str) -> None:
        explorer.get_by_role("button", name=f"View actions for {name}", exact=True).click()

    # Signing in comes first: the console sends an anonymous visitor to the sign-in page.
    owner = get_user_model().objects.create_user("alice", "alice@example.com", "tutorial-pass")
    RoleBinding.grant(Project.default(), owner, "roles/owner")
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("tutorial-pass")
    shot("sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome to Quarry")).to_be_visible()
    explorer = page.get_by_role("navigation", name="Explorer")
    shot("home")

    # Create dataset: project ⋮ → Create dataset opens the side panel, which validates as you type.
    view_actions("local-project")
    expect(page.get_by_role("menuitem", name="Create dataset")).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Create dataset")
    panel.get_by_label("Dataset ID").fill("bad-name!")
    expect(panel.get_by_text('Invalid dataset ID "bad-name!"')).to_be_visible()
    expect(panel.get_by_role("button", name="Create dataset")).to_be_disabled()
    shot("create-dataset-invalid")
    panel.get_by_label("Dataset ID").fill("bqml_tutorial")
    expect(panel.get_by_role("button", name="Create dataset")).to_be_enabled()
    panel.get_by_label("Multi-region").check()
    panel.get_by_role("combobox", name="Location").select_option("US")
    panel.get_by_label("Description").fill("BigQuery ML tutorial dataset.")
    panel.get_by_label("Key 1").fill("purpose")
    panel.get_by_label("Value 1").fill("tutorial")
    shot("create-dataset-panel")
    panel.get_by_role("button", name="Create dataset").click()
    expect(page).to_have_url(re.compile(r"/d/bqml_tutorial/$"))
    expect(page.get_by_role("heading", name="bqml_tutorial", level=1)).to_be_visible()
    expect(page.get_by_text("purpose: tutorial")).to_be_visible()
    shot("dataset")

    # Upload ratings and movies: dataset ⋮ → Create table, with the load's progress shown.
    def upload(path: Path, table: str, schema: str, *, header: int, delimiter: str) -> None:
        view_actions("bqml_tutorial")
        page.get_by_role("menuitem", name="Create table").click()
        page.get_by_label("Select file").set_input_files(str(path))
        page.get_by_role("combobox", name="File format").select_option("CSV")
        page.get_by_label(re.compile(r"^Table\b")).fill(table)
        page.get_by_label("Edit as text").fill(schema)
        if delimiter == ",":
            page.get_by_role("combobox", name="Field delimiter").select_option(",")
        else:
            page.get_by_role("combobox", name="Field delimiter").select_option("custom")
            page.get_by_label("Custom field delimiter").fill(delimiter)
        page.get_by_label("Header rows to skip").fill(str(header))
        expect(page.get_by_role("combobox", name="Encoding")).to_have_value("UTF-8")
        shot(f"create-table-{table}")
        page.get_by_role("button", name="Create table").click()
        expect(page.get_by_text("Load job completed")).to_be_visible(timeout=120_000)
        expect(explorer.get_by_role("link", name=table, exact=True)).to_be_visible()

    upload(ratings_csv, "ratings", RATINGS_SCHEMA, header=1, delimiter=",")
    shot("load-ratings-done")
    upload(movies_csv, "movies", MOVIES_SCHEMA, header=0, delimiter="@")
    page.get_by_role("link", name="Go to table").click()
    expect(page.get_by_role("cell", name="movie_title", exact=True)).to_be_visible()
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_role("cell", name="Misérables, Les (1995)")).to_be_visible()
    assert Table.objects.get(table_id="ratings").num_rows == 100_000

    # The ratings table: Details, then Preview paged.
    explorer.get_by_role("link", name="ratings", exact=True).click()
    page.get_by_role("link", name="Details", exact=True).click()
    expect(page.get_by_text("100,000", exact=True)).to_be_visible()
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_text("1 – 50 of 100,000")).to_be_visible()
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("51 – 100 of 100,000")).to_be_visible()
    shot("table-preview-page-2")

    # Query the table: the validator says how much it reads; a broken query says what is wrong.
    page.get_by_role("toolbar", name="Table actions").get_by_role("link", name="Query").click()
    editor = page.get_by_label("Query editor")
    expect(editor).to_have_value("SELECT * FROM `bqml_tutorial.ratings` LIMIT 1000")
    validator = page.locator("[data-validator]")
    expect(validator).to_have_text(
        re.compile(r"^This query will process [\d.]+ [KM]?B when run\.$")
    )
    shot("query-validator")
    editor.fill("SELECT * FROM `bqml_tutorial.missing`")
    expect(validator).to_contain_text("bqml_tutorial.missing")
    editor.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("bqml_tutorial.missing", timeout=60_000)
    shot("query-error")

    # CREATE MODEL, then watch the Training tab fill in.
    editor = page.get_by_label("Query editor")
    editor.fill(CREATE_MODEL)
    expect(validator).to_contain_text("This query will process")
    page.get_by_role("button", name="Run", exact=True).click()
    view_training = page.get_by_role("link", name="View training")
    done = page.get_by_text("This statement created a new model named")
    expect(view_training.or_(done)).to_be_visible(timeout=120_000)
    shot("create-model-running")
    try:
        view_training.click(timeout=5_000)
    except PlaywrightTimeoutError:
        # Training finished first (ml-100k trains in about a second on a quiet machine), and
        # the running job's "View training" link gave way to the outcome's "Go to model".
        page.get_by_role("link", name="Go to model").click()
        page.get_by_role("link", name="Training", exact=True).click()
    progress = page.get_by_role("progressbar", name="Training progress")
    expect(progress).to_be_visible()
    rows = page.locator(".training-table tbody tr")
    seen_live = page.get_by_text(re.compile(r"Training… iteration \d+ of 20")).is_visible()
    if seen_live:
        shot("model-training-live")
    expect(page.get_by_text(re.compile(r"Training finished: 20 iterations"))).to_be_visible(
        timeout=120_000
    )
    model = MLModel.objects.get(model_id="my_mf_model")
    assert rows.count() == model.current_iterations().count() == 20
    expect(rows.first.locator("td").first).to_have_text("19")  # newest first
    shot("model-training-table")
    page.get_by_label("Graph", exact=True).check()
    expect(page.get_by_role("img", name="Training data loss by iteration")).to_be_visible()
    shot("model-training-graph")
    page.get_by_role("link", name="Evaluation", exact=True).click()
    expect(page.get_by_role("cell", name="Mean squared error")).to_be_visible()
    shot("model-evaluation")
    page.get_by_role("link", name="Details", exact=True).click()
    expect(page.get_by_role("cell", name="l2_reg")).to_be_visible()
    shot("model-details")

    # Back to the query tab: ML.RECOMMEND into a table, then the top-5 grid per user.
    tabs = page.get_by_role("navigation", name="Open tabs")
    tabs.get_by_role("link", name="Untitled query").click()
    editor = page.get_by_label("Query editor")
    expect(editor).to_have_value(CREATE_MODEL)
    editor.fill(RECOMMEND)
    editor.press("Control+Enter")
    expect(page.get_by_text("This statement created a new table named")).to_be_visible(
        timeout=120_000
    )
    shot("recommend-table")
    editor = page.get_by_label("Query editor")
    editor.fill(TOP5)
    editor.press("Control+Enter")
    expect(page.get_by_role("columnheader", name="f0_.movie_title")).to_be_visible(timeout=120_000)
    first_user = page.locator(".result-table tbody").first
    expect(first_user.locator("td.rownum")).to_have_attribute("rowspan", "5")
    expect(first_user.locator("tr")).to_have_count(5)
    expect(page.get_by_text(re.compile(r"^2,000 rows$"))).to_be_visible()
    shot("top5-nested")
    page.get_by_role("tab", name="JSON").click()
    expect(page.locator(".json-block")).to_contain_text('"movie_title": "Movie')
    shot("top5-json")
    page.get_by_role("tab", name="Execution details").click()
    expect(page.get_by_text("Slot time consumed")).to_be_visible()

    # Tabs survive a reload.
    page.reload()
    for name in ("ratings", "movies", "my_mf_model", "Untitled query"):
        expect(tabs.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_label("Query editor")).to_have_value(TOP5)

    # Job history: personal and project.
    page.get_by_role("link", name="Job history").click()
    expect(page.get_by_role("link", name="Personal history")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".jobs-table tbody.job-row")).to_have_count(6)
    shot("job-history")

    # Delete the dataset through the dialog: it says what goes; Delete waits for the ID.
    files = [storage.resolve(t.data_path) for t in Table.objects.all()]
    files += [storage.resolve(m.artifact_path) for m in MLModel.objects.all()]
    view_actions("bqml_tutorial")
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete dataset")
    expect(dialog).to_contain_text("3 tables and 1 model")
    delete = dialog.get_by_role("button", name="Delete", exact=True)
    expect(delete).to_be_disabled()
    confirm = dialog.get_by_label("to confirm")
    confirm.fill("bqml_tutoria")
    expect(delete).to_be_disabled()
    confirm.fill("bqml_tutorial")
    expect(delete).to_be_enabled()
    shot("delete-dialog")
    delete.click()
    expect(page.get_by_text("Dataset bqml_tutorial deleted.")).to_be_visible()
    expect(tabs.get_by_role("link", name="ratings", exact=True)).to_have_count(0)
    shot("deleted")
    assert not Dataset.objects.exists()
    assert not any(f.exists() for f in files)
