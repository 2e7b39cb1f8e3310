"""The tutorial in the console on MovieLens 1M as shipped: its files uploaded unchanged, its SQL
typed into the editor, its figures read off the pages. Real ml-1m from MOVIELENS_DIR when it is
set, a synthetic stand-in in the same format otherwise.

Screenshots go to test-artifacts/tutorial-movielens/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from console.catalog.models import Project, Table
from console.iam.models import RoleBinding
from tests import tutorial
from tests.web.browser import recorded, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]

RATINGS_SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
MOVIES_SCHEMA = "movie_id:INT64,movie_title:STRING,genre:STRING"
# The results grid as rows of {column: text}; the first cell of each row is its number.
READ_RESULTS = """() => {
  const table = document.querySelector('.result-table');
  const names = [...table.querySelectorAll('thead th')].slice(1).map(th => th.textContent.trim());
  return [...table.querySelectorAll('tbody tr')].map(tr => {
    const cells = [...tr.querySelectorAll('td:not(.rownum)')].map(td => td.textContent.trim());
    return Object.fromEntries(names.map((name, i) => [name, cells[i]]));
  });
}"""


@pytest.fixture
def recorder() -> Iterator[tuple[Any, Any]]:
    with recorded("tutorial-movielens") as page_and_shot:
        yield page_and_shot


def test_it_runs_the_tutorial_on_movielens_as_shipped(
    live_server, worker: None, transactional_db: None, recorder, movielens
) -> None:
    from playwright.sync_api import expect

    page, shot = recorder

    owner = get_user_model().objects.create_user("alice", "alice@example.com", "tutorial-pass")
    RoleBinding.grant(Project.default(), owner, "roles/owner")
    sign_in(page, live_server.url, "alice", "tutorial-pass")
    explorer = page.get_by_role("navigation", name="Explorer")

    def view_actions(name: str) -> None:
        explorer.get_by_role("button", name=f"View actions for {name}", exact=True).click()

    view_actions("local-project")
    page.get_by_role("menuitem", name="Create dataset").click()
    panel = page.get_by_role("dialog", name="Create dataset")
    panel.get_by_label("Dataset ID").fill("bqml_tutorial")
    panel.get_by_label("Multi-region").check()
    panel.get_by_role("combobox", name="Location").select_option("US")
    panel.get_by_role("button", name="Create dataset").click()
    expect(page.get_by_role("heading", name="bqml_tutorial", level=1)).to_be_visible()

    # ratings.dat and movies.dat as they come out of ml-1m.zip: '::'-separated, movies in
    # ISO-8859-1, and no encoding chosen.
    def upload(path: Path, table: str, schema: str) -> None:
        view_actions("bqml_tutorial")
        page.get_by_role("menuitem", name="Create table").click()
        page.get_by_label("Select file").set_input_files(str(path))
        page.get_by_role("combobox", name="File format").select_option("CSV")
        page.get_by_label(re.compile(r"^Table\b")).fill(table)
        page.get_by_label("Edit as text").fill(schema)
        page.get_by_role("combobox", name="Field delimiter").select_option("custom")
        page.get_by_label("Custom field delimiter").fill("::")
        shot(f"create-table-{table}")
        page.get_by_role("button", name="Create table").click()
        expect(page.get_by_text("Load job completed")).to_be_visible(timeout=300_000)

    upload(movielens.ratings_dat, "ratings", RATINGS_SCHEMA)
    upload(movielens.movies_dat, "movies", MOVIES_SCHEMA)
    assert Table.objects.get(table_id="ratings").num_rows == movielens.n_ratings
    assert Table.objects.get(table_id="movies").num_rows == movielens.n_movies
    shot("loaded")

    def run(sql: str, done: Any) -> None:
        """Type a statement into a fresh query tab, run it, and wait for its outcome."""
        page.goto(live_server.url + "/query")
        editor = page.get_by_label("Query editor")
        editor.fill(sql)
        editor.press("Control+Enter")
        expect(done).to_be_visible(timeout=300_000)

    run(
        "SELECT movie_title FROM `bqml_tutorial.movies` WHERE movie_id = 73",
        page.get_by_role("cell", name=tutorial.ACCENTED_TITLE),
    )

    run(tutorial.CREATE_MODEL, page.get_by_text("This statement created a new model named"))
    page.get_by_role("link", name="Go to model").click()
    page.get_by_role("link", name="Training", exact=True).click()
    expect(page.get_by_text(re.compile(r"Training finished: \d+ iterations"))).to_be_visible()
    shot("training")
    training = [
        {"iteration": cells[0], "loss": cells[1]}
        for cells in page.locator(".training-table tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
        )
    ]

    run(tutorial.EVALUATE, page.get_by_role("columnheader", name="mean_absolute_error"))
    shot("evaluate")
    [evaluation] = page.evaluate(READ_RESULTS)

    run(tutorial.RECOMMEND_TABLE, page.get_by_text("This statement created a new table named"))
    run(tutorial.TOP5, page.get_by_role("columnheader", name="f0_.movie_title"))
    first_user = page.locator(".result-table tbody").first
    expect(first_user.locator("tr")).to_have_count(5)
    shot("top5")
    run(tutorial.TOP1_ABOVE_SIX, page.get_by_role("columnheader", name="share"))
    [share] = page.evaluate(READ_RESULTS)
    tutorial.check_figures(movielens, training, evaluation, float(share["share"]))
