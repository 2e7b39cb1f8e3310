"""Validation of matrix-factorization options, with BigQuery's names, defaults and ranges."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from mfcore.errors import OptionError

FEEDBACK_TYPES = ("EXPLICIT", "IMPLICIT")
DATA_SPLIT_METHODS = ("NO_SPLIT", "AUTO_SPLIT", "RANDOM", "CUSTOM", "SEQ")
SPLIT_METHODS_WITH_COL = ("CUSTOM", "SEQ")
MIN_FACTORS, MAX_FACTORS = 2, 200
DEFAULT_WALS_ALPHA = 40.0


def _option(bigquery: str | None, label: str, choices: tuple[str, ...] = ()) -> Any:
    """Declare an option with its other BigQuery names: REST's trainingOptions field, a label."""
    return field(metadata={"bigquery": bigquery, "label": label, "choices": choices})


@dataclass(frozen=True)
class Options:
    """Checked, normalised options. ``num_factors`` stays None until the data size is known.

    Each field also carries how BigQuery names the option elsewhere (``OPTION_INFO``): its field in
    the REST API's ``trainingOptions`` and its label on the console's model page.
    """

    feedback_type: str = _option("feedbackType", "Feedback type", FEEDBACK_TYPES)
    num_factors: int | None = _option("numFactors", "Number of factors")
    user_col: str = _option("userColumn", "User column")
    item_col: str = _option("itemColumn", "Item column")
    # The REST API shows the rating column as inputLabelColumns, a list.
    rating_col: str = _option(None, "Rating column")
    l2_reg: float = _option("l2Regularization", "L2 regularization")
    max_iterations: int = _option("maxIterations", "Max allowed iterations")
    early_stop: bool = _option("earlyStop", "Early stop")
    min_rel_progress: float = _option("minRelativeProgress", "Min relative progress")
    wals_alpha: float | None = _option("walsAlpha", "WALS alpha")
    data_split_method: str = _option("dataSplitMethod", "Data split method", DATA_SPLIT_METHODS)
    data_split_eval_fraction: float = _option(
        "dataSplitEvalFraction", "Data split evaluation fraction"
    )
    data_split_col: str | None = _option("dataSplitColumn", "Data split column")

    def as_dict(self) -> dict[str, object]:
        """Return the options as a plain dict (JSON-serialisable)."""
        return asdict(self)


# The one list of the options: the estimator's parameters, validate() and the SQL engine's
# OPTIONS(...) all read it from the dataclass above, so an option is added in one place.
OPTION_NAMES: tuple[str, ...] = tuple(field.name for field in fields(Options))


@dataclass(frozen=True)
class OptionInfo:
    """An option's type and its names outside SQL."""

    type: str  # int, float, bool or str
    bigquery: str | None
    label: str
    choices: tuple[str, ...]


OPTION_INFO: dict[str, OptionInfo] = {
    f.name: OptionInfo(
        type=str(f.type).split(" |")[0],
        bigquery=f.metadata["bigquery"],
        label=f.metadata["label"],
        choices=f.metadata["choices"],
    )
    for f in fields(Options)
}


def sql_name(option: str) -> str:
    """Return an option's name as SQL writes it and BigQuery's messages show it: ``NUM_FACTORS``."""
    return option.upper()


# CREATE MODEL's OPTIONS(...) for matrix factorization, as BigQuery lists them: the model type
# the statement chooses, then the options above.
SQL_OPTION_NAMES: tuple[str, ...] = ("MODEL_TYPE", *(sql_name(name) for name in OPTION_NAMES))


