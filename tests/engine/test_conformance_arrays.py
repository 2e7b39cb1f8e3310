"""Arrays, aggregates, window functions, conditional expressions and query shape, as BigQuery's
reference documents them: each case is an example from its function or query-syntax page, with
the result the page shows (a comment says where a case infers what the page does not show).
"""

from __future__ import annotations

from typing import Any

from tests.engine.conformance import Columns, Error, cases, check

FINISHERS = """WITH finishers AS (
  SELECT 'Sophia Liu' AS name, TIMESTAMP '2016-10-18 2:51:45' AS finish_time, 'F30-34' AS division
  UNION ALL SELECT 'Lisa Stelzner', TIMESTAMP '2016-10-18 2:54:11', 'F35-39'
  UNION ALL SELECT 'Nikki Leith', TIMESTAMP '2016-10-18 2:59:01', 'F30-34'
  UNION ALL SELECT 'Lauren Matthews', TIMESTAMP '2016-10-18 3:01:17', 'F35-39'
  UNION ALL SELECT 'Desiree Berry', TIMESTAMP '2016-10-18 3:05:42', 'F35-39'
  UNION ALL SELECT 'Suzy Slane', TIMESTAMP '2016-10-18 3:06:24', 'F35-39'
  UNION ALL SELECT 'Jen Edwards', TIMESTAMP '2016-10-18 3:06:36', 'F30-34'
  UNION ALL SELECT 'Meghan Lederer', TIMESTAMP '2016-10-18 3:07:41', 'F30-34'
  UNION ALL SELECT 'Carly Forte', TIMESTAMP '2016-10-18 3:08:58', 'F25-29'
  UNION ALL SELECT 'Lauren Reasoner', TIMESTAMP '2016-10-18 3:10:14', 'F30-34') """

# The finishers in the order the navigation pages list them: by division, then finish time.
RACE_ORDER = " ORDER BY division, finish_time"
RUNNERS = [
    "Carly Forte",
    "Sophia Liu",
    "Nikki Leith",
    "Jen Edwards",
    "Meghan Lederer",
    "Lauren Reasoner",
    "Lisa Stelzner",
    "Lauren Matthews",
    "Desiree Berry",
    "Suzy Slane",
]

NUMBERS = """WITH Numbers AS (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 2 UNION ALL SELECT 5
  UNION ALL SELECT 8 UNION ALL SELECT 10 UNION ALL SELECT 10) """

ROSTER = """WITH Roster AS (SELECT 'Adams' AS LastName, 50 AS SchoolID
  UNION ALL SELECT 'Buchanan', 52 UNION ALL SELECT 'Coolidge', 52
  UNION ALL SELECT 'Davis', 51 UNION ALL SELECT 'Eisenhower', 77),
TeamMascot AS (SELECT 50 AS SchoolID, 'Jaguars' AS Mascot UNION ALL SELECT 51, 'Knights'
  UNION ALL SELECT 52, 'Lakers' UNION ALL SELECT 53, 'Mustangs') """

FRUITS = 'UNNEST(["apple", NULL, "pear", "banana", "pear"]) AS fruit'


def _window(sql: str, values: list[Any]) -> list[list[Any]]:
    return [[name, value] for name, value in zip(RUNNERS, values, strict=True)]


