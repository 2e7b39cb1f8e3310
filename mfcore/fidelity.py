"""Fidelity report: ``python -m mfcore.fidelity`` (needs ``MOVIELENS_DIR`` with ml-1m).

Trains the explicit tutorial's model (MovieLens 1M, NUM_FACTORS = 34, L2_REG = 9.83) with both
objectives and prints what ``docs/fidelity.md`` compares with BigQuery's published run: the
ML.TRAINING_INFO curve, the ML.EVALUATE metrics, the character of the top-5 grid, the spread
over seeds, and both objectives' quality on a fixed 80/20 split of the ratings. This is a
command, not a test: it prints.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mfcore import MatrixFactorization, als

# BigQuery's explicit tutorial [TUTX]: the last three iterations and the ML.EVALUATE row.
TUTORIAL_LOSSES = {9: 0.4038, 10: 0.3979, 11: 0.3943}
TUTORIAL_METRICS = {
    "mean_absolute_error": 0.48494444327829156,
    "mean_squared_error": 0.39433706592870565,
    "mean_squared_log_error": 0.025437895793637522,
    "median_absolute_error": 0.39017059802629905,
    "r2_score": 0.6840033369412044,
    "explained_variance": 0.6840033369412264,
}


def load_ml1m(root: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Return ml-1m's ratings and each movie's title."""
    # "::"-separated; splitting on ":" lets the fast C parser read it (fields 0, 2 and 4).
    ratings = pd.read_csv(
        root / "ml-1m" / "ratings.dat",
        sep=":",
        header=None,
        usecols=[0, 2, 4],
        names=["user_id", "item_id", "rating"],
    )
    movies = pd.read_csv(
        root / "ml-1m" / "movies.dat",
        sep="::",
        engine="python",
        header=None,
        names=["item_id", "title", "genre"],
        encoding="latin-1",
    )
    return ratings, movies.set_index("item_id")["title"]


def tutorial_model(ratings: pd.DataFrame, objective: str, **params: object) -> MatrixFactorization:
    """Return the tutorial's model fitted with ``objective``."""
    return MatrixFactorization(
        feedback_type="explicit",
        num_factors=34,
        user_col="user_id",
        item_col="item_id",
        l2_reg=params.pop("l2_reg", 9.83),
        random_state=params.pop("random_state", 0),
        objective=objective,
        **params,
    ).fit(ratings)


def report_curve(model: MatrixFactorization) -> None:
    """Print ML.TRAINING_INFO beside the tutorial's iterations, oldest first."""
    info = model.training_info().iloc[::-1]
    previous = None
    print("iteration | BigQuery loss | loss | improvement")
    for row in info.itertuples():
        gain = "" if previous is None else f"{(previous - row.loss) / previous:.2%}"
        bq = TUTORIAL_LOSSES.get(row.iteration, "")
        print(f"{row.iteration:9d} | {bq!s:>13} | {row.loss:.4f} | {gain}")
        previous = row.loss


def report_metrics(model: MatrixFactorization) -> None:
    """Print ML.EVALUATE beside the tutorial's."""
    metrics = model.evaluate()
    for name, bq in TUTORIAL_METRICS.items():
        print(
            f"{name:24s} BigQuery {bq:.5f}  mfcore {metrics[name]:.5f}  ({metrics[name] - bq:+.5f})"
        )


def report_grid(model: MatrixFactorization, ratings: pd.DataFrame, titles: pd.Series) -> None:
    """Print the character of the top-5 grid and the two users the tutorial shows."""
    counts = ratings.groupby("item_id").size()
    top = model.recommend(top_k=5)
    first = top.groupby("user_id").head(1)
    above = (first["predicted_rating"] > 6).mean()
    print(
        f"users whose top-1 prediction exceeds 6: {above:.1%}; top-1 predictions: median "
        f"{first['predicted_rating'].median():.2f}, 99th percentile "
        f"{first['predicted_rating'].quantile(0.99):.2f}, max {first['predicted_rating'].max():.2f}"
    )
    print(
        f"median number of ratings of each user's top-1 film: "
        f"{counts.reindex(first['item_id']).median():.0f}; of the top-5 films: "
        f"{counts.reindex(top['item_id']).median():.0f}"
    )
    for user in (4597, 5349):
        rows = top[top["user_id"] == user]
        picks = ", ".join(
            f"{titles[i]} {p:.2f} ({counts[i]} ratings)"
            for i, p in zip(rows["item_id"], rows["predicted_rating"], strict=True)
        )
        print(f"user {user}: {picks}")


def report_seeds(ratings: pd.DataFrame, seeds: int) -> None:
    """Print where the default objective stops, and its final loss, over ``seeds`` seeds."""
    stops: dict[int, int] = {}
    losses = []
    for seed in range(seeds):
        model = tutorial_model(ratings, "bigquery", random_state=seed)
        stops[model.n_iter_ - 1] = stops.get(model.n_iter_ - 1, 0) + 1
        losses.append(model.training_info()["loss"].iloc[0])
    spread = ", ".join(f"iteration {k}: {v}" for k, v in sorted(stops.items()))
    print(
        f"seeds 0-{seeds - 1}: stops at {spread}; final loss {min(losses):.4f} to {max(losses):.4f}"
    )


def report_held_out(ratings: pd.DataFrame) -> None:
    """Print both objectives' quality on a fixed 80/20 split, for a few L2_REG values."""
    held_out = np.random.default_rng(0).random(len(ratings)) < 0.2
    split = ratings.assign(is_eval=held_out)
    print("objective  | L2_REG | iterations | train MSE | held-out MSE | held-out MAE | R2")
    for objective, values in (
        ("bigquery", (9.83, 30.0, 60.0, 100.0)),
        ("documented", (9.83, 3.0, 20.0)),
    ):
        for l2 in values:
            model = tutorial_model(
                split,
                objective,
                l2_reg=l2,
                data_split_method="CUSTOM",
                data_split_col="is_eval",
            )
            metrics = model.evaluate()
            train = model.evaluate(ratings[~held_out])["mean_squared_error"]
            print(
                f"{objective:10s} | {l2:6g} | {model.n_iter_:10d} | {train:9.4f} | "
                f"{metrics['mean_squared_error']:12.4f} | {metrics['mean_absolute_error']:12.4f} "
                f"| {metrics['r2_score']:.4f}"
            )


def main() -> None:
    """Print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds for the stop's spread")
    args = parser.parse_args()
    root = os.environ.get("MOVIELENS_DIR")
    if not root or not (Path(root) / "ml-1m" / "ratings.dat").exists():
        raise SystemExit("Set MOVIELENS_DIR to a folder holding ml-1m/ratings.dat.")
    ratings, titles = load_ml1m(Path(root))
    for objective in als.OBJECTIVES:
        start = time.perf_counter()
        model = tutorial_model(ratings, objective)
        print(f"\n== objective={objective!r}: fitted in {time.perf_counter() - start:.2f} s")
        report_curve(model)
        report_metrics(model)
        report_grid(model, ratings, titles)
    print()
    report_seeds(ratings, args.seeds)
    print("\n== held out: a fixed 80/20 split of ml-1m (20 % chosen with numpy seed 0)")
    report_held_out(ratings)


if __name__ == "__main__":
    main()
