"""Option validation, defaults and the sklearn estimator contract."""

from __future__ import annotations

import numpy as np
import pytest

from mfcore import MatrixFactorization, NotFittedError, OptionError
from mfcore.options import OPTION_NAMES, SQL_OPTION_NAMES, default_num_factors, validate

BAD_OPTIONS = [
    ({"feedback_type": "both"}, "Invalid value for option FEEDBACK_TYPE: 'both'. Expected one of"),
    ({"feedback_type": 1}, "FEEDBACK_TYPE: 1."),
    (
        {"num_factors": 500},
        "Invalid value for option NUM_FACTORS: 500. Expected an integer between 2 and 200.",
    ),
    ({"num_factors": 1}, "NUM_FACTORS: 1."),
    ({"num_factors": 8.0}, "NUM_FACTORS: 8.0."),
    ({"num_factors": True}, "NUM_FACTORS: TRUE."),
    ({"user_col": ""}, "USER_COL: ''. Expected a non-empty column name"),
    ({"item_col": 3}, "ITEM_COL: 3."),
    ({"item_col": "user"}, "ITEM_COL: 'user'. Expected a column name different from USER_COL."),
    ({"rating_col": "item"}, "RATING_COL: 'item'."),
    ({"l2_reg": 0.0}, "L2_REG: 0.0. Expected a finite number greater than 0."),
    ({"l2_reg": -1}, "L2_REG: -1."),
    ({"l2_reg": float("nan")}, "L2_REG: nan."),
    ({"l2_reg": "1"}, "L2_REG: '1'."),
    ({"max_iterations": 0}, "MAX_ITERATIONS: 0. Expected an integer of at least 1."),
    ({"max_iterations": 2.5}, "MAX_ITERATIONS: 2.5."),
    ({"early_stop": "yes"}, "EARLY_STOP: 'yes'. Expected TRUE or FALSE."),
    ({"min_rel_progress": -0.1}, "MIN_REL_PROGRESS: -0.1."),
    (
        {"wals_alpha": 10.0},
        "WALS_ALPHA: 10.0. WALS_ALPHA is only allowed when FEEDBACK_TYPE is 'IMPLICIT'.",
    ),
    ({"feedback_type": "implicit", "wals_alpha": -1.0}, "WALS_ALPHA: -1.0. Expected a finite"),
    ({"data_split_method": "half"}, "DATA_SPLIT_METHOD: 'half'. Expected one of"),
    (
        {"data_split_eval_fraction": 1.0},
        "DATA_SPLIT_EVAL_FRACTION: 1.0. Expected a number greater than 0 and less than 1.",
    ),
    ({"data_split_eval_fraction": 0}, "DATA_SPLIT_EVAL_FRACTION: 0."),
    ({"data_split_method": "custom"}, "DATA_SPLIT_COL: NULL. DATA_SPLIT_METHOD 'CUSTOM' requires"),
    ({"data_split_method": "seq"}, "DATA_SPLIT_COL: NULL. DATA_SPLIT_METHOD 'SEQ' requires"),
    ({"data_split_col": "ts"}, "DATA_SPLIT_COL: 'ts'. Expected NULL unless DATA_SPLIT_METHOD"),
    ({"data_split_method": "SEQ", "data_split_col": "rating"}, "DATA_SPLIT_COL: 'rating'."),
    ({"random_state": -1}, "RANDOM_STATE: -1."),
    ({"random_state": "seed"}, "RANDOM_STATE: 'seed'."),
    ({"implicit_solver": "lu"}, "Invalid value for implicit_solver: 'lu'. Expected one of 'cg',"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_OPTIONS)
def test_it_rejects_each_bad_option_in_fit_with_a_named_message(tiny, kwargs, message):
    model = MatrixFactorization(**kwargs)  # __init__ only stores, so this must not raise
    with pytest.raises(OptionError) as info:
        model.fit(tiny)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_it_stores_parameters_unvalidated_and_returns_them():
    model = MatrixFactorization(num_factors=500, l2_reg=-3)
    assert model.get_params()["num_factors"] == 500
    assert model.set_params(num_factors=4) is model
    assert model.num_factors == 4
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(bogus=1)


def test_it_takes_each_option_as_a_parameter_and_three_of_its_own():
    names = list(MatrixFactorization().get_params())
    assert [name for name in names if name in OPTION_NAMES] == list(OPTION_NAMES)
    assert [name for name in names if name not in OPTION_NAMES] == [
        "random_state",
        "implicit_solver",
        "objective",
    ]


def test_it_lists_the_sql_options_in_bigquerys_spelling():
    assert SQL_OPTION_NAMES == (
        "MODEL_TYPE",
        "FEEDBACK_TYPE",
        "NUM_FACTORS",
        "USER_COL",
        "ITEM_COL",
        "RATING_COL",
        "L2_REG",
        "MAX_ITERATIONS",
        "EARLY_STOP",
        "MIN_REL_PROGRESS",
        "WALS_ALPHA",
        "DATA_SPLIT_METHOD",
        "DATA_SPLIT_EVAL_FRACTION",
        "DATA_SPLIT_COL",
    )


def test_it_refuses_to_validate_a_missing_or_unknown_option_name():
    params = MatrixFactorization().get_params()
    options = {name: params[name] for name in OPTION_NAMES}
    assert validate(**options).feedback_type == "EXPLICIT"
    with pytest.raises(TypeError, match=r"missing options \['l2_reg'\]"):
        validate(**{k: v for k, v in options.items() if k != "l2_reg"})
    with pytest.raises(TypeError, match=r"unknown ones \['objective'\]"):
        validate(**options, objective="bigquery")


def test_it_shows_only_changed_parameters_in_repr():
    assert repr(MatrixFactorization()) == "MatrixFactorization()"
    text = repr(MatrixFactorization(num_factors=34, l2_reg=9.83, user_col="user_id"))
    assert text == "MatrixFactorization(num_factors=34, user_col='user_id', l2_reg=9.83)"


def test_it_accepts_any_case_for_choices(tiny):
    opts = MatrixFactorization(feedback_type="Implicit", data_split_method="no_split")
    resolved = opts.validate_options()
    assert resolved.feedback_type == "IMPLICIT"
    assert resolved.data_split_method == "NO_SPLIT"
    assert resolved.wals_alpha == 40.0
    assert MatrixFactorization().validate_options().wals_alpha is None


def test_it_defaults_num_factors_to_rounded_log2_of_training_rows(ratings):
    assert default_num_factors(1) == 2
    assert default_num_factors(6_000) == 13  # log2 = 12.55
    assert default_num_factors(5_792) == 12  # log2 = 12.4998
    assert default_num_factors(1_000_209) == 20
    assert default_num_factors(2**250) == 200
    model = MatrixFactorization(max_iterations=1, random_state=0).fit(ratings)
    assert model.options_.num_factors == 13
    assert model.num_factors_ == 13  # what the SQL engine records as the resolved option
    assert model.user_factors_.shape[1] == 13


def test_it_accepts_each_random_state_type(tiny):
    for state in (None, 3, np.int64(3), np.random.default_rng(3)):
        model = MatrixFactorization(num_factors=2, max_iterations=2, random_state=state)
        assert model.fit(tiny) is model


def test_it_raises_not_fitted_before_fit(tiny):
    model = MatrixFactorization()
    calls = [
        lambda: model.evaluate(),
        lambda: model.score(),
        lambda: model.recommend(),
        lambda: next(model.iter_recommend()),
        lambda: model.predict(tiny),
        lambda: model.training_info(),
        lambda: model.weights(),
        lambda: model.save("/tmp/never-written.npz"),
    ]
    for call in calls:
        with pytest.raises(NotFittedError, match="not fitted"):
            call()
