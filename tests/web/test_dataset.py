from __future__ import annotations

from django.test import Client

from console.catalog.models import Dataset, MLModel, Table


def test_it_shows_details_tables_and_models(client: Client, ratings: Table, model: MLModel) -> None:
    r = client.get("/d/bqml_tutorial/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "local-project:bqml_tutorial" in html
    assert "BigQuery ML tutorial dataset." in html
    assert "Data location" in html
    assert "Last modified" in html
    assert 'href="/d/bqml_tutorial/t/ratings/"' in html
    assert 'href="/d/bqml_tutorial/m/mf_explicit/"' in html
    assert 'href="/d/bqml_tutorial/tables/new"' in html


def test_it_has_a_delete_dialog_that_says_what_goes(
    client: Client, ratings: Table, model: MLModel
) -> None:
    html = client.get("/d/bqml_tutorial/").content.decode()
    assert '<dialog id="delete-dataset-dialog"' in html
    assert "Delete dataset</h2>" in html
    assert "1 table and 1 model" in html
    assert 'data-confirm-value="bqml_tutorial"' in html
    assert '<button type="submit" class="button button-danger" disabled>Delete</button>' in html


def test_it_counts_plurals_in_the_dialog(client: Client, dataset: Dataset) -> None:
    html = client.get("/d/bqml_tutorial/").content.decode()
    assert "0 tables and 0 models" in html
    assert "This dataset has no tables." in html


def test_it_404s_in_console_style(client: Client, db: None) -> None:
    r = client.get("/d/nope/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "Not found: Dataset local-project:nope" in html
    assert 'aria-label="Explorer"' in html
