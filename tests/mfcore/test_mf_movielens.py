"""Training on the real MovieLens 100K ratings (skipped unless MOVIELENS_DIR is set)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from mfcore import MatrixFactorization


@pytest.fixture(scope="module")
def ml100k() -> pd.DataFrame:
    root = os.environ.get("MOVIELENS_DIR")
    if not root or not (Path(root) / "ml-100k" / "u.data").exists():
        pytest.skip("MOVIELENS_DIR is not set to a folder holding ml-100k/u.data")
    return pd.read_csv(
        Path(root) / "ml-100k" / "u.data",
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
