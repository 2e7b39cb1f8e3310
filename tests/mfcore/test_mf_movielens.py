"""Training on the real MovieLens ratings (skipped unless MOVIELENS_DIR is set)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from mfcore import MatrixFactorization


def _movielens(relative: str) -> Path:
    root = os.environ.get("MOVIELENS_DIR")
    if not root or not (Path(root) / relative).exists():
        pytest.skip(f"MOVIELENS_DIR is not set to a folder holding {relative}")
    return Path(root) / relative


@pytest.fixture(scope="module")
def ml100k() -> pd.DataFrame:
    return pd.read_csv(
        _movielens("ml-100k/u.data"),
        sep="\t",
        names=["user_id", "item_id", "rating", "timestamp"],
    )


def test_it_learns_ml100k_well_enough(ml100k):
    model = MatrixFactorization(
        num_factors=10,
        l2_reg=5.0,
        user_col="user_id",
        item_col="item_id",
        data_split_method="random",
        random_state=0,
    )
    model.fit(ml100k)
    metrics = model.evaluate()
    assert metrics["mean_squared_error"] < 0.95  # predicting the mean gives about 1.27
    assert metrics["r2_score"] > 0.2
    assert len(model.recommend(top_k=10)) == 10 * len(model.user_ids_)


def test_it_reproduces_the_fidelity_report_on_ml1m_with_the_tutorial_options():
    # "::"-separated; splitting on ":" lets the fast C parser read it (fields 0, 2 and 4).
    ratings = pd.read_csv(
        _movielens("ml-1m/ratings.dat"),
        sep=":",
        header=None,
        usecols=[0, 2, 4],
        names=["user_id", "item_id", "rating"],
    )
    model = MatrixFactorization(
        feedback_type="explicit",
        num_factors=34,
        user_col="user_id",
        item_col="item_id",
        l2_reg=9.83,
        random_state=0,
    ).fit(ratings)
    # The figures in docs/fidelity.md (BigQuery's tutorial reports 12 iterations, loss 0.3943).
    assert model.n_iter_ == 6
    assert model.training_info()["loss"].iloc[0] == pytest.approx(0.4666, abs=1e-3)
    metrics = model.evaluate()
    assert metrics["mean_absolute_error"] == pytest.approx(0.5388, abs=1e-3)
    assert metrics["r2_score"] == pytest.approx(0.6261, abs=1e-3)
