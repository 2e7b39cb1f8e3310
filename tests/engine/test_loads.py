"""LOAD jobs: CSV options, autodetect, JSON, Parquet; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from console.catalog.models import Dataset, Project, Table
from console.engine.results import read_rows
from console.errors import BigQueryError
from console.jobs.models import Job
from tests.conftest import submit_test_load, wait_for

pytestmark = pytest.mark.worker

RATINGS = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
UTC = dt.UTC
MOVIELENS = Path(os.environ.get("MOVIELENS_DIR", "/nonexistent")) / "ml-1m"


@pytest.fixture
def dataset(transactional_db: None, worker: None) -> Dataset:
    return Dataset.create(Project.default(), "loads")


def _load(data: bytes, table_id: str = "t", **options) -> Job:
    return wait_for(submit_test_load("loads", table_id, io.BytesIO(data), **options))


def _ok(data: bytes, table_id: str = "t", **options) -> Table:
    job = _load(data, table_id, **options)
    assert job.error_result is None, job.error_result
    return Table.objects.get(dataset__dataset_id="loads", table_id=table_id)


def _rows(table: Table) -> list[list]:
    _, rows, _ = read_rows(table, 0, 1000)
    return rows


def _types(table: Table) -> list[tuple[str, str]]:
    return [(f["name"], f["type"]) for f in table.schema]


def test_it_loads_csv_with_a_schema_skipping_leading_rows(dataset: Dataset) -> None:
    table = _ok(
        b"user,item,rating,ts\n1,10,4.5,978300760\n2,11,3,2001-01-01 00:00:00 UTC\n",
        schema=RATINGS,
        skip_leading_rows=1,
    )
    assert _rows(table) == [
        [1, 10, 4.5, dt.datetime(2000, 12, 31, 22, 12, 40, tzinfo=UTC)],
        [2, 11, 3.0, dt.datetime(2001, 1, 1, tzinfo=UTC)],
    ]


def test_it_autodetects_a_header_and_the_column_types(dataset: Dataset) -> None:
    data = (
        b"id,score,ok,seen,day,name,Movie Title\n"
        b"1,2.5,true,2020-01-02 03:04:05,2020-01-02,ann,x\n"
        b"2,3,FALSE,2020-01-03T00:00:00Z,2020-01-03,,y\n"
    )
    table = _ok(data, autodetect=True)
    assert _types(table) == [
        ("id", "INT64"),
        ("score", "FLOAT64"),
        ("ok", "BOOL"),
        ("seen", "TIMESTAMP"),
        ("day", "DATE"),
        ("name", "STRING"),
        ("Movie_Title", "STRING"),
    ]
    assert _rows(table)[1] == [
        2,
        3.0,
        False,
        dt.datetime(2020, 1, 3, tzinfo=UTC),
        dt.date(2020, 1, 3),
        None,
        "y",
    ]


def test_it_autodetects_without_a_header_naming_columns_like_bigquery(dataset: Dataset) -> None:
    table = _ok(b"1,a,0.5\n2,b,1.5\n", autodetect=True)
    assert _types(table) == [
        ("int64_field_0", "INT64"),
        ("string_field_1", "STRING"),
        ("double_field_2", "FLOAT64"),
    ]
    assert table.num_rows == 2


def test_it_reads_a_header_row_named_by_skip_leading_rows(dataset: Dataset) -> None:
    table = _ok(b"# export\nid,name\n1,a\n", autodetect=True, skip_leading_rows=2)
    assert _types(table) == [("id", "INT64"), ("name", "STRING")]
    assert _rows(table) == [[1, "a"]]


def test_it_reads_the_first_row_as_data_when_skip_leading_rows_is_zero(dataset: Dataset) -> None:
    table = _ok(b"id,name\n1,a\n", autodetect=True, skip_leading_rows=0)
    assert _types(table) == [("string_field_0", "STRING"), ("string_field_1", "STRING")]
    assert table.num_rows == 2


def test_it_loads_a_multi_character_delimiter_respecting_quotes(dataset: Dataset) -> None:
    data = b'1::"Dr. Strangelove:: or How I Learned"::Comedy\n2::Plain::Drama|War\n'
    table = _ok(data, schema="id:INT64,title,genres", field_delimiter="::")
    assert _rows(table) == [
        [1, "Dr. Strangelove:: or How I Learned", "Comedy"],
        [2, "Plain", "Drama|War"],
    ]


def test_it_converts_latin1_loaded_without_an_encoding_as_bigquery_does(dataset: Dataset) -> None:
    data = "1::Toy Story (1995)\n73::Misérables, Les (1995)\n".encode("latin-1")
    data += b"74::Am\xc3\xa9lie (2001)\n75::\x93Quoted\x94 (1999)\n"
    table = _ok(data, schema="id:INT64,title", field_delimiter="::")
    assert _rows(table) == [
        [1, "Toy Story (1995)"],
        [73, "Misérables, Les (1995)"],
        [74, "Amélie (2001)"],
        [75, "\ufffdQuoted\ufffd (1999)"],
    ]
    # Named, ISO-8859-1 is byte for byte: 0x93 is the C1 control U+0093.
    table = _ok(data, "named", schema="id:INT64,t", field_delimiter="::", encoding="ISO-8859-1")
    assert _rows(table)[1:] == [
        [73, "Misérables, Les (1995)"],
        [74, "AmÃ©lie (2001)"],
        [75, "\x93Quoted\x94 (1999)"],
    ]


TEXT = "id,title\n1,Misérables\n2,東京物語\n3,😀 (2001)\n"


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE"])
@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_it_loads_each_unicode_encoding_with_or_without_a_byte_order_mark(
    dataset: Dataset, encoding: str, bom: bool
) -> None:
    data = (("\ufeff" if bom else "") + TEXT).encode(encoding)
    table = _ok(data, autodetect=True, encoding=encoding)
    assert _types(table) == [("id", "INT64"), ("title", "STRING")]
    assert _rows(table) == [[1, "Misérables"], [2, "東京物語"], [3, "😀 (2001)"]]


def test_it_loads_iso_8859_1_and_reads_a_utf16_byte_order_mark_without_an_encoding(
    dataset: Dataset,
) -> None:
    table = _ok("1,Misérables\n".encode("latin-1"), schema="id:INT64,t", encoding="ISO-8859-1")
    assert _rows(table) == [[1, "Misérables"]]
    table = _ok(("\ufeff" + TEXT).encode("UTF-16LE"), "utf16", autodetect=True)
    assert _rows(table)[0] == [1, "Misérables"]


def test_it_refuses_a_byte_order_mark_of_another_encoding_and_an_unknown_encoding(
    dataset: Dataset,
) -> None:
    job = _load(("\ufeff" + TEXT).encode("UTF-16LE"), autodetect=True, encoding="UTF-16BE")
    assert job.error_result["message"] == (
        "Error while reading data, error message: the file starts with a UTF-16LE byte order "
        "mark but the load's encoding is UTF-16BE: load it with encoding UTF-16LE"
    )
    assert not Table.objects.exists()
    with pytest.raises(BigQueryError, match="UTF-7.*UTF-8, ISO-8859-1, UTF-16BE"):
        _load(TEXT.encode(), autodetect=True, encoding="UTF-7")
    assert not Table.objects.exists() and Job.objects.count() == 1


def test_it_applies_the_write_dispositions(dataset: Dataset) -> None:
    schema = "id:INT64"
    assert _ok(b"1\n2\n", schema=schema).num_rows == 2
    assert _ok(b"3\n", schema=schema, write_disposition="WRITE_APPEND").num_rows == 3

    refused = _load(b"4\n", schema=schema, write_disposition="WRITE_EMPTY")
    assert refused.error_result["reason"] == "duplicate"
    assert "WRITE_EMPTY" in refused.error_result["message"]

    table = _ok(b"5\n", schema=schema, write_disposition="WRITE_TRUNCATE")
    assert _rows(table) == [[5]]
    assert _ok(b"6\n", "fresh", schema=schema, write_disposition="WRITE_EMPTY").num_rows == 1


def test_it_reads_the_null_marker_as_null(dataset: Dataset) -> None:
    table = _ok(b"1,\\N,x\n\\N,,\\N\n", schema="a:INT64,b:STRING,c:STRING", null_marker="\\N")
    assert _rows(table) == [[1, None, "x"], [None, "", None]]


def test_it_skips_up_to_max_bad_records_and_reports_them(dataset: Dataset) -> None:
    data = b"1,10\n2,oops\n3\n4,40\n5,50,6\n"
    job = _load(data, schema="a:INT64,b:INT64", max_bad_records=3)
    assert job.error_result is None, job.error_result
    assert job.statistics["outputRows"] == "2"
    assert job.statistics["badRecords"] == "3"
    assert [e["location"] for e in job.statistics["errors"]] == ["line 3", "line 5", "line 2"]
    assert (
        "Could not parse 'oops' as INT64 for field b (position 1) starting at line 2"
        in (job.statistics["errors"][2]["message"])
    )
    assert _rows(Table.objects.get(table_id="t")) == [[1, 10], [4, 40]]


def test_it_gives_up_after_max_bad_records_and_creates_nothing(
    dataset: Dataset, storage_dir: Path
) -> None:
    job = _load(b"1,x\n2,y\n3,3\n", schema="a:INT64,b:INT64", max_bad_records=1)
    assert job.error_result["reason"] == "invalid"
    assert (
        "CSV table encountered too many errors, giving up. Rows: 2; errors: 2."
        in (job.error_result["message"])
    )
    assert len(job.statistics["errors"]) == 2
    assert not Table.objects.exists()
    assert not (storage_dir / job.upload_path).exists()


def test_it_loads_quoted_newlines_only_when_allowed(dataset: Dataset) -> None:
    data = b'1,"two\nlines"\n2,"one"\n3,x\n'
    refused = _load(data, schema="a:INT64,b")
    assert refused.error_result is not None
    assert "line 1" in refused.error_result["message"]

    table = _ok(data, schema="a:INT64,b", allow_quoted_newlines=True)
    assert _rows(table) == [[1, "two\nlines"], [2, "one"], [3, "x"]]


def test_it_fills_missing_trailing_columns_of_jagged_rows(dataset: Dataset) -> None:
    table = _ok(b"1,a,b\n2,c\n3\n", schema="n:INT64,x,y", allow_jagged_rows=True)
    assert sorted(_rows(table)) == [[1, "a", "b"], [2, "c", None], [3, None, None]]


def test_it_drops_extra_trailing_values_only_with_ignore_unknown_values(dataset: Dataset) -> None:
    data = b"1,a\n2,b,extra,more\n"
    refused = _load(data, schema="n:INT64,x")
    assert (
        "Too many values in line 2: expected 2 columns but got 4"
        in (refused.error_result["message"])
    )
    table = _ok(data, schema="n:INT64,x", ignore_unknown_values=True)
    assert sorted(_rows(table)) == [[1, "a"], [2, "b"]]


def test_it_reads_another_quote_character_or_none(dataset: Dataset) -> None:
    table = _ok(b"1,'a,b'\n2,\"c\"\n", schema="n:INT64,s", quote="'")
    assert _rows(table) == [[1, "a,b"], [2, '"c"']]
    table = _ok(b'1,"c"\n', "unquoted", schema="n:INT64,s", quote="")
    assert _rows(table) == [[1, '"c"']]


def test_it_reads_every_null_marker_as_null(dataset: Dataset) -> None:
    table = _ok(b"1,NA,x\nNULL,,-\n", schema="a:INT64,b,c", null_markers=["NA", "NULL", "", "-"])
    assert _rows(table) == [[1, None, "x"], [None, None, None]]


def test_it_refuses_bad_options_naming_them_before_any_job_exists(dataset: Dataset) -> None:
    cases = [
        ({"max_bad_records": -1}, "maxBadRecords"),
        ({"skip_leading_rows": "two"}, "skipLeadingRows"),
        ({"field_delimiter": ""}, "fieldDelimiter"),
        ({"quote": "''"}, "quote"),
        ({"allow_jagged_rows": "yes"}, "allowJaggedRows"),
        ({"null_marker": "N", "null_markers": ["NA"]}, "nullMarkers"),
        ({"write_disposition": "WRITE_SOMETIMES"}, "writeDisposition"),
        ({"source_format": "AVRO"}, "sourceFormat"),
        ({"time_partitioning": {"type": "WEEK"}}, "timePartitioning.type"),
    ]
    for options, name in cases:
        with pytest.raises(BigQueryError) as raised:
            _load(b"1\n", schema="n:INT64", **options)
        assert raised.value.location == name
        assert name in raised.value.message
    with pytest.raises(BigQueryError, match="Not found: Table local-project:loads.t"):
        _load(b"1\n", schema="n:INT64", create_disposition="CREATE_NEVER")
    assert not Job.objects.exists() and not Table.objects.exists()


def test_it_names_the_line_of_a_bad_value_after_blank_and_quoted_lines(dataset: Dataset) -> None:
    data = b'1,"a\nb"\n\n2,c\n3,d\nx,e\n'
    job = _load(data, schema="n:INT64,s", allow_quoted_newlines=True)
    assert job.error_result["message"] == (
        "Error while reading data, error message: Could not parse 'x' as INT64 for field n "
        "(position 0) starting at line 6"
    )


def test_it_loads_nested_json_with_a_schema(dataset: Dataset) -> None:
    schema = [
        {"name": "id", "type": "INTEGER"},
        {"name": "when", "type": "TIMESTAMP"},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
        {
            "name": "movie",
            "type": "RECORD",
            "fields": [
                {"name": "title", "type": "STRING"},
                {"name": "year", "type": "INT64"},
                {"name": "released", "type": "DATE"},
            ],
        },
        {
            "name": "ratings",
            "type": "RECORD",
            "mode": "REPEATED",
            "fields": [{"name": "stars", "type": "FLOAT"}],
        },
    ]
    lines = [
        {
            "id": 1,
            "when": "2020-01-01 10:00:00 UTC",
            "tags": ["a", "b"],
            "movie": {"title": "Heat", "year": 1995, "released": "1995-12-15"},
            "ratings": [{"stars": 4}, {"stars": 4.5}],
        },
        {"id": 2, "tags": [], "movie": None, "ratings": []},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    table = _ok(data, source_format="NEWLINE_DELIMITED_JSON", schema=schema)
    assert [f["type"] for f in table.schema] == ["INT64", "TIMESTAMP", "STRING", "RECORD", "RECORD"]
    assert table.schema[2]["mode"] == "REPEATED"
    assert _rows(table) == [
        [
            1,
            dt.datetime(2020, 1, 1, 10, tzinfo=UTC),
            ["a", "b"],
            {"title": "Heat", "year": 1995, "released": dt.date(1995, 12, 15)},
            [{"stars": 4.0}, {"stars": 4.5}],
        ],
        [2, None, [], None, []],
    ]


def test_it_loads_json_numbers_written_as_strings_as_bigquery_does(dataset: Dataset) -> None:
    lines = [
        {"id": 1, "score": 1.5, "ok": True},
        {"id": "2", "score": "2.5", "ok": "false"},
        {"id": "3", "score": 3},
        {"id": 4, "score": "4"},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    table = _ok(
        data, source_format="NEWLINE_DELIMITED_JSON", schema="id:INT64,score:FLOAT64,ok:BOOL"
    )
    assert _rows(table) == [[1, 1.5, True], [2, 2.5, False], [3, 3.0, None], [4, 4.0, None]]

    job = _load(
        b'{"id": "4"}\n{"id": "four"}\n',
        "u",
        source_format="NEWLINE_DELIMITED_JSON",
        schema="id:INT64",
    )
    assert "line 2: Could not convert value 'four' to INT64" in job.error_result["message"]
    assert not Table.objects.filter(table_id="u").exists()


def test_it_autodetects_json_and_names_the_line_of_a_bad_one(dataset: Dataset) -> None:
    data = b'{"id": 1, "name": "a", "tags": [1, 2], "at": {"x": 1.5}}\n\n{"id": 2, "name": "b"}\n'
    table = _ok(data, source_format="NEWLINE_DELIMITED_JSON", autodetect=True)
    assert table.schema == [
        {"name": "id", "type": "INT64", "mode": "NULLABLE"},
        {"name": "name", "type": "STRING", "mode": "NULLABLE"},
        {"name": "tags", "type": "INT64", "mode": "REPEATED"},
        {
            "name": "at",
            "type": "RECORD",
            "mode": "NULLABLE",
            "fields": [{"name": "x", "type": "FLOAT64", "mode": "NULLABLE"}],
        },
    ]
    assert _rows(table)[1] == [2, "b", [], None]

    job = _load(
        b'{"id": 3, "name": "c"}\n{"id": "oops"\n{"id": 4, "extra": 1}\n',
        source_format="NEWLINE_DELIMITED_JSON",
        max_bad_records=1,
    )
    assert "JSON table encountered too many errors" in job.error_result["message"]
    assert [e["location"] for e in job.statistics["errors"]] == ["line 2", "line 3"]
    assert Table.objects.get(table_id="t").num_rows == 2


def test_it_loads_parquet_with_its_own_schema_and_appends_to_it(dataset: Dataset) -> None:
    source = pa.table(
        {
            "user_id": pa.array([1, 2], pa.int32()),
            "rating": pa.array([4.5, 3.0], pa.float32()),
            "tags": pa.array([["a"], []], pa.list_(pa.string())),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(source, buffer)
    table = _ok(buffer.getvalue(), source_format="PARQUET")
    assert [(f["name"], f["type"], f["mode"]) for f in table.schema] == [
        ("user_id", "INT64", "NULLABLE"),
        ("rating", "FLOAT64", "NULLABLE"),
        ("tags", "STRING", "REPEATED"),
    ]
    table = _ok(buffer.getvalue(), source_format="PARQUET", write_disposition="WRITE_APPEND")
    assert table.num_rows == 4
    assert _rows(table)[3] == [2, 3.0, []]

    broken = _load(b"PAR1 not really", source_format="PARQUET", write_disposition="WRITE_APPEND")
    assert "Invalid Parquet file" in broken.error_result["message"]
    assert Table.objects.get(table_id="t").num_rows == 4


def test_it_fails_at_line_1_naming_the_separator_a_wrong_delimiter_misses(
    dataset: Dataset, storage_dir: Path
) -> None:
    ratings = b"".join(b"%d::%d::5::978300760\n" % (u, u * 7) for u in range(1, 20_000))
    job = _load(ratings, "ratings", schema=RATINGS)
    assert job.error_result == {
        "reason": "invalid",
        "location": "line 1",
        "message": "Error while reading data, error message: line 1 has 1 field where 4 are "
        "expected: '1::7::5::978300760'. The line seems to use '::' as its separator, not ',': "
        "load the file with field delimiter '::' (bq load --field_delimiter='::')",
    }
    assert job.statistics["errors"] == [{**job.error_result, "location": "line 1"}]
    assert not Table.objects.exists()
    assert not list((storage_dir / "tables").glob(".tmp-*"))
    table = _ok(ratings, "ratings", schema=RATINGS, field_delimiter="::")
    assert table.num_rows == 19_999


def test_it_keeps_the_old_version_and_removes_the_upload_when_a_load_fails(
    dataset: Dataset, storage_dir: Path
) -> None:
    before = _ok(b"1,a\n", schema="n:INT64,s")
    job = _load(b"2,b\n" * 5000 + b"x,c\n", schema="n:INT64,s", write_disposition="WRITE_TRUNCATE")
    assert "starting at line 5001" in job.error_result["message"]
    after = Table.objects.get(table_id="t")
    assert (after.version, after.data_path, _rows(after)) == (
        before.version,
        before.data_path,
        [[1, "a"]],
    )
    assert not (storage_dir / job.upload_path).exists()
    assert not list((storage_dir / "tables").glob(".tmp-*"))


@pytest.mark.skipif(not (MOVIELENS / "ratings.dat").exists(), reason="MOVIELENS_DIR unset")
def test_it_loads_movielens_1m_dat_files_directly(dataset: Dataset) -> None:
    with open(MOVIELENS / "ratings.dat", "rb") as handle:
        job = wait_for(
            submit_test_load("loads", "ratings", handle, schema=RATINGS, field_delimiter="::")
        )
    assert job.error_result is None, job.error_result
    ratings = Table.objects.get(table_id="ratings")
    assert ratings.num_rows == 1_000_209
    assert _rows(ratings)[0] == [1, 1193, 5.0, dt.datetime(2000, 12, 31, 22, 12, 40, tzinfo=UTC)]

    with open(MOVIELENS / "movies.dat", "rb") as handle:
        job = wait_for(
            submit_test_load(
                "loads",
                "movies",
                handle,
                autodetect=True,
                field_delimiter="::",
                encoding="ISO-8859-1",
            )
        )
    assert job.error_result is None, job.error_result
    movies = Table.objects.get(table_id="movies")
    assert movies.num_rows == 3883
    assert _types(movies)[0] == ("int64_field_0", "INT64")
    assert [73, "Misérables, Les (1995)", "Drama|Musical"] in _rows(movies)[:100]


def test_it_refuses_a_row_nested_deeper_than_bigquery_allows_and_keeps_its_worker(
    dataset: Dataset,
) -> None:
    # 30,000 levels crashed pyarrow's JSON reader, and the worker process with it.
    deep = b'{"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    data = b'{"a": [[1]]}\n' + deep + b"\n"
    job = _load(data, source_format="NEWLINE_DELIMITED_JSON", autodetect=True)
    assert job.error_result == {
        "reason": "invalid",
        "message": "Error while reading data, error message: line 2: the row is nested more "
        "than 15 levels deep, BigQuery's limit",
    }
    assert not Table.objects.filter(table_id="t").exists()
    # Brackets inside strings are text, not nesting; and the same worker is still serving.
    text = b'{"s": "' + b"[{" * 100 + b'\\"]"}\n'
    table = _ok(text, source_format="NEWLINE_DELIMITED_JSON", autodetect=True)
    assert table.num_rows == 1


@pytest.mark.parametrize(
    "options",
    [
        {"schema": "id:INT64,body"},
        {"autodetect": True},
        {"schema": "id:INT64,body", "allow_quoted_newlines": True},
        {"schema": "id:INT64,body", "field_delimiter": "::"},
    ],
    ids=["schema", "autodetect", "quoted-newlines", "long-delimiter"],
)
def test_it_loads_a_10_mb_value(dataset: Dataset, options: dict) -> None:
    # pyarrow reads a CSV in 1 MB blocks, and refused a row longer than one.
    value = "x" * (10 * 1024 * 1024)
    separator = options.get("field_delimiter", ",")
    data = f'1{separator}short\n2{separator}"{value}"\n3{separator}end\n'.encode()

    table = _ok(data, **options)

    assert table.num_rows == 3
    assert [len(body) for _, body in _rows(table)] == [5, len(value), 3]


def test_it_refuses_a_row_over_bigquerys_100_mb_limit_naming_its_line(dataset: Dataset) -> None:
    data = b"1,short\n2," + b"x" * (100 * 1024 * 1024 + 1) + b"\n3,end\n"

    job = _load(data, schema="id:INT64,body")

    assert job.error_result == {
        "reason": "invalid",
        "message": "Error while reading data, error message: line 2 is longer than 100 MB, "
        "BigQuery's limit for a row",
    }
    assert not Table.objects.filter(table_id="t").exists()
