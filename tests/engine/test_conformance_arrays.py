"""Arrays, aggregates, window functions, conditional expressions and query shape, as BigQuery's
reference documents them: each case is an example from its function or query-syntax page, with
the result the page shows (a comment says where a case infers what the page does not show).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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

PRODUCE = """WITH Produce AS (
  SELECT 'Kale' AS product, 51 AS sales, 'Q1' AS quarter, 2020 AS year
  UNION ALL SELECT 'Kale', 23, 'Q2', 2020 UNION ALL SELECT 'Kale', 45, 'Q3', 2020
  UNION ALL SELECT 'Kale', 3, 'Q4', 2020 UNION ALL SELECT 'Kale', 70, 'Q1', 2021
  UNION ALL SELECT 'Kale', 85, 'Q2', 2021 UNION ALL SELECT 'Apple', 77, 'Q1', 2020
  UNION ALL SELECT 'Apple', 0, 'Q2', 2020 UNION ALL SELECT 'Apple', 1, 'Q1', 2021) """

FRUITS = 'UNNEST(["apple", NULL, "pear", "banana", "pear"]) AS fruit'


def _window(values: list[Any]) -> list[list[Any]]:
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
        "array_concat_agg_order_desc_limit",
        """SELECT ARRAY_CONCAT_AGG(x ORDER BY ARRAY_LENGTH(x) DESC LIMIT 2) AS array_concat_agg
           FROM (SELECT [1, 2, 3, 4] AS x UNION ALL SELECT [5, 6] UNION ALL SELECT [7, 8, 9])""",
        # Inferred from the page's LIMIT examples: LIMIT counts arrays, not elements.
        [[[1, 2, 3, 4, 7, 8, 9]]],
    ),
    (
        "array_concat_agg_unordered_limit_documented",
        """SELECT ARRAY_CONCAT_AGG(x LIMIT 2) AS array_concat_agg FROM (
             SELECT [1, 2, 3, 4] AS x UNION ALL SELECT [5, 6] UNION ALL SELECT [7, 8, 9])""",
        [[[1, 2, 3, 4, 5, 6]]],
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
        'STRUCT("apple" AS x, 0 AS weight), (NULL, 2)])',
        [[[{"value": None, "sum": 2}, {"value": "apple", "sum": 0}]]],
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
    # Array functions
    (
        "array_subquery_documented",
        "SELECT ARRAY(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) AS new_array",
        Columns(["new_array"], [[[1, 2, 3]]], ["INT64"]),
    ),
    (
        "array_of_structs_documented",
        "SELECT ARRAY(SELECT AS STRUCT 1 AS a, 2 AS b UNION ALL SELECT AS STRUCT 3 AS a, 4 AS b) "
        "AS arr",
        # The page's structs are anonymous; named fields make the rows readable.
        [[[{"a": 1, "b": 2}, {"a": 3, "b": 4}]]],
    ),
    (
        "array_concat_documented",
        "SELECT ARRAY_CONCAT([1, 2], [3, 4], [5, 6]) AS count_to_six",
        Columns(["count_to_six"], [[[1, 2, 3, 4, 5, 6]]], ["INT64"]),
    ),
    (
        "array_concat_of_a_null_is_null",
        "SELECT ARRAY_CONCAT([1, 2], NULL) IS NULL",
        [[True]],
    ),
    (
        "array_concat_operator",
        "SELECT [1, 2] || [3]",
        # Inferred: || concatenates arrays as ARRAY_CONCAT does.
        [[[1, 2, 3]]],
    ),
    (
        "array_first_documented",
        "SELECT ARRAY_FIRST(['a', 'b', 'c', 'd']) AS first_element",
        [["a"]],
    ),
    ("array_last_documented", "SELECT ARRAY_LAST(['a', 'b', 'c', 'd']) AS last_element", [["d"]]),
    (
        "array_first_of_empty_fails",
        "SELECT ARRAY_FIRST(CAST([] AS ARRAY<INT64>))",
        # The reference says an empty array is an error; the wording is Quarry's.
        Error("empty array"),
    ),
    (
        "array_last_of_empty_fails",
        "SELECT ARRAY_LAST(CAST([] AS ARRAY<STRING>))",
        Error("empty array"),
    ),
    (
        "array_length_documented",
        'SELECT ARRAY_LENGTH(["coffee", NULL, "milk"]) AS size_a, '
        'ARRAY_LENGTH(["cake", "pie"]) AS size_b',
        Columns(["size_a", "size_b"], [[3, 2]], ["INT64", "INT64"]),
    ),
    ("array_length_of_null_is_null", "SELECT ARRAY_LENGTH(CAST(NULL AS ARRAY<INT64>))", [[None]]),
    ("array_reverse_documented", "SELECT ARRAY_REVERSE([1, 2, 3]) AS reverse_arr", [[[3, 2, 1]]]),
    (
        "array_to_string_documented",
        "SELECT ARRAY_TO_STRING(['coffee', 'tea', 'milk', NULL], '--', 'MISSING') AS text",
        [["coffee--tea--milk--MISSING"]],
    ),
    (
        "array_to_string_cake_documented",
        "SELECT ARRAY_TO_STRING(['cake', 'pie', NULL], '--', 'MISSING') AS text",
        [["cake--pie--MISSING"]],
    ),
    (
        "array_to_string_skips_nulls_documented",
        "SELECT ARRAY_TO_STRING(['coffee', 'tea', 'milk', NULL], '--') AS text",
        [["coffee--tea--milk"]],
    ),
    *[
        (
            f"array_slice_documented_{name}",
            f"SELECT ARRAY_SLICE(['a', 'b', 'c', 'd', 'e'], {args})",
            [[rows]],
        )
        for name, args, rows in [
            ("1_3", "1, 3", ["b", "c", "d"]),
            ("minus1_3", "-1, 3", []),
            ("1_minus3", "1, -3", ["b", "c"]),
            ("minus1_minus3", "-1, -3", []),
            ("minus3_minus1", "-3, -1", ["c", "d", "e"]),
            ("3_3", "3, 3", ["d"]),
            ("minus3_minus3", "-3, -3", ["c"]),
            ("1_30", "1, 30", ["b", "c", "d", "e"]),
            ("1_minus30", "1, -30", []),
            ("minus30_30", "-30, 30", ["a", "b", "c", "d", "e"]),
            ("minus30_minus5", "-30, -5", ["a"]),
            ("5_30", "5, 30", []),
        ]
    ],
    (
        "array_slice_null_offset_documented",
        "SELECT ARRAY_SLICE(['a', 'b', 'c', 'd', 'e'], 1, NULL) IS NULL",
        [[True]],
    ),
    (
        "generate_array_documented",
        "SELECT GENERATE_ARRAY(1, 5) AS example_array",
        [[[1, 2, 3, 4, 5]]],
    ),
    ("generate_array_step_documented", "SELECT GENERATE_ARRAY(0, 10, 3)", [[[0, 3, 6, 9]]]),
    (
        "generate_array_negative_step_documented",
        "SELECT GENERATE_ARRAY(10, 0, -3)",
        [[[10, 7, 4, 1]]],
    ),
    ("generate_array_same_documented", "SELECT GENERATE_ARRAY(4, 4, 10)", [[[4]]]),
    ("generate_array_empty_documented", "SELECT GENERATE_ARRAY(10, 0, 3)", [[[]]]),
    ("generate_array_null_documented", "SELECT GENERATE_ARRAY(5, NULL) IS NULL", [[True]]),
    (
        "generate_array_float_documented",
        "SELECT GENERATE_ARRAY(0.0, 1.0, 0.25) AS a",
        Columns(["a"], [[[0.0, 0.25, 0.5, 0.75, 1.0]]], ["FLOAT64"]),
    ),
    (
        "generate_array_per_row_documented",
        "SELECT GENERATE_ARRAY(start, 5) AS example_array FROM UNNEST([3, 4, 5]) AS start "
        "ORDER BY start",
        [[[3, 4, 5]], [[4, 5]], [[5]]],
    ),
    (
        "generate_array_zero_step_fails",
        "SELECT GENERATE_ARRAY(1, 5, 0)",
        # The reference: a zero step is an error (its wording is not shown).
        Error("step cannot be 0"),
    ),
    (
        "generate_date_array_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-08') AS example",
        Columns(
            ["example"],
            [
                [
                    [
                        dt.date(2016, 10, 5),
                        dt.date(2016, 10, 6),
                        dt.date(2016, 10, 7),
                        dt.date(2016, 10, 8),
                    ]
                ]
            ],
            ["DATE"],
        ),
    ),
    (
        "generate_date_array_step_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-09', INTERVAL 2 DAY)",
        [[[dt.date(2016, 10, 5), dt.date(2016, 10, 7), dt.date(2016, 10, 9)]]],
    ),
    (
        "generate_date_array_negative_step_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-01', INTERVAL -3 DAY)",
        [[[dt.date(2016, 10, 5), dt.date(2016, 10, 2)]]],
    ),
    (
        "generate_date_array_same_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-05', INTERVAL 8 DAY)",
        [[[dt.date(2016, 10, 5)]]],
    ),
    (
        "generate_date_array_empty_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-01', INTERVAL 1 DAY)",
        [[[]]],
    ),
    (
        "generate_date_array_null_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', NULL) IS NULL",
        [[True]],
    ),
    (
        "generate_date_array_months_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-01-01', '2016-12-31', INTERVAL 2 MONTH)",
        [[[dt.date(2016, m, 1) for m in (1, 3, 5, 7, 9, 11)]]],
    ),
    (
        "array_includes_documented",
        "SELECT ARRAY_INCLUDES([1, 2, 3], 0) AS a1, ARRAY_INCLUDES([1, 2, 3], 1) AS a2",
        Columns(["a1", "a2"], [[False, True]], ["BOOL", "BOOL"]),
    ),
    (
        "array_includes_null_documented",
        "SELECT ARRAY_INCLUDES([1, 2, 3], NULL) IS NULL, "
        "ARRAY_INCLUDES(CAST(NULL AS ARRAY<INT64>), 1) IS NULL",
        [[True, True]],
    ),
    (
        "array_includes_all_documented",
        "SELECT ARRAY_INCLUDES_ALL([1, 2, 3, 4, 5], [3, 4, 5]) AS a1, "
        "ARRAY_INCLUDES_ALL([1, 2, 3, 4, 5], [4, 5, 6]) AS a2",
        [[True, False]],
    ),
    (
        "array_includes_any_documented",
        "SELECT ARRAY_INCLUDES_ANY([1, 2, 3], [3, 4, 5]) AS a1, "
        "ARRAY_INCLUDES_ANY([1, 2, 3], [4, 5, 6]) AS a2",
        [[True, False]],
    ),
    (
        "array_includes_any_null_documented",
        "SELECT ARRAY_INCLUDES_ANY([1, 2, 3], NULL) IS NULL, "
        "ARRAY_INCLUDES_ALL(CAST(NULL AS ARRAY<INT64>), [1]) IS NULL",
        [[True, True]],
    ),
    (
        "array_slice_keeps_nulls_documented",
        "SELECT ARRAY_LENGTH(ARRAY_SLICE(['a', 'b', NULL, 'd', 'e'], 1, 3)), "
        "ARRAY_SLICE(['a', 'b', NULL, 'd', 'e'], 1, 3)[OFFSET(1)] IS NULL",
        # The page shows [b, NULL, d]; a result cannot hold the NULL, so it is read apart.
        [[3, True]],
    ),
    (
        "array_reverse_rows_documented",
        "SELECT ARRAY_REVERSE(arr) AS reverse_arr FROM (SELECT [1, 2, 3] AS arr, 1 AS o "
        "UNION ALL SELECT [4, 5], 2 UNION ALL SELECT [], 3) ORDER BY o",
        [[[3, 2, 1]], [[5, 4]], [[]]],
    ),
    (
        "array_to_string_rows_documented",
        "SELECT ARRAY_TO_STRING(list, '--') AS text FROM (SELECT ['coffee', 'tea', 'milk'] "
        "AS list, 1 AS o UNION ALL SELECT ['cake', 'pie', NULL], 2) ORDER BY o",
        [["coffee--tea--milk"], ["cake--pie"]],
    ),
    (
        "array_length_rows_documented",
        "WITH items AS (SELECT ['coffee', NULL, 'milk'] AS list UNION ALL "
        "SELECT ['cake', 'pie'] AS list) SELECT ARRAY_TO_STRING(list, ', ', 'NULL'), "
        "ARRAY_LENGTH(list) AS size FROM items ORDER BY size DESC",
        Columns(["f0_", "size"], [["coffee, NULL, milk", 3], ["cake, pie", 2]]),
    ),
    (
        "generate_array_null_step_documented",
        "SELECT GENERATE_ARRAY(5, NULL, 1) IS NULL",
        [[True]],
    ),
    # General aggregates
    (
        "any_value_having_min_documented",
        """WITH Store AS (SELECT 20 AS sold, "apples" AS fruit UNION ALL SELECT 30, "pears"
             UNION ALL SELECT 30, "bananas" UNION ALL SELECT 10, "oranges")
           SELECT ANY_VALUE(fruit HAVING MIN sold) AS a_lowest_selling_fruit FROM Store""",
        [["oranges"]],
    ),
    (
        "any_value_of_one_value",
        'SELECT ANY_VALUE(fruit) FROM UNNEST(["apple"]) AS fruit',
        [["apple"]],
    ),
    (
        "avg_documented",
        "SELECT AVG(x) AS avg FROM UNNEST([0, 2, 4, 4, 5]) AS x",
        Columns(["avg"], [[3.0]], ["FLOAT64"]),
    ),
    (
        "avg_distinct_documented",
        "SELECT AVG(DISTINCT x) AS avg FROM UNNEST([0, 2, 4, 4, 5]) AS x",
        [[2.75]],
    ),
    (
        "avg_of_nothing_is_null",
        "SELECT AVG(x) FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x",
        [[None]],
    ),
    (
        "bit_and_documented",
        "SELECT BIT_AND(x) AS bit_and FROM UNNEST([0xF001, 0x00A1]) AS x",
        Columns(["bit_and"], [[1]], ["INT64"]),
    ),
    (
        "bit_or_documented",
        "SELECT BIT_OR(x) AS bit_or FROM UNNEST([0xF001, 0x00A1]) AS x",
        [[61601]],
    ),
    ("bit_xor_documented", "SELECT BIT_XOR(x) AS bit_xor FROM UNNEST([5678, 1234]) AS x", [[4860]]),
    (
        "bit_xor_repeat_documented",
        "SELECT BIT_XOR(x) FROM UNNEST([1234, 5678, 1234]) AS x",
        [[5678]],
    ),
    (
        "bit_xor_distinct_documented",
        "SELECT BIT_XOR(DISTINCT x) FROM UNNEST([1234, 5678, 1234]) AS x",
        [[4860]],
    ),
    (
        "logical_and_documented",
        "SELECT LOGICAL_AND(x < 3) AS logical_and FROM UNNEST([1, 2, 4]) AS x",
        Columns(["logical_and"], [[False]], ["BOOL"]),
    ),
    (
        "logical_or_documented",
        "SELECT LOGICAL_OR(x < 3) AS logical_or FROM UNNEST([1, 2, 4]) AS x",
        [[True]],
    ),
    ("logical_and_skips_nulls", "SELECT LOGICAL_AND(x) FROM UNNEST([TRUE, NULL]) AS x", [[True]]),
    ("max_documented", "SELECT MAX(x) AS max FROM UNNEST([8, 37, 55, 4]) AS x", [[55]]),
    ("min_documented", "SELECT MIN(x) AS min FROM UNNEST([8, 37, 55, 4]) AS x", [[4]]),
    (
        "max_by_documented",
        """WITH fruits AS (SELECT "apple" fruit, 3.55 price UNION ALL
             SELECT "banana" fruit, 2.10 price UNION ALL SELECT "pear" fruit, 4.30 price)
           SELECT MAX_BY(fruit, price) AS fruit FROM fruits""",
        [["pear"]],
    ),
    (
        "min_by_documented",
        """WITH fruits AS (SELECT "apple" fruit, 3.55 price UNION ALL
             SELECT "banana" fruit, 2.10 price UNION ALL SELECT "pear" fruit, 4.30 price)
           SELECT MIN_BY(fruit, price) AS fruit FROM fruits""",
        [["banana"]],
    ),
    (
        "sum_documented",
        "SELECT SUM(x) AS sum FROM UNNEST([1, 2, 3, 4, 5, 4, 3, 2, 1]) AS x",
        Columns(["sum"], [[25]], ["INT64"]),
    ),
    (
        "sum_distinct_documented",
        "SELECT SUM(DISTINCT x) AS sum FROM UNNEST([1, 2, 3, 4, 5, 4, 3, 2, 1]) AS x",
        [[15]],
    ),
    ("sum_of_nothing_is_null_documented", "SELECT SUM(x) AS sum FROM UNNEST([]) AS x", [[None]]),
    (
        "sum_of_floats_is_float64",
        "SELECT SUM(x) AS s FROM UNNEST([1.5, 2.5]) AS x",
        Columns(["s"], [[4.0]], ["FLOAT64"]),
    ),
    (
        "sum_window_documented",
        "SELECT x, SUM(x) OVER (PARTITION BY MOD(x, 3)) AS sum "
        "FROM UNNEST([1, 2, 3, 4, 5, 4, 3, 2, 1]) AS x ORDER BY x",
        [[1, 10], [1, 10], [2, 9], [2, 9], [3, 6], [3, 6], [4, 10], [4, 10], [5, 9]],
    ),
    # Statistical aggregates
    (
        "corr_documented",
        "SELECT CORR(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 5.0 AS x), (3.0, 9.0), "
        "(4.0, 7.0)])",
        Columns(["results"], [[0.6546536707079772]], ["FLOAT64"]),
    ),
    (
        "corr_skips_null_pairs_documented",
        "SELECT CORR(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 5.0 AS x), (3.0, 9.0), "
        "(4.0, NULL)])",
        [[1.0]],
    ),
    (
        "corr_one_pair_documented",
        "SELECT CORR(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 5.0 AS x), (3.0, NULL), "
        "(4.0, NULL)])",
        [[None]],
    ),
    (
        "corr_constant_documented",
        "SELECT IS_NAN(CORR(y, x)) AS results FROM UNNEST([STRUCT(1.0 AS y, 5.0 AS x), (3.0, 5.0), "
        "(4.0, 5.0)])",
        # The page shows NaN.
        [[True]],
    ),
    (
        "corr_window_one_pair",
        "SELECT CORR(y, x) OVER () FROM UNNEST([STRUCT(1.0 AS y, 5.0 AS x), (3.0, NULL)]) LIMIT 1",
        # Inferred: as the aggregate, NULL for fewer than two pairs.
        [[None]],
    ),
    (
        "covar_pop_documented",
        "SELECT COVAR_POP(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x), "
        "(2.0, 6.0), (9.0, 3.0), (2.0, 6.0), (9.0, 3.0)])",
        [[-1.6800000000000002]],
    ),
    (
        "covar_pop_one_pair_documented",
        "SELECT COVAR_POP(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x)])",
        [[0.0]],
    ),
    (
        "covar_samp_documented",
        "SELECT COVAR_SAMP(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x), "
        "(2.0, 6.0), (9.0, 3.0), (2.0, 6.0), (9.0, 3.0)])",
        [[-2.1]],
    ),
    (
        "covar_samp_one_pair_documented",
        "SELECT COVAR_SAMP(y, x) AS results FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x)])",
        [[None]],
    ),
    *[
        (
            f"{function.lower()}_documented_{name}",
            f"SELECT {function}(x) AS results FROM UNNEST({values}) AS x",
            [[result]],
        )
        for function, name, values, result in [
            ("STDDEV_POP", "three", "[10, 14, 18]", 3.265986323710904),
            ("STDDEV_POP", "null", "[10, 14, NULL]", 2.0),
            ("STDDEV_POP", "one", "[10, NULL]", 0.0),
            ("STDDEV_POP", "none", "[NULL]", None),
            ("STDDEV_SAMP", "three", "[10, 14, 18]", 4.0),
            ("STDDEV_SAMP", "null", "[10, 14, NULL]", 2.8284271247461903),
            ("STDDEV_SAMP", "one", "[10, NULL]", None),
            ("STDDEV", "three", "[10, 14, 18]", 4.0),
            ("VAR_POP", "three", "[10, 14, 18]", 10.666666666666666),
            ("VAR_POP", "null", "[10, 14, NULL]", 4.0),
            ("VAR_POP", "one", "[10, NULL]", 0.0),
            ("VAR_POP", "none", "[NULL]", None),
            ("VAR_SAMP", "three", "[10, 14, 18]", 16.0),
            ("VAR_SAMP", "null", "[10, 14, NULL]", 8.0),
            ("VAR_SAMP", "one", "[10, NULL]", None),
            ("VARIANCE", "three", "[10, 14, 18]", 16.0),
        ]
    ],
    # Percentiles (navigation functions)
    (
        "percentile_cont_documented",
        "SELECT PERCENTILE_CONT(x, 0) OVER () AS min, PERCENTILE_CONT(x, 0.01) OVER () AS p1, "
        "PERCENTILE_CONT(x, 0.5) OVER () AS median, PERCENTILE_CONT(x, 0.9) OVER () AS p90, "
        "PERCENTILE_CONT(x, 1) OVER () AS max FROM UNNEST([0, 3, NULL, 1, 2]) AS x LIMIT 1",
        Columns(
            ["min", "p1", "median", "p90", "max"],
            [[0.0, 0.03, 1.5, 2.7, 3.0]],
            ["FLOAT64"] * 5,
        ),
    ),
    (
        "percentile_cont_respect_nulls_documented",
        "SELECT PERCENTILE_CONT(x, 0 RESPECT NULLS) OVER () AS min, "
        "PERCENTILE_CONT(x, 0.01 RESPECT NULLS) OVER () AS p1, "
        "PERCENTILE_CONT(x, 0.5 RESPECT NULLS) OVER () AS median, "
        "PERCENTILE_CONT(x, 0.9 RESPECT NULLS) OVER () AS p90, "
        "PERCENTILE_CONT(x, 1 RESPECT NULLS) OVER () AS max "
        "FROM UNNEST([0, 3, NULL, 1, 2]) AS x LIMIT 1",
        Columns(
            ["min", "p1", "median", "p90", "max"], [[None, 0.0, 1.0, 2.6, 3.0]], ["FLOAT64"] * 5
        ),
    ),
    (
        "percentile_disc_documented",
        "SELECT PERCENTILE_DISC(x, 0) OVER () AS min, PERCENTILE_DISC(x, 0.5) OVER () AS median, "
        "PERCENTILE_DISC(x, 1) OVER () AS max FROM UNNEST(['c', NULL, 'b', 'a']) AS x LIMIT 1",
        Columns(["min", "median", "max"], [["a", "b", "c"]], ["STRING"] * 3),
    ),
    (
        "percentile_disc_respect_nulls_documented",
        "SELECT PERCENTILE_DISC(x, 0 RESPECT NULLS) OVER () AS min, "
        "PERCENTILE_DISC(x, 0.5 RESPECT NULLS) OVER () AS median, "
        "PERCENTILE_DISC(x, 1 RESPECT NULLS) OVER () AS max "
        "FROM UNNEST(['c', NULL, 'b', 'a']) AS x LIMIT 1",
        [[None, "a", "c"]],
    ),
    # Navigation functions, on the reference's race finishers
    (
        "first_value_documented",
        FINISHERS
        + """SELECT name, TIMESTAMP_DIFF(finish_time, FIRST_VALUE(finish_time) OVER (
             PARTITION BY division ORDER BY finish_time ASC
             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), SECOND) AS delta_in_seconds
           FROM finishers"""
        + RACE_ORDER,
        _window([0, 0, 436, 891, 956, 1109, 0, 426, 691, 733]),
    ),
    (
        "last_value_documented",
        FINISHERS
        + """SELECT name, TIMESTAMP_DIFF(LAST_VALUE(finish_time) OVER (
             PARTITION BY division ORDER BY finish_time ASC
             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), finish_time, SECOND)
             AS delta_in_seconds
           FROM finishers"""
        + RACE_ORDER,
        _window([0, 1109, 673, 218, 153, 0, 733, 307, 42, 0]),
    ),
    (
        "nth_value_documented",
        FINISHERS
        + """SELECT name, NTH_VALUE(name, 2) OVER (
             PARTITION BY division ORDER BY finish_time ASC
             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second_fastest
           FROM finishers"""
        + RACE_ORDER,
        # The page shows the second fastest's time; its name says the same.
        _window([None] + ["Nikki Leith"] * 5 + ["Lauren Matthews"] * 4),
    ),
    (
        "lead_documented",
        FINISHERS
        + """SELECT name, LEAD(name) OVER (PARTITION BY division ORDER BY finish_time ASC)
             AS followed_by FROM finishers"""
        + RACE_ORDER,
        _window(
            [
                None,
                "Nikki Leith",
                "Jen Edwards",
                "Meghan Lederer",
                "Lauren Reasoner",
                None,
                "Lauren Matthews",
                "Desiree Berry",
                "Suzy Slane",
                None,
            ],
        ),
    ),
    (
        "lead_two_documented",
        FINISHERS
        + """SELECT name, LEAD(name, 2) OVER (PARTITION BY division ORDER BY finish_time ASC)
             AS two_runners_back FROM finishers"""
        + RACE_ORDER,
        _window(
            [
                None,
                "Jen Edwards",
                "Meghan Lederer",
                "Lauren Reasoner",
                None,
                None,
                "Desiree Berry",
                "Suzy Slane",
                None,
                None,
            ],
        ),
    ),
    (
        "lead_default_documented",
        FINISHERS
        + """SELECT name, LEAD(name, 2, 'Nobody') OVER (
             PARTITION BY division ORDER BY finish_time ASC) AS two_runners_back
           FROM finishers"""
        + RACE_ORDER,
        _window(
            [
                "Nobody",
                "Jen Edwards",
                "Meghan Lederer",
                "Lauren Reasoner",
                "Nobody",
                "Nobody",
                "Desiree Berry",
                "Suzy Slane",
                "Nobody",
                "Nobody",
            ],
        ),
    ),
    (
        "lag_documented",
        FINISHERS
        + """SELECT name, LAG(name) OVER (PARTITION BY division ORDER BY finish_time ASC)
             AS preceding_runner FROM finishers"""
        + RACE_ORDER,
        _window(
            [
                None,
                None,
                "Sophia Liu",
                "Nikki Leith",
                "Jen Edwards",
                "Meghan Lederer",
                None,
                "Lisa Stelzner",
                "Lauren Matthews",
                "Desiree Berry",
            ],
        ),
    ),
    (
        "lag_default_documented",
        FINISHERS
        + """SELECT name, LAG(name, 2, 'Nobody') OVER (
             PARTITION BY division ORDER BY finish_time ASC) AS two_runners_ahead
           FROM finishers"""
        + RACE_ORDER,
        _window(
            [
                "Nobody",
                "Nobody",
                "Nobody",
                "Sophia Liu",
                "Nikki Leith",
                "Jen Edwards",
                "Nobody",
                "Nobody",
                "Lisa Stelzner",
                "Lauren Matthews",
            ],
        ),
    ),
    (
        "first_value_ignore_nulls",
        "SELECT FIRST_VALUE(x IGNORE NULLS) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND UNBOUNDED FOLLOWING) FROM UNNEST([NULL, 1, 2]) AS x WITH OFFSET o ORDER BY o LIMIT 1",
        # Inferred from the reference's IGNORE NULLS: the first non-NULL value.
        [[1]],
    ),
    (
        "last_value_ignore_nulls",
        "SELECT LAST_VALUE(x IGNORE NULLS) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND UNBOUNDED FOLLOWING) FROM UNNEST([1, 2, NULL]) AS x WITH OFFSET o ORDER BY o LIMIT 1",
        [[2]],
    ),
    (
        "first_value_respects_nulls_by_default",
        "SELECT FIRST_VALUE(x) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND UNBOUNDED FOLLOWING) FROM UNNEST([NULL, 1, 2]) AS x WITH OFFSET o ORDER BY o LIMIT 1",
        [[None]],
    ),
    (
        "nth_value_ignore_nulls",
        "SELECT NTH_VALUE(x, 2 IGNORE NULLS) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND UNBOUNDED FOLLOWING) FROM UNNEST([NULL, 1, NULL, 2, 3]) AS x WITH OFFSET o "
        "ORDER BY o LIMIT 1",
        [[2]],
    ),
    # Numbering functions, on the reference's Numbers
    (
        "rank_documented",
        NUMBERS + "SELECT x, RANK() OVER (ORDER BY x ASC) AS rank FROM Numbers ORDER BY x",
        Columns(
            ["x", "rank"],
            [[1, 1], [2, 2], [2, 2], [5, 4], [8, 5], [10, 6], [10, 6]],
            ["INT64", "INT64"],
        ),
    ),
    (
        "dense_rank_documented",
        NUMBERS
        + "SELECT x, DENSE_RANK() OVER (ORDER BY x ASC) AS dense_rank FROM Numbers ORDER BY x",
        Columns(
            ["x", "dense_rank"],
            [[1, 1], [2, 2], [2, 2], [5, 3], [8, 4], [10, 5], [10, 5]],
            ["INT64", "INT64"],
        ),
    ),
    (
        "percent_rank_documented",
        NUMBERS + "SELECT x, PERCENT_RANK() OVER (ORDER BY x ASC) AS percent_rank FROM Numbers "
        "ORDER BY x",
        Columns(
            ["x", "percent_rank"],
            [
                [1, 0.0],
                [2, 0.16666666666666666],
                [2, 0.16666666666666666],
                [5, 0.5],
                [8, 0.6666666666666666],
                [10, 0.8333333333333334],
                [10, 0.8333333333333334],
            ],
            ["INT64", "FLOAT64"],
        ),
    ),
    (
        "cume_dist_documented",
        NUMBERS
        + "SELECT x, CUME_DIST() OVER (ORDER BY x ASC) AS cume_dist FROM Numbers ORDER BY x",
        Columns(
            ["x", "cume_dist"],
            [
                [1, 0.14285714285714285],
                [2, 0.42857142857142855],
                [2, 0.42857142857142855],
                [5, 0.5714285714285714],
                [8, 0.7142857142857143],
                [10, 1.0],
                [10, 1.0],
            ],
            ["INT64", "FLOAT64"],
        ),
    ),
    (
        "row_number_documented",
        NUMBERS + "SELECT x, ROW_NUMBER() OVER (ORDER BY x ASC) AS row_num FROM Numbers ORDER BY 2",
        Columns(
            ["x", "row_num"],
            [[1, 1], [2, 2], [2, 3], [5, 4], [8, 5], [10, 6], [10, 7]],
            ["INT64", "INT64"],
        ),
    ),
    (
        "ntile",
        NUMBERS + "SELECT x, NTILE(3) OVER (ORDER BY x ASC) AS bucket FROM Numbers ORDER BY x",
        # Inferred from the reference's rule: the first buckets take the remainder's extra rows.
        Columns(
            ["x", "bucket"],
            [[1, 1], [2, 1], [2, 1], [5, 2], [8, 2], [10, 3], [10, 3]],
            ["INT64", "INT64"],
        ),
    ),
    (
        "rank_partitioned_documented",
        FINISHERS
        + """SELECT name, RANK() OVER (PARTITION BY division ORDER BY finish_time ASC)
             AS finish_rank FROM finishers"""
        + RACE_ORDER,
        _window([1, 1, 2, 3, 4, 5, 1, 2, 3, 4]),
    ),
    # Conditional expressions
    (
        "case_value_documented",
        """WITH Numbers AS (SELECT 90 AS A, 2 AS B UNION ALL SELECT 50, 8
             UNION ALL SELECT 60, 6 UNION ALL SELECT 50, 10)
           SELECT A, B, CASE A WHEN 90 THEN 'red' WHEN 50 THEN 'blue' ELSE 'green' END AS result
           FROM Numbers ORDER BY A DESC, B""",
        [[90, 2, "red"], [60, 6, "green"], [50, 8, "blue"], [50, 10, "blue"]],
    ),
    (
        "case_conditions_documented",
        """WITH Numbers AS (SELECT 90 AS A, 2 AS B UNION ALL SELECT 50, 6
             UNION ALL SELECT 20, 10)
           SELECT A, B, CASE WHEN A > 60 THEN 'red' WHEN B = 6 THEN 'blue' ELSE 'green' END
             AS result FROM Numbers ORDER BY A DESC""",
        [[90, 2, "red"], [50, 6, "blue"], [20, 10, "green"]],
    ),
    ("coalesce_documented", "SELECT COALESCE('A', 'B', 'C') AS result", [["A"]]),
    ("coalesce_null_documented", "SELECT COALESCE(NULL, 'B', 'C') AS result", [["B"]]),
    (
        "coalesce_supertype",
        "SELECT COALESCE(NULL, 1, 2.5) AS result",
        # Inferred: the arguments' supertype, FLOAT64.
        Columns(["result"], [[1.0]], ["FLOAT64"]),
    ),
    (
        "if_documented",
        """WITH Numbers AS (SELECT 10 AS A, 20 AS B UNION ALL SELECT 50, 30
             UNION ALL SELECT 60, 60)
           SELECT A, B, IF(A < B, 'true', 'false') AS result FROM Numbers ORDER BY A""",
        [[10, 20, "true"], [50, 30, "false"], [60, 60, "false"]],
    ),
    (
        "if_supertype_documented",
        """WITH Numbers AS (SELECT 10 AS A, 20 AS B UNION ALL SELECT 50, 30
             UNION ALL SELECT 60, 60)
           SELECT A, B, IF(A < B, A, 1.5) AS result FROM Numbers ORDER BY A""",
        # Inferred: INT64 and FLOAT64 branches give FLOAT64.
        Columns(["A", "B", "result"], [[10, 20, 10.0], [50, 30, 1.5], [60, 60, 1.5]]),
    ),
    ("if_null_condition", "SELECT IF(NULL, 1, 2)", [[2]]),
    ("ifnull_documented", "SELECT IFNULL(NULL, 0) AS result", [[0]]),
    ("ifnull_value_documented", "SELECT IFNULL(10, 0) AS result", [[10]]),
    ("nullif_documented", "SELECT NULLIF(0, 0) AS result", [[None]]),
    ("nullif_value_documented", "SELECT NULLIF(10, 0) AS result", [[10]]),
    ("nullifzero_documented", "SELECT NULLIFZERO(0) AS result", [[None]]),
    ("nullifzero_value", "SELECT NULLIFZERO(10) AS result", [[10]]),
    ("zeroifnull_documented", "SELECT ZEROIFNULL(NULL) AS result", [[0]]),
    ("zeroifnull_value", "SELECT ZEROIFNULL(10) AS result", [[10]]),
    (
        "array_to_string_null_delimiter",
        "SELECT ARRAY_TO_STRING(['a', 'b'], NULL) IS NULL",
        # Inferred: NULL for a NULL argument, as for a NULL array.
        [[True]],
    ),
    (
        "array_to_string_null_array",
        "SELECT ARRAY_TO_STRING(CAST(NULL AS ARRAY<STRING>), ',') IS NULL",
        [[True]],
    ),
    (
        "offset_of_an_aggregate",
        "SELECT ['a', 'b', 'c'][OFFSET(SUM(x))] FROM UNNEST([1, 1]) AS x",
        [["c"]],
    ),
    (
        "safe_prefix_over_an_aggregate",
        "SELECT SAFE.ARRAY_TO_STRING([['a'][OFFSET(SUM(x))]], ',') FROM UNNEST([1, 2]) AS x",
        # Inferred: TRY cannot wrap an aggregate; the subscript's failure is still NULL.
        [[None]],
    ),
    (
        "approx_quantiles_of_zero_buckets_fails",
        "SELECT APPROX_QUANTILES(x, 0) FROM UNNEST([1]) AS x",
        # The wording is Quarry's: the reference says only that the number must be positive.
        Error("APPROX_QUANTILES requires a number of quantiles of at least 1"),
    ),
    (
        "nested_array_result_fails",
        "SELECT ARRAY_AGG([x]) FROM UNNEST([1]) AS x",
        Error("nested arrays are not supported"),
    ),
    (
        "nested_array_literal_fails",
        "SELECT [[1, 2]]",
        Error("Cannot construct array with element type ARRAY<INT64>"),
    ),
    (
        "array_of_struct_of_arrays_is_fine",
        "SELECT [STRUCT([1, 2] AS xs)] AS a",
        [[[{"xs": [1, 2]}]]],
    ),
    (
        "generate_date_array_weeks_documented",
        "SELECT GENERATE_DATE_ARRAY(date_start, date_end, INTERVAL 1 WEEK) AS date_range "
        "FROM (SELECT DATE '2016-01-01' AS date_start, DATE '2016-01-31' AS date_end)",
        [[[dt.date(2016, 1, d) for d in (1, 8, 15, 22, 29)]]],
    ),
    (
        "array_agg_of_nothing_is_empty",
        "SELECT ARRAY_AGG(x) AS a FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x",
        # BigQuery's ARRAY_AGG of no rows is NULL, which a result writes as [].
        Columns(["a"], [[[]]], ["INT64"]),
    ),
    (
        "offset_of_null_array_is_null",
        "SELECT CAST(NULL AS ARRAY<INT64>)[OFFSET(3)]",
        [[None]],
    ),
    (
        "logical_and_of_nothing_is_null",
        "SELECT LOGICAL_AND(x) FROM UNNEST(CAST([] AS ARRAY<BOOL>)) AS x",
        [[None]],
    ),
    (
        "bit_and_of_nothing_is_null",
        "SELECT BIT_AND(x) FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x",
        [[None]],
    ),
    (
        "count_of_nothing_is_zero",
        "SELECT COUNT(x) FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x",
        [[0]],
    ),
    (
        "sum_numeric_is_numeric",
        "SELECT SUM(x) AS s FROM UNNEST([NUMERIC '1.5', NUMERIC '2']) AS x",
        Columns(["s"], [[Decimal("3.5")]], ["NUMERIC"]),
    ),
    (
        "pivot_with_year_documented",
        PRODUCE + "SELECT * FROM Produce PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3', 'Q4')) "
        "ORDER BY product DESC, year",
        Columns(
            ["product", "year", "Q1", "Q2", "Q3", "Q4"],
            [
                ["Kale", 2020, 51, 23, 45, 3],
                ["Kale", 2021, 70, 85, None, None],
                ["Apple", 2020, 77, 0, None, None],
                ["Apple", 2021, 1, None, None, None],
            ],
        ),
    ),
    (
        "pivot_subquery_documented",
        PRODUCE + "SELECT * FROM (SELECT product, sales, quarter FROM Produce) "
        "PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3', 'Q4')) ORDER BY product DESC",
        Columns(
            ["product", "Q1", "Q2", "Q3", "Q4"],
            [["Kale", 121, 108, 45, 3], ["Apple", 78, 0, None, None]],
        ),
    ),
    (
        "pivot_no_grouping_documented",
        PRODUCE + "SELECT * FROM (SELECT sales, quarter FROM Produce) "
        "PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3'))",
        Columns(["Q1", "Q2", "Q3"], [[199, 108, 45]]),
    ),
    (
        "pivot_two_aggregates_documented",
        PRODUCE + "SELECT * FROM (SELECT product, sales, quarter FROM Produce) "
        "PIVOT(SUM(sales) AS total_sales, COUNT(*) AS num_records FOR quarter IN ('Q1', 'Q2')) "
        "ORDER BY product DESC",
        Columns(
            ["product", "total_sales_Q1", "num_records_Q1", "total_sales_Q2", "num_records_Q2"],
            [["Kale", 121, 2, 108, 2], ["Apple", 78, 2, 0, 1]],
        ),
    ),
    (
        "pivot_aggregate_alias",
        PRODUCE + "SELECT * FROM (SELECT product, sales, quarter FROM Produce) "
        "PIVOT(SUM(sales) AS total FOR quarter IN ('Q1', 'Q2' AS second)) ORDER BY product DESC",
        # Inferred from the reference's naming rule: the aggregate's alias, _, the value's name.
        Columns(["product", "total_Q1", "total_second"], [["Kale", 121, 108], ["Apple", 78, 0]]),
    ),
    (
        "pivot_integer_values",
        PRODUCE + "SELECT * FROM (SELECT product, sales, year FROM Produce) "
        "PIVOT(SUM(sales) FOR year IN (2020, 2021)) ORDER BY product DESC",
        # Inferred: an INT64 value's column is named _ and the value, as BigQuery names them.
        Columns(["product", "_2020", "_2021"], [["Kale", 122, 155], ["Apple", 77, 1]]),
    ),
    (
        "pivot_column_by_name",
        PRODUCE + "SELECT product, Q2 FROM (SELECT product, sales, quarter FROM Produce) "
        "PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2')) ORDER BY product DESC",
        [["Kale", 108], ["Apple", 0]],
    ),
    (
        "right_join_using",
        "SELECT * FROM (SELECT 1 AS k, 'a' AS l) RIGHT JOIN (SELECT 2 AS k, 'b' AS r) USING (k)",
        # Inferred: the USING column comes first and, in a RIGHT JOIN, from the right side.
        Columns(["k", "l", "r"], [[2, None, "b"]]),
    ),
    (
        "join_using_qualified_star_keeps_order",
        "SELECT l.*, r.b FROM (SELECT 1 AS a, 2 AS k) AS l JOIN (SELECT 2 AS k, 3 AS b) AS r "
        "USING (k)",
        Columns(["a", "k", "b"], [[1, 2, 3]]),
    ),
    (
        "grouping_documented",
        "SELECT x, GROUPING(x) AS g FROM UNNEST([1, 2]) AS x GROUP BY ROLLUP(x) ORDER BY g, x",
        # The aggregate page's rule: 1 where the row aggregates x away, else 0.
        Columns(["x", "g"], [[1, 0], [2, 0], [None, 1]], ["INT64", "INT64"]),
    ),
    (
        "select_as_struct_is_a_value_table",
        "SELECT AS STRUCT 1 AS a, 2 AS b",
        # The query-syntax page: a value table's result has one column per field.
        Columns(["a", "b"], [[1, 2]], ["INT64", "INT64"]),
    ),
    (
        "select_as_value_struct",
        "SELECT AS VALUE STRUCT(1 AS a, 'x' AS b)",
        Columns(["a", "b"], [[1, "x"]], ["INT64", "STRING"]),
    ),
    (
        "select_star_from_a_value_table",
        "SELECT * FROM (SELECT AS STRUCT x AS a, x * 2 AS b FROM UNNEST([1, 2]) AS x) ORDER BY a",
        Columns(["a", "b"], [[1, 2], [2, 4]]),
    ),
    (
        "array_of_select_as_struct_documented",
        "SELECT ARRAY(SELECT AS STRUCT x AS a, x * 2 AS b FROM UNNEST([1, 2]) AS x ORDER BY x)",
        [[[{"a": 1, "b": 2}, {"a": 2, "b": 4}]]],
    ),
    ("in_unnest", "SELECT 2 IN UNNEST([1, 2]), 3 IN UNNEST([1, 2])", [[True, False]]),
    (
        "array_subquery_ordered_documented",
        "SELECT ARRAY(SELECT x FROM UNNEST([3, 1, 2]) AS x ORDER BY x DESC) AS a",
        [[[3, 2, 1]]],
    ),
    (
        "array_subquery_with_null_fails",
        "SELECT ARRAY(SELECT CAST(NULL AS INT64)) AS a",
        Error("Array cannot have a null element; error in writing field a"),
    ),
    (
        "qualify_documented",
        "SELECT x FROM UNNEST([1, 2, 3]) AS x WHERE TRUE "
        "QUALIFY ROW_NUMBER() OVER (ORDER BY x DESC) = 1",
        [[3]],
    ),
    (
        "recursive_cte_ignores_case",
        "WITH RECURSIVE T AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM t WHERE n < 3) "
        "SELECT n FROM T ORDER BY n",
        [[1], [2], [3]],
    ),
    (
        "unnest_unnamed_column_is_f0",
        "SELECT * FROM UNNEST([1, 2])",
        # The arrays page's unaliased UNNEST: the column has no name, which BigQuery writes f0_.
        Columns(["f0_"], [[1], [2]], ["INT64"]),
    ),
    (
        "unnest_unnamed_with_offset",
        "SELECT * FROM UNNEST([10, 20]) WITH OFFSET ORDER BY offset",
        Columns(["f0_", "offset"], [[10, 0], [20, 1]]),
    ),
    (
        "unnest_structs_with_offset_documented",
        "SELECT * FROM UNNEST([STRUCT(1 AS a, 'x' AS b), (2, 'y')]) WITH OFFSET ORDER BY offset",
        # The arrays page: an unaliased UNNEST of STRUCTs gives one column per field.
        Columns(["a", "b", "offset"], [[1, "x", 0], [2, "y", 1]]),
    ),
    (
        "unnest_of_null_is_no_rows_documented",
        "SELECT * FROM UNNEST(CAST(NULL AS ARRAY<INT64>))",
        Columns(["f0_"], []),
    ),
    (
        "countif_distinct",
        "SELECT COUNTIF(DISTINCT x > 0) FROM UNNEST([1, 2, -1]) AS x",
        # Inferred: DISTINCT counts the distinct TRUE values, here one.
        [[1]],
    ),
    (
        "percentile_cont_partitioned",
        "SELECT x, PERCENTILE_CONT(x, 0.5) OVER (PARTITION BY MOD(x, 2)) AS median "
        "FROM UNNEST([1, 2, 3, 4, 6]) AS x ORDER BY x",
        [[1, 2.0], [2, 4.0], [3, 2.0], [4, 4.0], [6, 4.0]],
    ),
    (
        "percentile_disc_respect_nulls_partitioned",
        "SELECT x, PERCENTILE_DISC(x, 0.5 RESPECT NULLS) OVER (PARTITION BY MOD(x, 2)) AS median "
        "FROM UNNEST([1, 2, 3, 4, 6]) AS x ORDER BY x",
        [[1, 1], [2, 4], [3, 1], [4, 4], [6, 4]],
    ),
    (
        "count_distinct_window",
        "SELECT x, COUNT(DISTINCT x) OVER () AS n FROM UNNEST([1, 1, 2]) AS x ORDER BY x",
        [[1, 2], [1, 2], [2, 2]],
    ),
    (
        "string_agg_window",
        "SELECT x, STRING_AGG(x, '|') OVER (ORDER BY x) AS s FROM UNNEST(['a', 'b']) AS x "
        "ORDER BY x",
        [["a", "a"], ["b", "a|b"]],
    ),
    (
        "array_agg_window_frame",
        "SELECT x, ARRAY_AGG(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS a "
        "FROM UNNEST([1, 2, 3]) AS x ORDER BY x",
        [[1, [1]], [2, [1, 2]], [3, [2, 3]]],
    ),
    (
        "max_by_of_a_null_value",
        "SELECT MAX_BY(x, y) FROM UNNEST([STRUCT(CAST(NULL AS STRING) AS x, 3 AS y), ('a', 1)])",
        # MAX_BY is ANY_VALUE(x HAVING MAX y): the row with the largest y, whose x is NULL.
        [[None]],
    ),
    (
        "approx_count_distinct_of_a_hundred",
        "SELECT APPROX_COUNT_DISTINCT(x) FROM UNNEST(GENERATE_ARRAY(1, 100)) AS x",
        # Inferred: BigQuery's HLL++ is exact at this size (DuckDB's own estimate said 102).
        [[100]],
    ),
    (
        "unpivot_string_aliases",
        """WITH Produce AS (SELECT 'Kale' AS product, 51 AS Q1, 23 AS Q2)
           SELECT * FROM Produce UNPIVOT(sales FOR quarter IN (Q1 AS 'first', Q2 AS 'second'))
           ORDER BY sales DESC""",
        Columns(["product", "sales", "quarter"], [["Kale", 51, "first"], ["Kale", 23, "second"]]),
    ),
    (
        "unpivot_integer_aliases",
        """WITH Produce AS (SELECT 'Kale' AS product, 51 AS Q1, 23 AS Q2)
           SELECT * FROM Produce UNPIVOT(sales FOR quarter IN (Q1 AS 1, Q2 AS 2))
           ORDER BY quarter""",
        # The query-syntax page: the name column takes its aliases' type, here INT64.
        Columns(
            ["product", "sales", "quarter"],
            [["Kale", 51, 1], ["Kale", 23, 2]],
            ["STRING", "INT64", "INT64"],
        ),
    ),
    (
        "array_agg_distinct_order_limit",
        "SELECT ARRAY_AGG(DISTINCT x ORDER BY x DESC LIMIT 2) FROM UNNEST([3, 1, 1, 2]) AS x",
        [[[3, 2]]],
    ),
    (
        "join_using_star_except",
        "SELECT * EXCEPT (Mascot) FROM (SELECT 1 AS SchoolID, 'a' AS LastName) "
        "JOIN (SELECT 1 AS SchoolID, 'm' AS Mascot) USING (SchoolID)",
        Columns(["SchoolID", "LastName"], [[1, "a"]]),
    ),
    (
        "safe_subscripts_never_count_from_the_end",
        "SELECT [1, 2, 3][SAFE_OFFSET(-1)], [1, 2, 3][SAFE_ORDINAL(-1)], "
        "[1, 2, 3][SAFE_OFFSET(-3)], [1, 2, 3][SAFE_ORDINAL(0)]",
        # The arrays page: SAFE_OFFSET and SAFE_ORDINAL are NULL out of range, either end.
        [[None, None, None, None]],
    ),
    (
        "safe_subscripts_in_range",
        "SELECT [1, 2, 3][SAFE_OFFSET(1)], [1, 2, 3][SAFE_ORDINAL(1)], [1, 2, 3][SAFE_OFFSET(3)]",
        [[2, 1, None]],
    ),
    (
        "generate_date_array_zero_step_fails_documented",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-08', INTERVAL 0 DAY)",
        # The reference: a zero step is an error (its wording is not shown).
        Error("step cannot be 0"),
    ),
    (
        "generate_date_array_month_ends",
        "SELECT GENERATE_DATE_ARRAY('2016-01-31', '2016-05-31', INTERVAL 1 MONTH)",
        # Inferred: each date is the start plus k months, as DATE_ADD gives it.
        [
            [
                [
                    dt.date(2016, 1, 31),
                    dt.date(2016, 2, 29),
                    dt.date(2016, 3, 31),
                    dt.date(2016, 4, 30),
                    dt.date(2016, 5, 31),
                ]
            ]
        ],
    ),
    (
        "generate_date_array_quarters",
        "SELECT GENERATE_DATE_ARRAY('2016-01-01', '2017-01-01', INTERVAL 1 QUARTER)",
        [[[dt.date(2016, m, 1) for m in (1, 4, 7, 10)] + [dt.date(2017, 1, 1)]]],
    ),
    (
        "generate_date_array_years",
        "SELECT GENERATE_DATE_ARRAY('2016-01-01', '2019-01-01', INTERVAL 1 YEAR)",
        [[[dt.date(y, 1, 1) for y in (2016, 2017, 2018, 2019)]]],
    ),
    (
        "generate_date_array_rows_documented",
        """SELECT GENERATE_DATE_ARRAY(date_start, date_end, INTERVAL 1 WEEK) AS date_range
           FROM (SELECT DATE '2016-01-01' AS date_start, DATE '2016-01-31' AS date_end
             UNION ALL SELECT DATE '2016-04-01', DATE '2016-04-30'
             UNION ALL SELECT DATE '2016-07-01', DATE '2016-07-31'
             UNION ALL SELECT DATE '2016-10-01', DATE '2016-10-31') AS items
           ORDER BY date_start""",
        [[[dt.date(2016, m, d) for d in (1, 8, 15, 22, 29)]] for m in (1, 4, 7, 10)],
    ),
    (
        "ntile_documented",
        """WITH finishers AS (
             SELECT 'Sophia Liu' AS name, TIMESTAMP '2016-10-18 2:51:45' AS finish_time,
               'F30-34' AS division
             UNION ALL SELECT 'Lisa Stelzner', TIMESTAMP '2016-10-18 2:54:11', 'F35-39'
             UNION ALL SELECT 'Nikki Leith', TIMESTAMP '2016-10-18 2:59:01', 'F30-34'
             UNION ALL SELECT 'Lauren Matthews', TIMESTAMP '2016-10-18 3:01:17', 'F35-39'
             UNION ALL SELECT 'Desiree Berry', TIMESTAMP '2016-10-18 3:05:42', 'F35-39'
             UNION ALL SELECT 'Suzy Slane', TIMESTAMP '2016-10-18 3:06:24', 'F35-39'
             UNION ALL SELECT 'Jen Edwards', TIMESTAMP '2016-10-18 3:06:36', 'F30-34'
             UNION ALL SELECT 'Meghan Lederer', TIMESTAMP '2016-10-18 2:59:01', 'F30-34')
           SELECT name, NTILE(3) OVER (PARTITION BY division ORDER BY finish_time ASC, name)
             AS finish_rank
           FROM finishers ORDER BY division, finish_rank, name""",
        # The page breaks the 2:59:01 tie as name does here (Meghan Lederer first).
        Columns(
            ["name", "finish_rank"],
            [
                ["Meghan Lederer", 1],
                ["Sophia Liu", 1],
                ["Nikki Leith", 2],
                ["Jen Edwards", 3],
                ["Lauren Matthews", 1],
                ["Lisa Stelzner", 1],
                ["Desiree Berry", 2],
                ["Suzy Slane", 3],
            ],
            ["STRING", "INT64"],
        ),
    ),
]


@cases(CASES)
def test_it_matches_bigquery(engine: Any, sql: str, expected: Any, default_dataset: Any) -> None:
    check(engine(sql, default_dataset), expected)
