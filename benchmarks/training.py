"""Benchmark training: ``python -m benchmarks.training [--sweeps N] [--factors K] [--large]``.

Times training iterations and sweeps (a sweep solves every user and every item: two iterations
of the default objective, one of the documented one), the tutorial's fit to its early stop, the
lazily computed ML.EVALUATE metrics, full recommendation and top-10 on ml-1m-shaped synthetic
data, and on the real ml-1m when ``MOVIELENS_DIR`` is set. Achieved FLOP rates are reported as a
fraction of a dense matrix multiply timed in the same run, so the figures mean something on any
machine. When the ``implicit`` package is importable (it is not a
dependency; install it in a scratch environment to compare), its conjugate-gradient solver is
timed on the same data. ``--large`` also trains on 25 million synthetic ratings and reports peak
memory. This is a command, not a test: it prints.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_info, threadpool_limits

from mfcore import MatrixFactorization, als, make_ratings


def dense_gflops(n: int = 1500) -> float:
    """Return the GFLOP/s of a float64 ``n x n`` matmul using the same thread count as training."""
    a = np.random.default_rng(0).random((n, n))
    best = np.inf
    with threadpool_limits(limits=als.default_n_threads(), user_api="blas"):
        a @ a
        for _ in range(3):
            start = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def sweep_flops(model: MatrixFactorization) -> float:
    """Return the useful FLOPs of one sweep of ``model``'s solver on its training pattern.

    Exact solves: the Gram products (``syrk``, half of a square product) plus the Cholesky
    factorisations and triangular solves.
    Conjugate gradient: the matrix-vector products with each row's block and the shared Gram.
    Padding entries count, as the hardware does them.
    """
    pairs = model.train_pairs_.astype(np.float64)
    k = model.options_.num_factors
    explicit = model.options_.feedback_type == "EXPLICIT"
    cg = not explicit and model.implicit_solver == "cg"
    size = als.CG_CHUNK_ENTRIES if cg else als.CHUNK_ENTRIES
    total = 0.0
    for matrix in (pairs.tocsr(), pairs.T.tocsr()):
        for chunk in als.make_side(matrix, size).chunks:
            g, width = chunk.cols.shape
            entries = g * width
            if explicit:
                m, n = k + 2, k + 1
                total += entries * m * (m + 1) + g * (n**3 / 3 + 2 * n**2)
            elif cg:
                steps = als.CG_STEPS
                total += entries * 2 * k * (2 + 2 * steps) + g * steps * 2 * k**2
            else:
                total += entries * (k * (k + 1) + 8 * k) + g * (k**3 / 3 + 2 * k**2)
    return total


def load_solver() -> float:
    """Import and load (or, on a machine's first run, compile) the compiled solves; return seconds.

    A fresh process pays this once, in its first exact solve; timing it here keeps it out of the
    first fit below, so the sweep figures are those of a long-lived worker.
    """
    start = time.perf_counter()
    from mfcore import kernels

    kernels.warm_up()
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_training(
    df: pd.DataFrame, sweeps: int, factors: int, reference_gflops: float, **params: object
) -> MatrixFactorization:
    """Fit one model for ``sweeps`` users-and-items sweeps, print its timings, and return it.

    A sweep is two iterations of the default objective (one side each) and one iteration of the
    documented one (users, then items); the figures are printed per iteration and per sweep.
    """
    times: list[float] = []
    objective = str(params.get("objective", "bigquery"))
    per_sweep = 2 if als.OBJECTIVES[objective].half_sweeps else 1
    model = MatrixFactorization(
        num_factors=factors,
        max_iterations=sweeps * per_sweep,
        early_stop=False,
        random_state=0,
        **params,
    )
    start = time.perf_counter()
    model.fit(df, callback=lambda _i, _loss, seconds, _e: times.append(seconds))
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    model.evaluate()
    eval_s = time.perf_counter() - start
    sweep_s = sum(times) / sweeps
    rate = sweep_flops(model) / sweep_s / 1e9
    label = f"{model.options_.feedback_type.lower()}"
    if label == "implicit":
        label += f" {model.implicit_solver}"
    label += f" ({objective})"
    print(
        f"{label:26s} k={factors}: iteration median {np.median(times):.3f} s (min "
        f"{min(times):.3f}, max {max(times):.3f}), {sweep_s:.3f} s per sweep; fit {fit_s:.2f} s "
        f"for {len(times)} iterations incl. setup; evaluate() {eval_s:.2f} s; loss "
        f"{model.training_info()['loss'].iloc[0]:.4f}; {rate:.1f} GFLOP/s = "
        f"{rate / reference_gflops:.0%} of dense matmul; peak RSS {peak_rss_mb():.0f} MB"
    )
    return model


def time_tutorial_fit(df: pd.DataFrame, objective: str) -> None:
    """Fit with the tutorial's options and early stop, as CREATE MODEL does; print the time."""
    model = MatrixFactorization(
        feedback_type="explicit", num_factors=34, l2_reg=9.83, random_state=0, objective=objective
    )
    start = time.perf_counter()
    model.fit(df)
    fit_s = time.perf_counter() - start
    info = model.training_info()
    print(
        f"tutorial fit ({objective}): {model.n_iter_} iterations to early stop in {fit_s:.2f} s "
        f"incl. setup ({info['duration_ms'].sum() / 1000:.2f} s in iterations); loss "
        f"{info['loss'].iloc[0]:.4f}"
    )


def time_implicit_library(df: pd.DataFrame, sweeps: int, factors: int) -> None:
    """Time the ``implicit`` package's CG solver on the same data, if it is installed."""
    try:
        from implicit.cpu.als import AlternatingLeastSquares
    except ImportError:
        print("implicit library: not installed (pip install implicit in a scratch venv)")
        return
    import scipy.sparse as sp

    users = pd.factorize(df["user"])[0]
    items = pd.factorize(df["item"])[0]
    conf = sp.csr_matrix((40.0 * df["rating"].to_numpy(np.float64), (users, items)))
    stamps: list[float] = []
    # Its own threads do the work; BLAS must be single-threaded before it is even built.
    with threadpool_limits(limits=1, user_api="blas"):
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=1.0,
            alpha=1.0,
            iterations=sweeps,
            use_cg=True,
            calculate_training_loss=False,
            random_state=0,
        )
        model.fit_callback = lambda *_args: stamps.append(time.perf_counter())
        start = time.perf_counter()
        model.fit(conf, show_progress=False)
    per_sweep = np.diff([start, *stamps])
    print(
        f"implicit library (CG, float32) k={factors}: sweep median {np.median(per_sweep):.3f} s "
        f"(min {per_sweep.min():.3f}, max {per_sweep.max():.3f})"
    )


