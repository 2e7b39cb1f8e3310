"""The catalog: projects, datasets, tables and models, with BigQuery's rules for names and states.

Rows here are the source of truth for what exists. Files under the storage dir are named by ids
the catalog generates, never by user-supplied names (see console.catalog.storage).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from console.catalog import storage
from console.errors import (
    BigQueryError,
    DuplicateError,
    InUseError,
    InvalidError,
    NotFoundError,
)
from mfcore.metric_names import EXPLICIT_METRICS, IMPLICIT_METRICS

TIME_TRAVEL_WINDOW = datetime.timedelta(days=7)
# BigQuery's rule for dataset, table, model and routine IDs, as its REST API applies it; every path
# that names a new one goes through check_id.
ID_RE = re.compile(r"[A-Za-z0-9_]{1,1024}")
# Routine IDs follow the same rule with a shorter limit.
MAX_ID_CHARS = {"Routine": 256}
# A table ID may hold more: any character of the Unicode categories letter, mark, number,
# connector punctuation (the underscore), dash and space, as BigQuery's TableReference documents
# (bigframes names its cache tables `bqdf_<uuid with dashes>`).
TABLE_ID_CATEGORIES = ("L", "M", "N", "Pc", "Pd", "Zs")
ID_RULES = {
    "Table": "alphanumeric (plus underscores), dashes or spaces (letters, marks and numbers of "
    "any script)",
}
# Hidden datasets that hold temporary tables: a session's (`_session_…`) and a script's
# (`_script_…`). Only their owner may use them (console.iam.access), no list shows them and no one
# may create a dataset under these names (the jobs layer makes and removes them).
TEMPORARY_DATASET_PREFIXES = ("_session_", "_script_")
# A user's own hidden dataset, `_` and the SHA-1 of project and email (console.jobs.anonymous): it
# names every query's anonymous result table and holds what a client creates there (bigframes'
# models). Hidden and owner-only like the temporary ones; made on the first write into it.
ANONYMOUS_DATASET_RE = re.compile(r"_[0-9a-f]{40}")
# What an object created in an anonymous dataset lives, unless it is given another expiration.
ANONYMOUS_LIFETIME_MS = 24 * 3_600_000
# How much of a malformed ID a message quotes: enough to recognise it, not a page of it.
SHOWN_ID_CHARS = 64


def _new_key() -> str:
    return uuid.uuid4().hex


def check_id(kind: str, value: object, location: str = "") -> None:
    """Raise InvalidError unless value is a well-formed ID of kind (Dataset, Table, Model…)."""
    limit = MAX_ID_CHARS.get(kind, 1024)
    if isinstance(value, str) and 0 < len(value) <= limit and _well_formed(kind, value):
        return
    text = str(value)
    shown = f'"{text}"'
    if len(text) > SHOWN_ID_CHARS:
        shown = f'"{text[:SHOWN_ID_CHARS]}…" ({len(text):,} characters)'
    rule = ID_RULES.get(kind, "alphanumeric (plus underscores)")
    raise InvalidError(
        f"Invalid {kind.lower()} ID {shown}. {kind} IDs must be {rule} "
        f"and must be at most {limit} characters long.",
        location,
    )


def _well_formed(kind: str, value: str) -> bool:
    if kind != "Table":
        return ID_RE.fullmatch(value) is not None
    return all(unicodedata.category(c).startswith(TABLE_ID_CATEGORIES) for c in value)


def validate_dataset_id(value: str) -> None:
    """Raise ValidationError unless value is a well-formed dataset ID (a field validator)."""
    _as_validation_error("Dataset", value)


def validate_table_id(value: str) -> None:
    """Raise ValidationError unless value is a well-formed table or model ID (a field validator)."""
    _as_validation_error("Table", value)


def _as_validation_error(kind: str, value: str) -> None:
    try:
        check_id(kind, value)
    except InvalidError as err:
        raise ValidationError(err.message, code="invalid") from None


class Installation(models.Model):
    """This catalog's own identity: one row, made by a migration, the same for every process and
    host that shares the catalog however they reach its database."""

    key = models.CharField(max_length=32, unique=True, default=_new_key)

    def __str__(self) -> str:
        return self.key

    @classmethod
    def key_of_this_catalog(cls) -> str:
        """Return the catalog's key (made on first use if the migration's row is gone)."""
        key = cls.objects.order_by("pk").values_list("key", flat=True).first()
        return key or cls.objects.create().key


class Project(models.Model):
    project_id = models.CharField(max_length=30, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id"]

    def __str__(self) -> str:
        return self.project_id

    @classmethod
    def default(cls) -> Project:
        """Return the default project, creating it if a flush or a fresh database removed it."""
        project, _ = cls.objects.get_or_create(project_id=settings.QUARRY_DEFAULT_PROJECT)
        return project

    def shut_down(self) -> None:
        """Delete the project and everything in it: datasets, tables, models, jobs, bindings."""
        paths = [
            p for table in Table.objects.filter(dataset__project=self) for p in table.stored_paths()
        ]
        paths += MLModel.objects.filter(dataset__project=self).values_list(
            "artifact_path", flat=True
        )
        for result, upload in self.jobs.values_list("result_path", "upload_path"):
            paths += [result, upload]
        paths = [p for p in paths if p]
        with transaction.atomic():
            self.delete()
            transaction.on_commit(lambda: [storage.remove(p) for p in paths])


def is_temporary_dataset(dataset_id: str) -> bool:
    """Return True if dataset_id names a hidden, owner-only dataset (temporary or anonymous)."""
    return dataset_id.startswith(TEMPORARY_DATASET_PREFIXES) or is_anonymous_dataset(dataset_id)


def is_anonymous_dataset(dataset_id: str) -> bool:
    """Return True if dataset_id has the form of a user's own hidden dataset (`_<40 hex>`)."""
    return ANONYMOUS_DATASET_RE.fullmatch(dataset_id) is not None


