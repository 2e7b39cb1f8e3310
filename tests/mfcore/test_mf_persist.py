"""save/load round trip and ML.WEIGHTS."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from mfcore import MatrixFactorization, ModelFormatError


def test_it_round_trips_a_model_through_save_and_load(ratings, tmp_path):
    df = ratings.assign(user="u" + ratings["user"].astype(str) + "é")
    model = MatrixFactorization(
        num_factors=4, max_iterations=3, l2_reg=2.5, random_state=1, data_split_method="random"
    ).fit(df)
    path = tmp_path / "model.npz"
    model.save(path)
    assert os.listdir(tmp_path) == ["model.npz"]  # no temp file left behind
    loaded = MatrixFactorization.load(path)
    assert loaded.get_params() == model.get_params()
    assert loaded.options_ == model.options_
    pd.testing.assert_frame_equal(loaded.recommend(top_k=2), model.recommend(top_k=2))
    pd.testing.assert_frame_equal(loaded.training_info(), model.training_info())
    pd.testing.assert_frame_equal(loaded.weights(), model.weights())
    assert loaded.evaluate() == model.evaluate()
    assert loaded.user_ids_.dtype == model.user_ids_.dtype
    excluded = loaded.recommend(pd.DataFrame({"user": [df["user"].iloc[0]]}), exclude_rated=True)
    expected = model.recommend(pd.DataFrame({"user": [df["user"].iloc[0]]}), exclude_rated=True)
    pd.testing.assert_frame_equal(excluded, expected)
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(npz["metadata"].tobytes())
    assert meta["format_version"] == 1


def test_it_round_trips_an_implicit_model_with_its_metrics(ratings, tmp_path):
    model = MatrixFactorization(
        feedback_type="implicit", num_factors=3, max_iterations=2, random_state=0
    ).fit(ratings)
    model.save(tmp_path / "m.npz")
    loaded = MatrixFactorization.load(tmp_path / "m.npz")
    assert loaded.implicit_solver == "cg" and loaded.num_factors_ == 3
    assert loaded.evaluate() == model.evaluate()
    np.testing.assert_array_equal(loaded.item_factors_, model.item_factors_)
    pd.testing.assert_frame_equal(loaded.recommend(top_k=3), model.recommend(top_k=3))


def test_it_overwrites_atomically_and_rejects_newer_formats(tiny, tmp_path):
    model = MatrixFactorization(num_factors=2, max_iterations=1).fit(tiny)
    path = tmp_path / "m.npz"
    model.save(path)
    model.save(path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays["metadata"].tobytes())
    meta["format_version"] = 99
    arrays["metadata"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "new.npz", **arrays)
    with pytest.raises(ModelFormatError, match="newer"):
        MatrixFactorization.load(tmp_path / "new.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(ModelFormatError):
        MatrixFactorization.load(tmp_path / "junk.npz")


def test_it_lists_weights_like_ml_weights(tiny):
    model = MatrixFactorization(
        num_factors=2, max_iterations=2, user_col="user", random_state=0
    ).fit(tiny)
    w = model.weights()
    assert list(w.columns) == ["processed_input", "feature", "factor_weights", "intercept"]
    assert len(w) == 3 + 3 + 1
    users = w[w["processed_input"] == "user"]
    assert list(users["feature"]) == ["1", "2", "3"]
    first = users.iloc[0]["factor_weights"]
    assert [f["factor"] for f in first] == [1, 2]
    assert first[0]["weight"] == model.user_factors_[0, 0]
    assert users.iloc[0]["intercept"] == model.user_bias_[0]
    glob = w.iloc[-1]
    assert glob["processed_input"] is None and glob["factor_weights"] is None
    assert glob["feature"] == "global__INTERCEPT__"
    assert glob["intercept"] == pytest.approx(tiny["rating"].mean())
