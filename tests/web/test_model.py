from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, TrainingIteration
from console.jobs.models import Job
from tests.conftest import synthetic_ratings


def test_it_shows_details_with_options(client: Client, model: MLModel) -> None:
    r = client.get("/d/bqml_tutorial/m/mf_explicit/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<a href="?tab=details" aria-current="page">Details</a>' in html
    assert "MATRIX_FACTORIZATION" in html
    assert "Training options" in html
    assert "l2_reg" in html and "9.83" in html
    assert "num_factors" in html and "34" in html


def test_it_shows_training_iterations_newest_first(client: Client, model: MLModel) -> None:
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=training").content.decode()
    assert '<th scope="col" class="num">Iteration</th>' in html
    assert "Training Data Loss" in html
    assert "Duration (seconds)" in html
    assert "Evaluation Data Loss" not in html  # no evaluation split, so no such column
    assert "Training finished: 3 iterations" in html
    losses = re.findall(r'<td class="num">(\d\.\d{4})</td>', html)
    assert losses == ["0.8750", "1.2500", "2.5000"]
    assert "1.50" in html  # 1500 ms
    assert 'class="loss-curve"' in html
    assert "data-poll" not in html


def test_it_adds_evaluation_loss_when_there_is_some(client: Client, model: MLModel) -> None:
    TrainingIteration.objects.filter(iteration=2).update(eval_loss=0.9)
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=training").content.decode()
    assert '<th scope="col" class="num">Evaluation Data Loss</th>' in html
    assert _training_rows(html)[0] == ["2", "0.8750", "0.9000", "1.50"]


def _training_rows(html: str) -> list[list[str]]:
    """Return the Training table's rows as lists of cell texts."""
    body = html.split('class="data-table training-table"', 1)[1].split("</tbody>", 1)[0]
    return [
        re.findall(r'<td class="num">([^<]*)</td>', row)
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)
        if "<td" in row
    ]


