"""Forms for the console pages: they parse input; the catalog and engine decide what is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from console.catalog.models import Dataset, Project, validate_dataset_id, validate_table_id
from console.engine import params
from console.engine.formats import ENCODINGS, option_name
from console.engine.types import parse_schema_string
from console.errors import BigQueryError
from console.iam.roles import ROLE_CHOICES

MULTI_REGIONS = [
    ("US", "US (multiple regions in United States)"),
    ("EU", "EU (multiple regions in European Union)"),
]
REGIONS = [
    ("us-central1", "us-central1 (Iowa)"),
    ("us-east1", "us-east1 (South Carolina)"),
    ("us-west1", "us-west1 (Oregon)"),
    ("europe-west1", "europe-west1 (Belgium)"),
    ("europe-west2", "europe-west2 (London)"),
    ("europe-west3", "europe-west3 (Frankfurt)"),
    ("asia-northeast1", "asia-northeast1 (Tokyo)"),
    ("asia-southeast1", "asia-southeast1 (Singapore)"),
    ("australia-southeast1", "australia-southeast1 (Sydney)"),
]
DAY_MS = 24 * 60 * 60 * 1000
# BigQuery's label rules: keys start with a lowercase letter; both use lowercase letters, digits,
# underscores and dashes, at most 63 characters; at most 64 labels.
LABEL_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE_RE = re.compile(r"^[a-z0-9_-]{0,63}$")
MAX_LABELS = 64


def parse_labels(keys: list[str], values: list[str]) -> tuple[dict[str, str], list[str]]:
    """Return (labels, errors) from parallel lists of label keys and values; blank rows vanish."""
    labels: dict[str, str] = {}
    errors: list[str] = []
    for number, (key, value) in enumerate(zip(keys, values, strict=False), start=1):
        key, value = key.strip(), value.strip()
        if not key and not value:
            continue
        if not LABEL_KEY_RE.match(key):
            errors.append(
                f'Label {number}: key "{key}" must start with a lowercase letter and use only '
                "lowercase letters, digits, underscores and dashes (at most 63)."
            )
        elif not LABEL_VALUE_RE.match(value):
            errors.append(
                f'Label {number}: value "{value}" may use only lowercase letters, digits, '
                "underscores and dashes (at most 63)."
            )
        elif key in labels:
            errors.append(f'Label {number}: key "{key}" appears twice.')
        else:
            labels[key] = value
    if len(labels) > MAX_LABELS:
        errors.append(f"A dataset can have at most {MAX_LABELS} labels.")
    return labels, errors


class DatasetOptionsForm(forms.Form):
    """Description, labels and default table expiration: what both create and edit offer."""

    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    enable_expiration = forms.BooleanField(label="Enable table expiration", required=False)
    expiration_days = forms.IntegerField(
        label="Default maximum table age (days)",
        required=False,
        min_value=1,
        max_value=365 * 100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def label_rows(self) -> list[tuple[str, str]]:
        """Return the label rows to show: what was posted (or initial), plus one blank row."""
        if self.is_bound:
            pairs = list(
                zip(self.data.getlist("label_key"), self.data.getlist("label_value"), strict=False)
            )
        else:
            pairs = list((self.initial.get("labels") or {}).items())
        pairs = [(k, v) for k, v in pairs if k or v]
        return [*pairs, ("", "")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        labels, errors = parse_labels(
            self.data.getlist("label_key"), self.data.getlist("label_value")
        )
        for error in errors:
            self.add_error(None, error)
        data["labels"] = labels
        if data.get("enable_expiration"):
            if not data.get("expiration_days"):
                self.add_error(
                    "expiration_days", "Enter the number of days, or turn expiration off."
                )
            else:
                data["default_table_expiration_ms"] = data["expiration_days"] * DAY_MS
        else:
            data["default_table_expiration_ms"] = None
        return data


class CreateDatasetForm(DatasetOptionsForm):
    dataset_id = forms.CharField(
        label="Dataset ID",
        max_length=1024,
        help_text="Letters, numbers and underscores only. Case-sensitive.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    location_type = forms.ChoiceField(
        label="Location type",
        choices=[("region", "Region"), ("multi-region", "Multi-region")],
        initial="multi-region",
        widget=forms.RadioSelect,
    )
    location = forms.ChoiceField(
        label="Location",
        choices=[("Multi-region", MULTI_REGIONS), ("Region", REGIONS)],
        initial="US",
        help_text="After a dataset is created, the location can't be changed.",
    )

    field_order = ["dataset_id", "location_type", "location"]

    def clean_dataset_id(self) -> str:
        dataset_id = self.cleaned_data["dataset_id"].strip()
        try:
            validate_dataset_id(dataset_id)
        except ValidationError as err:
            raise ValidationError(err.messages[0]) from None
        return dataset_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, location = data.get("location_type"), data.get("location")
        allowed = dict(MULTI_REGIONS if kind == "multi-region" else REGIONS)
        if kind and location and location not in allowed:
            label = "multi-region" if kind == "multi-region" else "region"
            self.add_error("location", f"{location} is not a {label}.")
        return data


class EditDatasetForm(DatasetOptionsForm):
    """The dataset's "Edit details": what BigQuery lets you change after creation."""

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        expiration_ms = dataset.default_table_expiration_ms
        kwargs.setdefault(
            "initial",
            {
                "description": dataset.description,
                "labels": dataset.labels or {},
                "enable_expiration": bool(expiration_ms),
                "expiration_days": expiration_ms // DAY_MS if expiration_ms else None,
            },
        )
        super().__init__(*args, **kwargs)
        self.dataset = dataset

    def save(self) -> Dataset:
        """Write the edited details to the dataset row and return it."""
        data = self.cleaned_data
        self.dataset.description = data["description"]
        self.dataset.labels = data["labels"]
        self.dataset.default_table_expiration_ms = data["default_table_expiration_ms"]
        self.dataset.save(
            update_fields=["description", "labels", "default_table_expiration_ms", "modified"]
        )
        return self.dataset


