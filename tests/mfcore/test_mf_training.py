"""Training: agreement with the reference solver, recovery, early stop, splits, input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfcore import (
    DataError,
    MatrixFactorization,
    OptionError,
    TrainingError,
    als,
    make_ratings,
    reference,
)
from mfcore.data import Ratings, sum_duplicates
from mfcore.model import _eval_loss


def _reference_history(model, df, n_iter, seed, implicit=False):
    """Run the reference solver from the model's own starting point; return states and losses."""
    users = model.user_ids_.get_indexer(df["user"]).astype(np.int64)
    items = model.item_ids_.get_indexer(df["item"]).astype(np.int64)
    r = df["rating"].to_numpy(np.float64)
    k = model.options_.num_factors
    mean = 0.0 if implicit else float(r.mean())
    objective = als.OBJECTIVES[model.objective]
    init_rng = np.random.default_rng(seed).spawn(2)[1]
    state = als.init_state(
        init_rng,
        len(model.user_ids_),
        len(model.item_ids_),
        k,
        mean,
        objective.init_scale(implicit),
    )
    losses = []
    for iteration in range(n_iter):
        state, loss = reference.iterate(
            state,
            iteration,
            users,
            items,
            r,
            objective,
            implicit=implicit,
            l2_reg=model.options_.l2_reg,
            alpha=model.options_.wals_alpha,
        )
        losses.append(loss)
    return state, losses


@pytest.mark.parametrize("objective", ["bigquery", "documented"])
@pytest.mark.parametrize("implicit", [False, True])
def test_it_agrees_with_the_reference_solver(ratings, implicit, objective):
    df = ratings.iloc[:1500]
    model = MatrixFactorization(
        feedback_type="implicit" if implicit else "explicit",
        implicit_solver="exact",
        num_factors=5,
        l2_reg=2.0,
        max_iterations=4,
        early_stop=False,
        random_state=11,
        objective=objective,
    ).fit(df)
    state, losses = _reference_history(model, df, 4, 11, implicit)
    np.testing.assert_allclose(model.user_factors_, state.user_factors, atol=1e-6)
    np.testing.assert_allclose(model.item_factors_, state.item_factors, atol=1e-6)
    np.testing.assert_allclose(model.user_bias_, state.user_bias, atol=1e-6)
    np.testing.assert_allclose(model.item_bias_, state.item_bias, atol=1e-6)
    np.testing.assert_allclose(model.training_info()["loss"][::-1], losses, rtol=1e-6)


def test_it_keeps_repeated_explicit_ratings_as_separate_observations():
    df = pd.DataFrame(
        {
            "user": [1, 1, 1, 2, 2, 3],
            "item": [1, 1, 2, 1, 2, 2],
            "rating": [5.0, 3.0, 4.0, 2.0, 1.0, 4.0],
        }
    )
    model = MatrixFactorization(
        num_factors=2, max_iterations=3, early_stop=False, random_state=1
    ).fit(df)
    state, losses = _reference_history(model, df, 3, 1)
    np.testing.assert_allclose(model.user_factors_, state.user_factors, atol=1e-9)
    assert model.global_mean_ == pytest.approx(19.0 / 6)


def test_it_recovers_a_planted_low_rank_matrix():
    rng = np.random.default_rng(0)
    n_users, n_items, rank = 120, 100, 3
    x = rng.normal(size=(n_users, rank))
    y = rng.normal(size=(n_items, rank))
    truth = 3.0 + rng.normal(0, 0.3, (n_users, 1)) + rng.normal(0, 0.3, (1, n_items)) + x @ y.T
    observed = rng.random((n_users, n_items)) < 0.5
    u, i = np.nonzero(observed)
    df = pd.DataFrame({"user": u, "item": i, "rating": truth[u, i]})
    model = MatrixFactorization(
        num_factors=3, l2_reg=0.01, max_iterations=60, min_rel_progress=1e-4, random_state=0
    ).fit(df)
    hu, hi = np.nonzero(~observed)
    held_out = pd.DataFrame({"user": hu, "item": hi, "rating": truth[hu, hi]})
    assert model.training_info()["loss"].iloc[0] < 1e-3
    assert model.evaluate(held_out)["mean_squared_error"] < 0.01


