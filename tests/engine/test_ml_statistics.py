"""A training's mlStatistics are built once, by the engine, in the shape BigQuery returns."""

from __future__ import annotations

from console.catalog.models import TrainingIteration
from console.engine.ml import ml_statistics
from mfcore import MatrixFactorization


def test_it_leaves_out_the_eval_loss_of_a_training_without_an_eval_split() -> None:
    iterations = [
        TrainingIteration(iteration=0, loss=2.5, eval_loss=None, duration_ms=12),
        TrainingIteration(iteration=1, loss=1.5, eval_loss=1.75, duration_ms=10),
    ]
    statistics = ml_statistics(MatrixFactorization(max_iterations=7), iterations)
    assert statistics == {
        "modelType": "MATRIX_FACTORIZATION",
        "trainingType": "SINGLE_TRAINING",
        "maxIterations": "7",
        "iterationResults": [
            {"index": 0, "durationMs": "12", "trainingLoss": 2.5},
            {"index": 1, "durationMs": "10", "trainingLoss": 1.5, "evalLoss": 1.75},
        ],
    }
