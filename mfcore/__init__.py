"""mfcore: BigQuery-ML-compatible matrix factorization in numpy and scipy.

The estimator is ``MatrixFactorization``; ``make_ratings`` builds MovieLens-shaped test data.
"""

from __future__ import annotations

from mfcore.errors import DataError, ModelFormatError, NotFittedError, OptionError, TrainingError
from mfcore.model import MatrixFactorization
from mfcore.synthetic import make_ratings

__all__ = [
    "DataError",
    "MatrixFactorization",
    "ModelFormatError",
    "NotFittedError",
    "OptionError",
    "TrainingError",
    "make_ratings",
]
