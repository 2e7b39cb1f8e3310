"""BigQuery ML for matrix factorization: CREATE MODEL and the ML.* table functions, via mfcore."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from django.db import IntegrityError, transaction
from sqlglot import exp

from console.catalog import storage
from console.catalog.models import MLModel, TrainingIteration, check_id
from console.engine.dialect import (
    MLEvaluate,
    MLFunction,
    MLGenerateEmbedding,
    MLPredict,
    MLRecommend,
    MLTrainingInfo,
    MLTrialInfo,
    MLWeights,
)
from console.engine.types import arrow_schema, standard_sql_field
from console.errors import DuplicateError, InvalidError
from mfcore import MatrixFactorization, OptionError
from mfcore.options import OPTION_NAMES, SQL_OPTION_NAMES

if TYPE_CHECKING:
    from console.engine.query import Context

# OPTIONS(...) names, lower-cased; each sets the estimator parameter of the same name.
MF_OPTIONS = OPTION_NAMES
# BigQuery options Quarry recognises but cannot honour yet; refusing beats ignoring them.
UNSUPPORTED_OPTIONS = {
    "num_trials",
    "max_parallel_trials",
    "hparam_tuning_algorithm",
    "hparam_tuning_objectives",
    "data_split_test_fraction",
    "model_registry",
    "vertex_ai_model_id",
    "vertex_ai_model_version_aliases",
    "kms_key_name",
}
DEFAULT_COLUMNS = {"user_col": "user", "item_col": "item", "rating_col": "rating"}
# Quarry fixes the seed so that the same statement on the same data trains the same model.
RANDOM_STATE = 0


def load_estimator(model: MLModel) -> MatrixFactorization:
    return MatrixFactorization.load(storage.resolve(model.artifact_path))


# ML table functions --------------------------------------------------------------------------


def reads_weights(model: MLModel, function: MLFunction) -> bool:
    """Return whether function reads the model's stored weights, not only what training recorded.

    ML.TRAINING_INFO reads the recorded iterations, and ML.EVALUATE without input data the
    metrics recorded at training; every other function loads the model.
    """
    if isinstance(function, MLTrainingInfo | MLTrialInfo):
        return False
    if isinstance(function, MLEvaluate):
        return function.expression is not None or not model.evaluation_metrics
    return True


def bytes_read(model: MLModel, function: MLFunction) -> int:
    """Return the bytes function reads from its model, for the job's bytes processed."""
    return model.num_bytes if reads_weights(model, function) else 0


def evaluate_function(ctx: Context, function: MLFunction) -> pa.Table | pa.RecordBatchReader:
    """Compute an ML.* table function and return its rows for DuckDB to read."""
    if isinstance(function, MLPredict):
        raise InvalidError(
            "ML.PREDICT is not supported for MATRIX_FACTORIZATION models; use ML.RECOMMEND "
            f"instead{ctx.location(function)}"
        )
    model = ctx.model(function.this)
    ctx.bytes_processed += bytes_read(model, function)
    if ctx.schema_only and isinstance(function, MLEvaluate | MLRecommend):
        schema = _result_schema(ctx, model, function)
        if schema is not None:
            return schema.empty_table()
    handler = {
        MLEvaluate: _evaluate,
        MLRecommend: _recommend,
        MLTrainingInfo: _training_info,
        MLWeights: _weights,
        MLGenerateEmbedding: _generate_embedding,
        MLTrialInfo: _trial_info,
    }[type(function)]
    return handler(ctx, model, function)


def _result_schema(ctx: Context, model: MLModel, function: MLFunction) -> pa.Schema | None:
    """Return the columns ML.EVALUATE or ML.RECOMMEND returns, without computing a row.

    A dry run reports a query's schema (bigframes reads it before every query); None means the
    function must run to know.
    """
    if isinstance(function, MLEvaluate):
        metrics = model.metrics
        return pa.schema([(name, pa.float64()) for name in metrics]) if metrics else None
    options = {**DEFAULT_COLUMNS, **(model.options or {})}
    implicit = str(options.get("feedback_type", "")).upper() == "IMPLICIT"
    predicted = f"predicted_{options['rating_col']}" + ("_confidence" if implicit else "")
    ids = [{"name": f["name"], "type": f["type"]["typeKind"]} for f in model.feature_fields()]
    fields = [pa.field(predicted, pa.float64()), *arrow_schema(ids)]
    if function.expression is None:
        return pa.schema(fields)
    from console.engine.query import execute, relation_query

    given = execute(ctx, relation_query(function.expression).limit(0)).schema
    names = {options["user_col"], options["item_col"]}
    if names <= set(given.names):
        # Pairs pass the input's other columns through, in their order.
        fields += [field for field in given if field.name not in names]
    return pa.schema(fields)