class DatasetQuerySet(models.QuerySet):
    def listed(self) -> DatasetQuerySet:
        """Return the datasets lists show: not the hidden temporary and anonymous datasets."""
        hidden = models.Q(dataset_id__regex=f"^{ANONYMOUS_DATASET_RE.pattern}$")
        for prefix in TEMPORARY_DATASET_PREFIXES:
            hidden |= models.Q(dataset_id__startswith=prefix)
        return self.exclude(hidden)


class Dataset(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="datasets")
    dataset_id = models.CharField(max_length=1024, validators=[validate_dataset_id])
    location = models.CharField(max_length=64, default="US")
    description = models.TextField(blank=True)
    default_table_expiration_ms = models.BigIntegerField(null=True, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    friendly_name = models.CharField(max_length=1024, blank=True)
    default_partition_expiration_ms = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["dataset_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "dataset_id"], name="unique_dataset_id")
        ]

    def __str__(self) -> str:
        return f"{self.project.project_id}:{self.dataset_id}"

    @property
    def full_id(self) -> str:
        return f"{self.project.project_id}:{self.dataset_id}"

    @classmethod
    def create(
        cls,
        project: Project,
        dataset_id: str,
        *,
        location: str = "US",
        description: str = "",
        default_table_expiration_ms: int | None = None,
        labels: dict[str, str] | None = None,
    ) -> Dataset:
        """Create a dataset, refusing a malformed or taken ID with BigQuery's message."""
        check_id("Dataset", dataset_id)
        if is_temporary_dataset(dataset_id):
            raise InvalidError(
                f'Invalid dataset ID "{dataset_id}". Dataset IDs starting with '
                f"{' or '.join(TEMPORARY_DATASET_PREFIXES)} are reserved for the temporary tables "
                "of sessions and scripts, and _ followed by 40 hexadecimal digits for users' "
                "anonymous datasets."
            )
        if cls.objects.filter(project=project, dataset_id=dataset_id).exists():
            raise DuplicateError(f"Already Exists: Dataset {project.project_id}:{dataset_id}")
        return cls.objects.create(
            project=project,
            dataset_id=dataset_id,
            location=location or "US",
            description=description,
            default_table_expiration_ms=default_table_expiration_ms,
            labels=labels or {},
        )

    @classmethod
    def temporary(cls, project: Project, dataset_id: str, location: str) -> Dataset:
        """Return the hidden dataset of a session's or a script's temporary tables, made if new."""
        if not is_temporary_dataset(dataset_id):
            raise ValueError(f"{dataset_id} is not a temporary dataset ID")
        dataset, _ = cls.objects.get_or_create(
            project=project, dataset_id=dataset_id, defaults={"location": location or "US"}
        )
        return dataset

    @classmethod
    def anonymous(cls, project: Project, dataset_id: str, location: str) -> Dataset:
        """Return a user's own hidden dataset, made on first use; what it holds lives 24 hours."""
        if not is_anonymous_dataset(dataset_id):
            raise ValueError(f"{dataset_id} is not an anonymous dataset ID")
        dataset, _ = cls.objects.get_or_create(
            project=project,
            dataset_id=dataset_id,
            defaults={
                "location": location or "US",
                "default_table_expiration_ms": ANONYMOUS_LIFETIME_MS,
            },
        )
        return dataset

    @classmethod
    def lookup(cls, project: Project, dataset_id: str) -> Dataset:
        """Return the dataset or raise NotFound with BigQuery's message."""
        try:
            return cls.objects.select_related("project").get(project=project, dataset_id=dataset_id)
        except cls.DoesNotExist:
            raise NotFoundError(f"Not found: Dataset {project.project_id}:{dataset_id}") from None

    def default_expiration(self) -> datetime.datetime | None:
        """Return when a table or model created now expires by the dataset's default, if any.

        BigQuery documents the default for tables; Quarry gives it to new models too (inferred:
        bigframes' models in the user's anonymous dataset go after 24 hours without it).
        """
        if not self.default_table_expiration_ms:
            return None
        return timezone.now() + datetime.timedelta(milliseconds=self.default_table_expiration_ms)

    def check_name_free(self, name: str, kind: str) -> None:
        """Raise DuplicateError if the other kind of object ("table" or "model") has name here.

        Tables and models share one namespace in a dataset: `FROM ds.x` must mean one thing.
        """
        if kind == "table":
            holder, clash = "Model", self.models.filter(model_id=name).exists()
        else:
            holder, clash = "Table", self.tables.filter(table_id=name).exists()
        if clash:
            raise DuplicateError(
                f"Already Exists: {holder} {self.full_id}.{name}; a {kind} cannot share its name"
            )

    def delete_with_contents(self, delete_contents: bool) -> None:
        """Delete this dataset; its tables, models and routines go too only with delete_contents."""
        tables = list(self.tables.all())
        models_ = list(self.models.all())
        if (tables or models_ or self.routines.exists()) and not delete_contents:
            raise InUseError(f"Dataset {self.full_id} is still in use")
        paths = [p for t in tables for p in t.stored_paths()] + [m.artifact_path for m in models_]
        with transaction.atomic():
            self.delete()
            # Files go only once the rows are gone for good, so a rollback loses nothing.
            transaction.on_commit(lambda: [storage.remove(p) for p in paths])


class Table(models.Model):
    """A table; its rows live in one immutable Parquet file per version.

    A view is a Table row of type VIEW: it keeps its query (GoogleSQL) and the schema that query
    had when the view was last written, and no data.
    """

    class Type(models.TextChoices):
        TABLE = "TABLE"
        VIEW = "VIEW"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="tables")
    table_id = models.CharField(max_length=1024, validators=[validate_table_id])
    schema = models.JSONField(default=list, blank=True, help_text="BigQuery fields")
    version = models.PositiveIntegerField(default=0)
    data_path = models.CharField(
        max_length=255, blank=True, help_text="Relative to the storage dir; generated, never a name"
    )
    num_rows = models.BigIntegerField(default=0)
    num_bytes = models.BigIntegerField(default=0)
    column_bytes = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    expiration_time = models.DateTimeField(null=True, blank=True)
    table_type = models.CharField(max_length=16, choices=Type.choices, default=Type.TABLE)
    view_query = models.TextField(blank=True)
    # Metadata BigQuery keeps and shows, in its REST shapes (TimePartitioning, RangePartitioning).
    friendly_name = models.CharField(max_length=1024, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    time_partitioning = models.JSONField(null=True, blank=True)
    range_partitioning = models.JSONField(null=True, blank=True)
    clustering_fields = models.JSONField(default=list, blank=True)
    require_partition_filter = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["table_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "table_id"], name="unique_table_id")
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.table_id}"

    @property
    def full_id(self) -> str:
        return f"{self.dataset.full_id}.{self.table_id}"

    @property
    def expired(self) -> bool:
        return self.expiration_time is not None and self.expiration_time <= timezone.now()

    def stored_paths(self) -> list[str]:
        """Return every file this table keeps: the current version and the time-travel ones."""
        paths = set(self.versions.values_list("data_path", flat=True))
        paths.add(self.data_path)
        return sorted(p for p in paths if p)

    def delete_with_files(self) -> None:
        """Delete the table and, once that commits, every version's file."""
        paths = self.stored_paths()
        with transaction.atomic():
            self.delete()
            transaction.on_commit(lambda: [storage.remove(p) for p in paths])

    def version_at(self, moment: datetime.datetime) -> TableVersion:
        """Return the version that was current at moment, within the time-travel window."""
        if moment > timezone.now():
            raise BigQueryError(
                f"Invalid snapshot time {moment.isoformat()} for table {self.full_id}: "
                "cannot read from the future"
            )
        if moment < timezone.now() - TIME_TRAVEL_WINDOW:
            raise BigQueryError(
                f"Invalid snapshot time {moment.isoformat()} for table {self.full_id}: it is "
                "before the 7-day time travel window"
            )
        version = self.versions.filter(created__lte=moment).order_by("-version").first()
        if version is None:
            raise BigQueryError(
                f"Invalid snapshot time {moment.isoformat()} for table {self.full_id}: the "
                "table did not exist then"
            )
        return version


class TableVersion(models.Model):
    """One committed version of a table, kept for time travel for TIME_TRAVEL_WINDOW."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    data_path = models.CharField(max_length=255, blank=True)
    schema = models.JSONField(default=list, blank=True)
    num_rows = models.BigIntegerField(default=0)
    num_bytes = models.BigIntegerField(default=0)
    column_bytes = models.JSONField(
        default=dict, blank=True, help_text="Logical bytes per top-level column, for dry runs"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["table", "version"], name="unique_table_version")
        ]

    def __str__(self) -> str:
        return f"{self.table} v{self.version}"


class MLModel(models.Model):
    """A trained model. A replacement trains beside it; the row is repointed only on success."""

    class State(models.TextChoices):
        TRAINING = "TRAINING"
        READY = "READY"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="models")
    model_id = models.CharField(max_length=1024, validators=[validate_table_id])
    model_type = models.CharField(max_length=64, default="MATRIX_FACTORIZATION")
    options = models.JSONField(default=dict, blank=True, help_text="Resolved training options")
    state = models.CharField(max_length=16, choices=State.choices, default=State.TRAINING)
    artifact_path = models.CharField(max_length=255, blank=True)
    num_bytes = models.BigIntegerField(default=0, help_text="The stored artifact's size")
    # StandardSqlFields (name and type), as the models API returns them.
    feature_columns = models.JSONField(default=list, blank=True)
    label_columns = models.JSONField(default=list, blank=True)
    evaluation_metrics = models.JSONField(default=dict, blank=True)
    training_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True)
    friendly_name = models.CharField(max_length=1024, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    expiration_time = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "model"
        ordering = ["model_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "model_id"], name="unique_model_id")
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.model_id}"

    @property
    def full_id(self) -> str:
        return f"{self.dataset.full_id}.{self.model_id}"

    @property
    def expired(self) -> bool:
        return self.expiration_time is not None and self.expiration_time <= timezone.now()

    @property
    def metrics(self) -> dict[str, float]:
        """Return the training-time evaluation metrics in BigQuery's column order.

        PostgreSQL's jsonb does not keep key order, so the order comes from mfcore's metric lists.
        """
        stored = self.evaluation_metrics or {}
        order = IMPLICIT_METRICS if "mean_average_precision" in stored else EXPLICIT_METRICS
        return {name: stored[name] for name in order if name in stored}

    def feature_fields(self) -> list[dict[str, Any]]:
        """Return the feature columns as the API's StandardSqlFields: name and type."""
        return _standard_sql_fields(self.feature_columns, LEGACY_FEATURE_TYPE)

    def label_fields(self) -> list[dict[str, Any]]:
        """Return the label columns as the API's StandardSqlFields: name and type."""
        return _standard_sql_fields(self.label_columns, LEGACY_LABEL_TYPE)

    def delete_with_files(self) -> None:
        """Delete the model and, once that commits, its artifact."""
        path = self.artifact_path
        with transaction.atomic():
            self.delete()
            transaction.on_commit(lambda: storage.remove(path))

    def current_iterations(self) -> models.QuerySet[TrainingIteration]:
        """Return the iterations of the training that produced this model, newest first."""
        return self.iterations.filter(job_id=self.training_job_id).order_by("-iteration")

    def forget_other_trainings(self, job_id: int) -> None:
        """Delete the iterations of every finished training of this model but job_id's.

        A model keeps the iterations of the training that produced it, as ML.TRAINING_INFO
        shows them; a replaced or failed run's go. A replacement still running keeps its own.
        """
        finished = models.Q(job__isnull=True) | models.Q(job__state="DONE")
        self.iterations.exclude(job_id=job_id).filter(finished).delete()


# Models trained before the catalog kept column types stored bare names; these were the only types
# Quarry trained on then (user and item ids, a numeric rating).
LEGACY_FEATURE_TYPE = "INT64"
LEGACY_LABEL_TYPE = "FLOAT64"


def _standard_sql_fields(columns: list[Any], legacy_type: str) -> list[dict[str, Any]]:
    return [
        column if isinstance(column, dict) else {"name": column, "type": {"typeKind": legacy_type}}
        for column in columns or []
    ]


class TrainingIteration(models.Model):
    """One sweep of a model's training; it lives as long as the model keeps that training."""

    model = models.ForeignKey(MLModel, on_delete=models.CASCADE, related_name="iterations")
    # The job that trained it. Deleting a job record leaves its model's training info in place.
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="iterations"
    )
    training_run = models.PositiveIntegerField(default=0)
    iteration = models.PositiveIntegerField()
    loss = models.FloatField()
    eval_loss = models.FloatField(null=True, blank=True)
    duration_ms = models.BigIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-iteration"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "training_run", "iteration"], name="unique_iteration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} iteration {self.iteration}"


