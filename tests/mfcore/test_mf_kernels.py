"""The compiled batched solves against numpy, and numba staying out of ``import mfcore``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from mfcore.kernels import cholesky_solve, ridge_solve


def _spd_systems(g: int, m: int, seed: int = 0) -> np.ndarray:
    """Return ``g`` symmetric positive definite ``m x m`` matrices, as ALS builds them."""
    rng = np.random.default_rng(seed)
    block = rng.normal(size=(g, 3 * m, m))
    return block.transpose(0, 2, 1) @ block + 0.5 * np.eye(m)


def test_it_solves_every_system_like_numpy():
    a = _spd_systems(40, 35)
    b = np.random.default_rng(1).normal(size=(40, 35))
    expected = np.linalg.solve(a, b[:, :, None])[:, :, 0]
    x = b.copy()
    cholesky_solve(a.copy(), x)
    np.testing.assert_allclose(x, expected, rtol=1e-10, atol=1e-12)


def test_it_solves_the_leading_block_and_leaves_the_rest_untouched():
    a = _spd_systems(5, 36)
    work = a.copy()
    b = a[:, :35, 35].copy()
    expected = np.linalg.solve(a[:, :35, :35], b[:, :, None])[:, :, 0]
    cholesky_solve(work, b)
    np.testing.assert_allclose(b, expected, rtol=1e-10, atol=1e-12)
    upper = np.triu_indices(36, 1)
    assert np.array_equal(work[:, upper[0], upper[1]], a[:, upper[0], upper[1]])
    assert np.array_equal(work[:, 35, :], a[:, 35, :])


@pytest.mark.parametrize("bias_penalty", [0.7, 0.0], ids=["penalised", "free-intercept"])
def test_it_solves_ridge_systems_and_sums_their_squared_residuals(bias_penalty):
    rng = np.random.default_rng(2)
    design = rng.normal(size=(6, 50, 5))
    design[:, :, 4] = 1.0  # the intercept column
    target = rng.normal(size=(6, 50))
    augmented = np.concatenate([design, target[:, :, None]], axis=2)
    gram = augmented.transpose(0, 2, 1) @ augmented
    penalty = np.linspace(0.1, 3.0, 6)  # one factor penalty per system
    z = np.empty((6, 5))
    total = ridge_solve(gram, penalty, bias_penalty, z)
    diagonal = np.zeros((6, 5, 5))
    diagonal[:, range(4), range(4)] = penalty[:, None]
    diagonal[:, 4, 4] = bias_penalty
    normal = design.transpose(0, 2, 1) @ design + diagonal
    expected = np.linalg.solve(normal, (design.transpose(0, 2, 1) @ target[:, :, None]))[:, :, 0]
    np.testing.assert_allclose(z, expected, rtol=1e-10, atol=1e-12)
    residuals = target - np.einsum("gwk,gk->gw", design, expected)
    np.testing.assert_allclose(total, np.sum(residuals**2), rtol=1e-10)
    if bias_penalty == 0.0:
        # A free intercept leaves each system's residuals summing to zero.
        np.testing.assert_allclose(residuals.sum(axis=1), 0.0, atol=1e-9)


def test_it_gives_nan_instead_of_raising_on_nan_or_singular_systems():
    a = _spd_systems(2, 4)
    a[0, 0, 0] = np.nan
    a[1] = 0.0
    b = np.ones((2, 4))
    cholesky_solve(a, b)
    assert np.isnan(b).all()


def test_importing_mfcore_does_not_import_numba():
    code = "import sys, mfcore; sys.exit('numba' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
