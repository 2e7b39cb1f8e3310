"""Compiled batched Cholesky solves for the per-row normal equations of ALS.

numpy's batched ``linalg.solve`` hands each small system to LAPACK's LU separately; for the
35 x 35 systems of a 34-factor model that costs 12-17 microseconds each, mostly call overhead,
and it was 40 % of an explicit sweep (``docs/fidelity.md``). The loops below do the same work
in about 4 microseconds per system. Numba compiles them on first use and caches the machine
code on disk (``cache=True``): the first process on a machine compiles (about 1.5 s), later ones
load the cache (about 0.5 s, plus about a second to import numba; ``mfcore.als`` imports this
module only when it first solves).

The systems are symmetric positive definite (a Gram matrix plus a positive penalty on the
factors; an unpenalised intercept keeps it so for any row with a rating), so Cholesky needs no
pivoting. ``reassoc`` lets LLVM vectorise the dot products; the instruction
sequence is fixed per machine, so results stay independent of the number of threads that call
it. ``error_model="numpy"`` makes a NaN or singular system give NaN, which the caller reports as
divergence, instead of raising ``ZeroDivisionError`` inside a worker thread.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Fast-math limited to what vectorising the dot products needs; no assumptions about NaN or inf.
_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"reassoc", "contract"}}


@njit(**_JIT)
def _factor_and_solve(low: np.ndarray, x: np.ndarray) -> None:
    """Factor ``low[:n, :n] = L L'`` in place (lower triangle); overwrite ``x`` with the solution.

    ``n = x.size``; nothing outside the lower triangle of the leading ``n x n`` block is written.
    """
    n = x.size
    for j in range(n):
        s = low[j, j]
        for p in range(j):
            s -= low[j, p] * low[j, p]
        d = np.sqrt(s)
        low[j, j] = d
        inv = 1.0 / d
        for i in range(j + 1, n):
            t = low[i, j]
            for p in range(j):
                t -= low[i, p] * low[j, p]
            low[i, j] = t * inv
    for i in range(n):
        t = x[i]
        for p in range(i):
            t -= low[i, p] * x[p]
        x[i] = t / low[i, i]
    for i in range(n - 1, -1, -1):
        t = x[i]
        for p in range(i + 1, n):
            t -= low[p, i] * x[p]
        x[i] = t / low[i, i]


@njit(**_JIT)
def cholesky_solve(a: np.ndarray, b: np.ndarray) -> None:
    """Solve ``a[g, :n, :n] x = b[g]`` for every g, with ``n = b.shape[1]``, in place.

    Parameters
    ----------
    a : ndarray of float64, shape (g, m, m), m >= n
        Symmetric positive definite systems; only the lower triangle of the leading ``n x n``
        block is read, and it is overwritten with the Cholesky factor ``L`` (``a = L L'``).
        Entries outside that triangle are left untouched.
    b : ndarray of float64, shape (g, n)
        Right-hand sides, overwritten with the solutions.
    """
    for g in range(a.shape[0]):
        _factor_and_solve(a[g], b[g])


@njit(**_JIT)
def ridge_solve(
    gram: np.ndarray, penalty: np.ndarray, bias_penalty: float, out: np.ndarray
) -> float:
    """Solve every ridge system held in an augmented Gram matrix; return the summed residuals.

    Parameters
    ----------
    gram : ndarray of float64, shape (g, n + 1, n + 1)
        ``[[D'D, D't], [t'D, t't]]`` for each system's design ``D`` and target ``t``; only the
        lower triangle is read, and the leading ``n x n`` block of it is overwritten. The last of
        the ``n`` unknowns is the intercept.
    penalty : ndarray of float64, shape (g,)
        Each system's ridge penalty on its first ``n - 1`` unknowns (the factors), added to their
        diagonal entries of ``D'D``.
    bias_penalty : float
        The penalty on the intercept (0 leaves it unpenalised; the system stays positive
        definite as long as the factor penalty is positive and the row has a rating).
    out : ndarray of float64, shape (g, n)
        Receives each solution ``z = (D'D + P)^-1 D't``, ``P = diag(penalty, ..., bias_penalty)``.

    Returns
    -------
    float
        ``sum_g |t - D z|^2``, computed as ``t't - z'D't - z'P z`` (the normal equations).
    """
    n = out.shape[1]
    total = 0.0
    for g in range(gram.shape[0]):
        low = gram[g]
        z = out[g]
        p = penalty[g]
        for i in range(n - 1):
            low[i, i] += p
            z[i] = low[n, i]
        low[n - 1, n - 1] += bias_penalty
        z[n - 1] = low[n, n - 1]
        _factor_and_solve(low, z)
        residual = low[n, n] - bias_penalty * z[n - 1] * z[n - 1]
        for i in range(n):
            residual -= z[i] * low[n, i]
        for i in range(n - 1):
            residual -= p * z[i] * z[i]
        total += residual
    return total


def warm_up() -> None:
    """Load (or, on a machine's first run, compile) the kernels now rather than in a first fit."""
    cholesky_solve(np.eye(2)[None], np.ones((1, 2)))
    ridge_solve(np.eye(3)[None], np.ones(1), 1.0, np.empty((1, 2)))
