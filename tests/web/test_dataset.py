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
    html = client.get(
        "/d/bqml_tutorial/delete", headers={"X-Requested-With": "fetch"}
    ).content.decode()
    assert html.startswith('<dialog id="delete-dataset-dialog"')
    assert "Delete dataset</h2>" in html
    assert "1 table and 1 model" in html
    assert 'data-confirm-value="bqml_tutorial"' in html
    # Enabled without the script, which disables it until the ID matches: the server checks too.
    assert '<button type="submit" class="button button-danger">Delete</button>' in html


def test_it_counts_plurals_in_the_dialog(client: Client, dataset: Dataset) -> None:
    html = client.get("/d/bqml_tutorial/delete").content.decode()
    assert "0 tables and 0 models" in html
    assert "data-autopen" in html  # the whole page, for a browser without the script
    assert "This dataset has no tables." in html


def test_it_404s_in_console_style(client: Client, db: None) -> None:
    r = client.get("/d/nope/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "Not found: Dataset local-project:nope" in html
    assert 'aria-label="Explorer"' in html


def test_it_shows_labels_and_expiration(client: Client, dataset: Dataset) -> None:
    dataset.labels = {"purpose": "tutorial"}
    dataset.default_table_expiration_ms = 7 * 86_400_000
    dataset.save()
    html = client.get("/d/bqml_tutorial/").content.decode()
    assert '<span class="mono">purpose</span>: <span class="mono">tutorial</span>' in html
    assert "7 days" in html
    assert 'href="/d/bqml_tutorial/edit" data-panel' in html


def test_it_opens_as_a_tab(client: Client, dataset: Dataset) -> None:
    html = client.get("/d/bqml_tutorial/").content.decode()
    assert 'data-tab-kind="dataset" data-tab-title="bqml_tutorial"' in html
    assert '<nav class="main-tabs" id="main-tabs" aria-label="Open tabs">' in html
