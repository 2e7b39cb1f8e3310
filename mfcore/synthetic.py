"""MovieLens-shaped synthetic ratings for tests and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd

# 2000-01-01 and roughly three years later: the span of the ml-1m timestamps.
_T0 = 946_684_800
_T_SPAN = 3 * 365 * 86_400


def make_ratings(
    n_users: int = 943,
    n_items: int = 1682,
    n_ratings: int = 100_000,
    *,
    rank: int = 8,
    noise: float = 0.5,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Return synthetic 1-5 star ratings with MovieLens-like structure.

    User activity and item popularity follow power laws (a few users rate a lot, a few items are
    rated a lot). Each rating is a planted low-rank score plus user and item biases and Gaussian
    noise, rounded and clipped to whole stars. No (user, item) pair appears twice.

    Parameters
    ----------
    n_users, n_items : int
        Size of the id spaces; ids are ``0 .. n - 1``. Not every id is guaranteed to appear.
    n_ratings : int
        Exact number of rows returned; at most ``n_users * n_items``.
    rank : int
        Rank of the planted interaction matrix.
    noise : float
        Standard deviation of the Gaussian noise added before rounding.
    random_state : int, numpy.random.Generator or None
        Seed or generator; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        Columns ``user_id`` (int64), ``item_id`` (int64), ``rating`` (float64 whole numbers in
        1..5) and ``timestamp`` (int64 epoch seconds).
    """
    if n_users < 1 or n_items < 1 or rank < 1:
        raise ValueError("n_users, n_items and rank must be at least 1.")
    total = n_users * n_items
    if not 0 <= n_ratings <= total:
        raise ValueError(f"n_ratings must be between 0 and n_users * n_items = {total}.")
    rng = np.random.default_rng(random_state)

    # Shifted Zipf weights over a random permutation (id order says nothing about activity). The
    # shift keeps the heaviest user below ~15% of the items, as in ml-1m, so that distinct pairs
    # can be drawn by rejection in a few rounds.
    user_w = rng.permutation(_shifted_zipf(n_users, 0.05))
    item_w = rng.permutation(_shifted_zipf(n_items, 0.02))
    pairs = _sample_pairs(rng, user_w, item_w, n_ratings)
    users = pairs // n_items
    items = pairs % n_items

    user_f = rng.standard_normal((n_users, rank)) / np.sqrt(rank)
    item_f = rng.standard_normal((n_items, rank))
    user_b = rng.normal(0.0, 0.35, n_users)
    item_b = rng.normal(0.0, 0.5, n_items)
    score = 3.6 + user_b[users] + item_b[items]
    score += np.einsum("ij,ij->i", user_f[users], item_f[items]) * 0.6
    score += rng.normal(0.0, noise, n_ratings)
    rating = np.clip(np.rint(score), 1.0, 5.0)
    timestamp = _T0 + rng.integers(0, _T_SPAN, n_ratings, dtype=np.int64)
    return pd.DataFrame(
        {
            "user_id": users.astype(np.int64),
            "item_id": items.astype(np.int64),
            "rating": rating.astype(np.float64),
            "timestamp": timestamp,
        }
    )


def _shifted_zipf(n: int, shift: float) -> np.ndarray:
    """Return weights ``(rank + shift * n) ** -1.2`` for ranks ``1 .. n``."""
    return (np.arange(1, n + 1, dtype=np.float64) + shift * n) ** -1.2


def _sample_pairs(
    rng: np.random.Generator, user_w: np.ndarray, item_w: np.ndarray, n: int
) -> np.ndarray:
    """Return ``n`` distinct pair indices ``u * n_items + i``, drawn with weight ``w_u w_i``."""
    n_items = item_w.size
    total = user_w.size * n_items
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if total <= 4 * n:
        # Dense request: rejection sampling would stall on the last free pairs, so take the top n
        # of Gumbel-perturbed log weights, which samples without replacement in one pass.
        logw = np.log(user_w)[:, None] + np.log(item_w)[None, :]
        keys = logw.ravel() + rng.gumbel(size=total)
        return rng.permutation(np.argpartition(-keys, n - 1)[:n]).astype(np.int64)
    user_cdf = np.cumsum(user_w / user_w.sum())
    item_cdf = np.cumsum(item_w / item_w.sum())
    chosen = np.empty(0, dtype=np.int64)
    while chosen.size < n:
        draw = int((n - chosen.size) * 1.3) + 16
        u = np.minimum(np.searchsorted(user_cdf, rng.random(draw)), user_w.size - 1)
        i = np.minimum(np.searchsorted(item_cdf, rng.random(draw)), n_items - 1)
        candidate = np.concatenate([chosen, u.astype(np.int64) * n_items + i])
        # Keep first occurrences in draw order so earlier picks are never displaced.
        _, first = np.unique(candidate, return_index=True)
        chosen = candidate[np.sort(first)]
    return chosen[:n]