@pytest.mark.worker
def test_it_shows_evaluation_loss_only_for_a_model_trained_with_a_split(
    client: Client, run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    synthetic_ratings(dataset)
    create = """CREATE OR REPLACE MODEL bqml_tutorial.mf_split
        OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
                num_factors=4, max_iterations=3, early_stop=FALSE{split}) AS
        SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"""
    job = run_sql(create.format(split=", data_split_method='RANDOM', data_split_eval_fraction=0.2"))
    assert job.error_result is None, job.error_result
    html = client.get("/d/bqml_tutorial/m/mf_split/?tab=training").content.decode()
    assert '<th scope="col" class="num">Evaluation Data Loss</th>' in html
    rows = _training_rows(html)
    assert [row[0] for row in rows] == ["2", "1", "0"]
    assert all(len(row) == 4 and float(row[2]) > 0 for row in rows)

    job = run_sql(create.format(split=", data_split_method='NO_SPLIT'"))
    assert job.error_result is None, job.error_result
    html = client.get("/d/bqml_tutorial/m/mf_split/?tab=training").content.decode()
    assert "Evaluation Data Loss" not in html
    assert [len(row) for row in _training_rows(html)] == [3, 3, 3]


def test_it_polls_while_training(client: Client, model: MLModel) -> None:
    model.state = MLModel.State.TRAINING
    model.save()
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=training").content.decode()
    assert 'data-poll="/d/bqml_tutorial/m/mf_explicit/training"' in html
    assert "Training… iteration 3 of 20" in html
    assert '<progress max="20" value="3" aria-label="Training progress">' in html


def test_the_training_partial_renders_alone(client: Client, model: MLModel) -> None:
    r = client.get("/d/bqml_tutorial/m/mf_explicit/training")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<div class="training" id="training"')
    assert "<html" not in html
    assert "Training Data Loss" in html


def test_it_shows_only_the_current_training(client: Client, model: MLModel) -> None:
    from console.jobs.models import Job

    old = Job.objects.create(
        project=model.dataset.project, job_type=Job.Type.QUERY, state=Job.State.DONE
    )
    TrainingIteration.objects.create(model=model, job=old, iteration=7, loss=9.0, duration_ms=1)
    html = client.get("/d/bqml_tutorial/m/mf_explicit/training").content.decode()
    losses = re.findall(r'<td class="num">(\d\.\d{4})</td>', html)
    assert losses == ["0.8750", "1.2500", "2.5000"]  # the current run's, not the old one's 9.0
    assert "Training finished: 3 iterations" in html


def test_it_shows_evaluation_metrics(client: Client, model: MLModel) -> None:
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=evaluation").content.decode()
    assert "Mean absolute error" in html
    assert "0.7100" in html
    assert "R squared" in html


def _schema_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr><td class="mono">([^<]+)</td><td>([^<]+)</td></tr>', html)


def test_it_shows_feature_and_label_columns(client: Client, model: MLModel) -> None:
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=schema").content.decode()
    assert '<th scope="col">Field name</th><th scope="col">Type</th>' in html
    assert _schema_rows(html) == [("user_id", "INT64"), ("rating", "FLOAT64")]


def test_it_types_the_columns_of_a_model_stored_with_bare_names(
    client: Client, model: MLModel
) -> None:
    model.feature_columns = ["user_id", "item_id"]
    model.label_columns = ["rating"]
    model.save()
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=schema").content.decode()
    expected = [("user_id", "INT64"), ("item_id", "INT64"), ("rating", "FLOAT64")]
    assert _schema_rows(html) == expected


@pytest.mark.worker
def test_it_shows_the_types_the_model_was_trained_on(
    client: Client, run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    synthetic_ratings(dataset)
    job = run_sql(
        """CREATE MODEL bqml_tutorial.mf_typed
        OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
                num_factors=4, max_iterations=2) AS
        SELECT CAST(user_id AS STRING) AS user_id, item_id, rating FROM bqml_tutorial.ratings"""
    )
    assert job.error_result is None, job.error_result
    html = client.get("/d/bqml_tutorial/m/mf_typed/?tab=schema").content.decode()
    features, labels = html.split('<h2 class="section-title">Labels</h2>')
    assert _schema_rows(features) == [("user_id", "STRING"), ("item_id", "INT64")]
    assert _schema_rows(labels) == [("rating", "FLOAT64")]
    # The same columns and types as the REST API's models.get.
    api = client.get(
        "/bigquery/v2/projects/local-project/datasets/bqml_tutorial/models/mf_typed"
    ).json()
    shown = [(f["name"], f["type"]["typeKind"]) for f in api["featureColumns"]]
    assert shown == _schema_rows(features)
    assert [(f["name"], f["type"]["typeKind"]) for f in api["labelColumns"]] == [
        ("rating", "FLOAT64")
    ]


def test_it_404s_for_a_missing_model(client: Client, model: MLModel) -> None:
    r = client.get("/d/bqml_tutorial/m/nope/")
    assert r.status_code == 404
    assert "Not found: Model local-project:bqml_tutorial.nope" in r.content.decode()
    assert client.get("/d/bqml_tutorial/m/nope/training").status_code == 404


def test_it_shows_a_retraining_live(client: Client, model: MLModel) -> None:
    from console.jobs.models import Job

    model.options = {**model.options, "max_iterations": 10}
    model.save()
    retrain = Job.objects.create(
        project=model.dataset.project, job_type=Job.Type.QUERY, state=Job.State.RUNNING
    )
    TrainingIteration.objects.create(model=model, job=retrain, iteration=0, loss=5.5, duration_ms=9)
    html = client.get("/d/bqml_tutorial/m/mf_explicit/training").content.decode()
    assert "5.5000" in html and "0.8750" not in html
    assert "Training… iteration 1 of 10" in html
    assert f'action="/jobs/{retrain.job_id}/cancel"' in html


def test_it_lists_every_training_option(client: Client, model: MLModel) -> None:
    html = client.get("/d/bqml_tutorial/m/mf_explicit/").content.decode()
    assert "<td>L2 regularization</td>" in html
    assert "<td>Number of factors</td>" in html
    assert "<td>Max allowed iterations</td>" in html  # the default, when not given
    assert "Feature columns" in html and "Label column" in html


def test_it_asks_before_deleting_a_model(client: Client, model: MLModel) -> None:
    html = client.get(
        "/d/bqml_tutorial/m/mf_explicit/delete", headers={"X-Requested-With": "fetch"}
    ).content.decode()
    assert html.startswith('<dialog id="delete-model-dialog"')
    assert 'data-confirm-value="delete"' in html


def test_it_says_what_is_wrong_when_delete_is_not_typed(client: Client, model: MLModel) -> None:
    r = client.post("/d/bqml_tutorial/m/mf_explicit/delete", {"confirm": "mf_explicit"})
    assert r.status_code == 400
    assert MLModel.objects.filter(pk=model.pk).exists()
    html = r.content.decode()
    assert "What you typed does not match. Type delete to confirm.</p>" in html
    assert 'value="mf_explicit"' in html
