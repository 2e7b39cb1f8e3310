"""Layout and dialogs as a person sees them: headless Chromium against a live server.

Boxes are measured against the viewport, so a page that only fits in the HTML would still fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from console.catalog.models import Dataset, MLModel
from console.jobs.models import Job
from tests.web.browser import chromium, sign_in
from tests.web.test_it_runs_tutorial_in_browser import TOP5

pytestmark = pytest.mark.browser

WIDE_QUERY = (
    "SELECT "
    + ", ".join(f"'a fairly long string value number {i}' AS column_number_{i}" for i in range(30))
    + ", REPEAT('x', 3000) AS long_string"
)


@pytest.fixture
def page(live_server: Any, transactional_db: None, owner: Any) -> Iterator[Any]:
    with chromium(width=1280, height=800) as context:
        page = context.new_page()
        sign_in(page, live_server.url, "alice", "alice-password")
        yield page


def _right_edges(page: Any, selectors: list[str]) -> dict[str, float]:
    """Return how far past the viewport's right edge each element reaches (≤ 0: inside)."""
    return page.evaluate(
        """(selectors) => Object.fromEntries(selectors.map((s) => {
            const box = document.querySelector(s).getBoundingClientRect();
            return [s, box.right - document.documentElement.clientWidth];
        }))""",
        selectors,
    )


def _page_scrolls_sideways(page: Any) -> bool:
    return page.evaluate(
        """() => document.documentElement.scrollWidth > document.documentElement.clientWidth
            || [...document.querySelectorAll('.main, .main-body')]
                .some((el) => el.scrollWidth > el.clientWidth + 1)"""
    )


@pytest.mark.worker
def test_it_keeps_a_wide_result_inside_the_workspace(
    page: Any, live_server: Any, worker: None
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/query")
    page.get_by_label("Query editor").fill(WIDE_QUERY)
    expect(page.locator("[data-validator]")).to_contain_text("This query will process")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("columnheader", name="long_string")).to_be_attached()

    workspace = [
        ".editor-toolbar",
        "[data-validator]",
        ".code-editor",
        ".results-pane",
        ".result-tabs",
        ".result-scroll",
        ".job-meta",
    ]
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        outside = {s: right for s, right in _right_edges(page, workspace).items() if right > 0.5}
        assert outside == {}, f"past the right edge at {width} px: {outside}"
        assert not _page_scrolls_sideways(page)
        validator = page.locator("[data-validator] span")
        assert validator.evaluate("el => el.scrollWidth <= el.clientWidth")  # not cut off
        # The grid scrolls inside its pane, and scrolling it to the end shows the last column's
        # end inside the pane.
        grid = page.locator(".result-scroll")
        assert grid.evaluate("el => el.scrollWidth > el.clientWidth + 1000")
        grid.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        last = page.get_by_role("columnheader", name="long_string").bounding_box()
        pane = grid.bounding_box()
        assert pane["x"] < last["x"] + last["width"] <= pane["x"] + pane["width"]
        grid.evaluate("el => { el.scrollLeft = 0; }")


def test_it_shows_long_statements_in_job_history_without_widening_the_page(
    page: Any, live_server: Any, done_job: Callable[..., Job]
) -> None:
    done_job(configuration={"query": {"query": TOP5}})
    done_job(job_type=Job.Type.LOAD, configuration={"load": {}})

    for path in ("/jobs/", "/"):  # the history, and the recent jobs on the welcome page
        page.goto(f"{live_server.url}{path}")
        statement = page.locator(".statement-text").first
        assert statement.get_attribute("title") == TOP5  # all of it, on hover
        table = page.locator(".jobs-table").bounding_box()
        shown = statement.bounding_box()
        # The statement has the row's whole width (it had about 15 characters' worth).
        assert shown["width"] >= 0.9 * table["width"] - 120, (shown, table)
        assert statement.evaluate("el => el.scrollWidth > el.clientWidth")  # TOP5 ends in …
        outside = _right_edges(page, [".jobs-table", ".jobs-table td.actions a"])
        assert all(right <= 0.5 for right in outside.values()), outside
        assert not _page_scrolls_sideways(page)
        assert page.locator("td.created").first.inner_text().endswith("UTC+0")


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def test_it_says_in_the_delete_dialog_why_the_typed_id_is_wrong(
    page: Any, live_server: Any, dataset: Dataset
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/d/bqml_tutorial/")
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete dataset")
    confirm = dialog.get_by_label("to confirm")
    delete = dialog.get_by_role("button", name="Delete", exact=True)
    reason = dialog.locator("#id_confirm_error")
    wrong = "The ID you typed does not match. Type bqml_tutorial to confirm."

    confirm.press_sequentially("bqml_")  # on its way to the ID: nothing to say yet
    expect(delete).to_be_disabled()
    expect(reason).to_be_hidden()
    confirm.press_sequentially("tutorail")  # can no longer become the ID
    expect(reason).to_have_text(wrong)
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_value("bqml_tutorail")  # what was typed stays
    assert _inside(reason.bounding_box(), dialog.bounding_box())

    confirm.fill("bqml_tutoria")
    expect(reason).to_be_hidden()
    confirm.press("Enter")  # an attempt to delete with a prefix of the ID says why not
    expect(reason).to_have_text(wrong)
    expect(dialog).to_be_visible()
    expect(confirm).to_have_value("bqml_tutoria")
    assert Dataset.objects.exists()

    confirm.fill("bqml_tutorial")
    expect(reason).to_be_hidden()
    expect(delete).to_be_enabled()
    delete.click()
    expect(page.get_by_text("Dataset bqml_tutorial deleted.")).to_be_visible()
    assert not Dataset.objects.exists()


def test_it_says_in_the_model_delete_dialog_what_to_type(
    page: Any, live_server: Any, model: MLModel
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/d/bqml_tutorial/m/mf_explicit/")
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete model")
    confirm = dialog.get_by_label("to confirm")
    confirm.fill("mf_explicit")  # the model's ID, where the dialog asks for "delete"
    confirm.blur()
    reason = dialog.get_by_text("What you typed does not match. Type delete to confirm.")
    expect(reason).to_be_visible()
    expect(confirm).to_have_value("mf_explicit")
    expect(dialog.get_by_role("button", name="Delete", exact=True)).to_be_disabled()


@pytest.mark.worker
def test_it_runs_a_query_with_parameters_from_the_settings(
    page: Any, live_server: Any, worker: None
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/query")
    page.get_by_label("Query editor").fill("SELECT @word AS word, @n * 2 AS twice")
    expect(page.locator("[data-validator]")).to_contain_text("Query parameter 'word' not found")
    page.get_by_text("Query settings").click()
    page.get_by_label("Query parameters").fill("word::it's\nn:INT64:21")
    expect(page.locator("[data-validator]")).to_contain_text("This query will process")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("cell", name="it's")).to_be_visible()
    expect(page.get_by_role("cell", name="42")).to_be_visible()
    # Rerunning the job from its page keeps its parameters.
    expect(page.get_by_label("Query parameters")).to_have_value("word:STRING:it's\nn:INT64:21")
