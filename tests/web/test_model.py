from __future__ import annotations

import re

from django.test import Client

from console.catalog.models import MLModel, TrainingIteration


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
    assert "Evaluation Data Loss" not in html
    losses = re.findall(r'<td class="num">(\d\.\d{4})</td>', html)
    assert losses == ["0.8750", "1.2500", "2.5000"]
    assert "1.50" in html  # 1500 ms
    assert 'class="loss-curve"' in html
    assert "data-poll" not in html


def test_it_adds_evaluation_loss_when_there_is_some(client: Client, model: MLModel) -> None:
    TrainingIteration.objects.filter(iteration=2).update(eval_loss=0.9)
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=training").content.decode()
    assert "Evaluation Data Loss" in html
    assert "0.9000" in html


def test_it_polls_while_training(client: Client, model: MLModel) -> None:
    model.state = MLModel.State.TRAINING
    model.save()
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=training").content.decode()
    assert 'data-poll="/d/bqml_tutorial/m/mf_explicit/training"' in html
    assert "Training… 3 iterations so far" in html


def test_the_training_partial_renders_alone(client: Client, model: MLModel) -> None:
    r = client.get("/d/bqml_tutorial/m/mf_explicit/training")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<div class="training" id="training"')
    assert "<html" not in html
    assert "Training Data Loss" in html


def test_it_shows_only_the_current_training(client: Client, model: MLModel) -> None:
    from console.jobs.models import Job

    old = Job.objects.create(project=model.dataset.project, job_type=Job.Type.QUERY)
    TrainingIteration.objects.create(model=model, job=old, iteration=7, loss=9.0, duration_ms=1)
    html = client.get("/d/bqml_tutorial/m/mf_explicit/training").content.decode()
    assert "9.0000" not in html


def test_it_shows_evaluation_metrics(client: Client, model: MLModel) -> None:
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=evaluation").content.decode()
    assert "Mean absolute error" in html
    assert "0.7100" in html
    assert "R squared" in html


def test_it_shows_feature_and_label_columns(client: Client, model: MLModel) -> None:
    html = client.get("/d/bqml_tutorial/m/mf_explicit/?tab=schema").content.decode()
    assert "user_id" in html and "INT64" in html
    assert "rating" in html and "FLOAT64" in html


def test_it_404s_for_a_missing_model(client: Client, model: MLModel) -> None:
    r = client.get("/d/bqml_tutorial/m/nope/")
    assert r.status_code == 404
    assert "Not found: Model local-project:bqml_tutorial.nope" in r.content.decode()
    assert client.get("/d/bqml_tutorial/m/nope/training").status_code == 404
