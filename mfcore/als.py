"""Fast alternating-least-squares sweeps for explicit (biased ALS) and implicit (WALS) feedback.

The per-row normal equations are built with batched dense matrix products: the rows of one side
(users or items) are sorted by their number of ratings and cut into *chunks* of rows with similar
counts. Each chunk gathers its partners' vectors into a zero-padded ``(rows, width, k)`` block, so
one ``matmul`` of the block with its own transpose (numpy hands that to BLAS ``syrk``) forms every
Gram matrix of the chunk and one compiled batched Cholesky solve (``mfcore.kernels``) finishes it.
There is no Python loop per user or item, only one per chunk (a few hundred for MovieLens 1M).

Explicit rows fold everything into that one product: the block holds ``[y_j, 1, t_j]`` (factors,
the bias column, the target), so its Gram matrix carries the normal matrix, the right-hand side and
``t't``, and the training error of the solution follows from it without another pass over the
ratings. Implicit rows use either the exact solve or a few conjugate-gradient steps warm-started
from the previous sweep (the ``implicit`` library's default), which needs only matrix-vector
products with the block.

Determinism: the chunking depends only on the data, each chunk is computed with single-threaded
BLAS and a single-threaded compiled solve, and chunks run on a thread pool whose results are
combined in chunk order. The numbers are therefore bit-identical whatever the number of worker
threads.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from types import ModuleType

import numpy as np
import scipy.sparse as sp

# Entries (rows x padded width) per chunk. A gathered block of 36-wide float64 vectors (2.4 MB)
# stays in L3 cache, and chunks are large enough that the dozen numpy calls each one costs are
# small against its arithmetic (measured on ml-1m: 4,096 to 16,384 are equally fast for exact
# solves; conjugate gradient, with more calls per entry, is twice as slow at 2,048).
CHUNK_ENTRIES = 8_192
# Conjugate gradient runs more, cheaper numpy calls per entry (matrix-vector products on float32
# blocks), so it wants bigger chunks: on ml-1m 32,768 was fastest, 2x faster than 8,192 with two
# threads, while 65,536 falls out of cache.
CG_CHUNK_ENTRIES = 32_768
# Rows whose counts are within this ratio share a chunk, bounding padding waste to about 25%
# (on MovieLens it is under 1%, since most rows are in long runs of similar counts).
_WIDTH_RATIO = 1.25
_WIDTH_SLACK = 4
# Chunks are handed to the thread pool in groups of about this many entries, so the pool's
# per-task cost stays negligible while threads still share the work evenly.
_TASK_ENTRIES = 65_536
# Conjugate-gradient steps per row and sweep for implicit feedback (the implicit library's
# default): warm-started from the previous sweep, three steps give nearly the exact solution.
CG_STEPS = 3
# Below this squared residual norm a row's CG has converged; stepping on would divide by ~0.
_CG_TINY = 1e-20
IMPLICIT_SOLVERS = ("cg", "exact")


@dataclass(frozen=True)
class Chunk:
    """A block of rows with similar rating counts, padded to a common width.

    Attributes
    ----------
    start : int
        Position of the chunk's first row in its side's solve order (``Side.order``).
    rows : ndarray of int64, shape (g,)
        Which rows of this side the chunk solves.
    cols : ndarray of int64, shape (g, width)
        Partner indices; padding points at ``n_partners``, a row of zeros appended to the
        partner matrix, so padded slots contribute nothing to any product.
    vals : ndarray of float64, shape (g, width)
        Ratings; 0 in padding.
    counts : ndarray of float64, shape (g,)
        Each row's number of ratings (its entries that are not padding).
    """

    start: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True)
class Side:
    """One side (users or items) of the rating matrix, cut into chunks.

    Attributes
    ----------
    n_rows : int
        Rows on this side, including rows without ratings (they are solved in closed form).
    order : ndarray of int64
        The rows with ratings, in chunk order: ``order[c.start : c.start + len(c.rows)]`` is
        ``c.rows``.
    chunks : tuple of Chunk
    tasks : tuple of tuple of Chunk
        Consecutive chunks grouped into units of work for the thread pool.
    n_ratings : int
    """

    n_rows: int
    order: np.ndarray
    chunks: tuple[Chunk, ...]
    tasks: tuple[tuple[Chunk, ...], ...]
    n_ratings: int


def make_side(matrix: sp.csr_matrix, chunk_entries: int = CHUNK_ENTRIES) -> Side:
    """Cut the rows of a CSR matrix into padded chunks of rows with similar lengths.

    Rows without entries are left out of the chunks: they have no data term. A chunk holds at
    most ``chunk_entries`` padded entries unless a single row is longer.
    """
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices.astype(np.int64)
    data = matrix.data.astype(np.float64)
    n_partners = matrix.shape[1]
    lengths = np.diff(indptr)
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] > 0]
    sorted_len = lengths[order]
    chunks: list[Chunk] = []
    start = 0
    while start < order.size:
        low = sorted_len[start]
        limit = max(int(low * _WIDTH_RATIO), low + _WIDTH_SLACK)
        end = int(np.searchsorted(sorted_len, limit, side="right"))
        width = int(sorted_len[end - 1])
        end = min(end, start + max(1, chunk_entries // width))
        width = int(sorted_len[end - 1])
        rows = order[start:end]
        slot = np.arange(width)
        mask = slot[None, :] < lengths[rows][:, None]
        flat = np.minimum(indptr[rows][:, None] + slot[None, :], max(indices.size - 1, 0))
        cols = np.where(mask, indices[flat], n_partners)
        vals = np.where(mask, data[flat], 0.0)
        counts = lengths[rows].astype(np.float64)
        chunks.append(Chunk(start=start, rows=rows, cols=cols, vals=vals, counts=counts))
        start = end
    tasks: list[tuple[Chunk, ...]] = []
    group: list[Chunk] = []
    entries = 0
    for chunk in chunks:
        group.append(chunk)
        entries += chunk.cols.size
        if entries >= _TASK_ENTRIES:
            tasks.append(tuple(group))
            group, entries = [], 0
    if group:
        tasks.append(tuple(group))
    return Side(
        n_rows=matrix.shape[0],
        order=order,
        chunks=tuple(chunks),
        tasks=tuple(tasks),
        n_ratings=int(matrix.nnz),
    )


@dataclass
class SideResult:
    """What one half-sweep returns: new vectors (and biases) plus a loss piece over its ratings."""

    factors: np.ndarray
    bias: np.ndarray | None
    sq_error: float


def _kernels() -> ModuleType:
    """Return ``mfcore.kernels``, the compiled solves, importing it on first use.

    numba takes about a second to import, which every process that imports ``mfcore`` (the web
    console included) would otherwise pay without ever training.
    """
    from mfcore import kernels

    return kernels


def _scatter(side: Side, solved: np.ndarray) -> np.ndarray:
    """Return an ``(n_rows, ...)`` array: solved values at ``side.order``, zeros elsewhere."""
    out = np.zeros((side.n_rows, *solved.shape[1:]))
    out[side.order] = solved
    return out


def solve_explicit_side(
    side: Side,
    other_factors: np.ndarray,
    other_bias: np.ndarray,
    global_mean: float,
    penalty: ExplicitPenalty,
    map_tasks: Callable,
) -> SideResult:
    """Solve every row's factors and bias with the other side fixed (one side of an ALS sweep).

    For row ``u`` with partners ``j`` the model is ``mu + b_u + c_j + x_u . y_j``. Appending a
    constant 1 to each ``y_j`` turns ``b_u`` into one more unknown, so ``z = [x_u, b_u]`` solves
    the ridge system ``(Y~'Y~ + P_u) z = Y~'t`` with ``t = r - mu - c`` and ``P_u`` the row's
    penalties (``ExplicitPenalty``). The block also carries ``t`` as a last column, so its Gram
    matrix holds ``Y~'t`` and ``t't`` too, and the row's squared error is
    ``t't - z'Y~'t - z'P_u z`` (expand ``|t - Y~z|^2`` and use the normal equations). Rows
    without ratings get zeros (their loss term is the penalty alone).

    Returns
    -------
    SideResult
        New ``factors`` (n_rows, k), ``bias`` (n_rows,) and the sum of squared training errors
        over all ratings, evaluated with the new values.
    """
    ridge_solve = _kernels().ridge_solve
    n_other, k = other_factors.shape
    n = k + 1
    # Partner rows [y_j, 1, -(mu + c_j)] and a zero padding row at index n_other; adding the
    # rating to the last column gives the target t_j.
    aug = np.zeros((n_other + 1, k + 2))
    aug[:n_other, :k] = other_factors
    aug[:n_other, k] = 1.0
    aug[:n_other, k + 1] = -(global_mean + other_bias)
    solved = np.empty((side.order.size, n))

    def work(chunk: Chunk) -> float:
        g, width = chunk.cols.shape
        # Indices are valid by construction; "clip" spares numpy a checked, buffered copy.
        block = np.take(
            aug, chunk.cols, axis=0, out=_scratch("block", (g, width, k + 2)), mode="clip"
        )
        block[:, :, k + 1] += chunk.vals
        gram = np.matmul(block.transpose(0, 2, 1), block, out=_scratch("gram", (g, k + 2, k + 2)))
        return ridge_solve(
            gram,
            penalty.factors(chunk),
            penalty.intercept,
            solved[chunk.start : chunk.start + g],
        )

    sq_error = _ordered_sum(map_tasks(work, side.tasks))
    full = _scatter(side, solved)
    return SideResult(factors=full[:, :k], bias=full[:, k].copy(), sq_error=sq_error)


def solve_implicit_side(
    side: Side,
    own_factors: np.ndarray,
    other_factors: np.ndarray,
    l2_reg: float,
    alpha: float,
    map_tasks: Callable,
    *,
    cg_steps: int | None = CG_STEPS,
    with_loss: bool = True,
) -> SideResult:
    """Solve every row's factors with the other side fixed (one half of a WALS sweep).

    Hu, Koren and Volinsky (2008): with confidence ``c = 1 + alpha |r|`` and preference
    ``p = [r > 0]``, ``x_u = (Y'Y + Y'(C_u - I)Y + l2 I)^-1 Y'C_u p_u``. ``Y'Y`` is shared by all
    rows (the Gram trick), so each row only touches its own rated items.

    Parameters
    ----------
    own_factors : ndarray
        This side's current vectors, the starting point of conjugate gradient.
    cg_steps : int or None
        Conjugate-gradient steps per row, run in float32 as the ``implicit`` library does (the
        steps are memory-bound, and an approximate solve gains nothing from more digits); None
        solves the normal equations exactly in float64.
    with_loss : bool
        Whether to compute the loss piece (only the second half of a sweep needs it).

    Returns
    -------
    SideResult
        New ``factors`` (float64) and, in ``sq_error``, the observed-pair part of the weighted
        loss, ``sum_S [c (p - s)^2 - s^2]``, which the caller completes with the Gram term.
    """
    k = other_factors.shape[1]
    dtype = np.float64 if cg_steps is None else np.float32
    cholesky_solve = _kernels().cholesky_solve if cg_steps is None else None
    padded = np.vstack([other_factors, np.zeros((1, k))]).astype(dtype)
    shared = (other_factors.T @ other_factors + l2_reg * np.eye(k)).astype(dtype)
    start = own_factors.astype(dtype)
    solved = np.empty((side.order.size, k))

    def work(chunk: Chunk) -> float:
        block = np.take(padded, chunk.cols, axis=0)
        extra = (alpha * np.abs(chunk.vals)).astype(dtype)  # c - 1; 0 in padding
        positive = chunk.vals > 0
        target = (1.0 + extra) * positive  # c p
        if cg_steps is None:
            weighted = block * np.sqrt(extra)[:, :, None]
            g = block.shape[0]
            gram = np.matmul(weighted.transpose(0, 2, 1), weighted, out=_scratch("gram", (g, k, k)))
            gram += shared
            x = np.ascontiguousarray(_matvec_t(block, target))
            cholesky_solve(gram, x)
            score = _matvec(block, x) if with_loss else None
        else:
            x, score = _conjugate_gradient(
                block, extra, shared, target, start[chunk.rows], cg_steps
            )
        solved[chunk.start : chunk.start + x.shape[0]] = x
        if not with_loss:
            return 0.0
        # Padding has c = 1, p = 0 and s = 0, so it adds nothing to this sum.
        s = score.astype(np.float64)
        part = (1.0 + alpha * np.abs(chunk.vals)) * (positive - s) ** 2 - s**2
        return float(part.sum())

    observed = _ordered_sum(map_tasks(work, side.tasks))
    return SideResult(factors=_scatter(side, solved), bias=None, sq_error=observed)


def _conjugate_gradient(
    block: np.ndarray,
    extra: np.ndarray,
    shared: np.ndarray,
    target: np.ndarray,
    start: np.ndarray,
    steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``steps`` CG iterations on every row's system at once.

    Row g solves ``(shared + B_g' diag(extra_g) B_g) x = B_g' target_g``, with the matrix applied
    through products with ``B_g`` and never formed. Rows stop stepping once their residual
    vanishes.

    Returns
    -------
    x : ndarray (g, k)
        The solutions.
    score : ndarray (g, width)
        ``B_g x_g``, the new scores of the row's rated partners, kept up to date along the way
        so the loss needs no extra product.
    """
    x = start.copy()
    score = _matvec(block, x)
    residual = _matvec_t(block, target - extra * score) - x @ shared
    direction = residual.copy()
    rs = np.einsum("gk,gk->g", residual, residual)
    for _ in range(steps):
        active = rs > _CG_TINY
        if not active.any():
            break
        projected = _matvec(block, direction)
        product = direction @ shared + _matvec_t(block, extra * projected)
        curvature = np.einsum("gk,gk->g", direction, product)
        step = np.divide(rs, curvature, out=np.zeros_like(rs), where=active & (curvature > 0))
        x += step[:, None] * direction
        score += step[:, None] * projected
        residual -= step[:, None] * product
        rs_new = np.einsum("gk,gk->g", residual, residual)
        beta = np.divide(rs_new, rs, out=np.zeros_like(rs), where=active)
        direction = residual + beta[:, None] * direction
        rs = rs_new
    return x, score


def _ordered_sum(parts: Iterator[float]) -> float:
    """Return the sum of task results in task order, so it does not depend on thread timing."""
    total = 0.0
    for part in parts:
        total += part
    return total


_local = threading.local()


def _scratch(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return this thread's reusable float64 buffer ``name``, viewed with ``shape``.

    Chunks write their gathered blocks and Gram matrices into the same few megabytes again and
    again instead of fresh allocations, which cost page faults and cache misses every time.
    """
    size = int(np.prod(shape))
    buffers = _local.__dict__.setdefault("buffers", {})
    buffer = buffers.get(name)
    if buffer is None or buffer.size < size:
        buffer = np.empty(max(size, 2 * (0 if buffer is None else buffer.size)))
        buffers[name] = buffer
    return buffer[:size].reshape(shape)


def _matvec(block: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Return ``block[g] @ x[g]`` for every g: (g, w, k), (g, k) -> (g, w)."""
    return np.matmul(block, x[:, :, None])[:, :, 0]


def _matvec_t(block: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return ``block[g].T @ v[g]`` for every g: (g, w, k), (g, w) -> (g, k)."""
    return np.matmul(v[:, None, :], block)[:, 0, :]


def implicit_loss(
    observed_part: float,
    user_factors: np.ndarray,
    item_factors: np.ndarray,
    l2_reg: float,
) -> float:
    """Return the full WALS objective divided by ``n_users * n_items``.

    ``sum_{u,i} c_ui (p_ui - x_u.y_i)^2 + l2 (|X|^2 + |Y|^2)``: unobserved pairs have ``c = 1``
    and ``p = 0``, so their total is ``trace(X'X Y'Y)`` minus the observed pairs' ``s^2``, which
    ``observed_part`` already subtracted.
    """
    gram_term = float(np.sum((user_factors.T @ user_factors) * (item_factors.T @ item_factors)))
    penalty = l2_reg * float(np.sum(user_factors**2) + np.sum(item_factors**2))
    n_pairs = user_factors.shape[0] * item_factors.shape[0]
    return (observed_part + gram_term + penalty) / n_pairs


def default_n_threads() -> int:
    """Return ``MFCORE_NUM_THREADS`` if set, else the number of CPUs this process may use."""
    value = os.environ.get("MFCORE_NUM_THREADS")
    if value:
        n = int(value)
        if n < 1:
            raise ValueError(f"MFCORE_NUM_THREADS must be a positive integer, got {value!r}.")
        return n
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class TaskMapper:
    """Map a per-chunk function over task groups on a thread pool, yielding per-task sums.

    numpy releases the GIL inside ``take`` and ``matmul``, and the compiled Cholesky solve runs
    without it, so threads give real parallelism. Callers must keep BLAS single-threaded while
    mapping (see ``model.fit``) to avoid oversubscription and to keep results independent of the
    thread count. Float overflow is ignored inside the workers (``np.errstate`` is per thread):
    the caller turns a non-finite loss into an error.
    """

    def __init__(self, n_threads: int) -> None:
        self.n_threads = n_threads
        self._pool = ThreadPoolExecutor(n_threads) if n_threads > 1 else None

    def __call__(
        self, func: Callable[[Chunk], float], tasks: Sequence[tuple[Chunk, ...]]
    ) -> Iterator[float]:
        def run(task: tuple[Chunk, ...]) -> float:
            total = 0.0
            with np.errstate(over="ignore", invalid="ignore"):
                for chunk in task:
                    total += func(chunk)
            return total

        if self._pool is None:
            return map(run, tasks)
        return self._pool.map(run, tasks)

    def close(self) -> None:
        """Shut the pool down."""
        if self._pool is not None:
            self._pool.shutdown()

    def __enter__(self) -> TaskMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Objective:
    """How training turns BigQuery's options into alternating solves.

    ``OBJECTIVES`` holds the two that mfcore offers; ``docs/fidelity.md`` gives the evidence for
    each attribute of the default.

    Attributes
    ----------
    half_sweeps : bool
        True: one reported iteration solves one side with the other fixed, items at iteration
        0, then users, alternating (TensorFlow's WALS calls that a sweep). False: one iteration
        solves users, then items.
    l2_per_rating : float or None
        Explicit models. A number: each user's and each item's factors pay
        ``l2_reg * l2_per_rating * n |x|^2``, ``n`` being its number of ratings (ALS-WR's
        weighted-lambda penalty). None: they pay ``l2_reg |x|^2`` whatever their ratings, the
        documented loss taken literally.
    penalise_intercepts : bool
        Explicit models: whether the user and item intercepts pay the same penalty as the
        factors (otherwise they are free, and the mean residual of the side solved last is 0).
    explicit_init_scale, implicit_init_scale : float
        Initial factors are drawn from ``N(0, scale^2 / k)``.
    """

    half_sweeps: bool
    l2_per_rating: float | None
    penalise_intercepts: bool
    explicit_init_scale: float
    implicit_init_scale: float

    def init_scale(self, implicit: bool) -> float:
        """Return the spread of the initial factors (times ``sqrt(k)``)."""
        return self.implicit_init_scale if implicit else self.explicit_init_scale

    def steps(self, iteration: int) -> tuple[str, ...]:
        """Return the sides solved, in order, by iteration ``iteration`` (0-based)."""
        if not self.half_sweeps:
            return (USERS, ITEMS)
        return (ITEMS,) if iteration % 2 == 0 else (USERS,)

    def explicit_penalty(self, l2_reg: float) -> ExplicitPenalty:
        """Return the penalties an explicit model's rows pay for ``L2_REG = l2_reg``."""
        per_rating = None if self.l2_per_rating is None else l2_reg * self.l2_per_rating
        return ExplicitPenalty(
            l2_reg=l2_reg,
            per_rating=per_rating,
            intercept=l2_reg if self.penalise_intercepts else 0.0,
        )


@dataclass(frozen=True)
class ExplicitPenalty:
    """The ridge penalties of explicit rows: on the factors (scaled or not) and the intercept."""

    l2_reg: float
    per_rating: float | None
    intercept: float

    def factors(self, chunk: Chunk) -> np.ndarray:
        """Return the factor penalty of each of the chunk's rows."""
        if self.per_rating is None:
            return np.full(chunk.counts.shape, self.l2_reg)
        return self.per_rating * chunk.counts


USERS, ITEMS = "users", "items"
# L2_REG per rating, from the one published BigQuery run with its curve (the explicit tutorial:
# MovieLens 1M, L2_REG = 9.83, NUM_FACTORS = 34); docs/fidelity.md gives the fit and what it
# rests on.
L2_PER_RATING = 1 / 600
OBJECTIVES = {
    # What BigQuery's published explicit run shows (inferred, docs/fidelity.md). Implicit
    # models start small: from N(0, 1/k) their random part takes twice the iterations to decay.
    "bigquery": Objective(
        half_sweeps=True,
        l2_per_rating=L2_PER_RATING,
        penalise_intercepts=False,
        explicit_init_scale=1.0,
        implicit_init_scale=0.1,
    ),
    # BigQuery's documented loss taken literally: unscaled L2_REG on factors and intercepts.
    "documented": Objective(
        half_sweeps=False,
        l2_per_rating=None,
        penalise_intercepts=True,
        explicit_init_scale=0.1,
        implicit_init_scale=0.1,
    ),
}


@dataclass
class FactorState:
    """The parameters ALS updates. Biases and ``global_mean`` stay 0 for implicit models."""

    user_factors: np.ndarray
    item_factors: np.ndarray
    user_bias: np.ndarray
    item_bias: np.ndarray
    global_mean: float


def init_state(
    rng: np.random.Generator,
    n_users: int,
    n_items: int,
    k: int,
    global_mean: float,
    scale: float,
) -> FactorState:
    """Return starting factors drawn from N(0, scale^2 / k), so initial scores are about scale^2.

    A solve reads only the other side's factors, so the side solved first starts from the other
    side's draw; its own draw is where conjugate gradient starts.
    """
    spread = scale / np.sqrt(k)
    return FactorState(
        user_factors=rng.normal(0.0, spread, (n_users, k)),
        item_factors=rng.normal(0.0, spread, (n_items, k)),
        user_bias=np.zeros(n_users),
        item_bias=np.zeros(n_items),
        global_mean=global_mean,
    )


def explicit_step(
    state: FactorState,
    which: str,
    users: Side,
    items: Side,
    penalty: ExplicitPenalty,
    map_tasks: Callable,
) -> tuple[FactorState, float]:
    """Solve one side (``USERS`` or ``ITEMS``) with the other fixed; return the state and MSE."""
    if which == USERS:
        solved = solve_explicit_side(
            users, state.item_factors, state.item_bias, state.global_mean, penalty, map_tasks
        )
        new = replace(state, user_factors=solved.factors, user_bias=solved.bias)
    else:
        solved = solve_explicit_side(
            items, state.user_factors, state.user_bias, state.global_mean, penalty, map_tasks
        )
        new = replace(state, item_factors=solved.factors, item_bias=solved.bias)
    return new, solved.sq_error / max(users.n_ratings, 1)


def implicit_step(
    state: FactorState,
    which: str,
    users: Side,
    items: Side,
    l2_reg: float,
    alpha: float,
    map_tasks: Callable,
    *,
    cg_steps: int | None = CG_STEPS,
    with_loss: bool = True,
) -> tuple[FactorState, float]:
    """Solve one side's WALS factors with the other fixed; return the state and normalised loss.

    With ``with_loss=False`` the loss is not computed and NaN is returned in its place.
    """
    solve_users = which == USERS
    own, other = (
        (state.user_factors, state.item_factors)
        if solve_users
        else (state.item_factors, state.user_factors)
    )
    solved = solve_implicit_side(
        users if solve_users else items,
        own,
        other,
        l2_reg,
        alpha,
        map_tasks,
        cg_steps=cg_steps,
        with_loss=with_loss,
    )
    if solve_users:
        new = replace(state, user_factors=solved.factors)
    else:
        new = replace(state, item_factors=solved.factors)
    if not with_loss:
        return new, math.nan
    return new, implicit_loss(solved.sq_error, new.user_factors, new.item_factors, l2_reg)


def iterate(
    state: FactorState,
    iteration: int,
    users: Side,
    items: Side,
    objective: Objective,
    *,
    implicit: bool,
    l2_reg: float,
    alpha: float | None,
    map_tasks: Callable,
    cg_steps: int | None = CG_STEPS,
) -> tuple[FactorState, float]:
    """Run reported iteration ``iteration``; return the new state and its training loss.

    Explicit loss: the MSE over the training ratings. Implicit: the WALS objective divided by
    ``n_users * n_items`` (``implicit_loss``). Both are evaluated after the last side solved.
    """
    steps = objective.steps(iteration)
    penalty = objective.explicit_penalty(l2_reg)
    loss = math.nan
    for n, which in enumerate(steps):
        if implicit:
            last = n == len(steps) - 1
            state, loss = implicit_step(
                state,
                which,
                users,
                items,
                l2_reg,
                alpha,
                map_tasks,
                cg_steps=cg_steps,
                with_loss=last,
            )
        else:
            state, loss = explicit_step(state, which, users, items, penalty, map_tasks)
    return state, loss
