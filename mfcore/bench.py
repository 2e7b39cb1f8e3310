"""Benchmark: ``python -m mfcore.bench [--sweeps N] [--factors K]``.

Times training sweeps, full recommendation and top-10 on ml-1m-shaped synthetic data, and on the
real ml-1m when ``MOVIELENS_DIR`` is set. Achieved FLOP rates are reported as a fraction of a
dense matrix multiply timed in the same run, so the figures mean something on any machine.
This is a command, not a test: it prints.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from mfcore import MatrixFactorization, make_ratings
from mfcore.als import default_n_threads, make_chunks
from mfcore.data import csr


def dense_gflops(n: int = 1500) -> float:
    """Return the GFLOP/s of a float64 ``n x n`` matmul using the same thread count as training."""
    a = np.random.default_rng(0).random((n, n))
    with threadpool_limits(limits=default_n_threads(), user_api="blas"):
        a @ a
        start = time.perf_counter()
        a @ a
        elapsed = time.perf_counter() - start
    return 2 * n**3 / elapsed / 1e9


def sweep_flops(model: MatrixFactorization) -> float:
    """Return the FLOPs of one sweep: padded Gram products plus the batched solves."""
    pairs = model.train_pairs_
    k = model.options_.num_factors + (model.options_.feedback_type == "EXPLICIT")
    total = 0.0
    for matrix in (pairs, pairs.T.tocsr()):
        m = csr(*_coo(matrix), matrix.shape)
        for chunk in make_chunks(m):
            g, width = chunk.cols.shape
            total += 2.0 * g * width * k * k + g * (2.0 / 3.0) * k**3
    return total


def _coo(matrix):
    coo = matrix.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(name: str, df: pd.DataFrame, sweeps: int, factors: int, reference_gflops: float) -> None:
    """Train explicit and implicit models on ``df`` and print their timings."""
    print(
        f"\n== {name}: {len(df):,} ratings, {df['user'].nunique():,} users, "
        f"{df['item'].nunique():,} items"
    )
    for feedback, l2 in (("explicit", 9.83), ("implicit", 1.0)):
        times: list[float] = []
        model = MatrixFactorization(
            feedback_type=feedback,
            num_factors=factors,
            l2_reg=l2,
            max_iterations=sweeps,
            early_stop=False,
            random_state=0,
        )
        start = time.perf_counter()
        model.fit(df, callback=lambda _i, _loss, seconds, _e, out=times: out.append(seconds))
        total = time.perf_counter() - start
        flops = sweep_flops(model)
        rate = flops / np.median(times) / 1e9
        print(
            f"{feedback:8s} k={factors}: sweep median {np.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}); fit total {total:.2f} s for "
            f"{sweeps} sweeps incl. setup and metrics; final loss "
            f"{model.training_info()['loss'].iloc[0]:.4f}; {rate:.1f} GFLOP/s = "
            f"{rate / reference_gflops:.0%} of dense matmul; peak RSS {peak_rss_mb():.0f} MB"
        )
        if feedback == "explicit":
            start = time.perf_counter()
            n_rows = sum(len(batch) for batch in model.iter_recommend())
            full = time.perf_counter() - start
            start = time.perf_counter()
            top = model.recommend(top_k=10)
            top_s = time.perf_counter() - start
            print(
                f"recommend all {n_rows:,} pairs: {full:.2f} s; top-10 for every user "
                f"({len(top):,} rows): {top_s:.2f} s; peak RSS {peak_rss_mb():.0f} MB"
            )


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=12)
    parser.add_argument("--factors", type=int, default=34)
    args = parser.parse_args()
    reference = dense_gflops()
    print(
        f"threads: {default_n_threads()} (MFCORE_NUM_THREADS); dense float64 matmul: "
        f"{reference:.1f} GFLOP/s"
    )
    synthetic = make_ratings(6040, 3706, 1_000_209, random_state=0)
    run(
        "synthetic ml-1m shape",
        synthetic.rename(columns={"user_id": "user", "item_id": "item"}),
        args.sweeps,
        args.factors,
        reference,
    )
    root = os.environ.get("MOVIELENS_DIR")
    path = Path(root) / "ml-1m" / "ratings.dat" if root else None
    if path is not None and path.exists():
        real = pd.read_csv(
            path, sep="::", engine="python", names=["user", "item", "rating", "timestamp"]
        )
        run("MovieLens 1M", real, args.sweeps, args.factors, reference)
    else:
        print("\n(set MOVIELENS_DIR to a folder with ml-1m/ratings.dat to include real data)")


if __name__ == "__main__":
    main()