def _generate_embedding(ctx: Context, model: MLModel, function: MLFunction) -> pa.Table:
    """Each user's and item's factors with its intercept last, as one array (BigQuery's MF form)."""
    extra = [function.expression, function.args.get("params_struct")]
    passed = 1 + sum(argument is not None for argument in extra)
    if passed > 1:
        raise InvalidError(
            "Function ML.GENERATE_EMBEDDING for MATRIX_FACTORIZATION models only expects 1 "
            f"argument but {passed} were passed{ctx.location(function)}"
        )
    weights = load_estimator(model).weights()
    entities = weights[weights["processed_input"].notna()]
    embeddings = [
        [w["weight"] for w in factors] + [float(intercept)]
        for factors, intercept in zip(
            entities["factor_weights"], entities["intercept"], strict=True
        )
    ]
    return pa.table(
        {
            "processed_input": pa.array(entities["processed_input"].tolist(), pa.string()),
            "feature": pa.array(entities["feature"].astype(str).tolist(), pa.string()),
            "ml_generate_embedding_result": pa.array(embeddings, pa.list_(pa.float64())),
        }
    )


def _trial_info(ctx: Context, model: MLModel, function: MLFunction) -> pa.Table:
    # Quarry refuses NUM_TRIALS, so no model of its has trials to show.
    raise InvalidError(
        f"ML.TRIAL_INFO is only supported for models trained with hyperparameter tuning; model "
        f"{model.full_id} was not (Quarry does not support NUM_TRIALS yet){ctx.location(function)}"
    )


def _settings(function: MLFunction) -> dict[str, Any]:
    struct = function.args.get("params_struct")
    settings: dict[str, Any] = {}
    for item in struct.expressions if struct is not None else []:
        if not isinstance(item, exp.PropertyEQ):
            raise InvalidError(
                f"{function.ml_name} settings must be named, as in STRUCT(10 AS top_k)"
            )
        settings[item.name.lower()] = _literal(item.expression)
    return settings


def _evaluate(ctx: Context, model: MLModel, function: MLFunction) -> pa.Table:
    if not reads_weights(model, function):
        metrics = model.metrics
    else:
        estimator = load_estimator(model)
        frame = None
        if function.expression is not None:
            frame = _input_frame(ctx, function)
        try:
            metrics = estimator.evaluate(frame)
        except (ValueError, KeyError) as err:
            raise InvalidError(f"ML.EVALUATE: {err}") from None
    return pa.table({name: [float(value)] for name, value in metrics.items()})


def _recommend(ctx: Context, model: MLModel, function: MLFunction) -> pa.RecordBatchReader:
    settings = _settings(function)
    unknown = set(settings) - {"top_k", "exclude_rated", "trial_id"}
    if unknown:
        raise InvalidError(
            f"ML.RECOMMEND: unknown setting {sorted(unknown)[0]}; expected top_k, exclude_rated"
        )
    estimator = load_estimator(model)
    frame = _input_frame(ctx, function) if function.expression is not None else None
    try:
        frames = estimator.iter_recommend(
            frame,
            top_k=settings.get("top_k"),
            exclude_rated=bool(settings.get("exclude_rated", False)),
        )
        first = next(frames, None)
    except (ValueError, KeyError) as err:
        raise InvalidError(f"ML.RECOMMEND: {err}") from None
    if first is None:
        return pa.RecordBatchReader.from_batches(pa.schema([]), iter([]))
    head = pa.RecordBatch.from_pandas(first, preserve_index=False)

    def batches() -> Iterator[pa.RecordBatch]:
        yield head
        for chunk in frames:
            yield pa.RecordBatch.from_pandas(chunk, schema=head.schema, preserve_index=False)

    return pa.RecordBatchReader.from_batches(head.schema, batches())


def _training_info(ctx: Context, model: MLModel, function: MLFunction) -> pa.Table:
    rows = list(model.current_iterations())
    return pa.table(
        {
            "training_run": pa.array([r.training_run for r in rows], pa.int64()),
            "iteration": pa.array([r.iteration for r in rows], pa.int64()),
            "loss": pa.array([r.loss for r in rows], pa.float64()),
            "eval_loss": pa.array([r.eval_loss for r in rows], pa.float64()),
            "learning_rate": pa.array([0.0 for _ in rows], pa.float64()),
            "duration_ms": pa.array([r.duration_ms for r in rows], pa.int64()),
        }
    )