def test_it_calls_back_after_every_sweep_with_falling_loss(ratings):
    calls = []
    model = MatrixFactorization(num_factors=4, max_iterations=6, early_stop=False, random_state=0)
    model.fit(ratings, callback=lambda *args: calls.append(args))
    assert [c[0] for c in calls] == list(range(6))
    losses = [c[1] for c in calls]
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))
    assert all(c[2] > 0 and c[3] is None for c in calls)
    assert model.n_iter_ == 6
    info = model.training_info()
    assert list(info.columns) == [
        "training_run",
        "iteration",
        "loss",
        "eval_loss",
        "learning_rate",
        "duration_ms",
    ]
    assert list(info["iteration"]) == [5, 4, 3, 2, 1, 0]
    assert list(info["loss"]) == losses[::-1]
    assert (info["learning_rate"] == 0.0).all() and info["eval_loss"].isna().all()


def test_it_stops_after_the_first_iteration_below_min_rel_progress(ratings):
    threshold = 0.05
    model = MatrixFactorization(
        num_factors=4, max_iterations=30, min_rel_progress=threshold, random_state=0
    ).fit(ratings)
    losses = list(model.training_info()["loss"][::-1])
    rel = [(a - b) / a for a, b in zip(losses, losses[1:], strict=False)]
    assert 1 < model.n_iter_ < 30
    assert all(r >= threshold for r in rel[:-1])
    assert rel[-1] < threshold
    no_stop = MatrixFactorization(
        num_factors=4,
        max_iterations=12,
        early_stop=False,
        min_rel_progress=threshold,
        random_state=0,
    ).fit(ratings)
    assert no_stop.n_iter_ == 12


@pytest.mark.parametrize(
    "params",
    [
        {"data_split_method": "random"},
        {"feedback_type": "implicit", "data_split_method": "random"},
        {"feedback_type": "implicit", "implicit_solver": "exact"},
    ],
    ids=["explicit", "implicit-cg", "implicit-exact"],
)
def test_it_gives_the_same_model_for_the_same_seed_whatever_the_thread_count(
    ratings, monkeypatch, params
):
    fits = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("MFCORE_NUM_THREADS", threads)
        fits.append(
            MatrixFactorization(num_factors=6, max_iterations=3, random_state=5, **params).fit(
                ratings
            )
        )
    first = fits[0]
    for other in fits[1:]:
        assert np.array_equal(first.user_factors_, other.user_factors_)
        assert np.array_equal(first.item_factors_, other.item_factors_)
        assert np.array_equal(first.item_bias_, other.item_bias_)
        assert list(first.training_info()["loss"]) == list(other.training_info()["loss"])
        assert first.evaluate() == other.evaluate()
    reseeded = MatrixFactorization(num_factors=6, max_iterations=3, random_state=6, **params)
    assert not np.array_equal(first.item_factors_, reseeded.fit(ratings).item_factors_)


def test_it_splits_big_data_into_many_thread_tasks_with_the_same_result(monkeypatch):
    # Small chunks and tasks make the pool interleave many units of work even on test-sized data.
    df = make_ratings(300, 200, 12_000, random_state=2).rename(
        columns={"user_id": "user", "item_id": "item"}
    )
    monkeypatch.setattr(als, "CHUNK_ENTRIES", 256)
    monkeypatch.setattr(als, "CG_CHUNK_ENTRIES", 512)
    monkeypatch.setattr(als, "_TASK_ENTRIES", 1024)
    fits = []
    for threads in ("1", "2"):
        monkeypatch.setenv("MFCORE_NUM_THREADS", threads)
        for feedback in ("explicit", "implicit"):
            model = MatrixFactorization(
                feedback_type=feedback, num_factors=5, max_iterations=2, random_state=0
            )
            fits.append(model.fit(df).user_factors_)
    assert np.array_equal(fits[0], fits[2]) and np.array_equal(fits[1], fits[3])


