"""Conformance of NUMERIC, BIGNUMERIC, INTERVAL and the mathematical functions.

Every expected value is the one BigQuery's reference shows for the same SQL (the function
pages mathematical_functions, interval_functions, conversion_functions, the data types page
and the operators page), unless a comment says it is inferred.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.engine.conformance import Columns, Error, cases, check

UTC = dt.UTC

INTERVALS: list[tuple[str, str, Any]] = [
    # Data types: interval literals, shown in canonical form
    (
        "interval_literal_year_to_second",
        "SELECT INTERVAL '1-2 3 4:5:6.5' YEAR TO SECOND AS i",
        Columns(["i"], [["1-2 3 4:5:6.5"]], ["INTERVAL"]),
    ),
    ("interval_literal_day", "SELECT INTERVAL 5 DAY", [["0-0 5 0:0:0"]]),
    ("interval_literal_negative_minutes", "SELECT INTERVAL -90 MINUTE", [["0-0 0 -1:30:0"]]),
    ("interval_literal_year", "SELECT INTERVAL 10 YEAR", [["10-0 0 0:0:0"]]),
    ("interval_literal_year_to_month", "SELECT INTERVAL '10-6' YEAR TO MONTH", [["10-6 0 0:0:0"]]),
    (
        "interval_literal_hour_to_second",
        "SELECT INTERVAL '10:20:30.52' HOUR TO SECOND",
        [["0-0 0 10:20:30.52"]],
    ),
    (
        "interval_literal_day_to_minute",
        "SELECT INTERVAL '1 5:30' DAY TO MINUTE",
        [["0-0 1 5:30:0"]],
    ),
    (
        "interval_literal_signs_per_part",
        "SELECT INTERVAL '-1-2 -3 -4:5:6' YEAR TO SECOND",
        [["-1-2 -3 -4:5:6"]],
    ),
    (
        "interval_literal_bad_text",
        "SELECT INTERVAL '1-2' DAY TO SECOND",
        Error("Invalid interval literal"),
    ),
    # Interval functions: MAKE_INTERVAL, JUSTIFY_*, EXTRACT
    (
        "make_interval_documented",
        "SELECT MAKE_INTERVAL(1, 6, 15) AS i1, MAKE_INTERVAL(hour => 10, second => 20) AS i2, "
        "MAKE_INTERVAL(1, minute => 5, day => 2) AS i3",
        Columns(
            ["i1", "i2", "i3"],
            [["1-6 15 0:0:0", "0-0 0 10:0:20", "1-0 2 0:5:0"]],
            ["INTERVAL", "INTERVAL", "INTERVAL"],
        ),
    ),
    (
        "justify_days_documented",
        "SELECT JUSTIFY_DAYS(INTERVAL 29 DAY) AS i1, JUSTIFY_DAYS(INTERVAL -30 DAY) AS i2, "
        "JUSTIFY_DAYS(INTERVAL 31 DAY) AS i3, JUSTIFY_DAYS(INTERVAL -65 DAY) AS i4, "
        "JUSTIFY_DAYS(INTERVAL 370 DAY) AS i5",
        [["0-0 29 0:0:0", "-0-1 0 0:0:0", "0-1 1 0:0:0", "-0-2 -5 0:0:0", "1-0 10 0:0:0"]],
    ),
    (
        "justify_hours_documented",
        "SELECT JUSTIFY_HOURS(INTERVAL 23 HOUR) AS i1, JUSTIFY_HOURS(INTERVAL -24 HOUR) AS i2, "
        "JUSTIFY_HOURS(INTERVAL 47 HOUR) AS i3, JUSTIFY_HOURS(INTERVAL -12345 MINUTE) AS i4",
        [["0-0 0 23:0:0", "0-0 -1 0:0:0", "0-0 1 23:0:0", "0-0 -8 -13:45:0"]],
    ),
    (
        "justify_interval_documented",
        "SELECT JUSTIFY_INTERVAL(INTERVAL '29 49:00:00' DAY TO SECOND) AS i",
        [["0-1 1 1:0:0"]],
    ),
    ("justify_days_null", "SELECT JUSTIFY_DAYS(CAST(NULL AS INTERVAL))", [[None]]),
    (
        "extract_from_interval_documented",
        "SELECT EXTRACT(YEAR FROM i) AS year, EXTRACT(MONTH FROM i) AS month, "
        "EXTRACT(DAY FROM i) AS day, EXTRACT(HOUR FROM i) AS hour, "
        "EXTRACT(MINUTE FROM i) AS minute, EXTRACT(SECOND FROM i) AS second, "
        "EXTRACT(MILLISECOND FROM i) AS milli, EXTRACT(MICROSECOND FROM i) AS micro "
        "FROM UNNEST([INTERVAL '1-2 3 4:5:6.789999' YEAR TO SECOND, "
        "INTERVAL '0-13 370 48:61:61' YEAR TO SECOND]) AS i",
        [[1, 2, 3, 4, 5, 6, 789, 789999], [1, 1, 370, 49, 2, 1, 0, 0]],
    ),
    # Operators: date and time arithmetic with INTERVAL
    (
        "date_minus_date_is_interval",
        'SELECT DATE "2021-05-20" - DATE "2020-04-19" AS date_diff',
        Columns(["date_diff"], [["0-0 396 0:0:0"]], ["INTERVAL"]),
    ),
    (
        "timestamp_minus_timestamp_is_interval",
        'SELECT TIMESTAMP "2021-06-01 12:34:56.789" - TIMESTAMP "2021-05-31 00:00:00" AS d',
        Columns(["d"], [["0-0 0 36:34:56.789"]], ["INTERVAL"]),
    ),
    (
        "date_columns_minus_is_interval",
        "SELECT b - a AS d FROM UNNEST([STRUCT(DATE '2020-04-19' AS a, DATE '2021-05-20' AS b)])",
        Columns(["d"], [["0-0 396 0:0:0"]], ["INTERVAL"]),
    ),
    (
        "timestamp_columns_minus_is_interval",
        "SELECT b - a AS d FROM UNNEST([STRUCT(TIMESTAMP '2021-05-31 00:00:00' AS a, "
        "TIMESTAMP '2021-06-01 12:34:56.789' AS b)])",
        Columns(["d"], [["0-0 0 36:34:56.789"]], ["INTERVAL"]),
    ),
    (
        "date_minus_int64_is_date",
        "SELECT d - 1 FROM UNNEST([DATE '2024-03-01']) AS d",
        [[dt.date(2024, 2, 29)]],
    ),
    (
        "interval_minus_interval",
        "SELECT i - INTERVAL 1 HOUR FROM UNNEST([INTERVAL 1 DAY]) AS i",
        [["0-0 1 -1:0:0"]],
    ),
    (
        "int64_columns_minus_overflow",
        "SELECT a - b FROM UNNEST([STRUCT(-9223372036854775808 AS a, 1 AS b)])",
        Error("int64 overflow: -9223372036854775808 - 1"),
    ),
    (
        "strings_minus_refused",
        "SELECT a - b FROM UNNEST([STRUCT('a' AS a, 'b' AS b)])",
        Error("No matching signature for operator -"),
    ),
    (
        "date_plus_interval_is_datetime",
        'SELECT DATE "2021-04-20" + INTERVAL 25 HOUR AS date_plus',
        Columns(["date_plus"], [[dt.datetime(2021, 4, 21, 1, 0)]], ["DATETIME"]),
    ),
    (
        "timestamp_minus_interval",
        'SELECT TIMESTAMP "2021-05-02 00:01:02.345+00" - INTERVAL 10 SECOND AS t',
        Columns(["t"], [[dt.datetime(2021, 5, 2, 0, 0, 52, 345000, tzinfo=UTC)]], ["TIMESTAMP"]),
    ),
    (
        "datetime_plus_interval",
        'SELECT DATETIME "2021-05-20 10:00:00" + INTERVAL "1-1" YEAR TO MONTH AS d',
        Columns(["d"], [[dt.datetime(2022, 6, 20, 10, 0)]], ["DATETIME"]),
    ),
    (
        "interval_multiplication_and_division",
        "SELECT INTERVAL '1:2:3' HOUR TO SECOND * 10 AS mul1, INTERVAL 35 SECOND * 4 AS mul2, "
        "INTERVAL 10 YEAR / 3 AS div1, INTERVAL 1 MONTH / 12 AS div2",
        [["0-0 0 10:20:30", "0-0 0 0:2:20", "3-4 0 0:0:0", "0-0 2 12:0:0"]],
    ),
    (
        "interval_stored_in_a_table_reads_back",
        "CREATE TABLE ds.spans AS SELECT INTERVAL '1-2 3 4:5:6.5' YEAR TO SECOND AS i; "
        "SELECT i, JUSTIFY_HOURS(i + INTERVAL 20 HOUR) AS j FROM ds.spans",
        Columns(["i", "j"], [["1-2 3 4:5:6.5", "1-2 4 0:5:6.5"]], ["INTERVAL", "INTERVAL"]),
    ),
    (
        "interval_column_takes_inserted_values",
        "CREATE TABLE ds.waits (w INTERVAL); "
        "INSERT INTO ds.waits (w) VALUES (INTERVAL 90 MINUTE), (MAKE_INTERVAL(day => 2)); "
        "SELECT w FROM ds.waits ORDER BY w",
        Columns(["w"], [["0-0 0 1:30:0"], ["0-0 2 0:0:0"]], ["INTERVAL"]),
    ),
    (
        "interval_in_array_and_struct",
        "SELECT [INTERVAL 1 DAY, INTERVAL -3 MONTH] AS a, STRUCT(INTERVAL 2 HOUR AS h) AS s",
        Columns(["a", "s"], [[["0-0 1 0:0:0", "-0-3 0 0:0:0"], {"h": "0-0 0 2:0:0"}]]),
    ),
]

INF = "CAST('inf' AS FLOAT64)"
NAN = "CAST('NaN' AS FLOAT64)"

MATHEMATICAL: list[tuple[str, str, Any]] = [
    # ABS, SIGN
    (
        "abs_int64",
        "SELECT ABS(25) AS a, ABS(-25) AS b",
        Columns(["a", "b"], [[25, 25]], ["INT64", "INT64"]),
    ),
    ("abs_float64_infinity", f"SELECT ABS(-{INF}), ABS({INF})", [[float("inf"), float("inf")]]),
    (
        "abs_numeric_is_numeric",
        "SELECT ABS(NUMERIC '-1.5') AS a",
        Columns(["a"], [[Decimal("1.5")]], ["NUMERIC"]),
    ),
    ("abs_null", "SELECT ABS(NULL)", [[None]]),
    ("abs_int64_min_overflows", "SELECT ABS(-9223372036854775808)", Error("int64 overflow")),
    ("safe_abs_overflow_is_null", "SELECT SAFE.ABS(-9223372036854775808)", [[None]]),
    ("safe_of_a_function_that_cannot_fail", "SELECT SAFE.COS(0), SAFE.ABS(-2)", [[1.0, 2]]),
    ("sign_documented", "SELECT SIGN(25), SIGN(0), SIGN(-25)", [[1, 0, -1]]),
    ("sign_nan", f"SELECT IS_NAN(SIGN({NAN}))", [[True]]),
    ("sign_float_is_float", "SELECT SIGN(-2.5) AS s", Columns(["s"], [[-1.0]], ["FLOAT64"])),
    (
        "sign_numeric_is_numeric",
        "SELECT SIGN(NUMERIC '-2.5') AS s",
        Columns(["s"], [[Decimal("-1")]], ["NUMERIC"]),
    ),
    # IS_INF, IS_NAN, IEEE_DIVIDE
    (
        "is_inf_documented",
        f"SELECT IS_INF({INF}), IS_INF(-{INF}), IS_INF(25)",
        [[True, True, False]],
    ),
    ("is_nan_documented", f"SELECT IS_NAN({NAN}), IS_NAN(25)", [[True, False]]),
    (
        "ieee_divide_documented",
        "SELECT IEEE_DIVIDE(20.0, 4.0), IEEE_DIVIDE(0.0, 25.0), IEEE_DIVIDE(25.0, 0.0), "
        "IEEE_DIVIDE(-25.0, 0.0), IS_NAN(IEEE_DIVIDE(0.0, 0.0))",
        [[5.0, 0.0, float("inf"), float("-inf"), True]],
    ),
    (
        "ieee_divide_int64_is_float64",
        "SELECT IEEE_DIVIDE(20, 4) AS d",
        Columns(["d"], [[5.0]], ["FLOAT64"]),
    ),
    # Division, DIV, MOD
    ("division_by_zero", "SELECT 25 / 0", Error("division by zero: 25 / 0")),
    (
        "division_by_zero_names_the_values",
        "SELECT a / b FROM UNNEST([STRUCT(7 AS a, 0 AS b)])",
        Error("division by zero: 7 / 0"),
    ),
    (
        "numeric_columns_quotient_is_numeric",
        "SELECT a / b AS q FROM UNNEST([STRUCT(NUMERIC '1' AS a, NUMERIC '3' AS b)])",
        Columns(["q"], [[Decimal("0.333333333")]], ["NUMERIC"]),
    ),
    (
        "int64_columns_quotient_is_float64",
        "SELECT a / b AS q FROM UNNEST([STRUCT(7 AS a, 2 AS b)])",
        Columns(["q"], [[3.5]], ["FLOAT64"]),
    ),
    ("div_documented", "SELECT DIV(20, 4), DIV(12, -7), DIV(20, 3), DIV(0, 20)", [[5, -1, 6, 0]]),
    ("div_by_zero", "SELECT DIV(20, 0)", Error("division by zero")),
    (
        "div_numeric",
        "SELECT DIV(NUMERIC '20', NUMERIC '3') AS d",
        Columns(["d"], [[Decimal("6")]], ["NUMERIC"]),
    ),
    ("mod_documented", "SELECT MOD(25, 12), MOD(-25, 12), MOD(25, -12)", [[1, -1, 1]]),
    ("mod_by_zero", "SELECT MOD(25, 0)", Error("division by zero")),
    (
        "mod_numeric",
        "SELECT MOD(NUMERIC '25.5', NUMERIC '12') AS m",
        Columns(["m"], [[Decimal("1.5")]], ["NUMERIC"]),
    ),
    # SAFE_ arithmetic
    (
        "safe_divide_documented",
        "SELECT SAFE_DIVIDE(20, 4), SAFE_DIVIDE(0, 20), SAFE_DIVIDE(20, 0), SAFE_DIVIDE(0, 0)",
        [[5.0, 0.0, None, None]],
    ),
    (
        "safe_divide_is_float64",
        "SELECT SAFE_DIVIDE(20, 4) AS d",
        Columns(["d"], [[5.0]], ["FLOAT64"]),
    ),
    (
        "safe_multiply_documented",
        "SELECT SAFE_MULTIPLY(20, 4) AS p",
        Columns(["p"], [[80]], ["INT64"]),
    ),
    ("safe_multiply_overflow_is_null", "SELECT SAFE_MULTIPLY(9223372036854775807, 2)", [[None]]),
    ("safe_add_documented", "SELECT SAFE_ADD(5, 4) AS s", Columns(["s"], [[9]], ["INT64"])),
    ("safe_add_overflow_is_null", "SELECT SAFE_ADD(9223372036854775807, 1)", [[None]]),
    (
        "safe_subtract_documented",
        "SELECT SAFE_SUBTRACT(5, 4) AS s",
        Columns(["s"], [[1]], ["INT64"]),
    ),
    ("safe_subtract_overflow_is_null", "SELECT SAFE_SUBTRACT(-9223372036854775808, 1)", [[None]]),
    (
        "safe_negate_documented",
        "SELECT SAFE_NEGATE(1), SAFE_NEGATE(-1), SAFE_NEGATE(0)",
        [[-1, 1, 0]],
    ),
    ("safe_negate_int64_min_is_null", "SELECT SAFE_NEGATE(-9223372036854775808)", [[None]]),
    # Overflow of the operators
    (
        "addition_overflow",
        "SELECT 9223372036854775807 + 1",
        Error("int64 overflow: 9223372036854775807 + 1"),
    ),
    ("subtraction_overflow", "SELECT -9223372036854775808 - 1", Error("int64 overflow")),
    (
        "multiplication_overflow",
        "SELECT 9223372036854775807 * 2",
        Error("int64 overflow: 9223372036854775807 * 2"),
    ),
    (
        "numeric_overflow",
        "SELECT NUMERIC '99999999999999999999999999999' * 10",
        Error("numeric overflow"),
    ),
    (
        "numeric_addition_overflow",
        "SELECT NUMERIC '99999999999999999999999999999.999999999' + 1",
        Error("numeric overflow"),
    ),
    # ROUND, TRUNC, CEIL, FLOOR
    (
        "round_documented",
        "SELECT ROUND(2.0), ROUND(2.3), ROUND(2.8), ROUND(2.5), ROUND(-2.3), ROUND(-2.8), "
        "ROUND(-2.5), ROUND(0.0)",
        [[2.0, 2.0, 3.0, 3.0, -2.0, -3.0, -3.0, 0.0]],
    ),
    (
        "round_infinity",
        f"SELECT ROUND({INF}), ROUND(-{INF}), IS_NAN(ROUND({NAN}))",
        [[float("inf"), float("-inf"), True]],
    ),
    ("round_digits_documented", "SELECT ROUND(123.7, -1), ROUND(1.235, 2)", [[120.0, 1.24]]),
    ("round_float_is_float64", "SELECT ROUND(2.5) AS r", Columns(["r"], [[3.0]], ["FLOAT64"])),
    ("round_int64_is_float64", "SELECT ROUND(2) AS r", Columns(["r"], [[2.0]], ["FLOAT64"])),
    (
        "round_numeric_is_numeric",
        "SELECT ROUND(NUMERIC '2.25', 1) AS r",
        Columns(["r"], [[Decimal("2.3")]], ["NUMERIC"]),
    ),
    (
        "round_half_even_documented",
        "SELECT ROUND(NUMERIC '2.25', 1, 'ROUND_HALF_EVEN') AS a, "
        "ROUND(NUMERIC '2.35', 1, 'ROUND_HALF_EVEN') AS b, "
        "ROUND(NUMERIC '2.251', 1, 'ROUND_HALF_EVEN') AS c, "
        "ROUND(NUMERIC '-2.5', 0, 'ROUND_HALF_EVEN') AS d",
        Columns(
            ["a", "b", "c", "d"],
            [[Decimal("2.2"), Decimal("2.4"), Decimal("2.3"), Decimal("-2")]],
            ["NUMERIC"] * 4,
        ),
    ),
    (
        "round_half_away_from_zero_documented",
        "SELECT ROUND(NUMERIC '2.5', 0, 'ROUND_HALF_AWAY_FROM_ZERO'), "
        "ROUND(NUMERIC '-2.5', 0, 'ROUND_HALF_AWAY_FROM_ZERO')",
        [[Decimal("3"), Decimal("-3")]],
    ),
    (
        "round_mode_needs_numeric",
        "SELECT ROUND(2.5, 0, 'ROUND_HALF_EVEN')",
        Error("No matching signature for function ROUND"),
    ),
    ("round_bad_mode", "SELECT ROUND(NUMERIC '2.5', 0, 'UP')", Error("ROUND_HALF_AWAY_FROM_ZERO")),
    (
        "trunc_documented",
        "SELECT TRUNC(2.0), TRUNC(2.3), TRUNC(2.8), TRUNC(2.5), TRUNC(-2.3), TRUNC(-2.8), "
        "TRUNC(-2.5), TRUNC(0.0)",
        [[2.0, 2.0, 2.0, 2.0, -2.0, -2.0, -2.0, 0.0]],
    ),
    ("trunc_digits", "SELECT TRUNC(123.789, 2), TRUNC(123.7, -1)", [[123.78, 120.0]]),
    (
        "trunc_numeric_is_numeric",
        "SELECT TRUNC(NUMERIC '2.78', 1) AS t",
        Columns(["t"], [[Decimal("2.7")]], ["NUMERIC"]),
    ),
    (
        "ceil_documented",
        "SELECT CEIL(2.0), CEIL(2.3), CEIL(2.8), CEIL(2.5), CEIL(-2.3), CEIL(-2.8), CEIL(-2.5), "
        "CEIL(0.0)",
        [[2.0, 3.0, 3.0, 3.0, -2.0, -2.0, -2.0, 0.0]],
    ),
    ("ceiling_synonym", "SELECT CEILING(2.3) AS c", Columns(["c"], [[3.0]], ["FLOAT64"])),
    ("ceil_int64_is_float64", "SELECT CEIL(2) AS c", Columns(["c"], [[2.0]], ["FLOAT64"])),
    (
        "ceil_numeric_is_numeric",
        "SELECT CEIL(NUMERIC '2.3') AS c",
        Columns(["c"], [[Decimal("3")]], ["NUMERIC"]),
    ),
    (
        "floor_documented",
        "SELECT FLOOR(2.0), FLOOR(2.3), FLOOR(2.8), FLOOR(2.5), FLOOR(-2.3), FLOOR(-2.8), "
        "FLOOR(-2.5), FLOOR(0.0)",
        [[2.0, 2.0, 2.0, 2.0, -3.0, -3.0, -3.0, 0.0]],
    ),
    ("floor_infinity", f"SELECT FLOOR({INF}), FLOOR(-{INF})", [[float("inf"), float("-inf")]]),
    (
        "floor_numeric_is_numeric",
        "SELECT FLOOR(NUMERIC '-2.3') AS f",
        Columns(["f"], [[Decimal("-3")]], ["NUMERIC"]),
    ),
    # SQRT, CBRT, POW
    ("sqrt_documented", f"SELECT SQRT(25.0), SQRT({INF})", [[5.0, float("inf")]]),
    ("sqrt_int64_is_float64", "SELECT SQRT(25) AS s", Columns(["s"], [[5.0]], ["FLOAT64"])),
    ("sqrt_negative", "SELECT SQRT(-1)", Error("Argument to SQRT cannot be negative")),
    ("safe_sqrt_negative_is_null", "SELECT SAFE.SQRT(-1)", [[None]]),
    (
        "cbrt_documented",
        "SELECT CBRT(27) AS cube_root",
        Columns(["cube_root"], [[3.0]], ["FLOAT64"]),
    ),
    ("cbrt_negative", "SELECT CBRT(-8)", [[-2.0]]),
    (
        "pow_documented",
        "SELECT POW(2.0, 3.0), POW(1.0, 7.0), POW(5.0, 0), POW(-1.0, "
        + INF
        + "), POW(-1.0, -"
        + INF
        + ")",
        [[8.0, 1.0, 1.0, 1.0, 1.0]],
    ),
    (
        "pow_limits_documented",
        f"SELECT POW(0.5, -{INF}), POW(2.0, -{INF}), POW(0.5, {INF}), POW(2.0, {INF})",
        [[float("inf"), 0.0, 0.0, float("inf")]],
    ),
    (
        "pow_infinite_base_documented",
        f"SELECT POW(-{INF}, -1.0), POW(-{INF}, 3.0), POW(-{INF}, 2.0), POW({INF}, -1.0), "
        f"POW({INF}, 2.0)",
        [[0.0, float("-inf"), float("inf"), 0.0, float("inf")]],
    ),
    ("pow_one_to_nan", f"SELECT POW(1.0, {NAN}), POW({NAN}, 0)", [[1.0, 1.0]]),
    (
        "pow_negative_to_fraction",
        "SELECT POW(-2.0, 0.5)",
        Error("Floating point error in function: POW"),
    ),
    ("pow_zero_to_negative", "SELECT POW(0, -1.0)", Error("Floating point error in function: POW")),
    (
        "pow_overflow",
        "SELECT POW(10.0, 400)",
        Error("Floating point error in function: POW(10, 400)"),
    ),
    ("power_synonym_is_float64", "SELECT POWER(2, 3) AS p", Columns(["p"], [[8.0]], ["FLOAT64"])),
    (
        "pow_numeric_is_numeric",
        "SELECT POW(NUMERIC '2', 3) AS p",
        Columns(["p"], [[Decimal("8")]], ["NUMERIC"]),
    ),
    ("safe_pow_negative_to_fraction_is_null", "SELECT SAFE.POW(-2.0, 0.5)", [[None]]),
    # EXP, LN, LOG, LOG10
    ("exp_documented", f"SELECT EXP(0.0), EXP({INF}), EXP(-{INF})", [[1.0, float("inf"), 0.0]]),
    ("exp_overflow", "SELECT EXP(1000.0)", Error("Floating point error in function: EXP(1000)")),
    ("ln_documented", f"SELECT LN(1.0), LN({INF})", [[0.0, float("inf")]]),
    ("ln_of_zero", "SELECT LN(0)", Error("Floating point error in function: LN(0)")),
    ("ln_of_negative", "SELECT LN(-1)", Error("Floating point error in function: LN(-1)")),
    ("safe_ln_of_negative_is_null", "SELECT SAFE.LN(-1)", [[None]]),
    ("log_documented", "SELECT LOG(100, 10), LOG(8, 2), LOG(EXP(2.0))", [[2.0, 3.0, 2.0]]),
    (
        "log_nan_documented",
        f"SELECT IS_NAN(LOG(-{INF}, 10)), IS_NAN(LOG(10, {INF}))",
        [[True, True]],
    ),
    (
        "log_infinity_documented",
        f"SELECT LOG({INF}, 0.5), LOG({INF}, 2)",
        [[float("-inf"), float("inf")]],
    ),
    ("log_of_negative", "SELECT LOG(-1, 10)", Error("LOG")),
    ("log_base_one", "SELECT LOG(10, 1)", Error("LOG")),
    ("log_base_zero", "SELECT LOG(10, 0)", Error("LOG")),
    (
        "log10_documented",
        f"SELECT LOG10(100.0), IS_NAN(LOG10(-{INF})), LOG10({INF})",
        [[2.0, True, float("inf")]],
    ),
    ("log10_of_zero", "SELECT LOG10(0)", Error("LOG10")),
    # Trigonometric functions
    ("cos_sin_tan", "SELECT COS(0), SIN(0), TAN(0)", [[1.0, 0.0, 0.0]]),
    ("cosh_sinh_tanh", "SELECT COSH(0), SINH(0), TANH(0)", [[1.0, 0.0, 0.0]]),
    (
        "acos_documented",
        f"SELECT ACOS(1), IS_NAN(ACOS({INF})), IS_NAN(ACOS(-{INF})), IS_NAN(ACOS({NAN}))",
        [[0.0, True, True, True]],
    ),
    ("acos_out_of_domain", "SELECT ACOS(2)", Error("ACOS")),
    ("safe_acos_out_of_domain_is_null", "SELECT SAFE.ACOS(2)", [[None]]),
    ("asin_out_of_domain", "SELECT ASIN(-1.5)", Error("ASIN")),
    ("asin_one", "SELECT ASIN(1)", [[1.5707963267948966]]),
    ("acosh_documented", f"SELECT ACOSH(1), ACOSH({INF})", [[0.0, float("inf")]]),
    ("acosh_below_one", "SELECT ACOSH(0.5)", Error("ACOSH")),
    (
        "asinh_documented",
        f"SELECT ASINH(0), ASINH({INF}), ASINH(-{INF})",
        [[0.0, float("inf"), float("-inf")]],
    ),
    (
        "atan_documented",
        f"SELECT ATAN({INF}), ATAN(-{INF})",
        [[1.5707963267948966, -1.5707963267948966]],
    ),
    (
        "atan2_documented",
        "SELECT ATAN2(1, 1), ATAN2(0, -1)",
        [[0.7853981633974483, 3.141592653589793]],
    ),
    ("atanh_out_of_domain", "SELECT ATANH(2)", Error("ATANH")),
    ("atanh_zero", "SELECT ATANH(0)", [[0.0]]),
    ("cot_documented", "SELECT COT(1) AS a", Columns(["a"], [[0.6420926159343306]], ["FLOAT64"])),
    ("cot_of_zero", "SELECT COT(0)", Error("COT")),
    ("csc_documented", "SELECT CSC(100)", [[-1.9748575314241]]),
    ("csc_of_zero", "SELECT CSC(0)", Error("CSC")),
    ("sec_documented", "SELECT SEC(100)", [[1.1596638229046938]]),
    ("coth_documented", "SELECT COTH(1)", [[1.3130352854993315]]),
    ("coth_of_zero", "SELECT COTH(0)", Error("COTH")),
    ("csch_documented", "SELECT CSCH(0.5)", [[1.9190347513349437]]),
    ("csch_of_zero", "SELECT CSCH(0)", Error("CSCH")),
    ("sech_documented", "SELECT SECH(0.5)", [[0.886818883970074]]),
    ("trig_null", "SELECT COT(NULL), SEC(NULL), CSCH(NULL)", [[None, None, None]]),
    # GREATEST, LEAST
    ("greatest_documented", "SELECT GREATEST(3, 5, 1) AS g", Columns(["g"], [[5]], ["INT64"])),
    ("least_documented", "SELECT LEAST(3, 5, 1) AS l", Columns(["l"], [[1]], ["INT64"])),
    ("greatest_with_null", "SELECT GREATEST(3, NULL, 1), LEAST(3, NULL, 1)", [[None, None]]),
    (
        "greatest_mixed_is_float64",
        "SELECT GREATEST(1, 2.5) AS g",
        Columns(["g"], [[2.5]], ["FLOAT64"]),
    ),
    # RANGE_BUCKET
    (
        "range_bucket_documented",
        "SELECT RANGE_BUCKET(20, [0, 10, 20, 30, 40]), RANGE_BUCKET(25, [0, 10, 20, 30, 40]), "
        "RANGE_BUCKET(-10, [5, 10, 20, 30, 40]), RANGE_BUCKET(80, [0, 10, 20, 30, 40])",
        [[3, 3, 0, 5]],
    ),
    ("range_bucket_empty_array", "SELECT RANGE_BUCKET(80, [])", [[0]]),
    ("range_bucket_null_point", "SELECT RANGE_BUCKET(NULL, [0, 10])", [[None]]),
    ("range_bucket_unsorted", "SELECT RANGE_BUCKET(25, [40, 10])", Error("RANGE_BUCKET")),
    (
        "range_bucket_type",
        "SELECT RANGE_BUCKET(25, [0, 10, 20]) AS b",
        Columns(["b"], [[3]], ["INT64"]),
    ),
    # Distances
    (
        "cosine_distance_documented",
        "SELECT COSINE_DISTANCE([1.0, 2.0], [3.0, 4.0]) AS d",
        Columns(["d"], [[0.016130089900092459]], ["FLOAT64"]),
    ),
    (
        "euclidean_distance_documented",
        "SELECT EUCLIDEAN_DISTANCE([1.0, 2.0], [3.0, 4.0]) AS d",
        Columns(["d"], [[2.8284271247461903]], ["FLOAT64"]),
    ),
    (
        "cosine_distance_length_mismatch",
        "SELECT COSINE_DISTANCE([1.0, 2.0], [3.0, 4.0, 5.0])",
        Error("Array length mismatch"),
    ),
    (
        "euclidean_distance_length_mismatch",
        "SELECT EUCLIDEAN_DISTANCE([1.0, 2.0], [3.0, 4.0, 5.0])",
        Error("Array length mismatch"),
    ),
    (
        "cosine_distance_zero_vector",
        "SELECT COSINE_DISTANCE([0.0, 0.0], [3.0, 4.0])",
        Error("zero vector"),
    ),
    # RAND
    (
        "rand_is_float64_in_range",
        "SELECT RAND() >= 0 AND RAND() < 1 AS ok, RAND() AS r",
        Columns(["ok", "r"], None, ["BOOL", "FLOAT64"]),
    ),
    # Inferred: the functions of an aggregate's value, as BigQuery's reference describes them.
    (
        "round_of_an_aggregate",
        "SELECT ROUND(AVG(x), 1) AS r, SQRT(MAX(x)) AS s FROM UNNEST([1.0, 4.0, 2.5]) AS x",
        Columns(["r", "s"], [[2.5, 2.0]], ["FLOAT64", "FLOAT64"]),
    ),
    ("unknown_function", "SELECT SQUARE(2)", Error("Function not found: SQUARE")),
]

NUMBERS: list[tuple[str, str, Any]] = [
    # Data types: NUMERIC's literals and range
    (
        "numeric_literal",
        "SELECT NUMERIC '123456.789' AS n",
        Columns(["n"], [[Decimal("123456.789")]], ["NUMERIC"]),
    ),
    (
        "numeric_range",
        "SELECT NUMERIC '99999999999999999999999999999.999999999' AS max, "
        "NUMERIC '-99999999999999999999999999999.999999999' AS min",
        [
            [
                Decimal("99999999999999999999999999999.999999999"),
                Decimal("-99999999999999999999999999999.999999999"),
            ]
        ],
    ),
    (
        "numeric_past_its_range",
        "SELECT NUMERIC '100000000000000000000000000000'",
        Error("Invalid NUMERIC value"),
    ),
    (
        "numeric_rounds_half_away_from_zero",
        "SELECT NUMERIC '1.0000000005', NUMERIC '-1.0000000005'",
        [[Decimal("1.000000001"), Decimal("-1.000000001")]],
    ),
    (
        "numeric_product_is_numeric",
        "SELECT NUMERIC '1.5' * NUMERIC '2.25' AS p",
        Columns(["p"], [[Decimal("3.375")]], ["NUMERIC"]),
    ),
    (
        "numeric_product_rounds",
        "SELECT NUMERIC '0.000000001' * NUMERIC '0.5' AS p",
        Columns(["p"], [[Decimal("0.000000001")]], ["NUMERIC"]),
    ),
    (
        "numeric_quotient_is_numeric",
        "SELECT NUMERIC '1' / NUMERIC '3' AS q",
        Columns(["q"], [[Decimal("0.333333333")]], ["NUMERIC"]),
    ),
    ("numeric_division_by_zero", "SELECT NUMERIC '1' / NUMERIC '0'", Error("division by zero")),
    (
        "numeric_sum_is_numeric",
        "SELECT SUM(x) AS s FROM UNNEST([NUMERIC '1.1', NUMERIC '2.2']) AS x",
        Columns(["s"], [[Decimal("3.3")]], ["NUMERIC"]),
    ),
    (
        "numeric_plus_int64_is_numeric",
        "SELECT NUMERIC '1.5' + 1 AS s",
        Columns(["s"], [[Decimal("2.5")]], ["NUMERIC"]),
    ),
    (
        "numeric_comparison",
        "SELECT NUMERIC '1.10' = NUMERIC '1.1', NUMERIC '2' > 1.5",
        [[True, True]],
    ),
    # Conversion functions: CAST, SAFE_CAST, PARSE_NUMERIC
    (
        "cast_float_to_numeric",
        "SELECT CAST(1.5 AS NUMERIC) AS n",
        Columns(["n"], [[Decimal("1.5")]], ["NUMERIC"]),
    ),
    (
        "cast_numeric_to_int64_rounds",
        "SELECT CAST(NUMERIC '2.5' AS INT64), CAST(NUMERIC '-2.5' AS INT64)",
        [[3, -3]],
    ),
    (
        "cast_numeric_to_float64",
        "SELECT CAST(NUMERIC '1.25' AS FLOAT64) AS f",
        Columns(["f"], [[1.25]], ["FLOAT64"]),
    ),
    ("cast_numeric_to_string", "SELECT CAST(NUMERIC '1.25' AS STRING)", [["1.25"]]),
    ("safe_cast_bad_numeric_is_null", "SELECT SAFE_CAST('apple' AS NUMERIC)", [[None]]),
    ("cast_bad_numeric", "SELECT CAST('apple' AS NUMERIC)", Error("Invalid NUMERIC value: apple")),
    ("cast_hex_to_int64_documented", "SELECT CAST('0x123' AS INT64) AS hex_to_int", [[291]]),
    (
        "cast_negative_hex_to_int64_documented",
        "SELECT CAST('-0x123' AS INT64) AS hex_to_int",
        [[-291]],
    ),
    (
        "cast_hex_column_to_int64",
        "SELECT CAST(x AS INT64) FROM UNNEST(['0x87a', '-0x123', '12']) AS x WITH OFFSET o "
        "ORDER BY o",
        [[2170], [-291], [12]],
    ),
    (
        "cast_float_column_to_int64_rounds",
        "SELECT CAST(x AS INT64) FROM UNNEST([2.5, -2.5]) AS x WITH OFFSET o ORDER BY o",
        [[3], [-3]],
    ),
    (
        "cast_bad_int64",
        "SELECT CAST(x AS INT64) FROM UNNEST(['apple']) AS x",
        Error("Bad int64 value: apple"),
    ),
    (
        "safe_cast_bad_int64_is_null",
        "SELECT SAFE_CAST(x AS INT64) FROM UNNEST(['apple']) AS x",
        [[None]],
    ),
    (
        "parse_numeric_documented",
        'SELECT PARSE_NUMERIC("123.45") AS parsed',
        Columns(["parsed"], [[Decimal("123.45")]], ["NUMERIC"]),
    ),
    (
        "parse_numeric_exponent_documented",
        'SELECT PARSE_NUMERIC("12.34E27") AS parsed',
        [[Decimal("12340000000000000000000000000")]],
    ),
    (
        "parse_numeric_rounds_documented",
        'SELECT PARSE_NUMERIC("1.0123456789") AS parsed',
        [[Decimal("1.012345679")]],
    ),
    (
        "parse_numeric_spaces_around_sign_documented",
        'SELECT PARSE_NUMERIC("  -  12.34 ") AS parsed',
        [[Decimal("-12.34")]],
    ),
    (
        "parse_numeric_trailing_sign_documented",
        'SELECT PARSE_NUMERIC("12.34e-1-") AS parsed',
        [[Decimal("-1.234")]],
    ),
    (
        "parse_numeric_commas_documented",
        'SELECT PARSE_NUMERIC("  1,2,,3,.45 + ") AS parsed',
        [[Decimal("123.45")]],
    ),
    (
        "parse_numeric_two_points_documented",
        'SELECT PARSE_NUMERIC("1.2.3")',
        Error("Invalid NUMERIC value: 1.2.3"),
    ),
    (
        "parse_numeric_currency_documented",
        'SELECT PARSE_NUMERIC("$12.34")',
        Error("Invalid NUMERIC value"),
    ),
    (
        "parse_numeric_comma_after_point_documented",
        'SELECT PARSE_NUMERIC("1.2,3")',
        Error("Invalid NUMERIC value"),
    ),
    ("parse_numeric_out_of_range", 'SELECT PARSE_NUMERIC("1e30")', Error("Invalid NUMERIC value")),
    ("parse_numeric_null", "SELECT PARSE_NUMERIC(NULL)", [[None]]),
    ("safe_parse_numeric_is_null", 'SELECT SAFE.PARSE_NUMERIC("$12.34")', [[None]]),
    # BIGNUMERIC: refused until Quarry holds its 76 digits; never rounded to DuckDB's 38
    (
        "bignumeric_literal_refused",
        "SELECT BIGNUMERIC '1.123456'",
        Error("BIGNUMERIC values are not supported by Quarry"),
    ),
    (
        "bignumeric_cast_refused",
        "SELECT CAST('1' AS BIGNUMERIC)",
        Error("BIGNUMERIC values are not supported by Quarry"),
    ),
    (
        "bigdecimal_cast_refused",
        "SELECT SAFE_CAST('1' AS BIGDECIMAL)",
        Error("BIGNUMERIC values are not supported by Quarry"),
    ),
    (
        "bignumeric_column_refused_when_read",
        "CREATE TABLE ds.big (b BIGNUMERIC, n INT64); INSERT INTO ds.big (n) VALUES (1); "
        "SELECT b FROM ds.big",
        Error("BIGNUMERIC values are not supported by Quarry"),
    ),
    (
        "bignumeric_table_other_columns_read",
        "CREATE TABLE ds.big (b BIGNUMERIC, n INT64); INSERT INTO ds.big (n) VALUES (1); "
        "SELECT n FROM ds.big",
        [[1]],
    ),
    (
        "parse_bignumeric_refused",
        "SELECT PARSE_BIGNUMERIC('1')",
        Error("BIGNUMERIC values are not supported by Quarry"),
    ),
]

CASES = INTERVALS + MATHEMATICAL + NUMBERS


@cases(CASES)
def test_it_matches_bigquery(engine: Any, sql: str, expected: Any, default_dataset: Any) -> None:
    check(engine(sql, default_dataset), expected)
