"""The DuckDB SQL generated for BigQuery: each of Quarry's spellings once, with BigQuery's results.

The SQL is run on an in-memory DuckDB wherever the result says more than the text; the text is
checked where the point is how often a spelling is applied.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import duckdb
import pytest
import sqlglot

from console.engine import sandbox
from console.engine.dialect import Quarry
from console.engine.transpile import to_duckdb


def transpile(sql: str) -> str:
    return to_duckdb(sqlglot.parse_one(sql, read=Quarry))


def run(sql: str) -> list[tuple[Any, ...]]:
    duckdb_sql = transpile(sql)
    con = duckdb.connect()
    sandbox.register_functions(con)
    sandbox.define_macros(con, duckdb_sql)
    return con.sql(duckdb_sql).fetchall()


# Division --------------------------------------------------------------------------------------


def test_it_checks_a_division_once() -> None:
    # The divide macro checks the divisor for the operands' types (engine/functions/numbers);
    # an aggregate's value, which a macro cannot take, is checked in place.
    assert transpile("SELECT a / b FROM t") == "SELECT QUARRY_DIVIDE(a, b) AS f0_ FROM t"
    assert transpile("SELECT SUM(a) / b FROM t") == (
        "SELECT CASE WHEN b = 0 THEN ERROR('division by zero: SUM(a) / b') ELSE SUM(a) / b END "
        "AS f0_ FROM t"
    )


def test_it_checks_each_nested_division_once() -> None:
    assert transpile("SELECT a / b / c FROM t") == (
        "SELECT QUARRY_DIVIDE(QUARRY_DIVIDE(a, b), c) AS f0_ FROM t"
    )


@pytest.mark.parametrize(
    ("sql", "failing"),
    [("SELECT 1 / 0", "1 / 0"), ("SELECT 1 / 0 / 2", "1 / 0"), ("SELECT 1 / (2 / 0)", "2 / 0")],
)
def test_it_fails_a_division_by_zero_as_bigquery_does(sql: str, failing: str) -> None:
    with pytest.raises(duckdb.Error, match=f"division by zero: {failing}"):
        run(sql)


def test_it_leaves_the_divisions_sqlglot_builds_unchecked() -> None:
    assert run("SELECT SAFE_DIVIDE(1, 0), SAFE_DIVIDE(4, 2)") == [(None, 2.0)]


def test_it_divides_as_ieee_for_ieee_divide() -> None:
    [(infinite, compound, nested)] = run(
        "SELECT IEEE_DIVIDE(1, 0), IEEE_DIVIDE(1 + 1, 4 - 2), IEEE_DIVIDE(IEEE_DIVIDE(1, 0), 2)"
    )
    assert (infinite, compound, nested) == (math.inf, 1.0, math.inf)


def test_it_checks_divisions_in_arguments_sqlglot_copies() -> None:
    # DuckDB's BOOL_OR gets a copy of LOGICAL_OR's argument, cast to BOOLEAN. BigQuery's message
    # names the values (ZetaSQL's DivisionByZeroMessage), here x = 1.
    with pytest.raises(duckdb.Error, match="division by zero: 1 / 0"):
        run("SELECT LOGICAL_OR(x / 0 > 1) FROM UNNEST([1, 2]) AS x")


# Numbers ---------------------------------------------------------------------------------------


def test_it_reads_float_literals_as_double() -> None:
    assert transpile("SELECT 2.5, 1e3, 3, '2.5'") == (
        "SELECT CAST(2.5 AS DOUBLE) AS f0_, CAST(1e3 AS DOUBLE) AS f1_, 3 AS f2_, '2.5' AS f3_"
    )
    sql = transpile("SELECT FLOOR(2.7)")
    con = duckdb.connect()
    sandbox.define_macros(con, sql)
    assert con.sql(sql).types == ["DOUBLE"]


def test_it_casts_to_an_integer_by_the_operands_type() -> None:
    # The macro picks by x's type as DuckDB binds (engine/functions/numbers); an aggregate's
    # value, which a macro cannot take, goes through DECIMAL once.
    assert transpile("SELECT CAST(x AS INT64), SAFE_CAST(x AS INT64) FROM t") == (
        "SELECT QUARRY_INT64(x) AS f0_, QUARRY_SAFE_INT64(x) AS f1_ FROM t"
    )
    assert transpile("SELECT CAST(SUM(x) AS INT64) FROM t") == (
        "SELECT CAST(CAST(SUM(x) AS DECIMAL(38, 9)) AS BIGINT) AS f0_ FROM t"
    )
    assert transpile("SELECT CAST(1 AS INT64), CAST('12' AS INT64)") == (
        "SELECT CAST(1 AS BIGINT) AS f0_, CAST('12' AS BIGINT) AS f1_"
    )


def test_it_rounds_integer_casts_half_away_from_zero() -> None:
    assert run(
        "SELECT CAST(2.5 AS INT64), CAST(-2.5 AS INT64), SAFE_CAST(2.5 AS INT64), "
        "CAST(CAST(2.5 AS INT64) + 0.5 AS INT64)"
    ) == [(3, -3, 3, 4)]


def test_it_gives_bare_numeric_bigquerys_precision() -> None:
    assert transpile("SELECT CAST(x AS NUMERIC), CAST(x AS NUMERIC(10, 2)) FROM t") == (
        "SELECT CAST(x AS DECIMAL(38, 9)) AS f0_, CAST(x AS DECIMAL(10, 2)) AS f1_ FROM t"
    )
    assert run("SELECT CAST(1.23456 AS NUMERIC)") == [(Decimal("1.234560000"),)]


# Functions -------------------------------------------------------------------------------------


def test_it_takes_array_agg_limit_as_a_top_n() -> None:
    assert transpile("SELECT ARRAY_AGG(v ORDER BY k LIMIT 2) FROM t") == (
        "SELECT LIST_SLICE(LIST_CONCAT(ARRAY_AGG(v) FILTER(WHERE k IS NULL), ARG_MIN(v, k, 2)), "
        "1, 2) AS f0_ FROM t"
    )
    assert "ARG_MAX(v, k, 2)" in transpile("SELECT ARRAY_AGG(v ORDER BY k DESC LIMIT 2) FROM t")


def test_it_orders_array_agg_limit_as_bigquery_does() -> None:
    rows = "UNNEST([STRUCT(1 AS v, 3 AS k), (2, NULL), (3, 1)])"
    assert run(
        "SELECT ARRAY_AGG(v ORDER BY k LIMIT 2), ARRAY_AGG(v ORDER BY k DESC LIMIT 2), "
        f"ARRAY_AGG(v ORDER BY k, v LIMIT 1), ARRAY_AGG(v LIMIT 1) FROM {rows}"
    ) == [([2, 3], [1, 3], [2], [1])]


def test_it_picks_approx_quantiles_among_the_input_values() -> None:
    # BigQuery's documented example.
    values = "UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9, 10])"
    assert run(f"SELECT APPROX_QUANTILES(x, 2) FROM {values} AS x") == [([1, 5, 10],)]


def test_it_returns_dates_from_date_add_sub_and_trunc_once() -> None:
    assert transpile(
        "SELECT DATE_ADD(DATE_ADD(d, INTERVAL 1 DAY), INTERVAL 1 DAY), DATE_TRUNC(d, MONTH) FROM t"
    ) == (
        "SELECT CAST(CAST(d + INTERVAL '1' DAY AS DATE) + INTERVAL '1' DAY AS DATE) AS f0_, "
        "CAST(DATE_TRUNC('MONTH', d) AS DATE) AS f1_ FROM t"
    )
    result = duckdb.sql(
        transpile(
            "SELECT DATE_ADD(DATE '2020-01-31', INTERVAL 1 MONTH), "
            "DATE_SUB(DATE '2020-01-01', INTERVAL 1 DAY), DATE_TRUNC(DATE '2020-01-08', MONTH)"
        )
    )
    assert result.types == ["DATE", "DATE", "DATE"]
    assert result.fetchall() == [(dt.date(2020, 2, 29), dt.date(2019, 12, 31), dt.date(2020, 1, 1))]


def test_it_leaves_the_date_functions_sqlglot_builds_as_they_are() -> None:
    # DuckDB's week truncation goes through a DATE_TRUNC that sqlglot builds; a TIMESTAMP stays.
    result = duckdb.sql(
        transpile("SELECT TIMESTAMP_TRUNC(TIMESTAMP '2020-01-08 10:00:00', WEEK(MONDAY))")
    )
    assert result.types == ["TIMESTAMP WITH TIME ZONE"]


# Relations and names ---------------------------------------------------------------------------


def test_it_spreads_an_unnested_array_of_structs_into_columns() -> None:
    result = duckdb.sql(transpile("SELECT * FROM UNNEST([STRUCT(1 AS a, 'x' AS b)])"))
    assert (result.columns, result.fetchall()) == (["a", "b"], [(1, "x")])


def test_it_counts_unnest_offsets_from_zero() -> None:
    assert run("SELECT * FROM UNNEST(['a', 'b']) AS v WITH OFFSET AS o") == [("a", 0), ("b", 1)]


def test_it_names_unnamed_columns_as_bigquery_does() -> None:
    result = duckdb.sql(transpile("SELECT 1, 2 AS b, 3"))
    assert result.columns == ["f0_", "b", "f1_"]


def test_it_leaves_the_tree_it_is_given_as_it_was() -> None:
    tree = sqlglot.parse_one("SELECT 1 / x, 2.5, CAST(x AS NUMERIC) FROM t", read=Quarry)
    before = repr(tree)
    transpile_twice = [to_duckdb(tree), to_duckdb(tree)]
    assert repr(tree) == before
    assert transpile_twice[0] == transpile_twice[1]
