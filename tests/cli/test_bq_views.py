"""`manage.py bq mk --view`, `ls` and `show` for views, with the real bq's messages and columns."""

from __future__ import annotations

import pyarrow as pa
import pytest

from console.catalog.models import Dataset, Project, Table
from console.engine import tables
from tests.cli.test_bq_command import bq

pytestmark = pytest.mark.worker


@pytest.fixture
def shop(worker: None, transactional_db: None) -> Dataset:
    assert bq("mk", "-d", "shop")[0] == 0
    dataset = Dataset.objects.get(dataset_id="shop")
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})
    relative, rows = tables.write_parquet("tables", data.schema, data.to_batches())
    tables.commit_version(dataset, "items", relative, rows, data.schema)
    return dataset


def test_it_makes_lists_shows_and_queries_a_view(shop: Dataset) -> None:
    project = Project.default().project_id
    code, out, err = bq(
        "mk", "--use_legacy_sql=false", "--view=SELECT name FROM shop.items WHERE id > 1",
        "shop.big",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"View '{project}:shop.big' successfully created."
    view = Table.objects.get(table_id="big")
    assert (view.table_type, view.view_query) == (
        "VIEW",
        "SELECT name FROM shop.items WHERE id > 1",
    )

    code, out, _ = bq("ls", "shop")
    listing = {line.split()[0]: line.split()[1] for line in out.splitlines()[2:]}
    assert listing == {"big": "VIEW", "items": "TABLE"}

    code, out, _ = bq("show", "shop.big")
    lines = out.splitlines()
    assert lines[0] == f"Table {project}:shop.big"
    assert lines[1].split() == ["Last", "modified", "Schema", "Type", "Expiration", "Labels"]
    assert "|- name: string" in lines[3] and "VIEW" in lines[3]
    code, out, _ = bq("show", "--view", "shop.big")
    assert out.splitlines()[1].split()[-1] == "Query"
    assert out.splitlines()[3].endswith("SELECT name FROM shop.items WHERE id > 1")

    code, out, err = bq("query", "--nouse_legacy_sql", "SELECT name FROM shop.big ORDER BY name")
    assert code == 0, err
    assert [line.split()[1] for line in out.splitlines() if line.startswith("| ")][1:] == ["b", "c"]
    code, _, err = bq("head", "shop.big")
    assert (code, err.strip()) == (
        1,
        "BigQuery error in head operation: Cannot list a table of type VIEW.",
    )


def test_it_refuses_a_view_that_exists_is_legacy_or_reads_nothing(shop: Dataset) -> None:
    project = Project.default().project_id
    code, _, err = bq("mk", "--view=SELECT 1 AS x", "shop.items")
    assert code == 1
    assert err.strip() == (
        f"BigQuery error in mk operation: View '{project}:shop.items' could not be created; a "
        "table with this name already exists."
    )
    code, _, err = bq("mk", "--use_legacy_sql=true", "--view=SELECT 1", "shop.v")
    assert code == 1 and "Legacy SQL views are not supported by Quarry" in err
    code, _, err = bq("mk", "--view=SELECT * FROM shop.gone", "shop.v")
    assert code == 2 and f"Not found: Table {project}:shop.gone" in err
    assert not Table.objects.filter(table_id="v").exists()


def test_it_updates_a_views_query_and_schema(shop: Dataset) -> None:
    project = Project.default().project_id
    assert bq("mk", "--view=SELECT name FROM shop.items", "shop.v")[0] == 0
    code, out, err = bq(
        "update", "--nouse_legacy_sql", "--view=SELECT id, name FROM shop.items WHERE id = 2",
        "shop.v",
    )  # fmt: skip
    assert (code, out.strip()) == (0, f"View '{project}:shop.v' successfully updated."), err
    view = Table.objects.get(table_id="v")
    assert [f["name"] for f in view.schema] == ["id", "name"]
    code, out, _ = bq("query", "SELECT name FROM shop.v")
    assert [line.split()[1] for line in out.splitlines() if line.startswith("| ")] == ["name", "b"]

    code, _, err = bq("update", "--view=SELECT nope FROM shop.items", "shop.v")
    assert code == 1 and "nope" in err
    code, _, err = bq("update", "--view=SELECT 1", "shop.items")
    assert (code, err.strip()) == (
        1,
        "BigQuery error in update operation: "
        f"{project}:shop.items is a table, not a view: --view updates a view",
    )
    assert Table.objects.get(table_id="v").view_query.endswith("WHERE id = 2")
