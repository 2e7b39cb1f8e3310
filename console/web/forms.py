"""Forms for the console pages: they parse input; the catalog and engine decide what is allowed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from console.catalog.models import validate_table_id

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


class CreateDatasetForm(forms.Form):
    dataset_id = forms.CharField(
        label="Dataset ID",
        max_length=1024,
        help_text="Letters, numbers and underscores only. Case-sensitive.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    location_type = forms.ChoiceField(
        label="Location type",
        choices=[("multi-region", "Multi-region"), ("region", "Region")],
        initial="multi-region",
        widget=forms.RadioSelect,
    )
    location = forms.ChoiceField(
        label="Location",
        choices=[("Multi-region", MULTI_REGIONS), ("Region", REGIONS)],
        initial="US",
        help_text="After a dataset is created, the location can't be changed.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict:
        data = super().clean()
        kind, location = data.get("location_type"), data.get("location")
        allowed = dict(MULTI_REGIONS if kind == "multi-region" else REGIONS)
        if kind and location and location not in allowed:
            label = "multi-region" if kind == "multi-region" else "region"
            self.add_error("location", f"{location} is not a {label}.")
        return data


class LoadTableForm(forms.Form):
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
    source_format = forms.ChoiceField(label="File format", choices=[("CSV", "CSV")], initial="CSV")
    table_id = forms.CharField(
        label="Table",
        max_length=1024,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    schema = forms.CharField(
        label="Edit as text",
        required=False,
        help_text="name:TYPE pairs separated by commas, "
        "e.g. user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    autodetect = forms.BooleanField(label="Auto detect schema", required=False)
    field_delimiter = forms.ChoiceField(label="Field delimiter", choices=DELIMITERS, initial=",")
    custom_delimiter = forms.CharField(
        label="Custom field delimiter", required=False, max_length=1, strip=False
    )
    skip_leading_rows = forms.IntegerField(label="Header rows to skip", min_value=0, initial=0)
    write_disposition = forms.ChoiceField(
        label="Write preference", choices=WRITE_DISPOSITIONS, initial="WRITE_EMPTY"
    )

    def clean_table_id(self) -> str:
        table_id = self.cleaned_data["table_id"].strip()
        try:
            validate_table_id(table_id)
        except ValidationError as err:
            raise ValidationError(err.messages[0]) from None
        return table_id

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("autodetect") and not (data.get("schema") or "").strip():
            self.add_error("schema", "Enter a schema, or choose Auto detect.")
        if data.get("field_delimiter") == "custom":
            if not data.get("custom_delimiter"):
                self.add_error("custom_delimiter", "Enter the delimiter character.")
            else:
                data["field_delimiter"] = data["custom_delimiter"]
        return data


class QueryForm(forms.Form):
    sql = forms.CharField(
        label="Query editor",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 9, "spellcheck": "false", "class": "sql"}),
        error_messages={"required": "Enter a query to run."},
    )

    def clean_sql(self) -> str:
        sql = self.cleaned_data["sql"]
        if not sql.strip():
            raise ValidationError("Enter a query to run.")
        return sql


class DeleteDatasetForm(forms.Form):
    confirm = forms.CharField(label="Dataset ID", required=False)
