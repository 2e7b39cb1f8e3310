"""The ``MatrixFactorization`` estimator: BigQuery ML matrix factorization, locally."""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mfcore import als, persist
from mfcore.data import (
    Ratings,
    checked_ids,
    checked_ratings,
    code,
    csr,
    prepare_training,
    require_columns,
    sum_duplicates,
)
from mfcore.errors import DataError, NotFittedError, OptionError, TrainingError
from mfcore.metrics import explicit_metrics, implicit_metrics
from mfcore.options import OPTION_NAMES, Options, default_num_factors, validate

Callback = Callable[[int, float, float, "float | None"], None]
GLOBAL_FEATURE = "global__INTERCEPT__"
# Pairs scored per block in ``_predict_pairs``: 4,096 x 34 float64 vectors fit in L2 cache.
_SCORE_BLOCK = 4_096


@dataclass(frozen=True)
class IterationResult:
    """One row of ML.TRAINING_INFO."""

    iteration: int
    loss: float
    eval_loss: float | None
    duration_ms: int


class MatrixFactorization:
    """Matrix factorization with BigQuery ML's options, outputs and error messages.

    Explicit feedback fits ``rating ~ global + user_intercept + item_intercept + x_u . y_i`` by
    alternating least squares; implicit feedback fits Hu-Koren-Volinsky weighted ALS with
    confidence ``1 + wals_alpha * |rating|`` over all user x item pairs.

    Parameters
    ----------
    feedback_type : {"explicit", "implicit"}, default "explicit"
        Case-insensitive.
    num_factors : int or None, default None
        2..200. None uses ``round(log2(n_training_rows))`` (half-up), clamped to 2..200, which is
        BigQuery's documented default with the rounding it leaves open made explicit.
    user_col, item_col, rating_col : str
        Column names in the training frame.
    l2_reg : float, default 1.0
        Ridge penalty, > 0. How it applies depends on ``objective``: by default (as BigQuery's
        published run shows) each explicit user and item pays ``l2_reg / 600`` per rating on
        its factors and nothing on its intercept; with ``objective="documented"`` every user
        and item pays ``l2_reg * |vector|^2`` on factors and intercept alike, whatever its
        number of ratings. Implicit models always pay ``l2_reg * |vector|^2``, as documented.
        The global intercept (explicit: the mean training rating) is never penalised.
    max_iterations : int, default 20
        Maximum number of iterations. By default one iteration solves one side (all items at
        iteration 0, then all users, alternating); with ``objective="documented"`` it solves
        all users, then all items.
    early_stop : bool, default True
        Stop after the first iteration whose relative loss improvement
        ``(previous - loss) / previous`` is below ``min_rel_progress``.
    min_rel_progress : float, default 0.01
    wals_alpha : float or None, default None
        Implicit only (an explicit model with a value is an error); None means 40.
    data_split_method : {"NO_SPLIT", "AUTO_SPLIT", "RANDOM", "CUSTOM", "SEQ"}, default "NO_SPLIT"
        Case-insensitive; see ``mfcore.data.split_mask`` for each method's rule.
    data_split_eval_fraction : float, default 0.2
        For RANDOM and SEQ; kept to two decimal places as BigQuery does.
    data_split_col : str or None
        Required by CUSTOM (a BOOL column) and SEQ (a sortable column), forbidden otherwise.
    random_state : int, numpy.random.Generator or None
        Seeds the initial factors and random splits. Results do not depend on the number of
        threads (see ``mfcore.als``); set ``MFCORE_NUM_THREADS`` to choose that number.
    implicit_solver : {"cg", "exact"}, default "cg"
        Not a BigQuery option. How implicit models solve each row's weighted least squares:
        three conjugate-gradient steps warm-started from the previous sweep (the ``implicit``
        library's default, about twice as fast) or the exact normal equations. Explicit models
        always solve exactly.
    objective : {"bigquery", "documented"}, default "bigquery"
        Not a BigQuery option. "bigquery" trains the way BigQuery's published explicit tutorial
        run shows (inferred; ``docs/fidelity.md``): unpenalised user and item intercepts, a
        factor penalty proportional to each row's number of ratings, one side solved per
        reported iteration, initial explicit factors drawn from N(0, 1/k) and implicit ones from
        N(0, 0.01/k). "documented" minimises
        BigQuery's documented loss literally: unscaled ``l2_reg`` on factors and intercepts,
        users then items in every iteration, initial factors from N(0, 0.01/k).

    Attributes
    ----------
    options_ : Options
        The validated options, with ``num_factors`` and ``wals_alpha`` resolved.
    num_factors_ : int
        The number of factors used (``num_factors`` or its data-dependent default).
    n_iter_ : int
        Sweeps run.
    user_ids_, item_ids_ : pandas.Index
        Training ids in the input's dtype; row ``j`` of the factor matrices belongs to id ``j``.
    user_factors_, item_factors_ : ndarray of shape (n, num_factors)
    user_bias_, item_bias_ : ndarray of shape (n,)
        Intercepts (zeros for implicit models).
    global_mean_ : float
        The global intercept (0 for implicit models).
    evaluation_metrics_ : dict[str, float]
        Metrics on the evaluation split (or the training data without one) for the fitted
        factors; what ``evaluate()`` with no input returns, as in BigQuery. Computed on first
        access (``evaluate()``, ``save()``), not inside ``fit``.
    n_null_rows_dropped_ : int
        Training rows dropped because their user or item was NULL.
    n_train_rows_, n_eval_rows_ : int
    """

    def __init__(
        self,
        *,
        feedback_type: str = "explicit",
        num_factors: int | None = None,
        user_col: str = "user",
        item_col: str = "item",
        rating_col: str = "rating",
        l2_reg: float = 1.0,
        max_iterations: int = 20,
        early_stop: bool = True,
        min_rel_progress: float = 0.01,
        wals_alpha: float | None = None,
        data_split_method: str = "NO_SPLIT",
        data_split_eval_fraction: float = 0.2,
        data_split_col: str | None = None,
        random_state: int | np.random.Generator | None = None,
        implicit_solver: str = "cg",
        objective: str = "bigquery",
    ) -> None:
        self.feedback_type = feedback_type
        self.num_factors = num_factors
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col
        self.l2_reg = l2_reg
        self.max_iterations = max_iterations
        self.early_stop = early_stop
        self.min_rel_progress = min_rel_progress
        self.wals_alpha = wals_alpha
        self.data_split_method = data_split_method
        self.data_split_eval_fraction = data_split_eval_fraction
        self.data_split_col = data_split_col
        self.random_state = random_state
        self.implicit_solver = implicit_solver
        self.objective = objective

    # -- sklearn plumbing -------------------------------------------------------------------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        """Return the constructor's parameter names, read from its signature as scikit-learn does.

        ``OPTION_NAMES`` (BigQuery's options) are among them; the others (``random_state``,
        ``implicit_solver``, ``objective``) are the estimator's own.
        """
        return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> MatrixFactorization:
        """Set constructor parameters and return self."""
        names = self._get_param_names()
        for name, value in params.items():
            if name not in names:
                raise ValueError(f"Invalid parameter {name!r} for MatrixFactorization.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = MatrixFactorization().get_params()
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if value is not defaults[name] and not _same(value, defaults[name])
        ]
        return f"MatrixFactorization({', '.join(changed)})"

    def validate_options(self) -> Options:
        """Check every option and return them normalised (``num_factors`` may stay None).

        Raises
        ------
        OptionError
            For the first invalid option, e.g. ``Invalid value for option NUM_FACTORS: 500.
            Expected an integer between 2 and 200.``
        """
        rs = self.random_state
        if not (
            rs is None
            or isinstance(rs, np.random.Generator)
            or (isinstance(rs, int | np.integer) and not isinstance(rs, bool) and rs >= 0)
        ):
            raise OptionError(
                f"Invalid value for option RANDOM_STATE: {rs!r}. Expected NULL, a non-negative "
                "integer or a numpy.random.Generator."
            )
        if self.implicit_solver not in als.IMPLICIT_SOLVERS:
            raise OptionError(
                f"Invalid value for implicit_solver: {self.implicit_solver!r}. Expected one of "
                f"{', '.join(repr(s) for s in als.IMPLICIT_SOLVERS)}."
            )
        if self.objective not in als.OBJECTIVES:
            raise OptionError(
                f"Invalid value for objective: {self.objective!r}. Expected one of "
                f"{', '.join(repr(s) for s in als.OBJECTIVES)}."
            )
        return validate(**{name: getattr(self, name) for name in OPTION_NAMES})

    # -- training ---------------------------------------------------------------------------

    def fit(self, df: pd.DataFrame, callback: Callback | None = None) -> MatrixFactorization:
        """Train on ``df`` and return self.

        Parameters
        ----------
        df : pandas.DataFrame
            Holds ``user_col``, ``item_col``, ``rating_col`` (and ``data_split_col`` when the split
            method needs it). Ids may be integers or strings. Rows with a NULL user or item are
            dropped and counted in ``n_null_rows_dropped_``; NULL, NaN or infinite ratings raise
            ``DataError``. For implicit feedback, repeated (user, item) rows are summed; for
            explicit feedback each row is its own observation.
        callback : callable, optional
            ``callback(iteration, loss, duration_s, eval_loss)`` after every iteration; it is
            0-based and ``eval_loss`` is None without an evaluation split.

        Returns
        -------
        MatrixFactorization
            self.
        """
        opts = self.validate_options()
        split_rng, init_rng = np.random.default_rng(self.random_state).spawn(2)
        data = prepare_training(df, opts, split_rng)
        implicit = opts.feedback_type == "IMPLICIT"
        train = sum_duplicates(data.train) if implicit else data.train
        evaluation = data.eval
        if implicit and evaluation is not None:
            evaluation = sum_duplicates(evaluation)
        k = opts.num_factors or default_num_factors(len(data.train))
        opts = Options(**{**opts.as_dict(), "num_factors": k})
        n_users, n_items = len(data.user_ids), len(data.item_ids)

        matrix = csr(train.users, train.items, train.ratings, (n_users, n_items))
        use_cg = implicit and self.implicit_solver == "cg"
        chunk_entries = als.CG_CHUNK_ENTRIES if use_cg else als.CHUNK_ENTRIES
        user_side = als.make_side(matrix, chunk_entries)
        item_side = als.make_side(matrix.T.tocsr(), chunk_entries)
        mean = 0.0 if implicit else float(train.ratings.mean())
        objective = als.OBJECTIVES[self.objective]
        scale = objective.init_scale(implicit)
        state = als.init_state(init_rng, n_users, n_items, k, mean, scale)

        history: list[IterationResult] = []
        previous = math.inf
        # BLAS stays single-threaded; parallelism comes from the chunk pool, whose results do
        # not depend on the pool size. Nested BLAS threads would oversubscribe the cores.
        with (
            threadpool_limits(limits=1, user_api="blas"),
            als.TaskMapper(als.default_n_threads()) as mapper,
        ):
            for iteration in range(opts.max_iterations):
                start = time.perf_counter()
                state, loss = als.iterate(
                    state,
                    iteration,
                    user_side,
                    item_side,
                    objective,
                    implicit=implicit,
                    l2_reg=opts.l2_reg,
                    alpha=opts.wals_alpha,
                    map_tasks=mapper,
                    cg_steps=als.CG_STEPS if use_cg else None,
                )
                if not math.isfinite(loss):
                    raise TrainingError(
                        f"Training diverged: the loss is {loss} at iteration {iteration}. Try a "
                        "larger L2_REG or rescale the ratings."
                    )
                eval_loss = None
                if evaluation is not None:
                    eval_loss = _eval_loss(state, evaluation, implicit, opts)
                duration = time.perf_counter() - start
                history.append(IterationResult(iteration, loss, eval_loss, round(duration * 1000)))
                if callback is not None:
                    callback(iteration, loss, duration, eval_loss)
                if opts.early_stop and _converged(previous, loss, opts.min_rel_progress):
                    break
                previous = loss

        self.options_ = opts
        self.num_factors_ = k
        self.user_ids_ = data.user_ids
        self.item_ids_ = data.item_ids
        self.user_factors_ = state.user_factors
        self.item_factors_ = state.item_factors
        self.user_bias_ = state.user_bias
        self.item_bias_ = state.item_bias
        self.global_mean_ = state.global_mean
        self.n_iter_ = len(history)
        self.history_ = history
        self.n_null_rows_dropped_ = data.n_null_rows_dropped
        self.n_train_rows_ = len(data.train)
        self.n_eval_rows_ = 0 if data.eval is None else len(data.eval)
        self.train_pairs_ = _pattern(matrix)
        # ML.EVALUATE's no-input metrics are fixed by the fitted factors, so they can wait for
        # the first evaluate() or save(): the implicit ranking metrics score every user x item
        # pair, which on MovieLens 1M costs as much as several sweeps.
        self._metrics_source: Ratings | None = evaluation if evaluation is not None else train
        self._evaluation_metrics: dict[str, float] | None = None
        return self

    @property
    def evaluation_metrics_(self) -> dict[str, float]:
        """Return the no-input ML.EVALUATE metrics, computing them on first use."""
        if self._evaluation_metrics is None:
            self._evaluation_metrics = self._metrics(self._metrics_source)
            self._metrics_source = None
        return self._evaluation_metrics

    @evaluation_metrics_.setter
    def evaluation_metrics_(self, metrics: dict[str, float]) -> None:
        self._evaluation_metrics = dict(metrics)
        self._metrics_source = None

    # -- inference --------------------------------------------------------------------------

    def evaluate(self, df: pd.DataFrame | None = None) -> dict[str, float]:
        """Return ML.EVALUATE metrics, in BigQuery's column order.

        With ``df=None``, the metrics computed at the end of training on the evaluation split
        (or on the training data when there is no split). With a frame, it must hold the user,
        item and rating columns; unseen users and items are scored with the intercept fallback
        of ``recommend``. See ``mfcore.metrics`` for the formulas and cut-offs.
        """
        self._check_fitted()
        if df is None:
            return dict(self.evaluation_metrics_)
        opts = self.options_
        require_columns(
            df,
            {"USER_COL": opts.user_col, "ITEM_COL": opts.item_col, "RATING_COL": opts.rating_col},
            "evaluation data",
        )
        keep = df[opts.user_col].notna().to_numpy() & df[opts.item_col].notna().to_numpy()
        frame = df.loc[keep]
        data = Ratings(
            code(self.user_ids_, frame[opts.user_col]),
            code(self.item_ids_, frame[opts.item_col]),
            checked_ratings(frame[opts.rating_col], opts.rating_col),
        )
        if opts.feedback_type == "IMPLICIT":
            data = sum_duplicates(data)
        return self._metrics(data)

    def score(self, df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return ``evaluate(df)`` as a one-row DataFrame."""
        return pd.DataFrame([self.evaluate(df)])

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """Return ML.RECOMMEND output for ``df`` (required, unlike ``recommend``)."""
        if df is None:
            raise DataError("predict needs an input DataFrame; use recommend() for all pairs.")
        return self.recommend(df)

    def recommend(self, df: pd.DataFrame | None = None, **kwargs: Any) -> pd.DataFrame:
        """Return all batches of ``iter_recommend`` as one DataFrame."""
        frames = list(self.iter_recommend(df, **kwargs))
        if not frames:
            opts = self.options_
            return pd.DataFrame(columns=[self.prediction_column, opts.user_col, opts.item_col])
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def iter_recommend(
        self,
        df: pd.DataFrame | None = None,
        *,
        batch_rows: int = 1_000_000,
        top_k: int | None = None,
        exclude_rated: bool = False,
    ) -> Iterator[pd.DataFrame]:
        """Yield ML.RECOMMEND output in DataFrames of about ``batch_rows`` rows.

        Columns: ``predicted_<rating_col>`` (explicit) or ``predicted_<rating_col>_confidence``
        (implicit), then the user column, the item column, then (for pair input) the input's
        other columns in their order.

        Parameters
        ----------
        df : pandas.DataFrame or None
            None: every training user x every training item. Only the user column: every
            training item for each distinct user (in order of first appearance). Only the item
            column: every training user for each distinct item. Both: one prediction per row,
            other columns passed through. As in BigQuery, a frame with only one of the two id
            columns may have no other column. Unseen ids score as the global intercept plus the
            known side's intercept (just the global intercept when both are unseen).
        batch_rows : int
            Rows per yielded frame (whole users per frame for grid inputs).
        top_k : int, optional
            Keep only each user's ``top_k`` highest predictions, best first.
        exclude_rated : bool
            Leave out (user, item) pairs present in the training data.
        """
        self._check_fitted()
        if not (isinstance(batch_rows, int | np.integer) and batch_rows >= 1):
            raise ValueError(f"batch_rows must be a positive integer, got {batch_rows!r}.")
        if top_k is not None and not (isinstance(top_k, int | np.integer) and top_k >= 1):
            raise ValueError(f"top_k must be a positive integer or None, got {top_k!r}.")
        opts = self.options_
        if df is None:
            yield from self._recommend_grid(
                self.user_ids_, self.item_ids_, batch_rows, top_k, exclude_rated
            )
            return
        require_columns(df, {}, "recommendation input")
        has_user, has_item = opts.user_col in df.columns, opts.item_col in df.columns
        if not (has_user or has_item):
            raise DataError(
                f"The recommendation input must have the user column '{opts.user_col}' or the "
                f"item column '{opts.item_col}'; columns are {list(df.columns)}."
            )
        if has_user and has_item:
            yield from self._recommend_pairs(df, batch_rows, top_k, exclude_rated)
            return
        column = opts.user_col if has_user else opts.item_col
        if len(df.columns) != 1:
            raise DataError(
                f"When the recommendation input has only the '{column}' column it can have no "
                f"other column; got {list(df.columns)}."
            )
        values = pd.Index(pd.unique(df[column].dropna()))
        option = "USER_COL" if has_user else "ITEM_COL"
        values = pd.Index(checked_ids(pd.Series(values), column, option))
        if has_user:
            yield from self._recommend_grid(
                values, self.item_ids_, batch_rows, top_k, exclude_rated
            )
        else:
            yield from self._recommend_grid(
                self.user_ids_, values, batch_rows, top_k, exclude_rated
            )

    def training_info(self) -> pd.DataFrame:
        """Return ML.TRAINING_INFO rows, newest iteration first."""
        self._check_fitted()
        rows = [
            {
                "training_run": 0,
                "iteration": r.iteration,
                "loss": r.loss,
                "eval_loss": r.eval_loss,
                "learning_rate": 0.0,
                "duration_ms": r.duration_ms,
            }
            for r in reversed(self.history_)
        ]
        frame = pd.DataFrame(
            rows,
            columns=[
                "training_run",
                "iteration",
                "loss",
                "eval_loss",
                "learning_rate",
                "duration_ms",
            ],
        )
        frame["eval_loss"] = frame["eval_loss"].astype(np.float64)
        return frame

    def weights(self) -> pd.DataFrame:
        """Return ML.WEIGHTS rows: users, then items, then the ``global__INTERCEPT__`` row."""
        self._check_fitted()
        factor_numbers = range(1, self.user_factors_.shape[1] + 1)

        def rows(column: str, ids: pd.Index, factors: np.ndarray, bias: np.ndarray) -> list:
            return [
                {
                    "processed_input": column,
                    "feature": str(feature),
                    "factor_weights": [
                        {"factor": f, "weight": w}
                        for f, w in zip(factor_numbers, vector.tolist(), strict=True)
                    ],
                    "intercept": b,
                }
                for feature, vector, b in zip(ids, factors, bias.tolist(), strict=True)
            ]

        opts = self.options_
        records = rows(opts.user_col, self.user_ids_, self.user_factors_, self.user_bias_)
        records += rows(opts.item_col, self.item_ids_, self.item_factors_, self.item_bias_)
        records.append(
            {
                "processed_input": None,
                "feature": GLOBAL_FEATURE,
                "factor_weights": None,
                "intercept": self.global_mean_,
            }
        )
        # Object columns keep the global row's NULLs as None (pandas would infer NaN for str).
        return pd.DataFrame(
            {
                "processed_input": pd.Series([r["processed_input"] for r in records], dtype=object),
                "feature": pd.Series([r["feature"] for r in records], dtype=object),
                "factor_weights": pd.Series([r["factor_weights"] for r in records], dtype=object),
                "intercept": np.array([r["intercept"] for r in records], dtype=np.float64),
            }
        )

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | PathLike[str]) -> None:
        """Write the fitted model to ``path`` atomically (see ``mfcore.persist``)."""
        self._check_fitted()
        persist.save(self, path)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> MatrixFactorization:
        """Read a model written by ``save``."""
        return persist.load(cls, path)

    # -- internals --------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "user_factors_"):
            raise NotFittedError(
                "This MatrixFactorization is not fitted yet; call fit() before using it."
            )

    @property
    def prediction_column(self) -> str:
        """Return the name of the prediction column of ``recommend``."""
        self._check_fitted()
        suffix = "_confidence" if self.options_.feedback_type == "IMPLICIT" else ""
        return f"predicted_{self.options_.rating_col}{suffix}"

    def _extended(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return factors and biases with a trailing zero row, the vector of an unseen id."""
        k = self.user_factors_.shape[1]
        return (
            np.vstack([self.user_factors_, np.zeros((1, k))]),
            np.append(self.user_bias_, 0.0),
            np.vstack([self.item_factors_, np.zeros((1, k))]),
            np.append(self.item_bias_, 0.0),
        )

    def _score_pairs(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Return predictions for coded pairs; negative codes are unseen ids."""
        return _predict_pairs(
            self.user_factors_,
            self.item_factors_,
            self.user_bias_,
            self.item_bias_,
            self.global_mean_,
            users,
            items,
        )

    def _metrics(self, data: Ratings) -> dict[str, float]:
        if self.options_.feedback_type == "IMPLICIT":
            return implicit_metrics(data, self.user_factors_, self.item_factors_, self.train_pairs_)
        return explicit_metrics(data.ratings, self._score_pairs(data.users, data.items))

    def _recommend_grid(
        self,
        user_values: pd.Index,
        item_values: pd.Index,
        batch_rows: int,
        top_k: int | None,
        exclude_rated: bool,
    ) -> Iterator[pd.DataFrame]:
        """Yield predictions for every (user, item) of two id lists, user by user."""
        opts = self.options_
        uf, ub, vf, vb = self._extended()
        user_codes = self.user_ids_.get_indexer(user_values)
        item_codes = self.item_ids_.get_indexer(item_values)
        u_rows = np.where(user_codes < 0, uf.shape[0] - 1, user_codes)
        i_rows = np.where(item_codes < 0, vf.shape[0] - 1, item_codes)
        item_f, item_b = vf[i_rows], vb[i_rows]
        n_items = i_rows.size
        per_batch = max(1, batch_rows // max(n_items, 1))
        rated_cols = None
        if exclude_rated:
            # Map training pairs onto the requested item list once.
            to_col = np.full(len(self.item_ids_), -1, dtype=np.int64)
            known = item_codes >= 0
            to_col[item_codes[known]] = np.flatnonzero(known)
            rated_cols = to_col
        for start in range(0, u_rows.size, per_batch):
            rows = u_rows[start : start + per_batch]
            scores = uf[rows] @ item_f.T
            scores += self.global_mean_ + ub[rows][:, None] + item_b[None, :]
            keep = np.ones(scores.shape, dtype=bool)
            if rated_cols is not None:
                codes = user_codes[start : start + per_batch]
                seen = codes >= 0
                sub = self.train_pairs_[codes[seen]]
                r = np.repeat(np.flatnonzero(seen), np.diff(sub.indptr))
                c = rated_cols[sub.indices]
                keep[r[c >= 0], c[c >= 0]] = False
            block_users = np.arange(start, start + rows.size)
            if top_k is None:
                flat_u, flat_i = (
                    np.nonzero(keep)
                    if rated_cols is not None
                    else (
                        np.repeat(np.arange(rows.size), n_items),
                        np.tile(np.arange(n_items), rows.size),
                    )
                )
                predicted = scores[flat_u, flat_i]
            else:
                flat_u, flat_i, predicted = _top_k(scores, keep, top_k)
            yield pd.DataFrame(
                {
                    self.prediction_column: predicted,
                    opts.user_col: user_values.take(block_users[flat_u]),
                    opts.item_col: item_values.take(flat_i),
                }
            )

    def _recommend_pairs(
        self, df: pd.DataFrame, batch_rows: int, top_k: int | None, exclude_rated: bool
    ) -> Iterator[pd.DataFrame]:
        """Yield one prediction per input row, other columns passed through."""
        opts = self.options_
        users = code(self.user_ids_, df[opts.user_col])
        items = code(self.item_ids_, df[opts.item_col])
        rows = np.arange(len(df))
        if exclude_rated:
            rated = np.zeros(len(df), dtype=bool)
            both = (users >= 0) & (items >= 0)
            rated[both] = np.asarray(self.train_pairs_[users[both], items[both]]).ravel() != 0
            rows = rows[~rated]
        if top_k is not None:
            predicted = self._score_pairs(users[rows], items[rows])
            group = pd.factorize(df[opts.user_col].iloc[rows], use_na_sentinel=False)[0]
            order = np.lexsort((-predicted, group))
            starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
            sizes = np.diff(np.append(starts, order.size))
            position = np.arange(order.size) - np.repeat(starts, sizes)
            rows = rows[order[position < top_k]]
        others = [c for c in df.columns if c not in (opts.user_col, opts.item_col)]
        for start in range(0, max(rows.size, 1), batch_rows):
            part = rows[start : start + batch_rows]
            frame = df.iloc[part][[opts.user_col, opts.item_col, *others]].reset_index(drop=True)
            frame.insert(0, self.prediction_column, self._score_pairs(users[part], items[part]))
            yield frame


def _top_k(scores: np.ndarray, keep: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Return (row, column, score) of each row's best ``k`` kept entries, best first."""
    masked = np.where(keep, scores, -np.inf)
    n_cols = masked.shape[1]
    kk = min(k, n_cols)
    if kk < n_cols:
        part = np.argpartition(-masked, kk - 1, axis=1)[:, :kk]
    else:
        part = np.broadcast_to(np.arange(n_cols), masked.shape)
    vals = np.take_along_axis(masked, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    cols = np.take_along_axis(part, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    rows = np.repeat(np.arange(masked.shape[0]), kk)
    cols, vals = cols.ravel(), vals.ravel()
    real = np.isfinite(vals)
    return rows[real], cols[real], vals[real]


def _predict_pairs(
    user_factors: np.ndarray,
    item_factors: np.ndarray,
    user_bias: np.ndarray,
    item_bias: np.ndarray,
    global_mean: float,
    users: np.ndarray,
    items: np.ndarray,
) -> np.ndarray:
    """Return ``global + b_u + c_i + x_u . y_i`` for coded pairs; a negative code scores as zeros.

    Works in blocks of a few thousand pairs so the gathered vectors stay in cache (``np.take``
    is several times faster than fancy indexing here).
    """
    k = user_factors.shape[1]
    uf = np.vstack([user_factors, np.zeros((1, k))])
    vf = np.vstack([item_factors, np.zeros((1, k))])
    ub = np.append(user_bias, 0.0)
    vb = np.append(item_bias, 0.0)
    u = np.where(users < 0, uf.shape[0] - 1, users)
    i = np.where(items < 0, vf.shape[0] - 1, items)
    out = global_mean + np.take(ub, u) + np.take(vb, i)
    for s in range(0, u.size, _SCORE_BLOCK):
        block = slice(s, s + _SCORE_BLOCK)
        out[block] += np.einsum(
            "ij,ij->i", np.take(uf, u[block], axis=0), np.take(vf, i[block], axis=0)
        )
    return out


def _eval_loss(state: als.FactorState, data: Ratings, implicit: bool, opts: Options) -> float:
    """Return the loss on evaluation rows, on the same scale as the training loss.

    Explicit: MSE of the predictions. Implicit: the weighted loss over every (evaluation user,
    item) pair without the penalty, divided by the number of such pairs.
    """
    if not implicit:
        predicted = _predict_pairs(
            state.user_factors,
            state.item_factors,
            state.user_bias,
            state.item_bias,
            state.global_mean,
            data.users,
            data.items,
        )
        return float(np.mean((data.ratings - predicted) ** 2))
    zeros_u = np.zeros(state.user_factors.shape[0])
    zeros_i = np.zeros(state.item_factors.shape[0])
    s = _predict_pairs(
        state.user_factors, state.item_factors, zeros_u, zeros_i, 0.0, data.users, data.items
    )
    conf = 1.0 + opts.wals_alpha * np.abs(data.ratings)
    pref = (data.ratings > 0).astype(np.float64)
    users = np.unique(data.users[data.users >= 0])
    n_unseen = np.unique(data.users[data.users < 0]).size
    gram = state.item_factors.T @ state.item_factors
    known = state.user_factors[users]
    all_pairs = float(np.einsum("ij,jk,ik->", known, gram, known))
    observed = float(np.sum(conf * (pref - s) ** 2 - s**2))
    return (observed + all_pairs) / ((users.size + n_unseen) * state.item_factors.shape[0])


def _converged(previous: float, loss: float, min_rel_progress: float) -> bool:
    """Return True when the relative improvement over ``previous`` is below the threshold."""
    if not math.isfinite(previous):
        return False
    if previous <= 0.0:
        return True
    return (previous - loss) / previous < min_rel_progress


def _pattern(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Return the 0/1 pattern of a CSR matrix with duplicates merged (int8 values)."""
    pattern = sp.csr_matrix(
        (np.ones(matrix.nnz, dtype=np.int8), matrix.indices, matrix.indptr), shape=matrix.shape
    )
    pattern.sum_duplicates()
    pattern.data[:] = 1
    return pattern


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False