def show(value: object) -> str:
    """Return a value the way a SQL user would write it: NULL, TRUE, 'text', 12."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def _fail(option: str, value: object, allowed: str) -> OptionError:
    return OptionError(f"Invalid value for option {sql_name(option)}: {show(value)}. {allowed}")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _choice(given: Mapping[str, object], option: str, allowed: tuple[str, ...]) -> str:
    value = given[option]
    if isinstance(value, str) and value.upper() in allowed:
        return value.upper()
    names = ", ".join(f"'{a}'" for a in allowed)
    raise _fail(option, value, f"Expected one of {names} (case-insensitive).")


def _real(
    given: Mapping[str, object],
    option: str,
    *,
    low: float,
    low_open: bool,
    high: float | None = None,
    high_open: bool = True,
    allowed: str,
) -> float:
    value = given[option]
    ok = _is_real(value) and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = (v > low if low_open else v >= low) and (
            high is None or (v < high if high_open else v <= high)
        )
    if not ok:
        raise _fail(option, value, allowed)
    return float(value)


def _column(given: Mapping[str, object], option: str) -> str:
    value = given[option]
    if not isinstance(value, str) or not value:
        raise _fail(option, value, "Expected a non-empty column name (string).")
    return value


def validate(**given: object) -> Options:
    """Check every option and return them normalised; raise ``OptionError`` on the first bad one.

    Parameters
    ----------
    **given
        One value for each name in ``OPTION_NAMES``, as the user wrote it.

    Raises
    ------
    OptionError
        Naming the option in BigQuery's upper case, the value given and what is allowed.
    TypeError
        When an option is missing or a name is not an option (a caller's mistake, not a user's).
    """
    if set(given) != set(OPTION_NAMES):
        missing = [name for name in OPTION_NAMES if name not in given]
        unknown = sorted(set(given) - set(OPTION_NAMES))
        raise TypeError(f"validate() got missing options {missing} and unknown ones {unknown}")
    feedback = _choice(given, "feedback_type", FEEDBACK_TYPES)
    num_factors = given["num_factors"]
    if num_factors is not None and not (
        _is_int(num_factors) and MIN_FACTORS <= int(num_factors) <= MAX_FACTORS
    ):
        raise _fail(
            "num_factors",
            num_factors,
            f"Expected an integer between {MIN_FACTORS} and {MAX_FACTORS}.",
        )
    user = _column(given, "user_col")
    item = _column(given, "item_col")
    rating = _column(given, "rating_col")
    if item == user:
        raise _fail("item_col", item, "Expected a column name different from USER_COL.")
    if rating in (user, item):
        raise _fail(
            "rating_col", rating, "Expected a column name different from USER_COL and ITEM_COL."
        )
    l2 = _real(
        given, "l2_reg", low=0.0, low_open=True, allowed="Expected a finite number greater than 0."
    )
    max_iterations = given["max_iterations"]
    if not (_is_int(max_iterations) and int(max_iterations) >= 1):
        raise _fail("max_iterations", max_iterations, "Expected an integer of at least 1.")
    early_stop = given["early_stop"]
    if not isinstance(early_stop, bool | np.bool_):
        raise _fail("early_stop", early_stop, "Expected TRUE or FALSE.")
    progress = _real(
        given,
        "min_rel_progress",
        low=0.0,
        low_open=False,
        allowed="Expected a finite number greater than or equal to 0.",
    )
    if feedback == "EXPLICIT":
        if given["wals_alpha"] is not None:
            raise _fail(
                "wals_alpha",
                given["wals_alpha"],
                "WALS_ALPHA is only allowed when FEEDBACK_TYPE is 'IMPLICIT'.",
            )
        alpha = None
    elif given["wals_alpha"] is None:
        alpha = DEFAULT_WALS_ALPHA
    else:
        alpha = _real(
            given,
            "wals_alpha",
            low=0.0,
            low_open=False,
            allowed="Expected a finite number greater than or equal to 0.",
        )
    method = _choice(given, "data_split_method", DATA_SPLIT_METHODS)
    fraction = _real(
        given,
        "data_split_eval_fraction",
        low=0.0,
        low_open=True,
        high=1.0,
        allowed="Expected a number greater than 0 and less than 1.",
    )
    split_col = _split_col(method, given, (user, item, rating))
    return Options(
        feedback_type=feedback,
        num_factors=None if num_factors is None else int(num_factors),
        user_col=user,
        item_col=item,
        rating_col=rating,
        l2_reg=l2,
        max_iterations=int(max_iterations),
        early_stop=bool(early_stop),
        min_rel_progress=progress,
        wals_alpha=alpha,
        data_split_method=method,
        # BigQuery keeps the fraction to two decimal places.
        data_split_eval_fraction=round(fraction, 2),
        data_split_col=split_col,
    )


def _split_col(method: str, given: Mapping[str, object], taken: tuple[str, str, str]) -> str | None:
    value = given["data_split_col"]
    if method in SPLIT_METHODS_WITH_COL:
        if value is None:
            raise _fail(
                "data_split_col", value, f"DATA_SPLIT_METHOD '{method}' requires a column name."
            )
        col = _column(given, "data_split_col")
        if col in taken:
            raise _fail(
                "data_split_col",
                col,
                "Expected a column other than USER_COL, ITEM_COL and RATING_COL.",
            )
        return col
    if value is not None:
        raise _fail(
            "data_split_col", value, "Expected NULL unless DATA_SPLIT_METHOD is 'CUSTOM' or 'SEQ'."
        )
    return None


def default_num_factors(n_training_rows: int) -> int:
    """Return BigQuery's default ``log2(n)``, rounded half-up and clamped to 2..200."""
    if n_training_rows < 1:
        return MIN_FACTORS
    return int(min(MAX_FACTORS, max(MIN_FACTORS, math.floor(math.log2(n_training_rows) + 0.5))))
