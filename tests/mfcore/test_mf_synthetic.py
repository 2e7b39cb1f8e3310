"""The MovieLens-shaped synthetic data generator."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from mfcore import make_ratings


def test_it_makes_movielens_shaped_ratings():
    df = make_ratings(random_state=0)
    assert list(df.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert [str(t) for t in df.dtypes] == ["int64", "int64", "float64", "int64"]
    assert len(df) == 100_000
    assert not df.duplicated(["user_id", "item_id"]).any()
    assert set(df["rating"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert df["user_id"].between(0, 942).all() and df["item_id"].between(0, 1681).all()
    counts = df.groupby("item_id").size()
    # Power-law popularity: the busiest items are far above the median.
    assert counts.max() > 5 * counts.median()
    assert df["timestamp"].min() > 9e8


def test_it_is_reproducible_by_seed():
    a = make_ratings(50, 40, 500, random_state=3)
    pd.testing.assert_frame_equal(a, make_ratings(50, 40, 500, random_state=3))
    assert not a.equals(make_ratings(50, 40, 500, random_state=4))


def test_it_fills_dense_requests_and_empty_ones():
    full = make_ratings(10, 10, 100, random_state=0)
    assert len(full.drop_duplicates(["user_id", "item_id"])) == 100
    assert len(make_ratings(10, 10, 0, random_state=0)) == 0


def test_it_makes_a_million_rows_quickly():
    start = time.perf_counter()
    df = make_ratings(6040, 3706, 1_000_209, random_state=1)
    assert len(df) == 1_000_209
    assert time.perf_counter() - start < 6  # about 1 s; generous for shared CI machines
    assert np.isclose(df["rating"].mean(), 3.55, atol=0.3)