def run(name: str, df: pd.DataFrame, sweeps: int, factors: int, reference_gflops: float) -> None:
    """Train explicit and implicit models on ``df`` and print their timings."""
    print(
        f"\n== {name}: {len(df):,} ratings, {df['user'].nunique():,} users, "
        f"{df['item'].nunique():,} items"
    )
    model = time_training(df, sweeps, factors, reference_gflops, l2_reg=9.83)
    time_training(df, sweeps, factors, reference_gflops, l2_reg=9.83, objective="documented")
    for objective in als.OBJECTIVES:
        time_tutorial_fit(df, objective)
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
    for solver in ("cg", "exact"):
        time_training(
            df, sweeps, factors, reference_gflops, feedback_type="implicit", implicit_solver=solver
        )
    time_implicit_library(df, sweeps, factors)


def run_large(factors: int, reference_gflops: float) -> None:
    """Train three explicit sweeps on 25 million synthetic ratings and print peak memory."""
    start = time.perf_counter()
    df = make_ratings(162_541, 59_047, 25_000_095, random_state=0)
    df = df[["user_id", "item_id", "rating"]].rename(columns={"user_id": "user", "item_id": "item"})
    made = time.perf_counter() - start
    print(f"\n== synthetic ml-25m shape: {len(df):,} ratings (generated in {made:.0f} s)")
    time_training(df, 3, factors, reference_gflops, l2_reg=9.83)


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=12)
    parser.add_argument("--factors", type=int, default=34)
    parser.add_argument("--large", action="store_true", help="also train on 25M ratings")
    args = parser.parse_args()
    solver_s = load_solver()
    reference = dense_gflops()
    # numpy's own BLAS does the matmuls; scipy may load a second copy, listed in import order.
    libraries = [i for i in threadpool_info() if i["user_api"] == "blas"]
    blas = next(
        (i for i in libraries if "numpy" in i["filepath"]), libraries[0] if libraries else {}
    )
    print(
        f"threads: {als.default_n_threads()} (MFCORE_NUM_THREADS); BLAS: "
        f"{blas.get('internal_api')} {blas.get('version')} ({blas.get('architecture')} kernels, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}); dense float64 matmul: "
        f"{reference:.1f} GFLOP/s; compiled solves loaded in {solver_s:.2f} s (numba import and "
        "cache load or compile, once per process)"
    )
    synthetic = make_ratings(6040, 3706, 1_000_209, random_state=0)
    run(
        "synthetic ml-1m shape",
        synthetic[["user_id", "item_id", "rating"]].rename(
            columns={"user_id": "user", "item_id": "item"}
        ),
        args.sweeps,
        args.factors,
        reference,
    )
    root = os.environ.get("MOVIELENS_DIR")
    path = Path(root) / "ml-1m" / "ratings.dat" if root else None
    if path is not None and path.exists():
        # "::"-separated; splitting on ":" lets the fast C parser read it (fields 0, 2 and 4).
        real = pd.read_csv(
            path, sep=":", header=None, usecols=[0, 2, 4], names=["user", "item", "rating"]
        )
        run("MovieLens 1M", real, args.sweeps, args.factors, reference)
    else:
        print("\n(set MOVIELENS_DIR to a folder with ml-1m/ratings.dat to include real data)")
    if args.large:
        run_large(args.factors, reference)


if __name__ == "__main__":
    main()
