"""mfcore: BigQuery-ML-compatible matrix factorization in numpy and scipy.

The estimator is ``MatrixFactorization``; ``make_ratings`` builds MovieLens-shaped test data.
Both load on first use: a program that needs only ``mfcore.metrics`` or ``mfcore.options`` (the
catalog's models, the `bq` command) does not pay for pandas and scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mfcore.errors import DataError, ModelFormatError, NotFittedError, OptionError, TrainingError

if TYPE_CHECKING:
    from mfcore.model import MatrixFactorization
    from mfcore.synthetic import make_ratings

_LAZY = {"MatrixFactorization": "mfcore.model", "make_ratings": "mfcore.synthetic"}

__all__ = [
    "DataError",
    "MatrixFactorization",
    "ModelFormatError",
    "NotFittedError",
    "OptionError",
    "TrainingError",
    "make_ratings",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'mfcore' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
