"""`manage.py bq` against the real worker: bq's flags, messages and output."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine.results import read_rows
from console.jobs.models import Job
from console.management.commands.bq import Command
from mfcore import make_ratings
from tests.conftest import MOVIE_ROWS, MOVIES_DAT, MOVIES_SCHEMA, tutorial_sed

pytestmark = pytest.mark.worker
MOVIELENS = Path(os.environ.get("MOVIELENS_DIR", "/nonexistent")) / "ml-1m"

SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
CREATE_MODEL = (
    "CREATE OR REPLACE MODEL `bqml_tutorial.mf` OPTIONS(model_type='matrix_factorization', "
    "user_col='user_id', item_col='item_id', num_factors=4, max_iterations=3) AS "
    "SELECT user_id, item_id, rating FROM `bqml_tutorial.ratings`"
)


def bq(*argv: str) -> tuple[int, str, str]:
    """Run `manage.py bq argv...` in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = Command(stdout=out, stderr=err).execute_bq(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tutorial(worker: None, transactional_db: None, tmp_path: Path) -> Path:
    """Create bqml_tutorial and load small ratings into it; return the CSV file."""
    ratings = make_ratings(n_users=40, n_items=30, n_ratings=400, random_state=5)
    source = tmp_path / "ratings.csv"
    ratings.to_csv(source, sep="@", header=False, index=False)
    assert bq("mk", "-d", "--location=US", "bqml_tutorial")[0] == 0
    code, out, err = bq(
        "load", "--source_format=CSV", "--field_delimiter=@", "bqml_tutorial.ratings",
        str(source), SCHEMA,
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("Upload complete.\nWaiting on ")
    assert out.rstrip().endswith("Current status: DONE")
    return source


def test_it_validates_a_query_with_dry_run(tutorial: Path) -> None:
    sql = "SELECT * FROM bqml_tutorial.ratings"
    code, out, _ = bq("query", "--dry_run", "--nouse_legacy_sql", sql)
    assert code == 0
    assert re.fullmatch(
        r"Query successfully validated\. Assuming the tables are not modified, running this "
        r"query will process [1-9]\d* bytes of data\.",
        out.strip(),
    )
    assert not Job.objects.filter(job_type=Job.Type.QUERY).exists()
    code, _, err = bq("query", "--dry_run", "SELECT * FROM bqml_tutorial.nope")
    assert code == 1 and err.startswith("Error in query string: Not found: Table")


def test_it_prints_results_in_every_format(tutorial: Path) -> None:
    sql = "SELECT 1 AS n, 'a' AS s UNION ALL SELECT 2, NULL ORDER BY n"
    outputs = {f: bq(f"--format={f}", "query", "--nouse_legacy_sql", sql)[1] for f in
               ("pretty", "json", "prettyjson", "csv")}  # fmt: skip
    assert outputs["pretty"].splitlines()[-6:] == [
        "+---+------+",
        "| n |  s   |",
        "+---+------+",
        "| 1 | a    |",
        "| 2 | NULL |",
        "+---+------+",
    ]
    assert json.loads(outputs["json"].splitlines()[-1]) == [
        {"n": "1", "s": "a"},
        {"n": "2", "s": None},
    ]
    assert '[\n  {\n    "n": "1"' in outputs["prettyjson"]
    # As the real bq: keys sorted, compact separators, non-ASCII text left as it is.
    accented = "SELECT 'Misérables' AS title, 1 AS a"
    assert bq("--format=json", "query", "--nouse_legacy_sql", accented)[1].splitlines()[-1] == (
        '[{"a":"1","title":"Misérables"}]'
    )
    nested = "SELECT [STRUCT('Misérables' AS title)] AS films"
    assert '| [{"title":"Misérables"}] |' in bq("query", "--nouse_legacy_sql", nested)[1]
    assert outputs["csv"].splitlines()[-3:] == ["n,s", "1,a", "2,"]
    # NUMERIC as the API writes it: 1.5, not the stored 1.500000000.
    numeric = "SELECT NUMERIC '1.50' AS n"
    assert "| 1.5 |" in bq("query", "--nouse_legacy_sql", numeric)[1]
    assert bq("--format=json", "query", "--nouse_legacy_sql", numeric)[1].splitlines()[-1] == (
        '[{"n":"1.5"}]'
    )
    code, out, _ = bq("query", "--max_rows=1", "--nouse_legacy_sql", sql)
    assert "| 1 | a |" in out and "| 2 |" not in out
    code, _, err = bq("--format=csv", "query", "--nouse_legacy_sql", "SELECT [1, 2] AS xs")
    assert code == 1 and 'Cannot print repeated field "xs" in CSV format.' in err


def test_it_writes_a_destination_table(tutorial: Path) -> None:
    sql = "SELECT user_id FROM bqml_tutorial.ratings LIMIT 3"
    code, _, err = bq("query", "--destination_table=bqml_tutorial.some", "--nouse_legacy_sql", sql)
    assert code == 0, err
    assert Table.objects.get(table_id="some").num_rows == 3
    code, _, err = bq("query", "--destination_table=bqml_tutorial.some", "--nouse_legacy_sql", sql)
    assert code == 1 and "Already Exists: Table local-project:bqml_tutorial.some" in err
    code, _, err = bq(
        "query", "--destination_table=bqml_tutorial.some", "--replace", "--nouse_legacy_sql",
        "SELECT user_id FROM bqml_tutorial.ratings LIMIT 5",
    )  # fmt: skip
    assert code == 0, err
    table = Table.objects.get(table_id="some")
    assert table.num_rows == 5 and table.version == 2
    code, out, err = bq(
        "--format=json", "query", "--destination_table=bqml_tutorial.some", "--append_table",
        "--nouse_legacy_sql", "SELECT user_id FROM bqml_tutorial.ratings LIMIT 2",
    )  # fmt: skip
    assert code == 0, err
    assert Table.objects.get(table_id="some").num_rows == 7
    # As bq shows it: the job's result is the destination table, appended rows and all.
    assert len(json.loads(out.splitlines()[-1])) == 7


def test_it_heads_a_table_from_a_row_with_chosen_fields(tutorial: Path) -> None:
    code, out, _ = bq("head", "-n", "2", "-s", "1", "-c", "rating,user_id", "bqml_tutorial.ratings")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 6
    assert [c.strip() for c in lines[1].strip("|").split("|")] == ["user_id", "rating"]
    code, _, err = bq("head", "-c", "colour", "bqml_tutorial.ratings")
    assert code == 1 and "Unrecognized field: colour" in err


def test_it_lists_and_shows_jobs(tutorial: Path) -> None:
    bq("query", "--nouse_legacy_sql", "SELECT 1")
    code, out, _ = bq("ls", "-j", "-n", "1")
    header, rule, row = out.splitlines()
    assert header.split() == ["jobId", "Job", "Type", "State", "Start", "Time", "Duration"]
    job = Job.objects.first()
    assert row.split()[:3] == [job.job_id, "query", "SUCCESS"]
    assert row.split()[-1].startswith("0:00:")
    code, out, _ = bq("show", "-j", job.job_id)
    assert code == 0 and out.startswith(f"Job local-project:{job.job_id}\n")
    assert "SUCCESS" in out
    code, _, err = bq("show", "-j", "job_nope")
    assert code == 2 and "Not found: Job local-project:US.job_nope" in err


def test_it_trains_shows_and_removes_a_model_and_a_table(tutorial: Path) -> None:
    code, out, err = bq("query", "--nouse_legacy_sql", CREATE_MODEL)
    assert code == 0, err
    assert out.rstrip().endswith("Created local-project.bqml_tutorial.mf")
    # Progress lines number iterations as ML.TRAINING_INFO does, from 0; the last is 2 of 0..2.
    progress = re.findall(r"^Training iteration (\d+): loss \d\.\d{4}$", out, re.M)
    assert progress and progress[-1] == "2"
    code, out, _ = bq("ls", "-m", "bqml_tutorial")
    assert "mf" in out and "MATRIX_FACTORIZATION" in out
    code, out, _ = bq("show", "--model", "bqml_tutorial.mf")
    assert out.startswith("Model local-project:bqml_tutorial.mf")

    assert bq("rm", "-f", "-m", "bqml_tutorial.mf")[0] == 0
    assert not MLModel.objects.exists()
    assert bq("rm", "-f", "-t", "bqml_tutorial.ratings")[0] == 0
    assert not Table.objects.exists()
    code, _, err = bq("rm", "-f", "-t", "bqml_tutorial.ratings")
    assert code == 2 and "Not found: Table" in err
    assert bq("rm", "-r", "-f", "-d", "bqml_tutorial")[0] == 0
    assert not Dataset.objects.filter(project=Project.default()).exists()


def test_it_copies_tables_with_cp(tutorial: Path) -> None:
    project = Project.default().project_id
    rows = Table.objects.get(table_id="ratings").num_rows
    code, out, err = bq("cp", "bqml_tutorial.ratings", "bqml_tutorial.ratings_copy")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        f"Table '{project}:bqml_tutorial.ratings' successfully copied to "
        f"'{project}:bqml_tutorial.ratings_copy'"
    )
    assert "Current status: DONE" in out
    copy = Table.objects.get(table_id="ratings_copy")
    assert copy.num_rows == rows
    assert copy.data_path != Table.objects.get(table_id="ratings").data_path

    code, out, err = bq(
        "cp", "-a", "bqml_tutorial.ratings", f"{project}:bqml_tutorial.ratings_copy"
    )
    assert code == 0, err
    assert Table.objects.get(table_id="ratings_copy").num_rows == 2 * rows
    code, out, _ = bq("cp", "-n", "bqml_tutorial.ratings", "bqml_tutorial.ratings_copy")
    assert code == 0
    assert out.strip() == f"Table '{project}:bqml_tutorial.ratings_copy' already exists, skipping"
    code, _, err = bq("cp", "-f", "bqml_tutorial.ratings", "bqml_tutorial.ratings_copy")
    assert code == 0, err
    assert Table.objects.get(table_id="ratings_copy").num_rows == rows
    assert Job.objects.filter(job_type=Job.Type.COPY).count() == 3

    code, _, err = bq("cp", "bqml_tutorial.nope", "bqml_tutorial.other")
    assert code == 2
    assert err.startswith("BigQuery error in cp operation: Error processing job")
    assert f"Not found: Table {project}:bqml_tutorial.nope" in err


def test_it_streams_json_rows_into_a_table(tutorial: Path, tmp_path: Path) -> None:
    rows = tmp_path / "rows.json"
    rows.write_text(
        '{"user_id": 900, "item_id": 1, "rating": 4.0, "timestamp": "2026-11-28 10:00:00"}\n'
        '{"user_id": "nine", "item_id": 2, "rating": 3.0}\n'
    )
    before = Table.objects.get(table_id="ratings")
    code, out, _ = bq("insert", "bqml_tutorial.ratings", str(rows))
    # bq's report, line for line as the real bq prints insertAll's errors.
    assert code == 1 and out.splitlines() == [
        "record 0 errors: \tstopped: ",
        "record 1 errors: \tinvalid: Cannot convert value to INT64 (bad value): nine",
    ]
    assert Table.objects.get(table_id="ratings").version == before.version
    code, out, _ = bq("insert", "--skip_invalid_rows", "bqml_tutorial.ratings", str(rows))
    assert code == 1 and out.startswith("record 1 errors: \tinvalid")
    assert Table.objects.get(table_id="ratings").num_rows == before.num_rows + 1
    code, out, _ = bq("--format=csv", "query", "--nouse_legacy_sql",
                      "SELECT rating FROM bqml_tutorial.ratings WHERE user_id = 900")  # fmt: skip
    assert out.splitlines()[-2:] == ["rating", "4.0"]
    sql = "UPDATE bqml_tutorial.ratings SET rating = 5 WHERE user_id = 900"
    code, out, _ = bq("query", "--nouse_legacy_sql", sql)
    assert code == 0 and out.splitlines()[-1] == "Number of affected rows: 1"  # as bq prints DML


def _load_movies(tmp_path: Path, movies_dat: bytes) -> list[list]:
    """Run the tutorial's movie load as written: sed, then bq load without an encoding."""
    (tmp_path / "movie_titles.csv").write_bytes(tutorial_sed(movies_dat))
    assert bq("mk", "-d", "--location=US", "bqml_tutorial")[0] == 0
    code, _, err = bq(
        "load", "--source_format=CSV", "--field_delimiter=@", "bqml_tutorial.movies",
        str(tmp_path / "movie_titles.csv"), MOVIES_SCHEMA,
    )  # fmt: skip
    assert code == 0, err
    _, rows, _ = read_rows(Table.objects.get(table_id="movies"), 0, 10_000)
    return rows


def test_it_loads_the_tutorials_latin1_movies_as_written(
    worker: None, transactional_db: None, tmp_path: Path
) -> None:
    assert _load_movies(tmp_path, MOVIES_DAT) == MOVIE_ROWS


@pytest.mark.skipif(not (MOVIELENS / "movies.dat").exists(), reason="MOVIELENS_DIR unset")
def test_it_loads_movielens_movies_after_the_tutorials_sed(
    worker: None, transactional_db: None, tmp_path: Path
) -> None:
    rows = _load_movies(tmp_path, (MOVIELENS / "movies.dat").read_bytes())
    assert len(rows) == 3883
    assert [row for row in rows if row[0] == 73] == [
        [73, "Misérables, Les (1995)", "Drama|Musical"]
    ]


def test_it_names_the_separator_of_a_file_loaded_with_the_wrong_delimiter(
    worker: None, transactional_db: None, tmp_path: Path
) -> None:
    ratings = tmp_path / "ratings.dat"
    ratings.write_bytes(b"1::1193::5::978300760\n1::661::3::978302109\n")
    assert bq("mk", "bqml_tutorial")[0] == 0
    code, out, err = bq("load", "bqml_tutorial.ratings", str(ratings), SCHEMA)
    assert code == 1 and out.startswith("Upload complete.")
    assert err.startswith("BigQuery error in load operation: Error processing job")
    assert err.rstrip().endswith(
        "line 1 has 1 field where 4 are expected: '1::1193::5::978300760'. The line seems to use "
        "'::' as its separator, not ',': load the file with field delimiter '::' "
        "(bq load --field_delimiter='::')"
    )
    assert not Table.objects.exists()


def test_it_binds_bqs_parameters(tutorial: Path) -> None:
    code, out, err = bq(
        "--format=json", "query", "--nouse_legacy_sql",
        "--parameter=min_rating:FLOAT64:4", "--parameter=users:ARRAY<INT64>:[1, 2, 3]",
        "--parameter=label::it's",
        "SELECT COUNT(*) AS n, @label AS label FROM bqml_tutorial.ratings "
        "WHERE rating >= @min_rating AND user_id IN UNNEST(@users)",
    )  # fmt: skip
    assert code == 0, err
    [row] = json.loads(out.splitlines()[-1])
    code, literal, _ = bq(
        "--format=json", "query", "--nouse_legacy_sql",
        "SELECT COUNT(*) AS n FROM bqml_tutorial.ratings "
        "WHERE rating >= 4 AND user_id IN (1, 2, 3)",
    )  # fmt: skip
    assert row == {"n": json.loads(literal.splitlines()[-1])[0]["n"], "label": "it's"}
    code, out, _ = bq("query", "--dry_run", "--parameter=:INT64:1", "SELECT ? AS one")
    assert code == 0 and out.startswith("Query successfully validated.")
    code, _, err = bq("query", "--parameter=n:INT64:ten", "SELECT @n")
    assert code == 1 and "Query parameter n has an invalid INT64 value: 'ten'" in err
    code, _, err = bq("query", "--parameter=n", "SELECT @n")
    assert code == 1 and "expected name:TYPE:value" in err


def test_it_extracts_and_loads_gs_uris(tutorial: Path, settings) -> None:
    rows = Table.objects.get(table_id="ratings").num_rows
    code, _, err = bq("extract", "bqml_tutorial.ratings", "gs://cli-bucket/ratings-*.csv")
    assert code == 0, err
    written = Path(settings.QUARRY_BUCKETS_DIR) / "cli-bucket" / "ratings-000000000000.csv"
    assert written.read_text().splitlines()[0] == "user_id,item_id,rating,timestamp"
    code, out, err = bq(
        "load", "--skip_leading_rows=1", "bqml_tutorial.again", "gs://cli-bucket/ratings-*.csv",
        SCHEMA,
    )  # fmt: skip
    assert code == 0, err
    assert Table.objects.get(table_id="again").num_rows == rows
    code, _, err = bq("extract", "bqml_tutorial.ratings", "gs://cli-bucket/../x.csv")
    assert code == 1 and "non-empty parts without . or .." in err


def test_it_runs_queries_in_a_session(worker: None, transactional_db: None) -> None:
    code, out, err = bq("query", "--nouse_legacy_sql", "--create_session", "SELECT 1 AS x")
    assert code == 0, err
    session_id = re.search(r"^In session: (\S+)$", out, re.M).group(1)
    code, _, err = bq(
        "query", "--nouse_legacy_sql", f"--session_id={session_id}",
        "CREATE TEMP TABLE t AS SELECT 7 AS x",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = bq(
        "query", "--nouse_legacy_sql", "--format=csv", f"--session_id={session_id}",
        "SELECT x FROM t",
    )  # fmt: skip
    assert code == 0 and out.split()[-2:] == ["x", "7"], err
    code, _, err = bq("query", "--nouse_legacy_sql", "SELECT x FROM t")
    assert code != 0 and "must be qualified with a dataset" in err
