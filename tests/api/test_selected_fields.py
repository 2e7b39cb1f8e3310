"""selectedFields: tables.get and tabledata.list show only the fields asked for, nested or not."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.test import Client

from console.catalog.models import Dataset, Project, Table
from console.engine import tables
from console.engine.selection import select_rows

API = "/bigquery/v2/projects/local-project/datasets/ds/tables/t"
POINT = pa.struct([("x", pa.int64()), ("y", pa.int64()), ("label", pa.string())])
SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("point", POINT)])


@pytest.fixture
def table(db: None) -> Table:
    dataset = Dataset.create(Project.default(), "ds")
    rows = pa.record_batch(
        [[1, 2], ["a", "b"], [{"x": 1, "y": 2, "label": "p"}, None]], schema=SCHEMA
    )
    return tables.write_version(dataset, "t", SCHEMA, None, [rows])


def _names(fields: list[dict]) -> list:
    return [(f["name"], _names(f["fields"])) if "fields" in f else f["name"] for f in fields]


def test_it_shows_only_the_selected_fields_in_tables_get(client: Client, table: Table) -> None:
    body = client.get(f"{API}?selectedFields=point.y,id").json()
    # In the table's order, whatever the order asked for.
    assert _names(body["schema"]["fields"]) == ["id", ("point", ["y"])]
    assert body["numRows"] == "2"
    whole = client.get(API).json()
    assert _names(whole["schema"]["fields"]) == ["id", "name", ("point", ["x", "y", "label"])]


def test_it_refuses_an_unknown_selected_field(client: Client, table: Table) -> None:
    response = client.get(f"{API}?selectedFields=id,colour")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "Unrecognized field: colour in local-project:ds.t"
    assert error["errors"][0]["reason"] == "invalid"
    nested = client.get(f"{API}?selectedFields=point.z").json()["error"]
    assert nested["message"] == "Unrecognized field: point.z in local-project:ds.t"
    scalar = client.get(f"{API}?selectedFields=name.first").json()["error"]
    assert scalar["message"].startswith("Field name of local-project:ds.t is a ")


def test_it_sends_the_cells_of_the_selected_nested_fields(client: Client, table: Table) -> None:
    body = client.get(f"{API}/data?selectedFields=point.label,point.x,name").json()
    assert [row["f"] for row in body["rows"]] == [
        [{"v": "a"}, {"v": {"f": [{"v": "1"}, {"v": "p"}]}}],
        [{"v": "b"}, {"v": None}],
    ]


def test_it_selects_fields_of_repeated_records() -> None:
    fields = [
        {"name": "id", "type": "INTEGER"},
        {
            "name": "tags",
            "type": "RECORD",
            "mode": "REPEATED",
            "fields": [{"name": "k", "type": "STRING"}, {"name": "v", "type": "STRING"}],
        },
    ]
    rows = [[1, [{"k": "a", "v": "b"}, {"k": "c", "v": "d"}]]]
    shown, picked = select_rows(fields, rows, "TAGS.v", "t")
    assert _names(shown) == [("tags", ["v"])]
    assert picked == [[[{"v": "b"}, {"v": "d"}]]]
