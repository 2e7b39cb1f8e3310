"""A table-driven conformance suite: BigQuery statements with the results BigQuery gives.

The cases here cover statements, DDL, DML and BigQuery ML; functions have a suite per area of
BigQuery's function reference (test_conformance_<area>.py). tests/engine/conformance says how a
case runs and is checked.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine.script import dry_run
from tests.conftest import job_rows
from tests.engine.conformance import MODEL, Columns, Error, cases, check

UTC = dt.UTC

CASES: list[tuple[str, str, Any]] = [
    # Literals and arithmetic
    ("select_literal", "SELECT 1", [[1]]),
    # Hashes: BigQuery's documented examples (its console shows BYTES in base64)
    (
        "sha512_documented",
        'SELECT TO_BASE64(SHA512("Hello World")), SHA512(NULL), TO_BASE64(SHA512(b"Hello World"))',
        [
            [
                "LHT9F+2v2A6ER7DUZ0HuJDt+t03SFJoKsbkkb7MDgvJ+hT2FhXGeDmfL2g2qj1FnEGRhXWRa4nrLFb+xRH9Fmw==",
                None,
                "LHT9F+2v2A6ER7DUZ0HuJDt+t03SFJoKsbkkb7MDgvJ+hT2FhXGeDmfL2g2qj1FnEGRhXWRa4nrLFb+xRH9Fmw==",
            ]
        ],
    ),
    (
        "sha512_refuses_a_number",
        "SELECT SHA512(1)",
        Error(
            "No matching signature for function SHA512 for argument types: INT64. "
            "Supported signatures: SHA512(STRING); SHA512(BYTES)"
        ),
    ),
    (
        "sha256_documented",
        'SELECT TO_BASE64(SHA256("Hello World"))',
        [["pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4="]],
    ),
    ("select_alias", "SELECT 1 AS one, 'a' AS letter", [[1, "a"]]),
    ("anonymous_columns", "SELECT 1, 2 AS b, 3", Columns(["f0_", "b", "f1_"], [[1, 2, 3]])),
    ("int_division_is_float", "SELECT 7 / 2", [[3.5]]),
    ("div_function", "SELECT DIV(7, 2)", [[3]]),
    ("mod_function", "SELECT MOD(7, 3)", [[1]]),
    ("operator_precedence", "SELECT 2 + 3 * 4", [[14]]),
    ("negative_numbers", "SELECT -5 + 2", [[-3]]),
    ("float_literal_is_float64", "SELECT 1.5 AS x", Columns(["x"], [[1.5]], ["FLOAT64"])),
    ("int_literal_is_int64", "SELECT 42 AS x", Columns(["x"], [[42]], ["INT64"])),
    ("bool_literals", "SELECT TRUE AND FALSE, TRUE OR FALSE, NOT TRUE", [[False, True, False]]),
    ("null_arithmetic", "SELECT 1 + NULL", [[None]]),
    ("comparison", "SELECT 1 < 2, 2 <= 2, 3 != 3, 'a' = 'a'", [[True, True, False, True]]),
    ("string_literal_double_quotes", 'SELECT "it\'s"', [["it's"]]),
    ("raw_string", r"SELECT r'a\d'", [[r"a\d"]]),
    ("triple_quoted", "SELECT '''multi'''", [["multi"]]),
    # Strings
    ("concat", "SELECT CONCAT('a', 'b', 'c')", [["abc"]]),
    ("concat_operator", "SELECT 'a' || 'b'", [["ab"]]),
    ("lower_upper", "SELECT LOWER('AbC'), UPPER('AbC')", [["abc", "ABC"]]),
    ("length", "SELECT LENGTH('hello')", [[5]]),
    ("substr", "SELECT SUBSTR('hello', 2, 3)", [["ell"]]),
    ("substr_no_length", "SELECT SUBSTR('hello', 3)", [["llo"]]),
    ("replace", "SELECT REPLACE('a-b-c', '-', '+')", [["a+b+c"]]),
    ("trim", "SELECT TRIM('  x  '), LTRIM('  x'), RTRIM('x  ')", [["x", "x", "x"]]),
    (
        "starts_ends_with",
        "SELECT STARTS_WITH('quarry', 'qu'), ENDS_WITH('quarry', 'ry')",
        [[True, True]],
    ),
    ("strpos", "SELECT STRPOS('banana', 'an')", [[2]]),
    ("split", "SELECT SPLIT('a,b,c', ',')", [[["a", "b", "c"]]]),
    ("regexp_contains", "SELECT REGEXP_CONTAINS('abc123', r'\\d+')", [[True]]),
    ("regexp_extract", "SELECT REGEXP_EXTRACT('Heat (1995)', r'\\((\\d{4})\\)')", [["1995"]]),
    ("regexp_replace", "SELECT REGEXP_REPLACE('a1b2', r'\\d', '#')", [["a#b#"]]),
    ("lpad_rpad", "SELECT LPAD('7', 3, '0'), RPAD('7', 3, '0')", [["007", "700"]]),
    ("reverse", "SELECT REVERSE('abc')", [["cba"]]),
    ("like", "SELECT 'Toy Story' LIKE 'Toy%', 'Heat' LIKE '_eat'", [[True, True]]),
    ("format_string", "SELECT FORMAT('%d-%s', 3, 'x')", [["3-x"]]),
    ("string_compare_null", "SELECT CAST(NULL AS STRING) = 'a'", [[None]]),
    # Math
    ("abs", "SELECT ABS(-3)", [[3]]),
    ("round", "SELECT ROUND(2.567, 2)", [[2.57]]),
    ("round_half_away", "SELECT ROUND(2.5), ROUND(-2.5)", [[3.0, -3.0]]),
    ("floor_ceil", "SELECT FLOOR(2.7), CEIL(2.1)", [[2.0, 3.0]]),
    ("pow_sqrt", "SELECT POW(2, 10), SQRT(16)", [[1024.0, 4.0]]),
    ("ln_exp", "SELECT ROUND(LN(EXP(2)), 6)", [[2.0]]),
    ("safe_divide", "SELECT SAFE_DIVIDE(1, 0), SAFE_DIVIDE(6, 3)", [[None, 2.0]]),
    ("ieee_divide", "SELECT IEEE_DIVIDE(1, 0)", [[math.inf]]),
    ("greatest_least", "SELECT GREATEST(1, 5, 3), LEAST(1, 5, 3)", [[5, 1]]),
    ("sign", "SELECT SIGN(-7)", [[-1]]),
    # Casts
    ("cast_string_to_int", "SELECT CAST('42' AS INT64)", [[42]]),
    ("cast_int_to_string", "SELECT CAST(42 AS STRING)", [["42"]]),
    ("cast_float_to_int_rounds", "SELECT CAST(2.5 AS INT64)", [[3]]),
    (
        "numeric_keeps_nine_decimals",
        "SELECT CAST(1.23456 AS NUMERIC) AS n, NUMERIC '2.000000001' AS m, "
        "SAFE_CAST('x' AS NUMERIC) AS x",
        Columns(
            ["n", "m", "x"],
            [[Decimal("1.23456"), Decimal("2.000000001"), None]],
            ["NUMERIC", "NUMERIC", "NUMERIC"],
        ),
    ),
    ("cast_negative_float_rounds_away", "SELECT SAFE_CAST(-2.5 AS INT64)", [[-3]]),
    (
        "cast_float64_value_rounds_away",
        "SELECT CAST(AVG(x) AS INT64) FROM UNNEST([2, 3]) AS x",
        [[3]],
    ),
    ("float_literals_are_float64", "SELECT 0.1 + 0.2 = 0.3", [[False]]),
    ("safe_cast_bad", "SELECT SAFE_CAST('x' AS INT64)", [[None]]),
    ("safe_cast_good", "SELECT SAFE_CAST('7' AS INT64)", [[7]]),
    ("cast_bad_fails", "SELECT CAST('x' AS INT64)", Error("x")),
    ("cast_to_bool", "SELECT CAST('true' AS BOOL)", [[True]]),
    ("cast_to_date", "SELECT CAST('2024-02-29' AS DATE)", [[dt.date(2024, 2, 29)]]),
    # Dates and times
    ("date_literal", "SELECT DATE '2024-01-31'", [[dt.date(2024, 1, 31)]]),
    ("date_constructor", "SELECT DATE(2024, 1, 31)", [[dt.date(2024, 1, 31)]]),
    ("extract_year", "SELECT EXTRACT(YEAR FROM DATE '2024-01-31')", [[2024]]),
    ("date_add", "SELECT DATE_ADD(DATE '2024-01-31', INTERVAL 1 DAY)", [[dt.date(2024, 2, 1)]]),
    ("date_sub", "SELECT DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY)", [[dt.date(2024, 2, 29)]]),
    ("date_diff", "SELECT DATE_DIFF(DATE '2024-03-01', DATE '2024-02-01', DAY)", [[29]]),
    ("date_trunc", "SELECT DATE_TRUNC(DATE '2024-03-15', MONTH)", [[dt.date(2024, 3, 1)]]),
    ("format_date", "SELECT FORMAT_DATE('%Y/%m', DATE '2024-03-15')", [["2024/03"]]),
    ("parse_date", "SELECT PARSE_DATE('%Y%m%d', '20240315')", [[dt.date(2024, 3, 15)]]),
    (
        "timestamp_seconds",
        "SELECT TIMESTAMP_SECONDS(978300760)",
        [[dt.datetime(2000, 12, 31, 22, 12, 40, tzinfo=UTC)]],
    ),
    ("unix_seconds", "SELECT UNIX_SECONDS(TIMESTAMP '2000-12-31 22:12:40')", [[978300760]]),
    (
        "timestamp_add",
        "SELECT TIMESTAMP_ADD(TIMESTAMP '2024-01-01 00:00:00', INTERVAL 90 MINUTE)",
        [[dt.datetime(2024, 1, 1, 1, 30, tzinfo=UTC)]],
    ),
    (
        "timestamp_diff",
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2024-01-02', TIMESTAMP '2024-01-01', HOUR)",
        [[24]],
    ),
    (
        "timestamp_trunc",
        "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2024-01-01 10:42:00', HOUR)",
        [[dt.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)]],
    ),
    (
        "extract_from_timestamp_column",
        "SELECT EXTRACT(YEAR FROM ts) AS y, COUNT(*) AS n FROM ds.ratings GROUP BY y ORDER BY y",
        [[2000, 2], [2001, 6]],
    ),
    (
        "date_from_timestamp",
        "SELECT DATE(TIMESTAMP '2024-05-06 23:00:00')",
        [[dt.date(2024, 5, 6)]],
    ),
    ("current_date_is_date", "SELECT CURRENT_DATE() IS NOT NULL", [[True]]),
    # An alias spelled like the function it names (bigframes' first query) is only a name.
    (
        "alias_named_like_its_function",
        "SELECT CURRENT_TIMESTAMP() AS `current_timestamp`, CURRENT_DATE AS `current_date`, "
        "CURRENT_TIME() AS `current_time`",
        Columns(["current_timestamp", "current_date", "current_time"]),
    ),
    (
        "column_named_like_a_function",
        "SELECT `current_date` + 1 AS d FROM (SELECT 41 AS `current_date`)",
        [[42]],
    ),
    # Hash functions: BigQuery's documented FARM_FINGERPRINT example.
    (
        "farm_fingerprint_documented_example",
        """WITH example AS (
             SELECT 1 AS x, "foo" AS y, true AS z UNION ALL
             SELECT 2 AS x, "apple" AS y, false AS z UNION ALL
             SELECT 3 AS x, "" AS y, true AS z)
           SELECT *, FARM_FINGERPRINT(CONCAT(CAST(x AS STRING), y, CAST(z AS STRING)))
             AS row_fingerprint
           FROM example ORDER BY x""",
        Columns(
            ["x", "y", "z", "row_fingerprint"],
            [
                [1, "foo", True, -1541654101129638711],
                [2, "apple", False, 2794438866806483259],
                [3, "", True, -4880158226897771312],
            ],
            ["INT64", "STRING", "BOOL", "INT64"],
        ),
    ),
    (
        "farm_fingerprint_of_bytes_and_null",
        "SELECT FARM_FINGERPRINT(b'alphabet'), FARM_FINGERPRINT(CAST(NULL AS STRING))",
        [[-2427165924636348523, None]],
    ),
    (
        "farm_fingerprint_refuses_a_number",
        "SELECT FARM_FINGERPRINT(user_id) FROM ds.ratings",
        Error(
            "No matching signature for function FARM_FINGERPRINT for argument types: INT64",
            "invalidQuery",
        ),
    ),
    # Conditionals
    ("if", "SELECT IF(1 > 0, 'yes', 'no')", [["yes"]]),
    ("case_searched", "SELECT CASE WHEN 2 > 3 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END", [["b"]]),
    ("case_simple", "SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", [["two"]]),
    ("coalesce", "SELECT COALESCE(NULL, NULL, 3)", [[3]]),
    ("ifnull", "SELECT IFNULL(NULL, 'x')", [["x"]]),
    ("nullif", "SELECT NULLIF(5, 5), NULLIF(5, 6)", [[None, 5]]),
    ("in_list", "SELECT 3 IN (1, 2, 3), 4 NOT IN (1, 2)", [[True, True]]),
    ("between", "SELECT 5 BETWEEN 1 AND 10", [[True]]),
    ("is_null", "SELECT NULL IS NULL, 1 IS NOT NULL", [[True, True]]),
    # Reading tables, WHERE, ORDER BY, LIMIT
    (
        "select_star_order",
        "SELECT * FROM ds.movies ORDER BY movie_id",
        Columns(
            ["movie_id", "title", "genre"],
            [
                [10, "Toy Story (1995)", "Animation|Comedy"],
                [11, "Heat (1995)", "Action|Crime"],
                [12, "Fargo (1996)", "Crime|Drama"],
                [14, "Alien (1979)", None],
            ],
            ["INT64", "STRING", "STRING"],
        ),
    ),
    (
        "where_filter",
        "SELECT movie_id FROM ds.movies WHERE genre LIKE '%Crime%' ORDER BY 1",
        [[11], [12]],
    ),
    (
        "order_desc_limit",
        "SELECT item_id FROM ds.ratings ORDER BY rating DESC, item_id LIMIT 2",
        [[10], [12]],
    ),
    (
        "limit_offset",
        "SELECT movie_id FROM ds.movies ORDER BY movie_id LIMIT 2 OFFSET 1",
        [[11], [12]],
    ),
    ("distinct", "SELECT DISTINCT user_id FROM ds.ratings ORDER BY user_id", [[1], [2], [3], [4]]),
    ("backticked_name", "SELECT COUNT(*) FROM `ds.movies`", [[4]]),
    ("backticked_parts", "SELECT COUNT(*) FROM `ds`.`movies`", [[4]]),
    ("project_qualified", "SELECT COUNT(*) FROM `local-project.ds.movies`", [[4]]),
    ("project_qualified_parts", "SELECT COUNT(*) FROM `local-project`.ds.movies", [[4]]),
    ("table_alias", "SELECT m.title FROM ds.movies AS m WHERE m.movie_id = 11", [["Heat (1995)"]]),
    (
        "table_qualified_column",
        "SELECT movies.title FROM ds.movies WHERE movies.movie_id = 12",
        [["Fargo (1996)"]],
    ),
    ("select_except", "SELECT * EXCEPT (title, genre) FROM ds.movies ORDER BY 1 LIMIT 1", [[10]]),
    (
        "select_replace",
        "SELECT * REPLACE (UPPER(title) AS title) FROM ds.movies WHERE movie_id = 11",
        [[11, "HEAT (1995)", "Action|Crime"]],
    ),
    (
        "timestamp_column_type",
        "SELECT ts FROM ds.ratings ORDER BY ts LIMIT 1",
        Columns(["ts"], [[dt.datetime(2000, 12, 31, 22, 12, 40, tzinfo=UTC)]], ["TIMESTAMP"]),
    ),
    # Aggregates
    ("count_star", "SELECT COUNT(*) FROM ds.ratings", [[8]]),
    ("count_column_skips_null", "SELECT COUNT(genre) FROM ds.movies", [[3]]),
    ("count_distinct", "SELECT COUNT(DISTINCT item_id) FROM ds.ratings", [[4]]),
    ("sum_avg", "SELECT SUM(rating), AVG(rating) FROM ds.ratings", [[27.0, 3.375]]),
    ("min_max", "SELECT MIN(rating), MAX(rating) FROM ds.ratings", [[1.0, 5.0]]),
    (
        "group_by_having",
        "SELECT user_id, COUNT(*) AS n FROM ds.ratings GROUP BY user_id "
        "HAVING COUNT(*) > 1 ORDER BY user_id",
        [[1, 3], [2, 2], [3, 2]],
    ),
    (
        "group_by_ordinal",
        "SELECT item_id, AVG(rating) FROM ds.ratings GROUP BY 1 ORDER BY 1",
        [[10, 4.0], [11, 3.5], [12, 3.5], [13, 1.0]],
    ),
    ("countif", "SELECT COUNTIF(rating >= 4) FROM ds.ratings", [[4]]),
    (
        "logical_and_or",
        "SELECT LOGICAL_AND(rating > 0), LOGICAL_OR(rating > 4.5) FROM ds.ratings",
        [[True, True]],
    ),
    (
        "array_agg_order",
        "SELECT ARRAY_AGG(item_id ORDER BY item_id) FROM ds.ratings WHERE user_id = 1",
        [[[10, 11, 12]]],
    ),
    (
        "array_agg_order_limit_desc",
        "SELECT user_id, ARRAY_AGG(item_id ORDER BY rating DESC LIMIT 2) "
        "FROM ds.ratings WHERE user_id = 1 GROUP BY user_id",
        [[1, [12, 10]]],
    ),
    (
        "array_agg_order_limit_asc",
        "SELECT ARRAY_AGG(item_id ORDER BY rating LIMIT 1) FROM ds.ratings WHERE user_id = 1",
        [[[11]]],
    ),
    # NULL sort keys: BigQuery sorts them first ascending and last descending.
    (
        "array_agg_order_limit_null_keys",
        "SELECT ARRAY_AGG(x ORDER BY y DESC LIMIT 2), ARRAY_AGG(x ORDER BY y LIMIT 2), "
        "ARRAY_AGG(x ORDER BY y DESC LIMIT 5) "
        "FROM UNNEST([STRUCT('a' AS x, 1 AS y), ('b', NULL), ('c', 3)])",
        [[["c", "a"], ["b", "a"], ["c", "a", "b"]]],
    ),
    (
        "array_agg_limit_no_order",
        "SELECT ARRAY_LENGTH(ARRAY_AGG(item_id LIMIT 2)) FROM ds.ratings",
        [[2]],
    ),
    (
        "array_agg_struct_limit",
        "SELECT ARRAY_AGG(STRUCT(item_id, rating) ORDER BY rating DESC "
        "LIMIT 1) FROM ds.ratings WHERE user_id = 2",
        [[[{"item_id": 10, "rating": 5.0}]]],
    ),
    (
        "array_agg_distinct",
        "SELECT ARRAY_AGG(DISTINCT user_id ORDER BY user_id) FROM ds.ratings",
        [[[1, 2, 3, 4]]],
    ),
    (
        "string_agg",
        "SELECT STRING_AGG(title, ', ' ORDER BY movie_id) FROM ds.movies WHERE movie_id < 12",
        [["Toy Story (1995), Heat (1995)"]],
    ),
    # BigQuery's quantile boundaries are input values, never interpolated: its documented
    # example gives [1, 5, 10], and of the 8 ratings 1, 2, 3, 3, 4, 4, 5, 5 the 4th is the median.
    (
        "approx_quantiles_documented_example",
        "SELECT APPROX_QUANTILES(x, 2) FROM UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x",
        [[[1, 5, 10]]],
    ),
    (
        "approx_quantiles_median",
        "SELECT APPROX_QUANTILES(rating, 2)[OFFSET(1)] FROM ds.ratings",
        [[3.0]],
    ),
    ("any_value", "SELECT ANY_VALUE(user_id) IS NOT NULL FROM ds.ratings", [[True]]),
    ("stddev_variance", "SELECT ROUND(VAR_POP(rating), 4) FROM ds.ratings", [[1.7344]]),
    ("aggregate_on_empty", "SELECT COUNT(*), SUM(rating) FROM ds.ratings WHERE FALSE", [[0, None]]),
    # Window functions
    (
        # bigframes orders rows by a hash with RAND() to break ties; DuckDB alone refuses it.
        "window_ordered_by_rand",
        "SELECT COUNT(DISTINCT r) FROM (SELECT ROW_NUMBER() OVER (ORDER BY "
        "CONCAT(CAST(item_id AS STRING), CAST(RAND() AS STRING))) AS r FROM ds.ratings)",
        [[8]],
    ),
    (
        "row_number",
        "SELECT user_id, item_id, ROW_NUMBER() OVER (PARTITION BY user_id "
        "ORDER BY rating DESC) AS r FROM ds.ratings WHERE user_id = 1 ORDER BY r",
        [[1, 12, 1], [1, 10, 2], [1, 11, 3]],
    ),
    (
        "rank",
        "SELECT rating, RANK() OVER (ORDER BY rating DESC) FROM ds.ratings "
        "ORDER BY rating DESC LIMIT 3",
        [[5.0, 1], [5.0, 1], [4.0, 3]],
    ),
    (
        "running_sum",
        "SELECT item_id, SUM(rating) OVER (ORDER BY item_id) FROM ds.ratings "
        "WHERE user_id = 1 ORDER BY item_id",
        [[10, 4.0], [11, 7.0], [12, 12.0]],
    ),
    (
        "lag_lead",
        "SELECT item_id, LAG(item_id) OVER (ORDER BY item_id), LEAD(item_id) OVER "
        "(ORDER BY item_id) FROM ds.ratings WHERE user_id = 1 ORDER BY item_id",
        [[10, None, 11], [11, 10, 12], [12, 11, None]],
    ),
    (
        "qualify",
        "SELECT user_id, item_id FROM ds.ratings WHERE TRUE QUALIFY ROW_NUMBER() OVER "
        "(PARTITION BY user_id ORDER BY rating DESC, item_id) = 1 ORDER BY user_id",
        [[1, 12], [2, 10], [3, 11], [4, 10]],
    ),
    (
        "window_avg_partition",
        "SELECT DISTINCT user_id, AVG(rating) OVER (PARTITION BY user_id) "
        "FROM ds.ratings WHERE user_id IN (2, 3) ORDER BY user_id",
        [[2, 3.5], [3, 2.5]],
    ),
    # Joins
    (
        "inner_join",
        "SELECT r.user_id, m.title FROM ds.ratings r JOIN ds.movies m "
        "ON r.item_id = m.movie_id WHERE r.user_id = 3",
        [[3, "Heat (1995)"]],
    ),
    (
        "tutorial_join_unqualified",
        "SELECT COUNT(*) FROM ds.ratings JOIN ds.movies ON item_id = movie_id",
        [[7]],
    ),
    (
        "left_join",
        "SELECT r.item_id, m.title FROM ds.ratings r LEFT JOIN ds.movies m "
        "ON r.item_id = m.movie_id WHERE r.user_id = 3 ORDER BY 1",
        [[11, "Heat (1995)"], [13, None]],
    ),
    (
        "right_join",
        "SELECT m.movie_id FROM ds.ratings r RIGHT JOIN ds.movies m "
        "ON r.item_id = m.movie_id WHERE r.item_id IS NULL",
        [[14]],
    ),
    (
        "full_join",
        "SELECT COUNT(*) FROM ds.ratings r FULL OUTER JOIN ds.movies m ON r.item_id = m.movie_id",
        [[9]],
    ),
    ("cross_join", "SELECT COUNT(*) FROM ds.movies CROSS JOIN ds.movies AS m2", [[16]]),
    (
        "comma_join",
        "SELECT COUNT(*) FROM ds.movies a, ds.movies b WHERE a.movie_id = b.movie_id",
        [[4]],
    ),
    ("join_using", "SELECT COUNT(*) FROM ds.ratings a JOIN ds.ratings b USING (item_id)", [[18]]),
    (
        "join_subquery",
        "SELECT t.n FROM (SELECT user_id, COUNT(*) AS n FROM ds.ratings "
        "GROUP BY user_id) t JOIN ds.ratings r USING (user_id) WHERE r.item_id = 13",
        [[2]],
    ),
    # Subqueries and WITH
    (
        "with_cte",
        "WITH top AS (SELECT item_id FROM ds.ratings WHERE rating = 5) SELECT COUNT(*) FROM top",
        [[2]],
    ),
    (
        "with_two_ctes",
        "WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT y FROM b",
        [[2]],
    ),
    (
        "cte_shadows_nothing",
        "WITH movies AS (SELECT 99 AS movie_id) SELECT movie_id FROM movies",
        [[99]],
    ),
    (
        "in_subquery",
        "SELECT title FROM ds.movies WHERE movie_id IN "
        "(SELECT item_id FROM ds.ratings WHERE rating = 1)",
        [],
    ),
    (
        "exists_subquery",
        "SELECT COUNT(*) FROM ds.movies m WHERE EXISTS "
        "(SELECT 1 FROM ds.ratings r WHERE r.item_id = m.movie_id)",
        [[3]],
    ),
    ("scalar_subquery", "SELECT (SELECT MAX(rating) FROM ds.ratings) AS best", [[5.0]]),
    (
        "correlated_subquery",
        "SELECT movie_id, (SELECT COUNT(*) FROM ds.ratings r "
        "WHERE r.item_id = m.movie_id) FROM ds.movies m ORDER BY 1",
        [[10, 3], [11, 2], [12, 2], [14, 0]],
    ),
    ("from_subquery_alias", "SELECT s.n FROM (SELECT COUNT(*) AS n FROM ds.movies) AS s", [[4]]),
    # Arrays and structs
    ("array_literal", "SELECT [1, 2, 3]", [[[1, 2, 3]]]),
    ("array_length", "SELECT ARRAY_LENGTH([1, 2, 3])", [[3]]),
    ("array_offset", "SELECT [10, 20, 30][OFFSET(1)], [10, 20, 30][ORDINAL(1)]", [[20, 10]]),
    ("array_safe_offset", "SELECT [10, 20][SAFE_OFFSET(5)]", [[None]]),
    ("unnest_in_from", "SELECT x FROM UNNEST([3, 1, 2]) AS x ORDER BY x", [[1], [2], [3]]),
    (
        "unnest_with_offset",
        "SELECT x, o FROM UNNEST(['a', 'b']) AS x WITH OFFSET AS o ORDER BY o",
        [["a", 0], ["b", 1]],
    ),
    (
        "unnest_column",
        "SELECT id, x FROM ds.nested, UNNEST(xs) AS x ORDER BY x",
        [[1, 1], [1, 2], [1, 3]],
    ),
    (
        "unnest_struct_array",
        "SELECT p.tag, p.n FROM ds.nested, UNNEST(pairs) AS p ORDER BY p.n",
        [["x", 1], ["y", 2]],
    ),
    (
        "struct_field_access",
        "SELECT s.k, s.v FROM ds.nested ORDER BY id",
        [["a", 2.5], ["b", None]],
    ),
    ("struct_literal", "SELECT STRUCT(1 AS a, 'b' AS b)", [[{"a": 1, "b": "b"}]]),
    (
        "struct_typed_schema",
        "SELECT s FROM ds.nested WHERE id = 1",
        Columns(["s"], [[{"k": "a", "v": 2.5}]], ["RECORD"]),
    ),
    (
        "array_of_struct_schema",
        "SELECT pairs FROM ds.nested WHERE id = 1",
        Columns(["pairs"], [[[{"tag": "x", "n": 1}, {"tag": "y", "n": 2}]]], ["RECORD"]),
    ),
    ("generate_array", "SELECT GENERATE_ARRAY(1, 5, 2)", [[[1, 3, 5]]]),
    ("array_concat", "SELECT ARRAY_CONCAT([1], [2, 3])", [[[1, 2, 3]]]),
    (
        "array_subquery",
        "SELECT ARRAY(SELECT x * 2 FROM UNNEST([1, 2]) AS x ORDER BY x)",
        [[[2, 4]]],
    ),
    ("array_to_string", "SELECT ARRAY_TO_STRING(['a', 'b'], '-')", [["a-b"]]),
    ("in_unnest", "SELECT 2 IN UNNEST([1, 2, 3])", [[True]]),
    ("empty_array_length", "SELECT ARRAY_LENGTH(xs) FROM ds.nested ORDER BY id", [[3], [0]]),
    # Set operations
    ("union_all", "SELECT 1 AS x UNION ALL SELECT 1 ORDER BY x", [[1], [1]]),
    ("union_distinct", "SELECT 1 AS x UNION DISTINCT SELECT 1", [[1]]),
    (
        "intersect_distinct",
        "SELECT item_id FROM ds.ratings WHERE user_id = 1 INTERSECT DISTINCT "
        "SELECT item_id FROM ds.ratings WHERE user_id = 2 ORDER BY 1",
        [[10], [12]],
    ),
    (
        "except_distinct",
        "SELECT movie_id FROM ds.movies EXCEPT DISTINCT SELECT item_id FROM ds.ratings",
        [[14]],
    ),
    # DDL and DML
    (
        "create_table_columns",
        "CREATE TABLE ds.t (a INT64, b STRING); SELECT COUNT(*) FROM ds.t",
        [[0]],
    ),
    (
        "create_table_types",
        "CREATE TABLE ds.t (a INT64, b FLOAT64, c NUMERIC, d BOOL, e STRING, "
        "f BYTES, g DATE, h DATETIME, i TIME, j TIMESTAMP, k ARRAY<INT64>, "
        "l STRUCT<x INT64, y STRING>); SELECT * FROM ds.t",
        Columns(
            list("abcdefghijkl"),
            [],
            [
                "INT64",
                "FLOAT64",
                "NUMERIC",
                "BOOL",
                "STRING",
                "BYTES",
                "DATE",
                "DATETIME",
                "TIME",
                "TIMESTAMP",
                "INT64",
                "RECORD",
            ],
        ),
    ),
    (
        "ctas",
        "CREATE TABLE ds.t AS SELECT user_id FROM ds.ratings WHERE rating = 5; "
        "SELECT * FROM ds.t ORDER BY 1",
        [[1], [2]],
    ),
    (
        "create_duplicate_fails",
        "CREATE TABLE ds.movies (a INT64)",
        Error("Already Exists: Table local-project:ds.movies", "duplicate"),
    ),
    (
        "create_if_not_exists_skips",
        "CREATE TABLE IF NOT EXISTS ds.movies (a INT64); SELECT COUNT(*) FROM ds.movies",
        [[4]],
    ),
    (
        "create_or_replace",
        "CREATE OR REPLACE TABLE ds.movies AS SELECT 1 AS a; SELECT * FROM ds.movies",
        [[1]],
    ),
    (
        "insert_values",
        "INSERT INTO ds.movies (movie_id, title) VALUES (20, 'New'); "
        "SELECT movie_id, title, genre FROM ds.movies WHERE movie_id = 20",
        [[20, "New", None]],
    ),
    (
        "insert_without_into",
        "INSERT ds.movies VALUES (21, 'X', 'Y'); SELECT COUNT(*) FROM ds.movies",
        [[5]],
    ),
    (
        "insert_select",
        "INSERT INTO ds.movies SELECT item_id + 100, 'copy', NULL FROM ds.ratings "
        "WHERE user_id = 1; SELECT COUNT(*) FROM ds.movies",
        [[7]],
    ),
    (
        "insert_wrong_column_count",
        "INSERT INTO ds.movies (movie_id) VALUES (1, 'x')",
        Error("Inserted row has wrong column count"),
    ),
    (
        "insert_unknown_column",
        "INSERT INTO ds.movies (nope) VALUES (1)",
        Error("Column nope is not present in table local-project:ds.movies"),
    ),
    (
        "insert_wrong_type",
        "INSERT INTO ds.movies (movie_id) VALUES ('abc')",
        Error("cannot be assigned to movie_id"),
    ),
    (
        "delete_where",
        "DELETE FROM ds.ratings WHERE rating < 3; SELECT COUNT(*) FROM ds.ratings",
        [[6]],
    ),
    (
        "delete_without_from",
        "DELETE ds.ratings WHERE user_id = 1; SELECT COUNT(*) FROM ds.ratings",
        [[5]],
    ),
    ("delete_needs_where", "DELETE FROM ds.ratings", Error("DELETE must have a WHERE clause")),
    (
        "update_set",
        "UPDATE ds.movies SET genre = 'Unknown' WHERE genre IS NULL; "
        "SELECT genre FROM ds.movies WHERE movie_id = 14",
        [["Unknown"]],
    ),
    (
        "update_expression",
        "UPDATE ds.ratings SET rating = rating + 1 WHERE rating < 2; "
        "SELECT MIN(rating) FROM ds.ratings",
        [[2.0]],
    ),
    ("update_needs_where", "UPDATE ds.ratings SET rating = 1", Error("UPDATE must have a WHERE")),
    # UPDATE ... FROM: target columns are set from the one matching source row.
    (
        "update_from_table",
        "UPDATE ds.movies SET title = CONCAT(title, ' x', CAST(n AS STRING)) "
        "FROM (SELECT item_id, COUNT(*) AS n FROM ds.ratings GROUP BY item_id) AS counts "
        "WHERE movies.movie_id = counts.item_id; "
        "SELECT movie_id, title, genre FROM ds.movies ORDER BY movie_id",
        [
            [10, "Toy Story (1995) x3", "Animation|Comedy"],
            [11, "Heat (1995) x2", "Action|Crime"],
            [12, "Fargo (1996) x2", "Crime|Drama"],
            [14, "Alien (1979)", None],
        ],
    ),
    (
        "update_from_same_column_names",
        "UPDATE ds.movies AS m SET title = s.title "
        "FROM (SELECT 11 AS movie_id, 'Heat' AS title) AS s "
        "WHERE m.movie_id = s.movie_id; SELECT title FROM ds.movies ORDER BY movie_id",
        [["Toy Story (1995)"], ["Heat"], ["Fargo (1996)"], ["Alien (1979)"]],
    ),
    (
        "update_from_two_matches_fails",
        "UPDATE ds.movies SET title = 'x' FROM ds.ratings WHERE movies.movie_id = ratings.item_id",
        Error("UPDATE/MERGE must match at most one source row for each target row"),
    ),
    # MERGE: the first WHEN clause whose kind and condition hold decides each row.
    (
        "merge_upsert",
        "MERGE ds.movies T USING (SELECT 11 AS movie_id, 'Heat (1995 cut)' AS title UNION ALL "
        "SELECT 15, 'Brazil (1985)') S ON T.movie_id = S.movie_id "
        "WHEN MATCHED THEN UPDATE SET title = S.title "
        "WHEN NOT MATCHED THEN INSERT (movie_id, title) VALUES (S.movie_id, S.title); "
        "SELECT movie_id, title, genre FROM ds.movies ORDER BY movie_id",
        [
            [10, "Toy Story (1995)", "Animation|Comedy"],
            [11, "Heat (1995 cut)", "Action|Crime"],
            [12, "Fargo (1996)", "Crime|Drama"],
            [14, "Alien (1979)", None],
            [15, "Brazil (1985)", None],
        ],
    ),
    (
        "merge_conditions_delete_and_by_source",
        "MERGE ds.movies T USING (SELECT 10 AS id UNION ALL SELECT 12) S ON T.movie_id = S.id "
        "WHEN MATCHED AND T.movie_id = 10 THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET genre = 'Seen' "
        "WHEN NOT MATCHED BY SOURCE AND T.genre IS NULL THEN UPDATE SET genre = 'Unknown'; "
        "SELECT movie_id, genre FROM ds.movies ORDER BY movie_id",
        [[11, "Action|Crime"], [12, "Seen"], [14, "Unknown"]],
    ),
    (
        "merge_insert_row",
        "MERGE ds.movies T USING (SELECT 20 AS movie_id, 'Up (2009)' AS title, 'Animation' AS g) S "
        "ON FALSE WHEN NOT MATCHED THEN INSERT ROW; "
        "SELECT title, genre FROM ds.movies WHERE movie_id = 20",
        [["Up (2009)", "Animation"]],
    ),
    (
        "merge_two_matches_fails",
        "MERGE ds.movies T USING ds.ratings S ON T.movie_id = S.item_id "
        "WHEN MATCHED THEN UPDATE SET title = 'x'",
        Error("UPDATE/MERGE must match at most one source row for each target row"),
    ),
    (
        "merge_insert_when_matched_fails",
        "MERGE ds.movies T USING ds.movies S ON T.movie_id = S.movie_id "
        "WHEN MATCHED THEN INSERT ROW",
        Error("INSERT is allowed only in WHEN NOT MATCHED [BY TARGET] clauses"),
    ),
    ("truncate", "TRUNCATE TABLE ds.ratings; SELECT COUNT(*) FROM ds.ratings", [[0]]),
    (
        "drop_table",
        "DROP TABLE ds.movies; SELECT * FROM ds.movies",
        Error("Not found: Table local-project:ds.movies"),
    ),
    ("drop_table_if_exists", "DROP TABLE IF EXISTS ds.nope; SELECT 1", [[1]]),
    ("drop_missing_fails", "DROP TABLE ds.nope", Error("Not found: Table local-project:ds.nope")),
    (
        "create_schema",
        "CREATE SCHEMA ds2; CREATE TABLE ds2.t AS SELECT 1 AS a; SELECT a FROM ds2.t",
        [[1]],
    ),
    ("create_schema_if_not_exists", "CREATE SCHEMA IF NOT EXISTS ds; SELECT 1", [[1]]),
    ("drop_schema_needs_cascade", "DROP SCHEMA ds", Error("is still in use", "resourceInUse")),
    (
        "drop_schema_cascade",
        "DROP SCHEMA ds CASCADE; SELECT * FROM ds.movies",
        Error("Not found: Dataset local-project:ds"),
    ),
    ("script_last_select_wins", "SELECT 1; SELECT 2", [[2]]),
    # Errors like BigQuery's
    ("syntax_error_position", "SELECT FROM WHERE", Error("Syntax error:")),
    (
        "missing_table",
        "SELECT * FROM ds.nope",
        Error("Not found: Table local-project:ds.nope was not found in location US", "notFound"),
    ),
    (
        "missing_dataset",
        "SELECT * FROM nods.t",
        Error("Not found: Dataset local-project:nods was not found in location US", "notFound"),
    ),
    (
        "unqualified_table",
        "SELECT * FROM movies",
        Error('Table "movies" must be qualified with a dataset'),
    ),
    ("unknown_column", "SELECT ratng FROM ds.ratings", Error("Unrecognized name: ratng at [1:8]")),
    ("unknown_function", "SELECT NO_SUCH_FN(1)", Error("Function not found: NO_SUCH_FN at [1:8]")),
    ("unknown_project", "SELECT * FROM `other-project.ds.t`", Error("Not found: Project")),
    ("division_by_zero", "SELECT 1 / 0", Error("division by zero: 1 / 0")),
    # The sandbox
    (
        "refuses_read_parquet",
        "SELECT * FROM read_parquet('/etc/passwd')",
        Error("Quarry reads only tables in its catalog", "invalidQuery"),
    ),
    (
        "refuses_read_csv_function",
        "SELECT * FROM read_csv('/etc/passwd')",
        Error("Quarry reads only tables in its catalog", "invalidQuery"),
    ),
    ("refuses_read_json", "SELECT * FROM read_json('/etc/passwd')", Error("not found")),
    ("refuses_read_text", "SELECT * FROM read_text('/etc/passwd')", Error("not found")),
    ("refuses_glob", "SELECT * FROM glob('/*')", Error("Syntax error")),
    ("refuses_copy", "COPY (SELECT 1) TO '/tmp/x.csv'", Error("Unsupported statement")),
    ("refuses_attach", "ATTACH '/tmp/x.db' AS x", Error("Syntax error")),
    ("refuses_install", "INSTALL httpfs", Error('Syntax error: Unexpected identifier "INSTALL"')),
    ("refuses_load", "LOAD httpfs", Error("Unsupported statement")),
    ("refuses_pragma", "PRAGMA database_list", Error("Unsupported statement")),
    ("refuses_set", "SET enable_external_access = true", Error("Undeclared variable")),
    ("refuses_export", "EXPORT DATABASE '/tmp/x'", Error("Syntax error")),
    ("refuses_duckdb_settings_function", "SELECT * FROM duckdb_settings()", Error("not found")),
    ("refuses_current_setting", "SELECT current_setting('threads')", Error("not found")),
    (
        "refuses_file_in_script",
        "SELECT 1; SELECT * FROM read_text('/etc/passwd')",
        Error("not found"),
    ),
    # Default dataset
    ("default_dataset", "SELECT COUNT(*) FROM movies", [[4]], "ds"),
]

ML_CASES: list[tuple[str, str, Any]] = [
    (
        "evaluate_columns",
        "SELECT * FROM ML.EVALUATE(MODEL ds.mf)",
        Columns(
            [
                "mean_absolute_error",
                "mean_squared_error",
                "mean_squared_log_error",
                "median_absolute_error",
                "r2_score",
                "explained_variance",
            ]
        ),
    ),
    (
        "evaluate_with_query",
        "SELECT COUNT(*) FROM ML.EVALUATE(MODEL `ds.mf`, "
        "(SELECT user_id, item_id, rating FROM ds.ratings))",
        [[1]],
    ),
    (
        "evaluate_with_table",
        "SELECT COUNT(*) FROM ML.EVALUATE(MODEL ds.mf, TABLE ds.ratings)",
        [[1]],
    ),
    ("recommend_all", "SELECT COUNT(*) FROM ML.RECOMMEND(MODEL ds.mf)", [[16]]),
    (
        "recommend_columns",
        "SELECT * FROM ML.RECOMMEND(MODEL ds.mf) LIMIT 0",
        Columns(["predicted_rating", "user_id", "item_id"], [], ["FLOAT64", "INT64", "INT64"]),
    ),
    (
        "recommend_users",
        "SELECT COUNT(*), COUNT(DISTINCT item_id) FROM ML.RECOMMEND(MODEL ds.mf, "
        "(SELECT 1 AS user_id))",
        [[4, 4]],
    ),
    (
        "recommend_items",
        "SELECT COUNT(DISTINCT user_id) FROM ML.RECOMMEND(MODEL ds.mf, (SELECT 10 AS item_id))",
        [[4]],
    ),
    (
        "recommend_pairs_pass_through",
        "SELECT user_id, item_id, note FROM ML.RECOMMEND(MODEL ds.mf, "
        "(SELECT 1 AS user_id, 13 AS item_id, 'keep' AS note))",
        [[1, 13, "keep"]],
    ),
    (
        "recommend_top_k",
        "SELECT COUNT(*) FROM ML.RECOMMEND(MODEL ds.mf, STRUCT(2 AS top_k))",
        [[8]],
    ),
    (
        "recommend_exclude_rated",
        "SELECT COUNT(*) FROM ML.RECOMMEND(MODEL ds.mf, "
        "(SELECT 1 AS user_id), STRUCT(10 AS top_k, TRUE AS exclude_rated))",
        [[1]],
    ),
    (
        "recommend_unseen_user",
        "SELECT COUNT(*) FROM ML.RECOMMEND(MODEL ds.mf, (SELECT 999 AS user_id))",
        [[4]],
    ),
    (
        "recommend_into_table",
        "CREATE TABLE ds.rec AS SELECT * FROM ML.RECOMMEND(MODEL ds.mf); "
        "SELECT COUNT(*) FROM ds.rec",
        [[16]],
    ),
    (
        "training_info",
        "SELECT iteration FROM ML.TRAINING_INFO(MODEL ds.mf) ORDER BY iteration LIMIT 1",
        [[0]],
    ),
    (
        "weights_global_row",
        "SELECT COUNT(*) FROM ML.WEIGHTS(MODEL ds.mf) WHERE feature = 'global__INTERCEPT__'",
        [[1]],
    ),
    ("weights_rows", "SELECT COUNT(*) FROM ML.WEIGHTS(MODEL ds.mf)", [[9]]),
    (
        "generate_embedding",
        "SELECT processed_input, ARRAY_LENGTH(ml_generate_embedding_result) "
        "FROM ML.GENERATE_EMBEDDING(MODEL ds.mf) WHERE feature = '1'",
        [["user_id", 3]],
    ),
    (
        "generate_embedding_takes_only_the_model",
        "SELECT * FROM ML.GENERATE_EMBEDDING(MODEL ds.mf, TABLE ds.ratings)",
        Error("only expects 1 argument but 2 were passed"),
    ),
    (
        "trial_info_needs_tuning",
        "SELECT * FROM ML.TRIAL_INFO(MODEL ds.mf)",
        Error("ML.TRIAL_INFO is only supported for models trained with hyperparameter tuning"),
    ),
    (
        "training_info_columns",
        "SELECT * FROM ML.TRAINING_INFO(MODEL ds.mf) LIMIT 0",
        Columns(
            ["training_run", "iteration", "loss", "eval_loss", "learning_rate", "duration_ms"],
            [],
            ["INT64", "INT64", "FLOAT64", "FLOAT64", "FLOAT64", "INT64"],
        ),
    ),
    (
        "predict_points_to_recommend",
        "SELECT * FROM ML.PREDICT(MODEL ds.mf, TABLE ds.ratings)",
        Error("use ML.RECOMMEND"),
    ),
    (
        "missing_model",
        "SELECT * FROM ML.EVALUATE(MODEL ds.nope)",
        Error("Not found: Model local-project:ds.nope", "notFound"),
    ),
    ("create_model_duplicate", MODEL, Error("Already Exists: Model local-project:ds.mf")),
    (
        "create_model_if_not_exists",
        MODEL.replace("CREATE MODEL", "CREATE MODEL IF NOT EXISTS") + "; SELECT 1",
        [[1]],
    ),
    (
        "create_model_wrong_type",
        "CREATE MODEL ds.m2 OPTIONS(model_type='linear_reg') AS SELECT 1 AS a",
        Error("Unsupported model_type: LINEAR_REG"),
    ),
    (
        "create_model_missing_column",
        "CREATE MODEL ds.m2 OPTIONS(model_type='matrix_factorization',"
        " user_col='uid') AS SELECT user_id, item_id, rating FROM ds.ratings",
        Error("Column uid is not in the training query's output"),
    ),
    (
        "create_model_wals_alpha_explicit",
        "CREATE MODEL ds.m2 OPTIONS(model_type="
        "'matrix_factorization', user_col='user_id', item_col='item_id', wals_alpha=3) AS "
        "SELECT user_id, item_id, rating FROM ds.ratings",
        Error("WALS_ALPHA"),
    ),
    (
        "drop_model",
        "DROP MODEL ds.mf; SELECT * FROM ML.EVALUATE(MODEL ds.mf)",
        Error("Not found: Model local-project:ds.mf"),
    ),
    (
        "model_name_clashes_with_table",
        MODEL.replace("ds.mf", "ds.movies"),
        Error("Already Exists: Table local-project:ds.movies"),
    ),
]


@cases(CASES)
def test_it_matches_bigquery(
    engine: Any, sql: str, expected: Any, default_dataset: str | None
) -> None:
    check(engine(sql, default_dataset), expected)


@pytest.mark.parametrize("sql,expected", [c[1:] for c in ML_CASES], ids=[c[0] for c in ML_CASES])
def test_it_matches_bigquery_ml(ml_engine: Any, sql: str, expected: Any) -> None:
    check(ml_engine(sql), expected)


def test_it_has_at_least_150_statements() -> None:
    assert len(CASES) + len(ML_CASES) >= 150


def test_it_runs_the_tutorial_statements_verbatim(ml_engine: Any) -> None:
    statements = [
        "SELECT * FROM ML.EVALUATE(MODEL `ds.mf`, (SELECT user_id, item_id, rating FROM "
        "`ds.ratings`))",
        "SELECT * FROM ML.RECOMMEND(MODEL `ds.mf`, (SELECT user_id FROM `ds.ratings` LIMIT 5))",
        "CREATE OR REPLACE TABLE `ds.recommend` AS SELECT * FROM ML.RECOMMEND(MODEL `ds.mf`)",
        """SELECT user_id, ARRAY_AGG(STRUCT(title, genre, predicted_rating)
           ORDER BY predicted_rating DESC LIMIT 5)
           FROM (SELECT user_id, item_id, predicted_rating, title, genre
                 FROM ds.recommend JOIN ds.movies ON item_id = movie_id)
           GROUP BY user_id""",
    ]
    for sql in statements:
        job = ml_engine(sql)
        assert job.error_result is None, (sql, job.error_result)
    fields, rows, _ = job_rows(job, 0, 100)
    assert [f["name"] for f in fields] == ["user_id", "f0_"]
    assert fields[1]["mode"] == "REPEATED" and fields[1]["type"] == "RECORD"
    assert sorted(r[0] for r in rows) == [1, 2, 3, 4]
    assert all(len(r[1]) == 3 for r in rows)


def test_it_travels_back_in_time(engine: Any) -> None:
    before = engine("SELECT CURRENT_TIMESTAMP()")
    moment = job_rows(before, 0, 1)[1][0][0]
    assert engine("DELETE FROM ds.ratings WHERE TRUE").error_result is None
    now = engine("SELECT COUNT(*) FROM ds.ratings")
    assert job_rows(now, 0, 1)[1] == [[0]]
    past = engine(
        f"SELECT COUNT(*) FROM ds.ratings FOR SYSTEM_TIME AS OF TIMESTAMP '{moment.isoformat()}'"
    )
    assert past.error_result is None, past.error_result
    assert job_rows(past, 0, 1)[1] == [[8]]
    as_string = engine(
        f"SELECT COUNT(*) FROM ds.ratings FOR SYSTEM_TIME AS OF '{moment.isoformat()}'"
    )
    assert job_rows(as_string, 0, 1)[1] == [[8]], as_string.error_result
    not_a_literal = engine(
        "SELECT COUNT(*) FROM ds.ratings FOR SYSTEM_TIME AS OF CONCAT('2024-01-01', '')"
    )
    assert "FOR SYSTEM_TIME AS OF needs a TIMESTAMP" in not_a_literal.error_result["message"]
    too_old = engine(
        "SELECT COUNT(*) FROM ds.ratings FOR SYSTEM_TIME AS OF "
        "TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 8 DAY)"
    )
    assert "7-day time travel window" in too_old.error_result["message"]


def test_it_reports_dml_statistics(engine: Any) -> None:
    job = engine("UPDATE ds.ratings SET rating = 5 WHERE user_id = 1")
    assert job.statistics["statementType"] == "UPDATE"
    assert job.statistics["numDmlAffectedRows"] == "3"
    assert int(job.statistics["totalBytesProcessed"]) > 0


def test_it_counts_rows_updated_from_another_table(engine: Any) -> None:
    job = engine(
        "UPDATE ds.ratings SET rating = 0 FROM ds.movies "
        "WHERE ratings.item_id = movies.movie_id AND movies.genre LIKE '%Crime%'"
    )
    assert job.error_result is None, job.error_result
    assert job.statistics["numDmlAffectedRows"] == "4"  # items 11 and 12 have two ratings each
    count = engine("SELECT COUNT(*) FROM ds.ratings WHERE rating = 0")
    assert job_rows(count, 0, 1)[1] == [[4]]


def test_it_counts_what_a_merge_did(engine: Any) -> None:
    job = engine(
        "MERGE ds.movies T USING (SELECT 10 AS id, 'New' AS g UNION ALL SELECT 99, 'Other') S "
        "ON T.movie_id = S.id WHEN MATCHED THEN UPDATE SET genre = S.g "
        "WHEN NOT MATCHED BY TARGET THEN INSERT (movie_id, genre) VALUES (S.id, S.g) "
        "WHEN NOT MATCHED BY SOURCE AND T.movie_id > 12 THEN DELETE"
    )
    assert job.error_result is None, job.error_result
    assert job.statistics["statementType"] == "MERGE"
    assert job.statistics["numDmlAffectedRows"] == "3"
    assert job.statistics["dmlStats"] == {
        "insertedRowCount": "1",
        "deletedRowCount": "1",
        "updatedRowCount": "1",
    }
    rows = engine("SELECT movie_id, genre FROM ds.movies ORDER BY movie_id")
    assert job_rows(rows, 0, 10)[1] == [
        [10, "New"], [11, "Action|Crime"], [12, "Crime|Drama"], [99, "Other"],
    ]  # fmt: skip


STATEMENT_TYPES = [
    ("SELECT 1", "SELECT"),
    ("SELECT 1 UNION ALL SELECT 2", "SELECT"),
    ("CREATE TABLE ds.t1 (x INT64)", "CREATE_TABLE"),
    ("CREATE TABLE ds.t2 AS SELECT 1 AS x", "CREATE_TABLE_AS_SELECT"),
    ("CREATE SCHEMA more", "CREATE_SCHEMA"),
    ("DROP TABLE IF EXISTS ds.gone", "DROP_TABLE"),
    ("DROP MODEL IF EXISTS ds.gone", "DROP_MODEL"),
    ("DROP SCHEMA IF EXISTS gone", "DROP_SCHEMA"),
    ("INSERT INTO ds.movies (movie_id) VALUES (99)", "INSERT"),
    ("DELETE FROM ds.movies WHERE movie_id = 14", "DELETE"),
    ("UPDATE ds.movies SET genre = 'x' WHERE movie_id = 14", "UPDATE"),
    ("TRUNCATE TABLE ds.movies", "TRUNCATE_TABLE"),
    ("MERGE ds.movies T USING ds.movies S ON FALSE WHEN NOT MATCHED THEN INSERT ROW", "MERGE"),
    ("SELECT 1; SELECT 2", "SCRIPT"),
]


@pytest.mark.parametrize("sql,statement_type", STATEMENT_TYPES)
def test_it_records_the_statement_type_a_dry_run_reports(
    engine: Any, sql: str, statement_type: str
) -> None:
    checked = dry_run(Project.default(), sql, principal=None)
    job = engine(sql)
    assert job.error_result is None, job.error_result
    assert job.statistics["statementType"] == statement_type
    if statement_type != "SCRIPT":
        assert checked["statementType"] == statement_type


def test_it_refuses_an_unsupported_statement_before_running_any(engine: Any) -> None:
    job = engine("CREATE TABLE ds.first (x INT64); CREATE MATERIALIZED VIEW ds.v AS SELECT 1 AS x")
    assert (
        "CREATE MATERIALIZED VIEW is not supported by Quarry at [1:" in job.error_result["message"]
    )
    assert not Table.objects.filter(table_id="first").exists()


def test_it_keeps_the_old_version_when_a_statement_fails(engine: Any) -> None:
    before = Table.objects.get(table_id="movies")
    job = engine("INSERT INTO ds.movies (movie_id) VALUES ('not a number')")
    assert job.error_result is not None
    after = Table.objects.get(table_id="movies")
    assert (after.version, after.data_path) == (before.version, before.data_path)


def test_it_expires_tables_after_the_datasets_default(engine: Any) -> None:
    dataset = Dataset.objects.get(dataset_id="ds")
    dataset.default_table_expiration_ms = 1
    dataset.save()
    assert engine("CREATE TABLE ds.short AS SELECT 1 AS a").error_result is None
    job = engine("SELECT * FROM ds.short")
    assert job.error_result["reason"] == "notFound"
    assert not Table.objects.filter(table_id="short").exists()


def test_it_counts_only_the_columns_a_query_reads(engine: Any) -> None:
    one = engine("SELECT user_id FROM ds.ratings")
    everything = engine("SELECT * FROM ds.ratings")
    assert (
        0
        < int(one.statistics["totalBytesProcessed"])
        < int(everything.statistics["totalBytesProcessed"])
    )


def test_it_models_keep_their_name_free_of_tables(ml_engine: Any) -> None:
    assert MLModel.objects.filter(model_id="mf").exists()
    job = ml_engine("CREATE TABLE ds.mf AS SELECT 1 AS a")
    assert job.error_result is not None
