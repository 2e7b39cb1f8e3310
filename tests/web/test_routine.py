"""A dataset's page lists its routines, the Explorer shows them, a routine's page shows it."""

from __future__ import annotations

import html as html_lib

import pytest
from django.test import Client

from console.catalog.models import Dataset, Routine
from tests.conftest import run_here


@pytest.fixture
def routine(dataset: Dataset) -> Routine:
    job = run_here(
        {
            "query": {
                "query": "CREATE FUNCTION bqml_tutorial.add_four(x INT64, y INT64) "
                "RETURNS FLOAT64 AS ((x + 4) / y) OPTIONS(description='Adds four, divides')"
            }
        }
    )
    assert job.error_result is None, job.error_result
    return Routine.objects.get()


def test_it_lists_routines_on_the_dataset_page_and_in_the_explorer(
    client: Client, routine: Routine
) -> None:
    page = html_lib.unescape(client.get("/d/bqml_tutorial/").content.decode())

    routines = page.split('id="routines-heading"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/d/bqml_tutorial/r/add_four/">add_four</a>' in routines
    assert "SCALAR_FUNCTION" in routines
    assert "(x INT64, y INT64) -> FLOAT64" in routines
    explorer = page.split('id="explorer"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/d/bqml_tutorial/r/add_four/"' in explorer


def test_it_shows_a_routines_arguments_return_type_and_body(
    client: Client, routine: Routine
) -> None:
    response = client.get("/d/bqml_tutorial/r/add_four/")

    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert "<h1>add_four</h1>" in page
    assert "local-project:bqml_tutorial.add_four" in page
    assert '<td class="mono">x</td><td class="mono">INT64</td>' in page
    assert '<dt>Return type</dt><dd class="mono">FLOAT64</dd>' in page
    assert '<pre class="sql-block">(x + 4) / y</pre>' in page
    assert "Adds four, divides" in page
    assert 'aria-current="page">add_four</a>' in page
    assert 'href="/query?sql=SELECT+%60bqml_tutorial.add_four%60%28x%2C+y%29"' in page


def test_it_says_when_a_dataset_has_no_routines_or_a_routine_is_gone(
    client: Client, dataset: Dataset
) -> None:
    page = client.get("/d/bqml_tutorial/").content.decode()

    assert "This dataset has no routines." in page
    assert client.get("/d/bqml_tutorial/r/nope/").status_code == 404


def test_it_names_the_routines_a_dataset_delete_takes_with_it(
    client: Client, routine: Routine
) -> None:
    dialog = html_lib.unescape(client.get("/d/bqml_tutorial/delete").content.decode())

    assert "with all their data, and 1 routine." in dialog
    doomed = dialog.split('class="doomed"', 1)[1].split("</ul>", 1)[0]
    assert "add_four" in doomed
    assert client.post("/d/bqml_tutorial/delete", {"confirm": "bqml_tutorial"}).status_code == 302
    assert not Routine.objects.exists()
