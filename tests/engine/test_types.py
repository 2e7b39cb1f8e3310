"""The one schema check: loads, tables.insert / patch, bq's inline schemas and CREATE TABLE."""

from __future__ import annotations

import pytest

from console.engine.types import checked_fields, parse_schema_string
from console.errors import InvalidError


def test_it_normalises_types_and_modes_and_keeps_descriptions() -> None:
    fields = [
        {"name": "user_id", "type": "integer", "description": "who rated"},
        {
            "name": "tags",
            "type": "RECORD",
            "mode": "repeated",
            "fields": [{"name": "label", "type": "STRING", "policyTags": {}}],
        },
    ]
    assert checked_fields(fields) == [
        {"name": "user_id", "type": "INT64", "mode": "NULLABLE", "description": "who rated"},
        {
            "name": "tags",
            "type": "RECORD",
            "mode": "REPEATED",
            "fields": [{"name": "label", "type": "STRING", "mode": "NULLABLE"}],
        },
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([{"name": "a", "type": "INT64"}, {"name": "A"}], "duplicate field name A"),
        ([{"name": "1st", "type": "INT64"}], 'field 1 has an invalid name "1st"'),
        ([{"name": "a", "type": "INTEGR"}], "field a has unsupported type INTEGR"),
        ([{"name": "a", "type": "INT64", "mode": "OPTIONAL"}], "field a has unknown mode"),
        ([{"name": "r", "type": "RECORD"}], "RECORD field r has no fields"),
        (
            [{"name": "r", "type": "STRUCT", "fields": [{"name": "x"}, {"name": "X"}]}],
            "duplicate field name X",
        ),
        ({"name": "a"}, "schema.fields must be a list"),
        (["a:INT64"], "'a:INT64' is not a field"),
    ],
)
def test_it_names_the_field_that_is_wrong(fields: object, message: str) -> None:
    with pytest.raises(InvalidError, match=message) as refused:
        checked_fields(fields)
    assert refused.value.location == "schema"


def test_it_reads_bqs_inline_schema_through_the_same_check() -> None:
    assert parse_schema_string("user_id:INTEGER, title") == [
        {"name": "user_id", "type": "INT64", "mode": "NULLABLE"},
        {"name": "title", "type": "STRING", "mode": "NULLABLE"},
    ]
    with pytest.raises(InvalidError, match="duplicate field name Title"):
        parse_schema_string("title,Title")