def _weights(ctx: Context, model: MLModel, function: MLFunction) -> pa.Table:
    return pa.Table.from_pandas(load_estimator(model).weights(), preserve_index=False)


def _input_frame(ctx: Context, function: MLFunction) -> Any:
    from console.engine.query import execute_to_pandas

    return execute_to_pandas(ctx, function.expression)


# CREATE MODEL --------------------------------------------------------------------------------


def _literal(node: exp.Expression) -> Any:
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        number = float(node.this)
        return int(number) if number.is_integer() and "." not in node.this else number
    if isinstance(node, exp.Neg):
        return -_literal(node.this)
    if isinstance(node, exp.Array):
        return [_literal(item) for item in node.expressions]
    if isinstance(node, exp.Null):
        return None
    raise InvalidError(f"Expected a literal value but got {node.sql(dialect='bigquery')}")


def parse_options(statement: exp.Create) -> dict[str, Any]:
    """Return CREATE MODEL's OPTIONS as {lower-case name: Python value}."""
    options: dict[str, Any] = {}
    properties = statement.args.get("properties")
    for prop in properties.expressions if properties else []:
        if not isinstance(prop, exp.Property):
            continue
        name = prop.name.lower()
        if name in options:
            raise InvalidError(f"Duplicate option: {name.upper()}")
        options[name] = _literal(prop.args["value"])
    return options


def estimator_for(options: dict[str, Any]) -> MatrixFactorization:
    """Return an unfitted estimator for the options, refusing unknown or unsupported ones."""
    model_type = str(options.get("model_type", "")).upper()
    if not model_type:
        raise InvalidError("CREATE MODEL needs OPTIONS(model_type='matrix_factorization')")
    if model_type != "MATRIX_FACTORIZATION":
        raise InvalidError(
            f"Unsupported model_type: {model_type}. Quarry trains MATRIX_FACTORIZATION models."
        )
    params: dict[str, Any] = dict(DEFAULT_COLUMNS)
    for name, value in options.items():
        if name == "model_type":
            continue
        if name in UNSUPPORTED_OPTIONS:
            raise InvalidError(f"Option {name.upper()} is not supported by Quarry yet")
        if name not in MF_OPTIONS:
            raise InvalidError(
                f"Unknown option: {name.upper()}. Options for MATRIX_FACTORIZATION models are "
                + ", ".join(SQL_OPTION_NAMES)
            )
        params[name] = value
    estimator = MatrixFactorization(**params, random_state=RANDOM_STATE)
    try:
        estimator.validate_options()
    except OptionError as err:
        raise InvalidError(str(err)) from None
    return estimator


def created_model(statement: exp.Create) -> exp.Table:
    """Return the name CREATE MODEL creates, once BigQuery's rule for model IDs accepts it."""
    check_id("Model", statement.this.name)
    return statement.this


