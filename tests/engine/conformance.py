"""What the conformance suites share: the dataset they run against and how a case is checked.

A case is (name, sql, expected[, default dataset]); expected is rows, Columns(...) or Error(...).
Each case runs in-process through the same script runner the worker uses (real DuckDB, real
Parquet), against a small dataset built once with SQL (the fixtures are in tests/engine/conftest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from console.jobs.models import Job
from tests.conftest import job_rows, run_here


@dataclass
class Error:
    text: str
    reason: str | None = None


@dataclass
class Columns:
    """Expect these output column names (and, optionally, BigQuery types) and these rows."""

    names: list[str]
    rows: list[list[Any]] | None = None
    types: list[str] | None = None


SETUP = [
    """CREATE TABLE ds.ratings AS
       SELECT * FROM UNNEST([
         STRUCT(1 AS user_id, 10 AS item_id, 4.0 AS rating, TIMESTAMP '2000-12-31 22:12:40' AS ts),
         (1, 11, 3.0, TIMESTAMP '2000-12-31 22:35:09'),
         (1, 12, 5.0, TIMESTAMP '2001-01-01 10:00:00'),
         (2, 10, 5.0, TIMESTAMP '2001-01-02 10:00:00'),
         (2, 12, 2.0, TIMESTAMP '2001-01-03 10:00:00'),
         (3, 11, 4.0, TIMESTAMP '2001-01-04 10:00:00'),
         (3, 13, 1.0, TIMESTAMP '2001-01-05 10:00:00'),
         (4, 10, 3.0, TIMESTAMP '2001-01-06 10:00:00')])""",
    """CREATE TABLE ds.movies (movie_id INT64 NOT NULL, title STRING, genre STRING)""",
    """INSERT INTO ds.movies (movie_id, title, genre) VALUES
       (10, 'Toy Story (1995)', 'Animation|Comedy'),
       (11, 'Heat (1995)', 'Action|Crime'),
       (12, 'Fargo (1996)', 'Crime|Drama'),
       (14, 'Alien (1979)', NULL)""",
    """CREATE TABLE ds.nested AS
       SELECT 1 AS id, [1, 2, 3] AS xs, STRUCT('a' AS k, 2.5 AS v) AS s,
              [STRUCT('x' AS tag, 1 AS n), STRUCT('y' AS tag, 2 AS n)] AS pairs
       UNION ALL SELECT 2, [], STRUCT('b' AS k, CAST(NULL AS FLOAT64) AS v), []""",
]

MODEL = """CREATE MODEL ds.mf OPTIONS(model_type='matrix_factorization', feedback_type='explicit',
    user_col='user_id', item_col='item_id', l2_reg=1.0, num_factors=2, max_iterations=5)
    AS SELECT user_id, item_id, rating FROM ds.ratings"""


def run(sql: str, default_dataset: str | None = None) -> Job:
    config: dict[str, Any] = {"query": {"query": sql, "useLegacySql": False}}
    if default_dataset:
        config["query"]["defaultDataset"] = {"datasetId": default_dataset}
    return run_here(config)


def same(actual: Any, expected: Any) -> bool:
    # A FLOAT64 expectation needs a float: an INT64 2 is not BigQuery's FLOAT64 2.0.
    if isinstance(expected, float) and isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9) or (
            math.isinf(expected) and actual == expected
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return list(actual) == list(expected) and all(
            same(actual[k], expected[k]) for k in expected
        )
    return actual == expected and type(actual) is type(expected)


def check(job: Job, expected: Any) -> None:
    if isinstance(expected, Error):
        assert job.error_result is not None, "the statement should have failed"
        assert expected.text in job.error_result["message"], job.error_result
        if expected.reason:
            assert job.error_result["reason"] == expected.reason
        return
    assert job.error_result is None, job.error_result
    fields, rows, total = job_rows(job, 0, 1000)
    assert total == len(rows)
    if isinstance(expected, Columns):
        assert [f["name"] for f in fields] == expected.names
        if expected.types:
            assert [f["type"] for f in fields] == expected.types
        if expected.rows is None:
            return
        expected = expected.rows
    assert same(rows, expected), rows


def cases(table: list[tuple[Any, ...]]) -> Any:
    """Parametrize a test over a table of cases: (sql, expected, default dataset), by name."""
    import pytest

    return pytest.mark.parametrize(
        "sql,expected,default_dataset",
        [(c[1], c[2], c[3] if len(c) > 3 else None) for c in table],
        ids=[c[0] for c in table],
    )
