"""Exceptions raised by mfcore.

Every message is written to be shown to a SQL user verbatim, so options are named the way BigQuery
names them (upper case) and each message says what was given and what is allowed.
"""

from __future__ import annotations


class OptionError(ValueError):
    """An option (hyper-parameter) has a value BigQuery ML would reject."""


class DataError(ValueError):
    """The input DataFrame cannot be used: missing columns, NaN ratings, unusable ids."""


class NotFittedError(RuntimeError):
    """A method that needs a trained model was called before ``fit``."""


class ModelFormatError(ValueError):
    """A saved model file is not one this version of mfcore can read."""


class TrainingError(RuntimeError):
    """Training produced a non-finite loss (diverged)."""