def create_model(ctx: Context, statement: exp.Create) -> None:
    """Train a matrix factorization model; a replaced model keeps serving until this one commits."""
    from console.engine.query import TARGET, execute

    target = created_model(statement)
    dataset = ctx.dataset(target, kind="Model", permission=TARGET)
    model_id = target.name
    ref = {
        "projectId": ctx.project.project_id,
        "datasetId": dataset.dataset_id,
        "modelId": model_id,
    }
    ctx.outcome.statistics["ddlTargetModel"] = ref
    # Published now, not at the end, so the console can link the model while it trains.
    ctx.publish_statistics()
    options = parse_options(statement)
    estimator = estimator_for(options)
    if statement.expression is None:
        raise InvalidError(
            "CREATE MODEL for MATRIX_FACTORIZATION needs AS SELECT user, item, rating"
        )

    dataset.check_name_free(model_id, "model")
    existing = MLModel.objects.filter(dataset=dataset, model_id=model_id).first()
    if existing is not None and existing.expired:
        existing.delete_with_files()
        existing = None
    if existing and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    if existing and not statement.args.get("replace"):
        raise DuplicateError(f"Already Exists: Model {dataset.full_id}.{model_id}")

    training = execute(ctx, statement.expression).read_all()
    typed = {f.name: standard_sql_field(f.name, f.type) for f in training.schema}
    frame = training.to_pandas()
    # The frame is what trains; keeping the Arrow copy alive too would double the input's memory.
    del training
    columns = [estimator.user_col, estimator.item_col, estimator.rating_col]
    if estimator.data_split_col:
        columns.append(estimator.data_split_col)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidError(
            f"Column {missing[0]} is not in the training query's output (columns: "
            f"{', '.join(frame.columns)}); set USER_COL, ITEM_COL and RATING_COL to its columns"
        )
    extra = [c for c in frame.columns if c not in columns]
    if extra:
        raise InvalidError(
            f"The training query must return exactly the user, item and rating columns; "
            f"remove {', '.join(extra)}"
        )

    if existing is None:
        try:
            model = MLModel.objects.create(
                dataset=dataset,
                model_id=model_id,
                options=options,
                training_job_id=ctx.job_pk,
                state=MLModel.State.TRAINING,
                expiration_time=dataset.default_expiration(),
            )
        except IntegrityError:
            raise DuplicateError(f"Already Exists: Model {dataset.full_id}.{model_id}") from None
    else:
        model = existing

    def record(iteration: int, loss: float, duration_s: float, eval_loss: float | None) -> None:
        ctx.check_cancelled()
        TrainingIteration.objects.create(
            model=model,
            job_id=ctx.job_pk,
            iteration=iteration,
            loss=loss,
            eval_loss=eval_loss,
            duration_ms=int(round(duration_s * 1000)),
        )

    started = time.monotonic()
    try:
        try:
            estimator.fit(frame, callback=record)
        except (OptionError, ValueError) as err:
            raise InvalidError(str(err)) from None
        metrics = estimator.evaluate()
        relative = storage.new_path("models", ".npz")
        # mfcore writes atomically and removes its partial file; this names what ran out of room.
        with storage.space_for(f"saving model {dataset.full_id}.{model_id}"):
            estimator.save(storage.resolve(relative))
        size = storage.resolve(relative).stat().st_size
    except BaseException:
        if existing is None:
            model.delete()
        else:
            # The replaced model keeps serving, with the training that produced it.
            model.iterations.filter(job_id=ctx.job_pk).delete()
        raise
    features = [typed[estimator.user_col], typed[estimator.item_col]]
    labels = [typed[estimator.rating_col]]
    _commit_model(model, ctx, estimator, options, metrics, relative, size, features, labels)
    ctx.outcome.statistics.update(
        {
            "ddlOperationPerformed": "REPLACE" if existing else "CREATE",
            "modelTraining": {
                "iterations": estimator.n_iter_,
                "trainingMs": int((time.monotonic() - started) * 1000),
            },
            "mlStatistics": ml_statistics(
                estimator, model.iterations.filter(job_id=ctx.job_pk).order_by("iteration")
            ),
        }
    )


def ml_statistics(
    estimator: MatrixFactorization, iterations: Iterable[TrainingIteration]
) -> dict[str, Any]:
    """Return BigQuery's JobStatistics2.mlStatistics for a training, as bq and clients read it.

    It is recorded on the job when the training finishes: the model may later be retrained or
    dropped, taking these iterations' rows with it. Like BigQuery, an iteration without an
    evaluation loss (no eval split) has no evalLoss at all rather than a null one.
    """
    results = []
    for it in iterations:
        result = {"index": it.iteration, "durationMs": str(it.duration_ms), "trainingLoss": it.loss}
        if it.eval_loss is not None:
            result["evalLoss"] = it.eval_loss
        results.append(result)
    return {
        "modelType": "MATRIX_FACTORIZATION",
        "trainingType": "SINGLE_TRAINING",
        "maxIterations": str(estimator.max_iterations),
        "iterationResults": results,
    }


def _commit_model(
    model: MLModel,
    ctx: Context,
    estimator: MatrixFactorization,
    options: dict[str, Any],
    metrics: dict[str, float],
    relative: str,
    size: int,
    features: list[dict[str, Any]],
    labels: list[dict[str, Any]],
) -> None:
    with transaction.atomic():
        locked = MLModel.objects.select_for_update().get(pk=model.pk)
        old_path = locked.artifact_path
        locked.artifact_path = relative
        locked.num_bytes = size
        locked.options = {**options, **_resolved_options(estimator)}
        locked.feature_columns = features
        locked.label_columns = labels
        locked.evaluation_metrics = {k: float(v) for k, v in metrics.items()}
        locked.training_job_id = ctx.job_pk
        locked.state = MLModel.State.READY
        locked.save()
        locked.forget_other_trainings(ctx.job_pk)
        transaction.on_commit(lambda: storage.remove(old_path))


def _resolved_options(estimator: MatrixFactorization) -> dict[str, Any]:
    params = estimator.get_params()
    resolved = {key: params[key] for key in MF_OPTIONS if key in params}
    resolved["num_factors"] = int(getattr(estimator, "num_factors_", params.get("num_factors")))
    resolved["model_type"] = "MATRIX_FACTORIZATION"
    return {k: v for k, v in resolved.items() if v is not None}