def test_its_conjugate_gradient_reaches_the_exact_solution_given_enough_steps(ratings):
    df = ratings.iloc[:2000]
    model = MatrixFactorization(
        feedback_type="implicit", num_factors=5, max_iterations=1, random_state=3
    ).fit(df)
    users = model.train_pairs_.shape[0]
    matrix = model.train_pairs_.astype(np.float64).tocsr()
    side = als.make_side(matrix)
    rng = np.random.default_rng(0)
    own = rng.normal(0, 0.1, (users, 5))
    other = rng.normal(0, 0.5, (matrix.shape[1], 5))
    mapper = als.TaskMapper(1)
    exact = als.solve_implicit_side(side, own, other, 2.0, 40.0, mapper, cg_steps=None)
    # A k-dimensional system is solved exactly by k CG steps in exact arithmetic; float32
    # rounding leaves about 1e-6.
    cg = als.solve_implicit_side(side, own, other, 2.0, 40.0, mapper, cg_steps=10)
    np.testing.assert_allclose(cg.factors, exact.factors, atol=2e-4)
    assert cg.sq_error == pytest.approx(exact.sq_error, rel=1e-4)
    three = als.solve_implicit_side(side, own, other, 2.0, 40.0, mapper, cg_steps=3)
    assert np.abs(three.factors - exact.factors).max() > 1e-6  # three steps are not exact


def test_its_default_conjugate_gradient_trains_almost_as_well_as_exact_solves(ratings):
    losses = {}
    for solver in ("cg", "exact"):
        model = MatrixFactorization(
            feedback_type="implicit",
            implicit_solver=solver,
            num_factors=6,
            max_iterations=16,
            early_stop=False,
            random_state=0,
        ).fit(ratings)
        losses[solver] = model.training_info()["loss"].iloc[0]
    assert losses["cg"] == pytest.approx(losses["exact"], rel=0.02)


def test_it_reports_the_implicit_eval_loss_over_every_evaluation_user_and_item():
    x = np.array([[1.0, 0.0], [0.5, 0.5]])
    y = np.array([[0.2, 0.1], [0.4, -0.3], [0.0, 1.0]])
    state = als.FactorState(x, y, np.zeros(2), np.zeros(3), 0.0)
    # Known user 0 rated item 1; an unseen user rated item 0; known user 1 rated an unseen item.
    data = Ratings(np.array([0, -1, 1]), np.array([1, 0, -1]), np.array([2.0, 1.0, 3.0]))
    opts = MatrixFactorization(feedback_type="implicit", wals_alpha=10.0).validate_options()
    loss = _eval_loss(state, data, implicit=True, opts=opts)
    scores = x @ y.T
    # Users 0 and 1 over the 3 training items, plus the unseen user (scores 0) over them.
    total = np.sum(scores**2) - scores[0, 1] ** 2 + 21.0 * (1.0 - scores[0, 1]) ** 2
    total += 11.0  # unseen user, item 0: c = 11, p = 1, s = 0
    total += 31.0  # user 1, unseen item: c = 31, p = 1, s = 0 (an extra candidate)
    assert loss == pytest.approx(total / (3 * 3))


def test_it_fits_implicit_feedback_with_the_wals_loss_falling(ratings):
    calls = []
    model = MatrixFactorization(
        feedback_type="implicit", num_factors=4, max_iterations=5, early_stop=False, random_state=0
    )
    model.fit(ratings, callback=lambda *a: calls.append(a[1]))
    assert all(b <= a for a, b in zip(calls, calls[1:], strict=False))
    assert model.global_mean_ == 0.0
    assert not model.user_bias_.any() and not model.item_bias_.any()


def test_it_sums_repeated_implicit_ratings():
    data = Ratings(np.array([0, 0, 1]), np.array([2, 2, 2]), np.array([1.0, 4.0, 2.0]))
    summed = sum_duplicates(data)
    assert summed.ratings.tolist() == [5.0, 2.0]
    assert summed.users.tolist() == [0, 1]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, None])
def test_it_rejects_nan_inf_and_null_ratings(tiny, bad):
    df = tiny.astype({"rating": object}).copy()
    df.loc[4, "rating"] = bad
    df["rating"] = df["rating"].astype(float)
    with pytest.raises(DataError, match="RATING_COL\\) has 1 NULL, NaN or infinite value"):
        MatrixFactorization(num_factors=2).fit(df)


