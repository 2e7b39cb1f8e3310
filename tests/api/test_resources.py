"""The Model resource's trainingOptions: every CREATE MODEL option under BigQuery's REST name."""

from __future__ import annotations

from console.api.resources import training_options
from console.catalog.models import Dataset, MLModel, Project
from mfcore.options import OPTION_INFO, OPTION_NAMES


def test_it_writes_every_option_as_the_model_resource_does(db: None) -> None:
    dataset = Dataset.create(Project.default(), "bqml_tutorial")
    options = {
        "feedback_type": "explicit",
        "num_factors": 34,
        "user_col": "user_id",
        "item_col": "item_id",
        "rating_col": "rating",
        "l2_reg": 10,
        "max_iterations": 20,
        "early_stop": True,
        "min_rel_progress": 0.01,
        "wals_alpha": None,
        "data_split_method": "no_split",
        "data_split_eval_fraction": 0.2,
        "data_split_col": None,
    }
    assert set(options) == set(OPTION_NAMES)
    model = MLModel.objects.create(dataset=dataset, model_id="mf", options=options)
    assert training_options(model) == {
        "feedbackType": "EXPLICIT",
        "numFactors": "34",
        "userColumn": "user_id",
        "itemColumn": "item_id",
        "inputLabelColumns": ["rating"],
        "l2Regularization": 10.0,
        "maxIterations": "20",
        "earlyStop": True,
        "minRelativeProgress": 0.01,
        "dataSplitMethod": "NO_SPLIT",
        "dataSplitEvalFraction": 0.2,
    }


def test_it_knows_every_options_type_and_names() -> None:
    assert set(OPTION_INFO) == set(OPTION_NAMES)
    assert {info.type for info in OPTION_INFO.values()} <= {"int", "float", "bool", "str"}
    assert all(info.label for info in OPTION_INFO.values())