CASES: list[tuple[str, str, Any]] = [
    # Subscripts: OFFSET and ORDINAL fail out of range, SAFE_ forms give NULL
    ("offset_in_range", "SELECT ['a', 'b', 'c'][OFFSET(1)]", [["b"]]),
    ("ordinal_in_range", "SELECT ['a', 'b', 'c'][ORDINAL(1)]", [["a"]]),
    (
        "offset_overflow_fails",
        "SELECT ['a', 'b'][OFFSET(6)]",
        Error("Array index 6 is out of bounds (overflow)"),
    ),
    (
        "ordinal_overflow_fails",
        "SELECT ['a', 'b'][ORDINAL(3)]",
        Error("Array index 3 is out of bounds (overflow)"),
    ),
    (
        "offset_underflow_fails",
        "SELECT ['a', 'b'][OFFSET(-1)]",
        Error("Array index -1 is out of bounds (underflow)"),
    ),
    (
        "ordinal_zero_fails",
        "SELECT ['a', 'b'][ORDINAL(0)]",
        Error("Array index 0 is out of bounds (underflow)"),
    ),
    (
        "offset_of_a_column_fails_per_row",
        "SELECT xs[OFFSET(2)] FROM ds.nested ORDER BY id",
        Error("Array index 2 is out of bounds (overflow)"),
    ),
    ("bare_index_is_offset", "SELECT ['a', 'b', 'c'][1]", [["b"]]),
    ("safe_offset_out_of_range", "SELECT ['a', 'b'][SAFE_OFFSET(6)]", [[None]]),
    ("safe_ordinal_out_of_range", "SELECT ['a', 'b'][SAFE_ORDINAL(0)]", [[None]]),
    (
        # The arrays page's example: item_array[OFFSET(1)], [ORDINAL(1)], [SAFE_OFFSET(6)]
        "subscripts_documented",
        """WITH Items AS (SELECT ["coffee", "tea", "milk"] AS item_array)
           SELECT item_array[OFFSET(1)] AS item_offset, item_array[ORDINAL(1)] AS item_ordinal,
                  item_array[SAFE_OFFSET(6)] AS item_safe_offset FROM Items""",
        Columns(["item_offset", "item_ordinal", "item_safe_offset"], [["tea", "coffee", None]]),
    ),
    # A query's result cannot hold an array with a NULL element
    (
        "array_agg_of_nulls_fails",
        "SELECT ARRAY_AGG(x) FROM UNNEST([1, NULL, 2]) AS x",
        Error("Array cannot have a null element; error in writing field f0_"),
    ),
    (
        "array_literal_with_null_fails",
        "SELECT [1, NULL] AS xs",
        Error("Array cannot have a null element; error in writing field xs"),
    ),
    (
        "null_element_inside_a_struct_fails",
        "SELECT STRUCT([1, NULL] AS a) AS s",
        Error("Array cannot have a null element; error in writing field s"),
    ),
    (
        "intermediate_array_may_hold_null",
        "SELECT ARRAY_LENGTH(ARRAY_AGG(x)) FROM UNNEST([1, NULL, 2]) AS x",
        [[3]],
    ),
    ("null_array_is_empty", "SELECT CAST(NULL AS ARRAY<INT64>) AS xs", [[[]]]),
    # ARRAY_AGG
    (
        "array_agg_documented",
        "SELECT ARRAY_AGG(x) AS array_agg FROM UNNEST([2, 1, -2, 3, -2, 1, 2]) AS x",
        [[[2, 1, -2, 3, -2, 1, 2]]],
    ),
    (
        "array_agg_distinct_documented",
        "SELECT ARRAY_AGG(DISTINCT x ORDER BY x) AS array_agg "
        "FROM UNNEST([2, 1, -2, 3, -2, 1, 2]) AS x",
        # The page shows [2, 1, -2, 3] unordered; ORDER BY pins the order.
        [[[-2, 1, 2, 3]]],
    ),
    (
        "array_agg_ignore_nulls_documented",
        "SELECT ARRAY_AGG(x IGNORE NULLS) AS array_agg "
        "FROM UNNEST([NULL, 1, -2, 3, -2, 1, NULL]) AS x",
        [[[1, -2, 3, -2, 1]]],
    ),
    (
        "array_agg_order_by_documented",
        "SELECT ARRAY_AGG(x ORDER BY ABS(x), x) AS array_agg "
        "FROM UNNEST([2, 1, -2, 3, -2, 1, 2]) AS x",
        # The page orders by ABS(x) alone ([1, 1, 2, -2, -2, 2, 3]); x breaks its ties here.
        [[[1, 1, -2, -2, 2, 2, 3]]],
    ),
    (
        "array_agg_limit_documented",
        "SELECT ARRAY_AGG(x LIMIT 5) AS array_agg FROM UNNEST([2, 1, -2, 3, -2, 1, 2]) AS x",
        [[[2, 1, -2, 3, -2]]],
    ),
    (
        "array_agg_distinct_ignore_nulls_order_limit_documented",
        "SELECT ARRAY_AGG(DISTINCT x IGNORE NULLS ORDER BY x LIMIT 2) AS array_agg "
        "FROM UNNEST([NULL, 1, -2, 3, -2, 1, NULL]) AS x",
        [[[-2, 1]]],
    ),
    (
        "array_agg_type",
        "SELECT ARRAY_AGG(x) AS a FROM UNNEST([1.5, 2.5]) AS x",
        Columns(["a"], [[[1.5, 2.5]]], ["FLOAT64"]),
    ),
    # ARRAY_CONCAT_AGG
    (
        "array_concat_agg_documented",
        """SELECT ARRAY_CONCAT_AGG(x) AS array_concat_agg FROM (
             SELECT [1, 2, 3, 4] AS x UNION ALL SELECT NULL UNION ALL SELECT [5, 6]
             UNION ALL SELECT [7, 8, 9])""",
        # The page's first array also holds a NULL, shown with FORMAT('%T'); here it does not.
        Columns(["array_concat_agg"], [[[1, 2, 3, 4, 5, 6, 7, 8, 9]]]),
    ),
    (
        "array_concat_agg_order_by_documented",
        """SELECT ARRAY_CONCAT_AGG(x ORDER BY ARRAY_LENGTH(x)) AS array_concat_agg FROM (
             SELECT [1, 2, 3, 4] AS x UNION ALL SELECT [5, 6] UNION ALL SELECT [7, 8, 9])""",
        [[[5, 6, 7, 8, 9, 1, 2, 3, 4]]],
    ),
    (
        "array_concat_agg_limit_documented",
        """SELECT ARRAY_CONCAT_AGG(x ORDER BY ARRAY_LENGTH(x) DESC LIMIT 2) AS array_concat_agg
           FROM (SELECT [1, 2, 3, 4] AS x UNION ALL SELECT [5, 6] UNION ALL SELECT [7, 8, 9])""",
        # The page's LIMIT 2 example counts arrays, not elements; its order is the page's table.
        [[[1, 2, 3, 4, 7, 8, 9]]],
    ),
    (
        "array_concat_agg_order_by_limit_documented",
        """SELECT ARRAY_CONCAT_AGG(x ORDER BY ARRAY_LENGTH(x) LIMIT 2) AS array_concat_agg FROM (
             SELECT [1, 2, 3, 4] AS x UNION ALL SELECT [5, 6] UNION ALL SELECT [7, 8, 9])""",
        [[[5, 6, 7, 8, 9]]],
    ),
    # STRING_AGG
    (
        "string_agg_documented",
        f"SELECT STRING_AGG(fruit) FROM {FRUITS}",
        [["apple,pear,banana,pear"]],
    ),
    (
        "string_agg_delimiter_documented",
        f'SELECT STRING_AGG(fruit, " & ") FROM {FRUITS}',
        [["apple & pear & banana & pear"]],
    ),
    (
        "string_agg_distinct_documented",
        f'SELECT STRING_AGG(DISTINCT fruit, " & " ORDER BY fruit) FROM {FRUITS}',
        # The page's DISTINCT example is unordered ("apple & pear & banana").
        [["apple & banana & pear"]],
    ),
    (
        "string_agg_order_by_documented",
        f'SELECT STRING_AGG(fruit, " & " ORDER BY LENGTH(fruit), fruit) FROM {FRUITS}',
        [["pear & pear & apple & banana"]],
    ),
    (
        "string_agg_limit_documented",
        f'SELECT STRING_AGG(fruit, " & " LIMIT 2) FROM {FRUITS}',
        [["apple & pear"]],
    ),
    (
        "string_agg_distinct_order_limit_documented",
        f'SELECT STRING_AGG(DISTINCT fruit, " & " ORDER BY fruit DESC LIMIT 2) FROM {FRUITS}',
        [["pear & banana"]],
    ),
    (
        "string_agg_of_nothing_is_null",
        "SELECT STRING_AGG(x ORDER BY x LIMIT 2) FROM UNNEST(CAST([] AS ARRAY<STRING>)) AS x",
        [[None]],
    ),
    # COUNT, COUNTIF
    (
        "count_documented",
        "SELECT COUNT(*) AS count_star, COUNT(DISTINCT x) AS count_dist_x "
        "FROM UNNEST([1, 4, 4, 5]) AS x",
        Columns(["count_star", "count_dist_x"], [[4, 3]], ["INT64", "INT64"]),
    ),
    (
        "count_nulls_documented",
        "SELECT COUNT(*) AS count_star, COUNT(x) AS count_x FROM UNNEST([1, 4, NULL, 4, 5]) AS x",
        [[5, 4]],
    ),
    (
        "count_distinct_skips_null",
        "SELECT COUNT(DISTINCT x) FROM UNNEST([1, 4, NULL, 4, 5]) AS x",
        [[3]],
    ),
    (
        "countif_documented",
        "SELECT COUNTIF(x < 0) AS num_negative, COUNTIF(x > 0) AS num_positive "
        "FROM UNNEST([5, -2, 3, 6, -10, -7, 4, 0]) AS x",
        Columns(["num_negative", "num_positive"], [[3, 4]], ["INT64", "INT64"]),
    ),
    (
        "countif_of_only_nulls_is_zero",
        "SELECT COUNTIF(x > 0) FROM UNNEST([CAST(NULL AS INT64), NULL]) AS x",
        [[0]],
    ),
    (
        "countif_of_no_rows_is_zero",
        "SELECT COUNTIF(x > 0) FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x",
        [[0]],
    ),
    (
        "countif_window",
        "SELECT x, COUNTIF(x > 0) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
        "FROM UNNEST([-1, 2, 3]) AS x ORDER BY x",
        # Inferred: the window counts the TRUE rows of its frame, 0 where there is none.
        [[-1, 0], [2, 1], [3, 2]],
    ),
    # APPROX_*: APPROX_TOP_COUNT and APPROX_TOP_SUM give their documented structs
    (
        "approx_count_distinct_documented",
        "SELECT APPROX_COUNT_DISTINCT(x) AS approx_distinct FROM UNNEST([0, 1, 1, 2, 3, 5]) AS x",
        Columns(["approx_distinct"], [[5]], ["INT64"]),
    ),
    (
        "approx_quantiles_documented",
        "SELECT APPROX_QUANTILES(x, 2) AS approx_quantiles "
        "FROM UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x",
        [[[1, 5, 10]]],
    ),
    (
        "approx_quantiles_distinct_documented",
        "SELECT APPROX_QUANTILES(DISTINCT x, 2) AS approx_quantiles "
        "FROM UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x",
        [[[1, 6, 10]]],
    ),
    (
        "approx_quantiles_ignores_nulls_documented",
        "SELECT APPROX_QUANTILES(x, 2) AS approx_quantiles "
        "FROM UNNEST([NULL, NULL, 1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x",
        [[[1, 5, 10]]],
    ),
    (
        "approx_top_count_documented",
        "SELECT APPROX_TOP_COUNT(x, 2) AS approx_top_count "
        'FROM UNNEST(["apple", "apple", "pear", "pear", "pear", "banana"]) AS x',
        Columns(
            ["approx_top_count"],
            [[[{"value": "pear", "count": 3}, {"value": "apple", "count": 2}]]],
            ["RECORD"],
        ),
    ),
    (
        "approx_top_count_counts_null_documented",
        "SELECT APPROX_TOP_COUNT(x, 2) AS approx_top_count "
        'FROM UNNEST([NULL, "pear", "pear", "pear", "apple", NULL]) AS x',
        [[[{"value": "pear", "count": 3}, {"value": None, "count": 2}]]],
    ),
    (
        "approx_top_count_integers",
        "SELECT APPROX_TOP_COUNT(x, 1)[OFFSET(0)].count AS c FROM UNNEST([1, 2, 2]) AS x",
        # Inferred: count is INT64.
        Columns(["c"], [[2]], ["INT64"]),
    ),
    (
        "approx_top_sum_documented",
        "SELECT APPROX_TOP_SUM(x, weight, 2) AS approx_top_sum FROM UNNEST(["
        'STRUCT("apple" AS x, 3 AS weight), ("pear", 2), ("apple", 0), ("banana", 5), '
        '("pear", 4)])',
        Columns(
            ["approx_top_sum"],
            [[[{"value": "pear", "sum": 6}, {"value": "banana", "sum": 5}]]],
            ["RECORD"],
        ),
    ),
    (
        "approx_top_sum_null_weights_documented",
        "SELECT APPROX_TOP_SUM(x, weight, 2) AS approx_top_sum FROM UNNEST(["
        'STRUCT("apple" AS x, NULL AS weight), ("pear", 0), ("pear", NULL)])',
        [[[{"value": "pear", "sum": 0}, {"value": "apple", "sum": None}]]],
    ),
    (
        "approx_top_sum_null_value_documented",
        "SELECT APPROX_TOP_SUM(x, weight, 2) AS approx_top_sum FROM UNNEST(["
        'STRUCT(CAST(NULL AS STRING) AS x, 3 AS weight), ("pear", 0), ("pear", 0)])',
        [[[{"value": None, "sum": 3}, {"value": "pear", "sum": 0}]]],
    ),
    # Query shape: JOIN USING, UNPIVOT, PIVOT, WITH
    (
        "join_using_puts_its_column_first_documented",
        ROSTER + "SELECT * FROM Roster INNER JOIN TeamMascot USING (SchoolID) ORDER BY LastName",
        Columns(
            ["SchoolID", "LastName", "Mascot"],
            [
                [50, "Adams", "Jaguars"],
                [52, "Buchanan", "Lakers"],
                [52, "Coolidge", "Lakers"],
                [51, "Davis", "Knights"],
            ],
        ),
    ),
    (
        "full_join_using_documented",
        ROSTER + "SELECT * FROM Roster FULL JOIN TeamMascot USING (SchoolID) "
        "ORDER BY SchoolID, LastName",
        Columns(
            ["SchoolID", "LastName", "Mascot"],
            [
                [50, "Adams", "Jaguars"],
                [51, "Davis", "Knights"],
                [52, "Buchanan", "Lakers"],
                [52, "Coolidge", "Lakers"],
                [53, None, "Mustangs"],
                [77, "Eisenhower", None],
            ],
        ),
    ),
    (
        "left_join_using_documented",
        ROSTER + "SELECT * FROM Roster LEFT JOIN TeamMascot USING (SchoolID) ORDER BY LastName",
        Columns(
            ["SchoolID", "LastName", "Mascot"],
            [
                [50, "Adams", "Jaguars"],
                [52, "Buchanan", "Lakers"],
                [52, "Coolidge", "Lakers"],
                [51, "Davis", "Knights"],
                [77, "Eisenhower", None],
            ],
        ),
    ),
    (
        "join_using_two_joins",
        "SELECT * FROM (SELECT 1 AS a, 2 AS k, 3 AS j) JOIN (SELECT 2 AS k, 4 AS b) USING (k) "
        "JOIN (SELECT 3 AS j, 5 AS c) USING (j)",
        # Inferred from the rule: each USING puts its columns before the left side's.
        Columns(["j", "k", "a", "b", "c"], [[3, 2, 1, 4, 5]]),
    ),
    (
        "unpivot_documented",
        """WITH Produce AS (SELECT 'Kale' AS product, 51 AS Q1, 23 AS Q2, 45 AS Q3, 3 AS Q4
             UNION ALL SELECT 'Apple', 77, 0, 25, 2)
           SELECT * FROM Produce UNPIVOT(sales FOR quarter IN (Q1, Q2, Q3, Q4))
           ORDER BY product DESC, quarter""",
        Columns(
            ["product", "sales", "quarter"],
            [
                ["Kale", 51, "Q1"],
                ["Kale", 23, "Q2"],
                ["Kale", 45, "Q3"],
                ["Kale", 3, "Q4"],
                ["Apple", 77, "Q1"],
                ["Apple", 0, "Q2"],
                ["Apple", 25, "Q3"],
                ["Apple", 2, "Q4"],
            ],
        ),
    ),
    (
        "unpivot_columns_documented",
        """WITH Produce AS (SELECT 'Kale' AS product, 51 AS Q1, 23 AS Q2, 45 AS Q3, 3 AS Q4
             UNION ALL SELECT 'Apple', 77, 0, 25, 2)
           SELECT * FROM Produce UNPIVOT(
             (first_half_sales, second_half_sales) FOR semesters
             IN ((Q1, Q2) AS 'semester_1', (Q3, Q4) AS 'semester_2'))
           ORDER BY product DESC, semesters""",
        Columns(
            ["product", "first_half_sales", "second_half_sales", "semesters"],
            [
                ["Kale", 51, 23, "semester_1"],
                ["Kale", 45, 3, "semester_2"],
                ["Apple", 77, 0, "semester_1"],
                ["Apple", 25, 2, "semester_2"],
            ],
        ),
    ),
    (
        "pivot_documented",
        """WITH Produce AS (
             SELECT 'Kale' AS product, 51 AS sales, 'Q1' AS quarter UNION ALL
             SELECT 'Kale', 23, 'Q2' UNION ALL SELECT 'Kale', 45, 'Q3' UNION ALL
             SELECT 'Kale', 3, 'Q4' UNION ALL SELECT 'Apple', 77, 'Q1' UNION ALL
             SELECT 'Apple', 0, 'Q2' UNION ALL SELECT 'Apple', 25, 'Q3' UNION ALL
             SELECT 'Apple', 2, 'Q4')
           SELECT * FROM Produce PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3', 'Q4'))
           ORDER BY product DESC""",
        # The page's table also has a year column; here it has none.
        Columns(
            ["product", "Q1", "Q2", "Q3", "Q4"], [["Kale", 51, 23, 45, 3], ["Apple", 77, 0, 25, 2]]
        ),
    ),
    (
        "cte_names_ignore_case",
        "WITH Foo AS (SELECT 1 AS x) SELECT * FROM foo",
        [[1]],
    ),
    (
        "cte_names_ignore_case_in_joins",
        "WITH q1 AS (SELECT 1 AS k), Q2 AS (SELECT 1 AS k) SELECT * FROM Q1 JOIN q2 USING (k)",
        [[1]],
    ),
    # ERROR and the SAFE. prefix
    ("error_raises_its_message", "SELECT ERROR('This is an error')", Error("This is an error")),
    (
        "error_in_a_branch_documented",
        """SELECT CASE WHEN value = 'foo' THEN 'Value is foo.'
                       WHEN value = 'bar' THEN 'Value is bar.'
                       ELSE ERROR(CONCAT('Found unexpected value: ', value)) END AS new_value
           FROM (SELECT 'foo' AS value UNION ALL SELECT 'baz' AS value)""",
        Error("Found unexpected value: baz"),
    ),
    (
        "error_not_reached",
        "SELECT IF(x > 0, x, ERROR('not positive')) FROM UNNEST([1, 2]) AS x ORDER BY 1",
        [[1], [2]],
    ),
    (
        "safe_prefix_documented",
        "SELECT SAFE.PARSE_DATE('%Y-%m-%d', 'not a date') AS d",
        Columns(["d"], [[None]], ["DATE"]),
    ),
    (
        "safe_prefix_turns_an_offset_error_into_null",
        "SELECT SAFE.ARRAY_TO_STRING([['a', 'b'][OFFSET(5)]], ',') AS s",
        # Inferred: the failure of any argument of a SAFE. call is NULL.
        [[None]],
    ),
    (
        "safe_prefix_keeps_good_values",
        "SELECT SAFE.SUBSTR('foo', 2) AS s",
        [["oo"]],
    ),
    (
        "safe_prefix_refuses_an_aggregate",
        "SELECT SAFE.COUNT(x) FROM UNNEST([1]) AS x",
        Error("SAFE. prefix is not supported"),
    ),
    (
        "safe_prefix_unknown_function",
        "SELECT SAFE.NO_SUCH_FUNCTION(1)",
        Error("Function not found: NO_SUCH_FUNCTION"),
    ),
]


@cases(CASES)
def test_it_matches_bigquery(engine: Any, sql: str, expected: Any, default_dataset: Any) -> None:
    check(engine(sql, default_dataset), expected)