def test_it_drops_rows_with_null_ids_and_counts_them(tiny):
    df = tiny.astype({"user": "Int64"}).copy()
    df.loc[0, "user"] = pd.NA
    df.loc[1, "item"] = np.nan
    model = MatrixFactorization(num_factors=2, max_iterations=2).fit(df)
    assert model.n_null_rows_dropped_ == 2
    assert model.n_train_rows_ == 5
    assert model.item_ids_.dtype == np.int64  # the float column (from the NaN) comes back int


def test_it_rejects_unusable_input(tiny):
    model = MatrixFactorization(num_factors=2)
    with pytest.raises(DataError, match="Column 'rating' \\(RATING_COL\\) is not in the "):
        model.fit(tiny.drop(columns="rating"))
    with pytest.raises(DataError, match="must be numeric"):
        model.fit(tiny.assign(rating="five"))
    with pytest.raises(DataError, match="integers or strings"):
        model.fit(tiny.assign(item=tiny["item"] + 0.5))
    with pytest.raises(DataError, match="Expected a pandas DataFrame"):
        model.fit(tiny.to_numpy())
    with pytest.raises(DataError, match="no rows"):
        model.fit(tiny.assign(user=None))


def test_it_raises_a_training_error_when_the_loss_is_not_finite(tiny):
    huge = tiny.assign(rating=tiny["rating"] * 1e200)
    with pytest.raises(TrainingError, match="diverged"):
        MatrixFactorization(num_factors=2, max_iterations=2).fit(huge)


def test_it_keeps_string_ids(tiny):
    df = tiny.assign(user=tiny["user"].map({1: "ann", 2: "bob", 3: "cy"}))
    model = MatrixFactorization(num_factors=2, max_iterations=2).fit(df)
    assert list(model.user_ids_) == ["ann", "bob", "cy"]
    out = model.recommend()
    assert set(out["user"]) == {"ann", "bob", "cy"}
    assert out["user"].dtype == df["user"].dtype


class TestSplits:
    def test_it_holds_out_a_random_fraction_and_reports_eval_loss(self, ratings):
        model = MatrixFactorization(
            num_factors=4,
            max_iterations=3,
            random_state=0,
            data_split_method="RANDOM",
            data_split_eval_fraction=0.25,
        )
        evals = []
        model.fit(ratings, callback=lambda *a: evals.append(a[3]))
        assert model.n_eval_rows_ == 1500 and model.n_train_rows_ == 4500
        assert all(e is not None and e > 0 for e in evals)
        assert model.training_info()["eval_loss"].notna().all()

    @pytest.mark.parametrize(("n_rows", "n_eval"), [(400, 0), (1000, 200), (60_000, 10_000)])
    def test_it_auto_splits_by_row_count(self, n_rows, n_eval):
        rng = np.random.default_rng(0)
        df = pd.DataFrame(
            {
                "user": rng.integers(0, 300, n_rows),
                "item": rng.integers(0, 300, n_rows),
                "rating": rng.integers(1, 6, n_rows).astype(float),
            }
        )
        model = MatrixFactorization(
            num_factors=2, max_iterations=1, random_state=0, data_split_method="auto_split"
        ).fit(df)
        assert model.n_eval_rows_ == n_eval

    def test_it_splits_on_a_custom_boolean_column(self, tiny):
        df = tiny.assign(
            is_eval=pd.array([False, False, True, None, False, False, False], dtype="boolean")
        )
        model = MatrixFactorization(
            num_factors=2, max_iterations=2, data_split_method="CUSTOM", data_split_col="is_eval"
        ).fit(df)
        assert model.n_eval_rows_ == 2 and model.n_train_rows_ == 5
        with pytest.raises(DataError, match="must be BOOL"):
            model.fit(tiny.assign(is_eval=[0, 1, 0, 0, 0, 0, 0]))

    def test_it_puts_the_largest_seq_values_and_nulls_in_eval(self, tiny):
        df = tiny.assign(ts=[7.0, 1.0, 6.0, np.nan, 2.0, 3.0, 4.0])
        model = MatrixFactorization(
            num_factors=2,
            max_iterations=1,
            data_split_method="SEQ",
            data_split_col="ts",
            data_split_eval_fraction=0.3,
        ).fit(df)
        # round(0.3 * 7) = 2 evaluation rows: the NULL and the largest value (row 0, user 1
        # item 10). Item 10 stays in training through users 2 and 3.
        assert model.n_eval_rows_ == 2
        assert list(model.user_ids_) == [1, 2, 3]

    def test_it_requires_the_split_column_in_the_data(self, tiny):
        with pytest.raises(DataError, match="DATA_SPLIT_COL"):
            MatrixFactorization(data_split_method="SEQ", data_split_col="ts").fit(tiny)


