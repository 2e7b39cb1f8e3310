"""Slow, obviously-correct ALS and WALS solvers, for testing the fast ones in ``mfcore.als``.

One Python loop iteration and one dense ``numpy.linalg.solve`` per user or item, straight from
the normal equations; implicit feedback uses the full dense confidence matrix. Only for small
problems.
"""

from __future__ import annotations

import numpy as np

from mfcore.als import FactorState


def explicit_sweep(
    state: FactorState,
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    l2_reg: float,
) -> tuple[FactorState, float]:
    """Run one biased-ALS sweep by brute force; return the new state and training MSE.

    Model: ``r ~ mu + b_u + c_i + x_u . y_i``; each ``[x_u, b_u]`` minimises
    ``sum_i (r_ui - mu - c_i - x_u . y_i - b_u)^2 + l2 (|x_u|^2 + b_u^2)``.
    """
    mu = state.global_mean
    x, b = _solve_rows(
        users,
        items,
        ratings - mu,
        state.item_factors,
        state.item_bias,
        l2_reg,
        state.user_factors.shape[0],
    )
    y, c = _solve_rows(items, users, ratings - mu, x, b, l2_reg, state.item_factors.shape[0])
    predicted = np.array(
        [mu + b[u] + c[i] + x[u] @ y[i] for u, i in zip(users, items, strict=True)]
    )
    return FactorState(x, y, b, c, mu), float(np.mean((ratings - predicted) ** 2))


def _solve_rows(rows, cols, target, other, other_bias, l2_reg, n_rows):
    k = other.shape[1]
    factors = np.zeros((n_rows, k))
    bias = np.zeros(n_rows)
    for row in range(n_rows):
        mine = rows == row
        if not mine.any():
            continue
        design = np.hstack([other[cols[mine]], np.ones((int(mine.sum()), 1))])
        residual = target[mine] - other_bias[cols[mine]]
        z = np.linalg.solve(design.T @ design + l2_reg * np.eye(k + 1), design.T @ residual)
        factors[row], bias[row] = z[:k], z[k]
    return factors, bias


def implicit_sweep(
    state: FactorState,
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    l2_reg: float,
    alpha: float,
) -> tuple[FactorState, float]:
    """Run one WALS sweep on dense matrices; return the new state and the normalised loss.

    Loss: ``sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + l2 (|X|^2 + |Y|^2)``, divided by
    ``n_users * n_items``, with ``c = 1 + alpha |r|`` and ``p = [r > 0]`` (c = 1, p = 0 where
    nothing was rated). Repeated pairs are summed first.
    """
    n_users, n_items = state.user_factors.shape[0], state.item_factors.shape[0]
    r = np.zeros((n_users, n_items))
    np.add.at(r, (users, items), ratings)
    conf = 1.0 + alpha * np.abs(r)
    pref = (r > 0).astype(np.float64)
    x = _weighted_rows(conf, pref, state.item_factors, l2_reg)
    y = _weighted_rows(conf.T, pref.T, x, l2_reg)
    scores = x @ y.T
    loss = np.sum(conf * (pref - scores) ** 2) + l2_reg * (np.sum(x**2) + np.sum(y**2))
    return (
        FactorState(x, y, state.user_bias, state.item_bias, 0.0),
        float(loss / (n_users * n_items)),
    )


def _weighted_rows(conf, pref, other, l2_reg):
    k = other.shape[1]
    out = np.zeros((conf.shape[0], k))
    for row in range(conf.shape[0]):
        weighted = other.T * conf[row]
        out[row] = np.linalg.solve(weighted @ other + l2_reg * np.eye(k), weighted @ pref[row])
    return out
