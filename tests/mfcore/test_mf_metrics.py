"""ML.EVALUATE metrics checked against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import mfcore.model
from mfcore import MatrixFactorization
from mfcore.data import Ratings
from mfcore.metrics import EXPLICIT_METRICS, IMPLICIT_METRICS, explicit_metrics, implicit_metrics


def test_it_computes_regression_metrics_like_a_hand_calculation():
    labels = np.array([1.0, 2.0, 3.0, 5.0])
    predicted = np.array([1.5, 2.0, 2.0, -1.0])  # the -1 is clipped to 0 inside MSLE
    m = explicit_metrics(labels, predicted)
    assert list(m) == list(EXPLICIT_METRICS)
    assert m["mean_absolute_error"] == pytest.approx((0.5 + 0 + 1 + 6) / 4)
    assert m["mean_squared_error"] == pytest.approx((0.25 + 0 + 1 + 36) / 4)
    msle = (np.log(2) - np.log(2.5)) ** 2 + 0 + (np.log(4) - np.log(3)) ** 2 + np.log(6) ** 2
    assert m["mean_squared_log_error"] == pytest.approx(msle / 4)
    assert m["median_absolute_error"] == pytest.approx(0.75)
    var = np.var(labels)  # population variance, as BigQuery's VAR_POP
    assert m["r2_score"] == pytest.approx(1 - (37.25 / 4) / var)
    errors = labels - predicted
    assert m["explained_variance"] == pytest.approx(1 - np.var(errors) / var)


def test_it_handles_constant_labels():
    assert explicit_metrics(np.ones(3), np.ones(3))["r2_score"] == 1.0
    assert explicit_metrics(np.ones(3), np.zeros(3))["r2_score"] == 0.0


def test_it_computes_ranking_metrics_like_a_hand_calculation():
    # One user; scores for items 0..3 are 0.9, 0.1, 0.5, 0.3.
    user_factors = np.array([[1.0]])
    item_factors = np.array([[0.9], [0.1], [0.5], [0.3]])
    data = Ratings(np.array([0, 0]), np.array([0, 3]), np.array([2.0, 1.0]))
    train = sp.csr_matrix((1, 4), dtype=np.int8)
    m = implicit_metrics(data, user_factors, item_factors, train)
    assert list(m) == list(IMPLICIT_METRICS)
    # Item 0 is ranked 1st and item 3 3rd.
    assert m["mean_average_precision"] == pytest.approx((1 / 1 + 2 / 3) / 2)
    dcg = 2 / np.log2(2) + 1 / np.log2(4)
    idcg = 2 / np.log2(2) + 1 / np.log2(3)
    assert m["normalized_discounted_cumulative_gain"] == pytest.approx(dcg / idcg)
    assert m["average_rank"] == pytest.approx((2 * 0 + 1 * (2 / 3)) / 3)
    assert m["mean_squared_error"] == pytest.approx((0.01 + 0.01 + 0.25 + 0.49) / 4)


def test_it_removes_training_items_and_shares_ranks_between_ties():
    user_factors = np.array([[1.0]])
    item_factors = np.array([[0.9], [0.5], [0.5], [0.1]])
    # Item 0 was rated in training (and is not in the evaluation data): not a candidate.
    train = sp.csr_matrix(([1], ([0], [0])), shape=(1, 4), dtype=np.int8)
    data = Ratings(np.array([0]), np.array([2]), np.array([1.0]))
    m = implicit_metrics(data, user_factors, item_factors, train)
    # Candidates 1, 2, 3: item 2 ties with item 1 for ranks 1-2, so its rank is 1.5.
    assert m["mean_average_precision"] == pytest.approx(1 / 1.5)
    assert m["average_rank"] == pytest.approx(0.5 / 2)
    assert m["mean_squared_error"] == pytest.approx((0.25 + 0.25 + 0.01) / 3)


def test_it_evaluates_a_frame_with_the_recommend_predictions(ratings):
    model = MatrixFactorization(
        num_factors=4, max_iterations=3, random_state=0, data_split_method="random"
    ).fit(ratings)
    holdout = pd.DataFrame(
        {"user": [ratings["user"].iloc[0], -1, -2], "item": [3, 3, -5], "rating": [4.0, 2.0, 5.0]}
    )
    predicted = model.predict(holdout[["user", "item"]])["predicted_rating"].to_numpy()
    expected = explicit_metrics(holdout["rating"].to_numpy(), predicted)
    assert model.evaluate(holdout) == pytest.approx(expected)
    score = model.score(holdout)
    assert score.shape == (1, 6) and list(score.columns) == list(EXPLICIT_METRICS)
    final_eval_loss = model.training_info()["eval_loss"].iloc[0]
    assert model.evaluate()["mean_squared_error"] == pytest.approx(final_eval_loss)


def test_it_evaluates_training_data_when_there_is_no_split(ratings):
    model = MatrixFactorization(num_factors=4, max_iterations=3, random_state=0).fit(ratings)
    assert model.evaluate()["mean_squared_error"] == pytest.approx(
        model.training_info()["loss"].iloc[0]
    )
    implicit = MatrixFactorization(
        feedback_type="implicit", num_factors=4, max_iterations=3, random_state=0
    ).fit(ratings)
    metrics = implicit.evaluate()
    assert list(metrics) == list(IMPLICIT_METRICS)
    assert 0 < metrics["mean_average_precision"] <= 1
    assert 0 <= metrics["average_rank"] < 0.5  # better than random on its own training data
    assert list(implicit.score().columns) == list(IMPLICIT_METRICS)


def test_it_computes_training_metrics_on_first_use_not_during_fit(ratings, monkeypatch, tmp_path):
    calls = []

    def counting(*args):
        calls.append(args)
        return implicit_metrics(*args)

    monkeypatch.setattr(mfcore.model, "implicit_metrics", counting)
    model = MatrixFactorization(
        feedback_type="implicit", num_factors=3, max_iterations=2, random_state=0
    ).fit(ratings)
    assert calls == []
    first = model.evaluate()
    assert len(calls) == 1
    assert model.evaluate() == first
    model.save(tmp_path / "m.npz")
    assert len(calls) == 1
    model.fit(ratings.iloc[:3000])
    assert model.evaluate() != first  # a new fit drops the old metrics
    assert len(calls) == 2
