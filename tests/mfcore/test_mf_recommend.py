"""ML.RECOMMEND semantics: every input shape, unseen ids, top_k, streaming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mfcore import DataError, MatrixFactorization


@pytest.fixture(scope="module")
def model(ratings):
    return MatrixFactorization(num_factors=4, max_iterations=4, random_state=0).fit(ratings)


def _expected(model, user, item):
    u = model.user_ids_.get_loc(user)
    i = model.item_ids_.get_loc(item)
    return (
        model.global_mean_
        + model.user_bias_[u]
        + model.item_bias_[i]
        + model.user_factors_[u] @ model.item_factors_[i]
    )


def test_it_scores_every_training_pair_without_input(model):
    out = model.recommend()
    n_users, n_items = len(model.user_ids_), len(model.item_ids_)
    assert list(out.columns) == ["predicted_rating", "user", "item"]
    assert len(out) == n_users * n_items
    assert not out.duplicated(["user", "item"]).any()
    row = out.iloc[1234]
    assert row["predicted_rating"] == pytest.approx(_expected(model, row["user"], row["item"]))
    assert out["user"].dtype == np.int64


def test_it_streams_whole_users_per_batch(model):
    n_items = len(model.item_ids_)
    batches = list(model.iter_recommend(batch_rows=5 * n_items + 3))
    assert len(batches) == int(np.ceil(len(model.user_ids_) / 5))
    assert all(len(b) <= 5 * n_items for b in batches)
    assert sum(len(b) for b in batches) == len(model.user_ids_) * n_items


def test_it_scores_all_items_for_listed_users_including_unseen(model):
    out = model.recommend(pd.DataFrame({"user": [5, 5, -1]}))
    n_items = len(model.item_ids_)
    assert len(out) == 2 * n_items
    unseen = out[out["user"] == -1]
    i = model.item_ids_.get_indexer(unseen["item"])
    np.testing.assert_allclose(unseen["predicted_rating"], model.global_mean_ + model.item_bias_[i])


def test_it_scores_all_users_for_listed_items_including_unseen(model):
    out = model.recommend(pd.DataFrame({"item": [3, 10_000]}))
    assert len(out) == 2 * len(model.user_ids_)
    unseen = out[out["item"] == 10_000]
    u = model.user_ids_.get_indexer(unseen["user"])
    np.testing.assert_allclose(unseen["predicted_rating"], model.global_mean_ + model.user_bias_[u])


def test_it_scores_pairs_and_passes_other_columns_through(model):
    user, item = model.user_ids_[0], model.item_ids_[0]
    df = pd.DataFrame(
        {
            "note": ["a", "b", "c", "d"],
            "item": [item, item, 999, 999],
            "user": [user, -7, user, -7],
            "rating": [1.0, 2.0, 3.0, 4.0],
        },
        index=[10, 11, 12, 13],
    )
    out = model.predict(df)
    assert list(out.columns) == ["predicted_rating", "user", "item", "note", "rating"]
    assert list(out["note"]) == ["a", "b", "c", "d"]
    u, i = 0, 0
    pred = out["predicted_rating"].to_numpy()
    assert pred[0] == pytest.approx(_expected(model, user, item))
    assert pred[1] == pytest.approx(model.global_mean_ + model.item_bias_[i])
    assert pred[2] == pytest.approx(model.global_mean_ + model.user_bias_[u])
    assert pred[3] == pytest.approx(model.global_mean_)


def test_it_rejects_inputs_without_ids_or_with_extra_columns(model):
    with pytest.raises(DataError, match="must have the user column 'user' or the item column"):
        model.recommend(pd.DataFrame({"x": [1]}))
    with pytest.raises(DataError, match="can have no other column"):
        model.recommend(pd.DataFrame({"user": [1], "x": [1]}))
    with pytest.raises(DataError, match="needs an input DataFrame"):
        model.predict(None)


def test_it_returns_each_users_top_k_best_first(model, ratings):
    out = model.recommend(top_k=3)
    assert (out.groupby("user").size() == 3).all()
    full = model.recommend()
    best = full.sort_values(["user", "predicted_rating"], ascending=[True, False])
    best = best.groupby("user").head(3)
    assert out["predicted_rating"].tolist() == best["predicted_rating"].tolist()
    assert out["item"].tolist() == best["item"].tolist()


def test_it_can_exclude_items_rated_in_training(model, ratings):
    out = model.recommend(pd.DataFrame({"user": [ratings["user"].iloc[0]]}), exclude_rated=True)
    rated = set(ratings.loc[ratings["user"] == ratings["user"].iloc[0], "item"])
    assert rated.isdisjoint(out["item"])
    assert len(out) == len(model.item_ids_) - len(rated)
    top = model.recommend(top_k=5, exclude_rated=True)
    pairs = set(zip(ratings["user"], ratings["item"], strict=True))
    assert pairs.isdisjoint(zip(top["user"], top["item"], strict=True))
    pair_out = model.predict(ratings.iloc[:10][["user", "item"]])
    assert len(pair_out) == 10
    assert len(model.recommend(ratings.iloc[:10][["user", "item"]], exclude_rated=True)) == 0


def test_it_takes_top_k_per_user_among_given_pairs(model):
    df = pd.DataFrame({"user": [0, 0, 0, 1, 1], "item": [0, 1, 2, 0, 1]})
    df = df.assign(user=model.user_ids_[df["user"]], item=model.item_ids_[df["item"]])
    out = model.recommend(df, top_k=2)
    assert out.groupby("user").size().tolist() == [2, 2]
    for _, group in out.groupby("user"):
        assert group["predicted_rating"].is_monotonic_decreasing


def test_it_names_the_implicit_prediction_column(ratings):
    model = MatrixFactorization(
        feedback_type="implicit",
        num_factors=3,
        max_iterations=2,
        rating_col="plays",
        random_state=0,
    )
    model.fit(ratings.rename(columns={"rating": "plays"}))
    out = model.recommend(pd.DataFrame({"item": [model.item_ids_[0]]}))
    assert list(out.columns) == ["predicted_plays_confidence", "user", "item"]


def test_it_returns_an_empty_frame_for_an_empty_user_list(model):
    out = model.recommend(pd.DataFrame({"user": pd.Series([], dtype=np.int64)}))
    assert len(out) == 0
    assert list(out.columns) == ["predicted_rating", "user", "item"]
