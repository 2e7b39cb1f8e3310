"""Reading table versions for the Storage Read API: streams, fields, restrictions, snapshots."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.utils import timezone

from console.catalog.models import Dataset, Project, Table
from console.engine import reads, tables
from console.errors import InvalidError


@pytest.fixture
def dataset(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def _write(dataset: Dataset, table_id: str, data: pa.Table) -> Table:
    return tables.write_version(dataset, table_id, data.schema, None, data.to_batches())


def _numbers(n: int) -> pa.Table:
    return pa.table(
        {
            "user_id": pa.array(range(n), pa.int64()),
            "item_id": pa.array([i % 97 for i in range(n)], pa.int64()),
            "rating": pa.array([(i % 5) + 0.5 for i in range(n)], pa.float64()),
        }
    )


def _read_all(read: reads.Read, parts: list[reads.Part]) -> pa.Table:
    batches = [b for part in parts for b in reads.batches(read, part)]
    return pa.Table.from_batches(batches, schema=read.schema)


def test_it_splits_a_large_table_on_row_groups_and_covers_every_row_once(
    dataset: Dataset,
) -> None:
    table = _write(dataset, "big", _numbers(3 * tables.ROW_GROUP_ROWS + 1000))
    read = reads.plan(table)
    parts = reads.split(read, 3)
    assert len(parts) == 3
    assert all(p.start % tables.ROW_GROUP_ROWS == 0 for p in parts)
    got = _read_all(read, parts)
    assert got.column("user_id").to_pylist() == list(range(table.num_rows))


def test_it_splits_a_small_table_into_row_ranges(dataset: Dataset) -> None:
    table = _write(dataset, "small", _numbers(1001))
    read = reads.plan(table)
    parts = reads.split(read, 4)
    assert len(parts) == 4
    ids = [v for p in parts for b in reads.batches(read, p) for v in b.column(0).to_pylist()]
    assert ids == list(range(1001))
    assert reads.split(reads.plan(_write(dataset, "one", _numbers(2))), 10) == [
        reads.Part(0, 1),
        reads.Part(1, 2),
    ]


def test_it_reads_only_the_selected_fields_in_the_tables_order(dataset: Dataset) -> None:
    table = _write(dataset, "t", _numbers(10))
    read = reads.plan(table, ["RATING", "user_id"])
    assert read.schema.names == ["user_id", "rating"]
    assert [f["name"] for f in read.fields] == ["user_id", "rating"]
    assert _read_all(read, reads.split(read, 1)).num_columns == 2


def test_it_reads_a_nested_field_path(dataset: Dataset) -> None:
    data = pa.table(
        {
            "id": [1, 2],
            "s": pa.array([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
        }
    )
    read = reads.plan(_write(dataset, "nested", data), ["s.b"])
    got = _read_all(read, reads.split(read, 1))
    assert got.to_pylist() == [{"s": {"b": "x"}}, {"s": {"b": "y"}}]
    assert read.fields[0]["fields"] == [{"name": "b", "type": "STRING", "mode": "NULLABLE"}]


def test_it_refuses_a_field_the_table_does_not_have(dataset: Dataset) -> None:
    table = _write(dataset, "t", _numbers(10))
    with pytest.raises(InvalidError, match="'nope'.*has no such field"):
        reads.plan(table, ["nope"])


def test_it_filters_rows_with_a_restriction_on_columns_it_does_not_return(
    dataset: Dataset,
) -> None:
    table = _write(dataset, "t", _numbers(1000))
    read = reads.plan(table, ["user_id"], "rating >= 4.5 AND MOD(user_id, 2) = 0")
    got = _read_all(read, reads.split(read, 3))
    assert got.schema.names == ["user_id"]
    assert got.column(0).to_pylist() == [i for i in range(1000) if i % 5 == 4 and i % 2 == 0]


@pytest.mark.parametrize(
    ("restriction", "message"),
    [
        ("user_id IN (SELECT user_id FROM ds.other)", "subquery"),
        ("EXISTS (SELECT 1)", "subquery"),
        ("user_id = 1; DROP TABLE ds.t", "not a SQL boolean expression"),
        ("1 = 1) OR (1 = 1", "not a SQL boolean expression"),
        ("other.user_id = 1", "Unrecognized name: other"),
        ("password = 'x'", "Unrecognized name: password"),
        ("read_text('/etc/passwd') = 'x'", "Function not found"),
        ("user_id + 1", "BOOL"),
        ("COUNT(*) > 1", "aggregate"),
        ("user_id = @id", "parameter"),
    ],
)
def test_it_refuses_a_restriction_that_is_not_a_check_of_this_tables_columns(
    dataset: Dataset, restriction: str, message: str
) -> None:
    table = _write(dataset, "t", _numbers(10))
    with pytest.raises(InvalidError, match=message):
        reads.plan(table, (), restriction)


def test_it_reads_the_version_current_at_the_snapshot_time(dataset: Dataset) -> None:
    first = _write(dataset, "t", _numbers(3))
    between = timezone.now()
    table = tables.write_next_version(first, _numbers(5).schema, _numbers(5).to_batches())
    assert reads.plan(table).num_rows == 5
    old = reads.plan(table, snapshot_time=between)
    assert _read_all(old, reads.split(old, 1)).num_rows == 3
    with pytest.raises(InvalidError, match="did not exist then"):
        reads.plan(table, snapshot_time=between - dt.timedelta(hours=1))


def test_it_resumes_a_stream_at_an_offset(dataset: Dataset) -> None:
    table = _write(dataset, "t", _numbers(500))
    read = reads.plan(table)
    part = reads.Part(100, 400)
    resumed = [v for b in reads.batches(read, part, 250) for v in b.column(0).to_pylist()]
    assert resumed == list(range(350, 400))
    filtered = reads.plan(table, (), "MOD(user_id, 10) = 0")
    ids = [v for b in reads.batches(filtered, part, 3) for v in b.column(0).to_pylist()]
    assert ids == list(range(130, 400, 10))


def test_it_splits_a_stream_into_two_that_read_it_back_to_back(dataset: Dataset) -> None:
    table = _write(dataset, "t", _numbers(100))
    read = reads.plan(table)
    primary, remainder = reads.split_part(read, reads.Part(0, 100), 0.3)
    assert (primary, remainder) == (reads.Part(0, 30), reads.Part(30, 100))
    assert reads.split_part(read, reads.Part(5, 6), 0.5) is None


def test_it_refuses_to_read_a_view(dataset: Dataset) -> None:
    view = Table.objects.create(
        dataset=dataset, table_id="v", table_type=Table.Type.VIEW, view_query="SELECT 1 AS x"
    )
    with pytest.raises(InvalidError, match="currently a VIEW"):
        reads.plan(view)
