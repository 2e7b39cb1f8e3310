"""Slow, obviously-correct ALS and WALS solvers, for testing the fast ones in ``mfcore.als``.

One Python loop iteration and one dense ``numpy.linalg.solve`` per user or item, straight from
the normal equations; implicit feedback uses the full dense confidence matrix. Only for small
problems. ``iterate`` follows an ``Objective``'s steps as ``mfcore.als.iterate`` does.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mfcore.als import USERS, ExplicitPenalty, FactorState, Objective


def iterate(
    state: FactorState,
    iteration: int,
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    objective: Objective,
    *,
    implicit: bool,
    l2_reg: float,
    alpha: float | None = None,
) -> tuple[FactorState, float]:
    """Run one reported iteration by brute force; return the new state and training loss."""
    loss = np.nan
    for which in objective.steps(iteration):
        if implicit:
            state, loss = implicit_step(state, which, users, items, ratings, l2_reg, alpha)
        else:
            penalty = objective.explicit_penalty(l2_reg)
            state, loss = explicit_step(state, which, users, items, ratings, penalty)
    return state, loss


def explicit_step(
    state: FactorState,
    which: str,
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    penalty: ExplicitPenalty,
) -> tuple[FactorState, float]:
    """Solve one side of a biased ALS by brute force; return the new state and training MSE.

    Model: ``r ~ mu + b_u + c_i + x_u . y_i``; each ``[x_u, b_u]`` of the solved side minimises
    ``sum_i (r_ui - mu - c_i - x_u . y_i - b_u)^2 + f_u |x_u|^2 + penalty.intercept b_u^2``,
    where ``f_u`` is ``penalty.per_rating * n_u`` or, unscaled, ``penalty.l2_reg``.
    """
    mu = state.global_mean
    solve_users = which == USERS
    rows, cols = (users, items) if solve_users else (items, users)
    other, other_bias, n_rows = (
        (state.item_factors, state.item_bias, state.user_factors.shape[0])
        if solve_users
        else (state.user_factors, state.user_bias, state.item_factors.shape[0])
    )
    factors, bias = _solve_rows(rows, cols, ratings - mu, other, other_bias, penalty, n_rows)
    if solve_users:
        state = replace(state, user_factors=factors, user_bias=bias)
    else:
        state = replace(state, item_factors=factors, item_bias=bias)
    predicted = np.array(
        [
            mu
            + state.user_bias[u]
            + state.item_bias[i]
            + state.user_factors[u] @ state.item_factors[i]
            for u, i in zip(users, items, strict=True)
        ]
    )
    return state, float(np.mean((ratings - predicted) ** 2))


def _solve_rows(rows, cols, target, other, other_bias, penalty, n_rows):
    k = other.shape[1]
    factors = np.zeros((n_rows, k))
    bias = np.zeros(n_rows)
    for row in range(n_rows):
        mine = rows == row
        if not mine.any():
            continue
        n = int(mine.sum())
        design = np.hstack([other[cols[mine]], np.ones((n, 1))])
        residual = target[mine] - other_bias[cols[mine]]
        f = penalty.l2_reg if penalty.per_rating is None else penalty.per_rating * n
        diagonal = np.diag([f] * k + [penalty.intercept])
        z = np.linalg.solve(design.T @ design + diagonal, design.T @ residual)
        factors[row], bias[row] = z[:k], z[k]
    return factors, bias


def implicit_step(
    state: FactorState,
    which: str,
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    l2_reg: float,
    alpha: float,
) -> tuple[FactorState, float]:
    """Solve one side of WALS on dense matrices; return the new state and the normalised loss.

    Loss: ``sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + l2 (|X|^2 + |Y|^2)``, divided by
    ``n_users * n_items``, with ``c = 1 + alpha |r|`` and ``p = [r > 0]`` (c = 1, p = 0 where
    nothing was rated). Repeated pairs are summed first.
    """
    n_users, n_items = state.user_factors.shape[0], state.item_factors.shape[0]
    r = np.zeros((n_users, n_items))
    np.add.at(r, (users, items), ratings)
    conf = 1.0 + alpha * np.abs(r)
    pref = (r > 0).astype(np.float64)
    x, y = state.user_factors, state.item_factors
    if which == USERS:
        x = _weighted_rows(conf, pref, y, l2_reg)
    else:
        y = _weighted_rows(conf.T, pref.T, x, l2_reg)
    scores = x @ y.T
    loss = np.sum(conf * (pref - scores) ** 2) + l2_reg * (np.sum(x**2) + np.sum(y**2))
    return (
        replace(state, user_factors=x, item_factors=y, global_mean=0.0),
        float(loss / (n_users * n_items)),
    )


def _weighted_rows(conf, pref, other, l2_reg):
    k = other.shape[1]
    out = np.zeros((conf.shape[0], k))
    for row in range(conf.shape[0]):
        weighted = other.T * conf[row]
        out[row] = np.linalg.solve(weighted @ other + l2_reg * np.eye(k), weighted @ pref[row])
    return out
