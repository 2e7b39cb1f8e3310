from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from console.catalog.models import Dataset, Table
from tests.web.conftest import RECOMMENDATIONS_SCHEMA


def test_it_shows_the_schema_tab(client: Client, ratings: Table) -> None:
    r = client.get("/d/bqml_tutorial/t/ratings/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<a href="?tab=schema" aria-current="page">Schema</a>' in html
    assert "Field name" in html
    assert "user_id" in html
    assert "INTEGER" in html
    assert "NULLABLE" in html


def test_it_shows_the_details_tab(client: Client, ratings: Table) -> None:
    html = client.get("/d/bqml_tutorial/t/ratings/?tab=details").content.decode()
    assert "Number of rows" in html
    assert "120" in html
    assert "Total logical bytes" in html
    assert "2.0\xa0KB" in html
    assert "local-project:bqml_tutorial.ratings" in html


def test_it_previews_the_first_50_rows(client: Client, ratings: Table) -> None:
    html = client.get("/d/bqml_tutorial/t/ratings/?tab=preview").content.decode()
    assert 'class="data-table result-table"' in html
    assert html.count("<tr>") == 1 + 50  # header + rows
    assert "1 – 50 of 120" in html
    assert 'href="?tab=preview&page=2"' in html


def test_it_pages_the_preview(client: Client, ratings: Table) -> None:
    html = client.get("/d/bqml_tutorial/t/ratings/?tab=preview&page=3").content.decode()
    assert "101 – 120 of 120" in html
    assert '<td class="rownum" rowspan="1">101</td>' in html
    assert "Next page" not in html


def test_it_previews_nested_values_nested(
    client: Client, dataset: Dataset, store_rows: Callable[..., str]
) -> None:
    rows: list[dict[str, Any]] = [
        {
            "user_id": 1,
            "recommended": [
                {"movie_title": "Heat (1995)", "predicted_rating": 4.5},
                {"movie_title": "Fargo (1996)", "predicted_rating": 4.25},
            ],
        },
    ]
    Table.objects.create(
        dataset=dataset,
        table_id="recs",
        schema=RECOMMENDATIONS_SCHEMA,
        data_path=store_rows(RECOMMENDATIONS_SCHEMA, rows),
        num_rows=1,
    )
    html = client.get("/d/bqml_tutorial/t/recs/?tab=preview").content.decode()
    assert '<th scope="col">recommended.movie_title</th>' in html
    assert '<td class="rownum" rowspan="2">1</td>' in html
    assert "Heat (1995)" in html and "Fargo (1996)" in html


def test_it_shows_an_empty_table(client: Client, dataset: Dataset) -> None:
    Table.objects.create(dataset=dataset, table_id="empty", schema=[])
    html = client.get("/d/bqml_tutorial/t/empty/?tab=preview").content.decode()
    assert "This table is empty." in html


def test_it_offers_a_prefilled_query(client: Client, ratings: Table) -> None:
    html = client.get("/d/bqml_tutorial/t/ratings/").content.decode()
    assert 'href="/query?sql=SELECT+%2A+FROM+%60bqml_tutorial.ratings%60+LIMIT+1000"' in html


def test_it_404s_for_a_missing_table(client: Client, dataset: Dataset) -> None:
    r = client.get("/d/bqml_tutorial/t/nope/")
    assert r.status_code == 404
    assert "Not found: Table local-project:bqml_tutorial.nope" in r.content.decode()


def test_it_says_what_is_wrong_when_delete_is_not_typed(client: Client, ratings: Table) -> None:
    r = client.post("/d/bqml_tutorial/t/ratings/delete", {"confirm": "Delete it"})
    assert r.status_code == 400
    assert Table.objects.filter(pk=ratings.pk).exists()
    html = r.content.decode()
    assert '<dialog id="delete-table-dialog"' in html
    assert "What you typed does not match. Type delete to confirm.</p>" in html
    assert 'value="Delete it"' in html