class LoadTableForm(forms.Form):
    SOURCE_FORMATS = [
        ("CSV", "CSV"),
        ("NEWLINE_DELIMITED_JSON", "JSONL (Newline delimited JSON)"),
        ("PARQUET", "Parquet"),
    ]
    DELIMITERS = [
        (",", "Comma"),
        ("\t", "Tab"),
        ("|", "Pipe"),
        (";", "Semicolon"),
        ("custom", "Custom"),
    ]
    WRITE_DISPOSITIONS = [
        ("WRITE_EMPTY", "Write if empty"),
        ("WRITE_APPEND", "Append to table"),
        ("WRITE_TRUNCATE", "Overwrite table"),
    ]

    upload = forms.FileField(label="Select file")
    source_format = forms.ChoiceField(label="File format", choices=SOURCE_FORMATS, initial="CSV")
    table_id = forms.CharField(
        label="Table",
        max_length=1024,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    autodetect = forms.BooleanField(label="Auto detect schema", required=False)
    schema = forms.CharField(
        label="Edit as text",
        required=False,
        help_text="name:TYPE pairs separated by commas, "
        "e.g. user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    field_delimiter = forms.ChoiceField(label="Field delimiter", choices=DELIMITERS, initial=",")
    custom_delimiter = forms.CharField(
        label="Custom field delimiter", required=False, max_length=16, strip=False
    )
    # Blank lets autodetect look for a header row; 0 says there is none.
    skip_leading_rows = forms.IntegerField(label="Header rows to skip", min_value=0, required=False)
    write_disposition = forms.ChoiceField(
        label="Write preference", choices=WRITE_DISPOSITIONS, initial="WRITE_EMPTY"
    )
    max_bad_records = forms.IntegerField(
        label="Number of errors allowed",
        min_value=0,
        required=False,
        initial=0,
        help_text="Rows that do not fit the schema that the load may skip.",
    )
    ignore_unknown_values = forms.BooleanField(label="Ignore unknown values", required=False)
    allow_quoted_newlines = forms.BooleanField(label="Allow quoted newlines", required=False)
    allow_jagged_rows = forms.BooleanField(label="Allow jagged rows", required=False)
    encoding = forms.ChoiceField(
        label="Encoding",
        choices=[(name, name) for name in ENCODINGS],
        initial="UTF-8",
        required=False,
        help_text="Bytes of a UTF-8 file that are not UTF-8 are read as ISO-8859-1.",
    )
    null_marker = forms.CharField(
        label="Null marker",
        required=False,
        strip=False,
        max_length=64,
        help_text="The value that means NULL, e.g. \\N.",
    )
    quote = forms.CharField(
        label="Quote character",
        required=False,
        strip=False,
        max_length=1,
        initial='"',
        help_text="Empty if nothing is quoted.",
    )

    # The fields that are load options, each named as its option of configuration.load in
    # snake_case; Quarry's engine checks their values. A blank one keeps BigQuery's default.
    OPTIONS = (
        "source_format",
        "autodetect",
        "write_disposition",
        "field_delimiter",
        "skip_leading_rows",
        "max_bad_records",
        "ignore_unknown_values",
        "allow_quoted_newlines",
        "allow_jagged_rows",
        "encoding",
        "null_marker",
        "quote",
    )

    def load_configuration(self, dataset: Dataset) -> dict[str, Any]:
        """Return the load job's configuration, as jobs.insert receives it, from the form."""
        data = self.cleaned_data
        load: dict[str, Any] = {
            "destinationTable": {
                "projectId": dataset.project.project_id,
                "datasetId": dataset.dataset_id,
                "tableId": data["table_id"],
            },
            **{option_name(name): data[name] for name in self.OPTIONS if data[name] is not None},
        }
        schema = (data.get("schema") or "").strip()
        if schema and not data["autodetect"]:
            load["schema"] = {"fields": parse_schema_string(schema)}
        return {"load": load}

    def field_for(self, option: str) -> str | None:
        """Return the form field that sets a load option (named as the engine names it)."""
        if option == "destinationTable":
            return "table_id"
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", option).lower()
        return name if name in self.fields else None

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        limit = settings.QUARRY_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(f"The file is larger than the {limit:,}-byte upload limit.")
        return upload

    def clean_table_id(self) -> str:
        table_id = self.cleaned_data["table_id"].strip()
        try:
            validate_table_id(table_id)
        except ValidationError as err:
            raise ValidationError(err.messages[0]) from None
        return table_id

    def clean_encoding(self) -> str | None:
        return self.cleaned_data["encoding"] or None

    def clean_quote(self) -> str | None:
        # An empty quote means "no quoting"; a form posted without the field keeps the default.
        return self.cleaned_data["quote"] if "quote" in self.data else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Parquet carries its own schema; CSV and JSON need one unless it is detected.
        needs_schema = data.get("source_format") != "PARQUET" and not data.get("autodetect")
        if needs_schema and not (data.get("schema") or "").strip():
            self.add_error("schema", "Enter a schema, or choose Auto detect.")
        if data.get("field_delimiter") == "custom":
            if not data.get("custom_delimiter"):
                self.add_error("custom_delimiter", "Enter the delimiter.")
            else:
                data["field_delimiter"] = data["custom_delimiter"]
        return data


def query_parameters(text: str) -> dict[str, Any]:
    """Return queryParameters and parameterMode for bq-style lines (none: an empty dict)."""
    given = [params.from_cli(line.strip()) for line in text.splitlines() if line.strip()]
    if not given:
        return {}
    found = {
        "queryParameters": given,
        "parameterMode": "NAMED" if given[0].get("name") else "POSITIONAL",
    }
    params.check(found)
    return found


def parameters_text(query: dict[str, Any]) -> str:
    """Return a job's parameters as the lines the query settings show."""
    return "\n".join(params.to_cli(p) for p in query.get("queryParameters") or [])


class QueryForm(forms.Form):
    sql = forms.CharField(
        label="Query editor",
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "spellcheck": "false",
                "class": "sql",
                "autocapitalize": "off",
                "autocomplete": "off",
                "wrap": "off",
            }
        ),
        error_messages={"required": "Enter a query to run."},
    )
    parameters = forms.CharField(
        label="Query parameters",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "spellcheck": "false",
                "class": "query-params",
                "autocomplete": "off",
                "aria-describedby": "id_parameters-help",
            }
        ),
        help_text="One per line, as bq's --parameter: name:TYPE:value, name::value for a "
        "STRING, :TYPE:value for a positional ?.",
    )
    tab = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def clean_parameters(self) -> dict[str, Any]:
        """Return the query configuration's parameters, checked as the API checks them."""
        try:
            return query_parameters(self.cleaned_data.get("parameters") or "")
        except BigQueryError as err:
            raise ValidationError(err.message) from None

    def clean_sql(self) -> str:
        sql = self.cleaned_data["sql"]
        if not sql.strip():
            raise ValidationError("Enter a query to run.")
        return sql

    def clean_tab(self) -> str:
        tab = self.cleaned_data.get("tab") or ""
        return tab if re.fullmatch(r"[A-Za-z0-9_-]*", tab) else ""


class DeleteDatasetForm(forms.Form):
    confirm = forms.CharField(label="Dataset ID", required=False)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=100,
        help_text="What uses the key, e.g. laptop bq CLI.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class GrantRoleForm(forms.Form):
    member = forms.CharField(
        label="Principal",
        max_length=160,
        help_text="user:NAME — a username or an email address.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "user:bob"}),
    )
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)

    def clean_member(self) -> str:
        member = self.cleaned_data["member"].strip()
        return member if ":" in member else f"user:{member}"


class ShutDownForm(forms.Form):
    confirm = forms.CharField(label="Project ID", max_length=30)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != self.project.project_id:
            raise ValidationError(f'Type "{self.project.project_id}" to confirm the shut down.')
        return value
