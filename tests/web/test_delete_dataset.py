from __future__ import annotations

from django.test import Client

from console.catalog import storage
from console.catalog.models import Dataset, MLModel, Table, TrainingIteration


def test_it_deletes_with_contents(
    client: Client, ratings: Table, model: MLModel, django_capture_on_commit_callbacks
) -> None:
    path = storage.resolve(ratings.data_path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/d/bqml_tutorial/delete", {"confirm": "bqml_tutorial"})
    assert r.status_code == 302
    assert r.url == "/"
    assert not Dataset.objects.exists()
    assert not Table.objects.exists()
    assert not MLModel.objects.exists()
    assert not TrainingIteration.objects.exists()
    assert not path.exists()
    assert "Dataset bqml_tutorial deleted." in client.get("/").content.decode()


def test_it_keeps_the_dataset_unless_the_id_is_typed(client: Client, ratings: Table) -> None:
    r = client.post("/d/bqml_tutorial/delete", {"confirm": "bqml_tutoria"})
    assert r.status_code == 400
    assert Dataset.objects.count() == 1
    assert Table.objects.count() == 1
    html = r.content.decode()
    # The dialog again, open, saying what is wrong, with what was typed still in it.
    assert '<dialog id="delete-dataset-dialog"' in html and "data-autopen" in html
    assert (
        '<p class="field-error" id="id_confirm_error" aria-live="polite">The ID you typed does '
        "not match. Type bqml_tutorial to confirm.</p>"
    ) in html
    assert 'value="bqml_tutoria"' in html and 'aria-invalid="true"' in html


def test_it_only_asks_on_get(client: Client, dataset: Dataset) -> None:
    r = client.get("/d/bqml_tutorial/delete")
    assert r.status_code == 200
    assert "Delete dataset</h2>" in r.content.decode()
    assert Dataset.objects.count() == 1


def test_it_tells_the_page_to_close_the_deleted_tabs(client: Client, dataset: Dataset) -> None:
    client.post("/d/bqml_tutorial/delete", {"confirm": "bqml_tutorial"})
    assert 'data-forget-tabs="/d/bqml_tutorial/"' in client.get("/").content.decode()
    assert 'data-forget-tabs=""' in client.get("/").content.decode()


def test_it_404s_for_a_missing_dataset(client: Client, db: None) -> None:
    assert client.post("/d/nope/delete", {"confirm": "nope"}).status_code == 404