def validate_routine_id(value: str) -> None:
    """Raise ValidationError unless value is a well-formed routine ID (a field validator)."""
    _as_validation_error("Routine", value)


class Routine(models.Model):
    """A persistent SQL user-defined function: a typed signature and one GoogleSQL expression.

    arguments and return_type keep BigQuery's REST shapes (Argument list, StandardSqlDataType),
    so the API shows them as stored; return_type is None when BigQuery would infer it per query.
    """

    class Type(models.TextChoices):
        SCALAR_FUNCTION = "SCALAR_FUNCTION"

    class Language(models.TextChoices):
        SQL = "SQL"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="routines")
    routine_id = models.CharField(max_length=256, validators=[validate_routine_id])
    routine_type = models.CharField(
        max_length=32, choices=Type.choices, default=Type.SCALAR_FUNCTION
    )
    language = models.CharField(max_length=16, choices=Language.choices, default=Language.SQL)
    arguments = models.JSONField(default=list, blank=True, help_text="BigQuery Arguments")
    return_type = models.JSONField(null=True, blank=True, help_text="A StandardSqlDataType")
    definition_body = models.TextField(help_text="The GoogleSQL expression the function returns")
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["routine_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "routine_id"], name="unique_routine_id")
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.routine_id}"

    @property
    def full_id(self) -> str:
        return f"{self.dataset.full_id}.{self.routine_id}"