def test_its_default_solves_items_then_users_one_side_per_iteration(ratings):
    starts = {}
    for n_iter in (1, 2):
        model = MatrixFactorization(
            num_factors=4, max_iterations=n_iter, early_stop=False, random_state=3
        ).fit(ratings)
        starts[n_iter] = model
    init = als.init_state(
        np.random.default_rng(3).spawn(2)[1],
        len(starts[1].user_ids_),
        len(starts[1].item_ids_),
        4,
        0.0,
        als.OBJECTIVES["bigquery"].init_scale(implicit=False),
    )
    # Iteration 0 solved the items only; the users are still where they started.
    assert np.array_equal(starts[1].user_factors_, init.user_factors)
    assert not np.array_equal(starts[1].item_factors_, init.item_factors)
    # Iteration 1 solved the users from those items and left the items alone.
    assert np.array_equal(starts[2].item_factors_, starts[1].item_factors_)
    assert not np.array_equal(starts[2].user_factors_, init.user_factors)


def test_its_default_leaves_intercepts_free_so_residuals_average_zero(ratings):
    metrics = {}
    for objective in ("bigquery", "documented"):
        model = MatrixFactorization(
            num_factors=4, l2_reg=30.0, max_iterations=5, objective=objective, random_state=0
        ).fit(ratings)
        m = model.evaluate()
        metrics[objective] = m["explained_variance"] - m["r2_score"]
    # explained_variance - r2_score is the squared mean residual over the label variance; the
    # tutorial's differ by 2e-14, as a free intercept solved last makes them.
    assert abs(metrics["bigquery"]) < 1e-12
    assert metrics["documented"] > 1e-9


def test_it_scales_the_default_factor_penalty_by_the_number_of_ratings():
    # One user rated one item with 5 and another with 3; items are fixed at unit vectors, so the
    # user's solve is a 2 x 2 ridge system with a free intercept: penalty l2 / 600 * 2 ratings.
    state = als.FactorState(
        user_factors=np.zeros((1, 2)),
        item_factors=np.eye(2),
        user_bias=np.zeros(1),
        item_bias=np.zeros(2),
        global_mean=4.0,
    )
    users = als.make_side(sp.csr_matrix(np.array([[5.0, 3.0]])))
    items = als.make_side(sp.csr_matrix(np.array([[5.0], [3.0]])))
    penalty = als.OBJECTIVES["bigquery"].explicit_penalty(600.0)
    new, mse = als.explicit_step(state, als.USERS, users, items, penalty, als.TaskMapper(1))
    # It minimises (1 - x1 - b)^2 + (-1 - x2 - b)^2 + 2 (x1^2 + x2^2), with b free.
    a = np.array([[1.0 + 2.0, 0.0, 1.0], [0.0, 1.0 + 2.0, 1.0], [1.0, 1.0, 2.0]])
    z = np.linalg.solve(a, np.array([1.0, -1.0, 0.0]))
    np.testing.assert_allclose(new.user_factors[0], z[:2])
    assert new.user_bias[0] == pytest.approx(z[2])
    residuals = np.array([1.0, -1.0]) - z[:2] - z[2]
    assert mse == pytest.approx(np.mean(residuals**2))


def test_it_refuses_an_unknown_objective(tiny):
    with pytest.raises(OptionError, match="Invalid value for objective: 'literal'"):
        MatrixFactorization(num_factors=2, objective="literal").fit(tiny)
