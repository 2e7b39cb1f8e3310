"""Conformance of DATE, DATETIME, TIME and TIMESTAMP functions and format elements.

Cases are BigQuery's documented examples (date_functions, datetime_functions, time_functions,
timestamp_functions and format-elements pages); BigQuery shows TIMESTAMPs in UTC. Where a case
infers behaviour the pages do not show, a comment says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.engine.conformance import Columns, Error, cases, check

UTC = dt.UTC
D = dt.date
T = dt.time


def DT(*parts: int) -> dt.datetime:  # noqa: N802 - a DATETIME, as the pages write one
    return dt.datetime(*parts)


def TS(*parts: int) -> dt.datetime:  # noqa: N802 - a TIMESTAMP, shown in UTC
    return dt.datetime(*parts, tzinfo=UTC)


# The format-elements page's example value: Wednesday 2021-01-20 21:47:00.
WED = "TIMESTAMP '2021-01-20 21:47:00+00'"


def _element(code: str, shown: str) -> tuple[str, str, Any]:
    return (f"format_element_{code}", f"SELECT FORMAT_TIMESTAMP('%{code}', {WED})", [[shown]])


ELEMENTS = [
    ("A", "Wednesday"),
    ("a", "Wed"),
    ("B", "January"),
    ("b", "Jan"),
    ("C", "20"),
    ("c", "Wed Jan 20 21:47:00 2021"),
    ("D", "01/20/21"),
    ("d", "20"),
    ("e", "20"),
    ("F", "2021-01-20"),
    ("G", "2021"),
    ("g", "21"),
    ("H", "21"),
    ("h", "Jan"),
    ("I", "09"),
    ("j", "020"),
    ("k", "21"),
    ("l", " 9"),  # the page shows 9: single digits are preceded by a space, as it says
    ("M", "47"),
    ("m", "01"),
    ("P", "pm"),
    ("p", "PM"),
    ("Q", "1"),
    ("R", "21:47"),
    ("S", "00"),
    ("s", "1611179220"),
    ("T", "21:47:00"),
    ("U", "03"),
    ("u", "3"),
    ("V", "03"),
    ("W", "03"),
    ("w", "3"),
    ("X", "21:47:00"),
    ("x", "01/20/21"),
    ("Y", "2021"),
    ("y", "21"),
    ("z", "+0000"),
    ("%", "%"),
    ("Ez", "+00:00"),
    ("E3S", "00.000"),
    ("E4Y", "2021"),
]

CASES: list[tuple[str, str, Any]] = [
    *(_element(code, shown) for code, shown in ELEMENTS),
    ("format_element_n_t", f"SELECT FORMAT_TIMESTAMP('%H%n%M%t%S', {WED})", [["21\n47\t00"]]),
    (
        "format_element_e_star_s",
        "SELECT FORMAT_TIMESTAMP('%E*S', TIMESTAMP '2021-01-20 21:47:00.123456+00')",
        [["00.123456"]],
    ),
    # Inferred from the element's description: a single-digit day is preceded by a space.
    ("format_element_e_pads", "SELECT FORMAT_DATE('%e', DATE '2021-01-05')", [[" 5"]]),
    ("format_element_e4y_pads", "SELECT FORMAT_DATE('%E4Y', DATE '0076-01-30')", [["0076"]]),
    # format-elements page examples
    ("format_date_dashes", "SELECT FORMAT_DATE('%b-%d-%Y', DATE '2008-12-25')", [["Dec-25-2008"]]),
    (
        "format_datetime_c",
        "SELECT FORMAT_DATETIME('%c', DATETIME '2008-12-25 15:30:00')",
        [["Thu Dec 25 15:30:00 2008"]],
    ),
    (
        "format_time_r",
        "SELECT FORMAT_TIME('%R', TIME '15:30:00') AS formatted_time",
        Columns(["formatted_time"], [["15:30"]], ["STRING"]),
    ),
    (
        "format_timestamp_ez",
        "SELECT FORMAT_TIMESTAMP('%b %Y %Ez', TIMESTAMP '2008-12-25 15:30:00+00')",
        [["Dec 2008 +00:00"]],
    ),
    # date_functions: FORMAT_DATE
    ("format_date_x", "SELECT FORMAT_DATE('%x', DATE '2008-12-25')", [["12/25/08"]]),
    ("format_date_b_y", "SELECT FORMAT_DATE('%b %Y', DATE '2008-12-25')", [["Dec 2008"]]),
    (
        "format_date_iso_week",
        "SELECT FORMAT_DATE('%G-W%V-%u', DATE '2021-01-01')",
        [["2020-W53-5"]],  # inferred from %G, %V and %u's descriptions (ISO 8601)
    ),
    ("format_date_null", "SELECT FORMAT_DATE('%Y', NULL)", [[None]]),
    # datetime_functions: FORMAT_DATETIME
    (
        "format_datetime_dashes",
        "SELECT FORMAT_DATETIME('%b-%d-%Y', DATETIME '2008-12-25 15:30:00')",
        [["Dec-25-2008"]],
    ),
    (
        "format_datetime_b_y",
        "SELECT FORMAT_DATETIME('%b %Y', DATETIME '2008-12-25 15:30:00')",
        [["Dec 2008"]],
    ),
    (
        "format_datetime_fraction",
        "SELECT FORMAT_DATETIME('%H:%M:%E3S', DATETIME '2008-12-25 15:30:00.123456')",
        [["15:30:00.123"]],
    ),
    # time_functions: FORMAT_TIME
    ("format_time_t", "SELECT FORMAT_TIME('%T', TIME '15:30:00')", [["15:30:00"]]),
    ("format_time_p", "SELECT FORMAT_TIME('%I:%M %p', TIME '15:30:00')", [["03:30 PM"]]),
    # timestamp_functions: FORMAT_TIMESTAMP
    (
        "format_timestamp_c_utc",
        "SELECT FORMAT_TIMESTAMP('%c', TIMESTAMP '2050-12-25 15:30:55+00', 'UTC')",
        [["Sun Dec 25 15:30:55 2050"]],
    ),
    (
        "format_timestamp_dashes",
        "SELECT FORMAT_TIMESTAMP('%b-%d-%Y', TIMESTAMP '2050-12-25 15:30:55+00')",
        [["Dec-25-2050"]],
    ),
    (
        "format_timestamp_b_y",
        "SELECT FORMAT_TIMESTAMP('%b %Y', TIMESTAMP '2050-12-25 15:30:55+00')",
        [["Dec 2050"]],
    ),
    (
        "format_timestamp_iso",
        "SELECT FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', TIMESTAMP '2050-12-25 15:30:55', 'UTC')",
        [["2050-12-25T15:30:55Z"]],
    ),
    # Inferred from the page's description of the time zone argument and of %z / %Ez.
    (
        "format_timestamp_in_a_zone",
        "SELECT FORMAT_TIMESTAMP('%c %z', TIMESTAMP '2008-12-25 15:30:00+00', "
        "'America/Los_Angeles')",
        [["Thu Dec 25 07:30:00 2008 -0800"]],
    ),
    (
        "format_timestamp_in_an_offset",
        "SELECT FORMAT_TIMESTAMP('%F %T%Ez', TIMESTAMP '2008-12-25 15:30:00+00', '+05:30')",
        [["2008-12-25 21:00:00+05:30"]],
    ),
    # PARSE_DATE
    (
        "parse_date_weekday",
        "SELECT PARSE_DATE('%A %b %e %Y', 'Thursday Dec 25 2008')",
        Columns(["f0_"], [[D(2008, 12, 25)]], ["DATE"]),
    ),
    ("parse_date_ymd", "SELECT PARSE_DATE('%Y%m%d', '20081225')", [[D(2008, 12, 25)]]),
    ("parse_date_f", "SELECT PARSE_DATE('%F', '2000-12-30')", [[D(2000, 12, 30)]]),
    ("parse_date_x", "SELECT PARSE_DATE('%x', '12/25/08')", [[D(2008, 12, 25)]]),
    # "This works because elements on both sides match" / "doesn't work because ... different
    # locations" / "... one of the elements is missing".
    (
        "parse_date_elements_match",
        "SELECT PARSE_DATE('%A %b %e %Y', 'Thursday Dec 25 2008')",
        [[D(2008, 12, 25)]],
    ),
    (
        "parse_date_elements_out_of_place",
        "SELECT PARSE_DATE('%Y %A %b %e', 'Thursday Dec 25 2008')",
        Error("Failed to parse input string"),
    ),
    (
        "parse_date_element_missing",
        "SELECT PARSE_DATE('%A %b %e', 'Thursday Dec 25 2008')",
        Error("Failed to parse input string"),
    ),
    ("parse_date_unset_year", "SELECT PARSE_DATE('%m/%d', '12/25')", [[D(1970, 12, 25)]]),
    ("parse_date_two_digit_year_69", "SELECT PARSE_DATE('%y', '69')", [[D(1969, 1, 1)]]),
    ("parse_date_two_digit_year_68", "SELECT PARSE_DATE('%y', '68')", [[D(2068, 1, 1)]]),
    ("parse_date_century", "SELECT PARSE_DATE('%C%y', '1908')", [[D(1908, 1, 1)]]),
    (
        "parse_date_case_insensitive",
        "SELECT PARSE_DATE('%b %d %Y', 'DEC 25 2008')",
        [[D(2008, 12, 25)]],
    ),
    (
        "parse_date_whitespace",
        "SELECT PARSE_DATE('%Y %m %d', '  2008   12 25  ')",
        [[D(2008, 12, 25)]],
    ),
    ("parse_date_last_wins", "SELECT PARSE_DATE('%F %Y', '2008-12-25 2010')", [[D(2010, 12, 25)]]),
    (
        "parse_date_invalid_day",
        "SELECT PARSE_DATE('%Y-%m-%d', '2008-02-30')",
        Error("Failed to parse input string"),
    ),
    ("parse_date_null", "SELECT PARSE_DATE('%Y', NULL)", [[None]]),
    # PARSE_DATETIME
    (
        "parse_datetime_documented",
        "SELECT PARSE_DATETIME('%Y-%m-%d %H:%M:%S', '1998-10-18 13:45:55')",
        Columns(["f0_"], [[DT(1998, 10, 18, 13, 45, 55)]], ["DATETIME"]),
    ),
    (
        "parse_datetime_pm",
        "SELECT PARSE_DATETIME('%m/%d/%Y %I:%M:%S %p', '8/30/2018 2:23:38 pm')",
        [[DT(2018, 8, 30, 14, 23, 38)]],
    ),
    (
        "parse_datetime_names",
        "SELECT PARSE_DATETIME('%A, %B %e, %Y', 'Wednesday, December 19, 2018')",
        [[DT(2018, 12, 19)]],
    ),
    (
        "parse_datetime_c",
        "SELECT PARSE_DATETIME('%c', 'Thu Dec 25 07:30:00 2008')",
        [[DT(2008, 12, 25, 7, 30)]],
    ),
    (
        "parse_datetime_fraction",
        "SELECT PARSE_DATETIME('%F %H:%M:%E*S', '2008-12-25 07:30:00.123')",
        [[DT(2008, 12, 25, 7, 30, 0, 123000)]],
    ),
    (
        "parse_datetime_e4y",
        "SELECT PARSE_DATETIME('%E4Y-%m-%d', '0076-01-30')",
        [[DT(76, 1, 30)]],
    ),
    # PARSE_TIME
    (
        "parse_time_hour",
        "SELECT PARSE_TIME('%H', '15')",
        Columns(["f0_"], [[T(15, 0)]], ["TIME"]),
    ),
    ("parse_time_pm", "SELECT PARSE_TIME('%I:%M:%S %p', '2:23:38 pm')", [[T(14, 23, 38)]]),
    ("parse_time_t", "SELECT PARSE_TIME('%T', '07:30:00')", [[T(7, 30)]]),
    ("parse_time_i", "SELECT PARSE_TIME('%I:%M:%S', '07:30:00')", [[T(7, 30)]]),
    (
        "parse_time_fraction",
        "SELECT PARSE_TIME('%H:%M:%E6S', '07:30:00.250000')",
        [[T(7, 30, 0, 250000)]],
    ),
    (
        "parse_time_mismatch",
        "SELECT PARSE_TIME('%T', '07-30-00')",
        Error("Failed to parse input string"),
    ),
    # PARSE_TIMESTAMP
    (
        "parse_timestamp_c",
        "SELECT PARSE_TIMESTAMP('%c', 'Thu Dec 25 07:30:00 2008') AS parsed",
        Columns(["parsed"], [[TS(2008, 12, 25, 7, 30)]], ["TIMESTAMP"]),
    ),
    (
        "parse_timestamp_matching_elements",
        "SELECT PARSE_TIMESTAMP('%a %b %e %I:%M:%S %Y', 'Thu Dec 25 07:30:00 2008')",
        [[TS(2008, 12, 25, 7, 30)]],
    ),
    (
        "parse_timestamp_year_out_of_place",
        "SELECT PARSE_TIMESTAMP('%a %b %e %Y %I:%M:%S', 'Thu Dec 25 07:30:00 2008')",
        Error("Failed to parse input string"),
    ),
    (
        "parse_timestamp_year_missing",
        "SELECT PARSE_TIMESTAMP('%a %b %e %I:%M:%S', 'Thu Dec 25 07:30:00 2008')",
        Error("Failed to parse input string"),
    ),
    (
        "parse_timestamp_in_a_zone",
        "SELECT PARSE_TIMESTAMP('%F %T', '2008-12-25 07:30:00', 'America/Los_Angeles')",
        [[TS(2008, 12, 25, 15, 30)]],
    ),
    (
        "parse_timestamp_offset",
        "SELECT PARSE_TIMESTAMP('%F %T%Ez', '2008-12-25 07:30:00+05:30')",
        [[TS(2008, 12, 25, 2, 0)]],
    ),
    (
        "parse_timestamp_z",
        "SELECT PARSE_TIMESTAMP('%F %T %z', '2008-12-25 07:30:00 -0800')",
        [[TS(2008, 12, 25, 15, 30)]],
    ),
    (
        "parse_timestamp_epoch_seconds",
        "SELECT PARSE_TIMESTAMP('%s', '1611179220')",
        [[TS(2021, 1, 20, 21, 47)]],
    ),
    (
        "parse_timestamp_pm_lower",
        "SELECT PARSE_TIMESTAMP('%F %l:%M %P', '2021-01-20 9:47 PM')",
        [[TS(2021, 1, 20, 21, 47)]],
    ),
    # STRING(timestamp[, time zone])
    (
        "string_of_timestamp_utc",
        "SELECT STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'UTC') AS string",
        Columns(["string"], [["2008-12-25 15:30:00+00"]], ["STRING"]),
    ),
    (
        "string_of_timestamp_in_a_zone",
        "SELECT STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles')",
        [["2008-12-25 07:30:00-08"]],
    ),
    (
        "string_of_timestamp_half_hour_offset",
        "SELECT STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'Asia/Kolkata')",
        [["2008-12-25 21:00:00+05:30"]],
    ),
    # Conversions that must keep BigQuery's types
    (
        "timestamp_millis",
        "SELECT TIMESTAMP_MILLIS(1230219000000) AS timestamp_value",
        Columns(["timestamp_value"], [[TS(2008, 12, 25, 15, 30)]], ["TIMESTAMP"]),
    ),
    (
        "timestamp_micros",
        "SELECT TIMESTAMP_MICROS(1230219000000000) AS timestamp_value",
        Columns(["timestamp_value"], [[TS(2008, 12, 25, 15, 30)]], ["TIMESTAMP"]),
    ),
    (
        "timestamp_seconds",
        "SELECT TIMESTAMP_SECONDS(1230219000) AS timestamp_value",
        Columns(["timestamp_value"], [[TS(2008, 12, 25, 15, 30)]], ["TIMESTAMP"]),
    ),
    (
        "date_from_unix_date",
        "SELECT DATE_FROM_UNIX_DATE(14238) AS date_from_epoch",
        Columns(["date_from_epoch"], [[D(2008, 12, 25)]], ["DATE"]),
    ),
    ("unix_date", "SELECT UNIX_DATE(DATE '2008-12-25') AS days_from_epoch", [[14238]]),
    ("unix_micros", "SELECT UNIX_MICROS(TIMESTAMP '2008-12-25 15:30:00+00')", [[1230219000000000]]),
    ("unix_millis", "SELECT UNIX_MILLIS(TIMESTAMP '2008-12-25 15:30:00+00')", [[1230219000000]]),
    (
        "unix_millis_rounds_down",
        "SELECT UNIX_MILLIS(TIMESTAMP '1970-01-01 00:00:00.0018+00')",
        [[1]],
    ),
    ("unix_seconds", "SELECT UNIX_SECONDS(TIMESTAMP '2008-12-25 15:30:00+00')", [[1230219000]]),
    (
        "unix_seconds_rounds_down",
        "SELECT UNIX_SECONDS(TIMESTAMP '1970-01-01 00:00:01.8+00')",
        [[1]],
    ),
    (
        "generate_timestamp_array_days",
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-10-07 00:00:00', "
        "INTERVAL 1 DAY) AS timestamp_array",
        Columns(
            ["timestamp_array"],
            [[[TS(2016, 10, 5), TS(2016, 10, 6), TS(2016, 10, 7)]]],
            ["TIMESTAMP"],
        ),
    ),
    (
        "generate_timestamp_array_seconds",
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-10-05 00:00:02', "
        "INTERVAL 1 SECOND)",
        [[[TS(2016, 10, 5), TS(2016, 10, 5, 0, 0, 1), TS(2016, 10, 5, 0, 0, 2)]]],
    ),
    # Inferred: a negative step counts down, as GENERATE_DATE_ARRAY's page shows for dates.
    (
        "generate_timestamp_array_descending_interval",
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-10-01 00:00:00', "
        "INTERVAL -2 DAY)",
        [[[TS(2016, 10, 5), TS(2016, 10, 3), TS(2016, 10, 1)]]],
    ),
    (
        "generate_timestamp_array_start_after_end",
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-06 00:00:00', '2016-10-05 00:00:00', "
        "INTERVAL 1 HOUR)",
        [[[]]],
    ),
    (
        "generate_timestamp_array_null",
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', NULL, INTERVAL 1 HOUR)",
        [[[]]],  # NULL, which a query's result holds as [] (see the arrays suite)
    ),
    # TIMESTAMP_DIFF counts whole elapsed units
    (
        "timestamp_diff_hours",
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2010-07-07 10:20:00+00', "
        "TIMESTAMP '2008-12-25 15:30:00+00', HOUR) AS hours",
        Columns(["hours"], [[13410]], ["INT64"]),
    ),
    (
        "timestamp_diff_negative",
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2018-08-14', TIMESTAMP '2018-10-14', DAY)",
        [[-61]],
    ),
    (
        "timestamp_diff_whole_hours_only",
        "SELECT TIMESTAMP_DIFF('2001-02-01 01:00:00', '2001-02-01 00:00:01', HOUR)",
        [[0]],
    ),
    # DATE_DIFF and DATETIME_DIFF count part boundaries
    ("date_diff_days", "SELECT DATE_DIFF(DATE '2010-07-07', DATE '2008-12-25', DAY)", [[559]]),
    (
        "date_diff_day_and_week",
        "SELECT DATE_DIFF(DATE '2017-10-15', DATE '2017-10-14', DAY), "
        "DATE_DIFF(DATE '2017-10-15', DATE '2017-10-14', WEEK)",
        [[1, 1]],
    ),
    (
        "date_diff_year_and_isoyear",
        "SELECT DATE_DIFF('2017-12-30', '2014-12-30', YEAR), "
        "DATE_DIFF('2017-12-30', '2014-12-30', ISOYEAR)",
        [[3, 2]],
    ),
    (
        "date_diff_weeks",
        "SELECT DATE_DIFF('2017-12-18', '2017-12-17', WEEK), "
        "DATE_DIFF('2017-12-18', '2017-12-17', WEEK(MONDAY)), "
        "DATE_DIFF('2017-12-18', '2017-12-17', ISOWEEK)",
        [[0, 1, 1]],
    ),
    (
        "datetime_diff_days",
        "SELECT DATETIME_DIFF(DATETIME '2010-07-07 10:20:00', DATETIME '2008-12-25 15:30:00', DAY)",
        [[559]],
    ),
    (
        "datetime_diff_day_and_week",
        "SELECT DATETIME_DIFF(DATETIME '2017-10-15 00:00:00', DATETIME '2017-10-14 00:00:00', "
        "DAY), DATETIME_DIFF(DATETIME '2017-10-15 00:00:00', DATETIME '2017-10-14 00:00:00', WEEK)",
        [[1, 1]],
    ),
    (
        "datetime_diff_year_and_isoyear",
        "SELECT DATETIME_DIFF('2017-12-30 00:00:00', '2014-12-30 00:00:00', YEAR), "
        "DATETIME_DIFF('2017-12-30 00:00:00', '2014-12-30 00:00:00', ISOYEAR)",
        [[3, 2]],
    ),
    (
        "datetime_diff_weeks",
        "SELECT DATETIME_DIFF('2017-12-18', '2017-12-17', WEEK), "
        "DATETIME_DIFF('2017-12-18', '2017-12-17', WEEK(MONDAY)), "
        "DATETIME_DIFF('2017-12-18', '2017-12-17', ISOWEEK)",
        [[0, 1, 1]],
    ),
    # ZetaSQL's reference implementation documents the part boundaries DATETIME_DIFF and
    # TIME_DIFF count (date_time_util.h), where TIMESTAMP_DIFF counts elapsed units.
    (
        "datetime_diff_counts_boundaries",
        "SELECT DATETIME_DIFF('2001-12-31', '2001-01-01', YEAR), "
        "DATETIME_DIFF('2001-01-01', '2000-12-31', YEAR), "
        "DATETIME_DIFF('2001-02-01', '2001-01-31', MONTH), "
        "DATETIME_DIFF('2001-02-01 00:59:59', '2001-02-01 00:00:00', HOUR), "
        "DATETIME_DIFF('2001-02-01 01:00:00', '2001-02-01 00:59:59', HOUR), "
        "DATETIME_DIFF('2001-02-02 01:00:00', '2001-02-01 00:59:59', HOUR)",
        [[0, 1, 1, 0, 1, 25]],
    ),
    (
        "time_diff_counts_boundaries",
        "SELECT TIME_DIFF('00:59:59', '00:00:00', HOUR), TIME_DIFF('01:00:00', '00:59:59', HOUR), "
        "TIME_DIFF('00:59:59', '01:00:00', HOUR), TIME_DIFF('01:59:59', '00:00:00', MINUTE)",
        [[0, 1, -1, 119]],
    ),
    (
        "timestamp_diff_has_no_weeks",
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2008-12-25', TIMESTAMP '2008-12-01', WEEK)",
        Error("TIMESTAMP_DIFF does not support the WEEK date part"),
    ),
    ("time_diff_minutes", "SELECT TIME_DIFF(TIME '15:30:00', TIME '14:35:00', MINUTE)", [[55]]),
    # Truncation
    (
        "date_trunc_month",
        "SELECT DATE_TRUNC(DATE '2008-12-25', MONTH) AS month",
        Columns(["month"], [[D(2008, 12, 1)]], ["DATE"]),
    ),
    (
        "date_trunc_week_monday",
        "SELECT DATE_TRUNC(DATE '2017-11-05', WEEK(MONDAY))",
        Columns(["f0_"], [[D(2017, 10, 30)]], ["DATE"]),
    ),
    ("date_trunc_week", "SELECT DATE_TRUNC(DATE '2017-11-08', WEEK)", [[D(2017, 11, 5)]]),
    ("date_trunc_isoweek", "SELECT DATE_TRUNC(DATE '2017-11-05', ISOWEEK)", [[D(2017, 10, 30)]]),
    (
        "date_trunc_isoyear",
        "SELECT DATE_TRUNC('2015-06-15', ISOYEAR) AS isoyear_boundary, "
        "EXTRACT(ISOYEAR FROM DATE '2015-06-15') AS isoyear_number",
        [[D(2014, 12, 29), 2015]],
    ),
    (
        "datetime_trunc_day",
        "SELECT DATETIME_TRUNC(DATETIME '2008-12-25 15:30:00', DAY)",
        Columns(["f0_"], [[DT(2008, 12, 25)]], ["DATETIME"]),
    ),
    (
        "datetime_trunc_week_monday",
        "SELECT DATETIME_TRUNC(DATETIME '2017-11-05 00:00:00', WEEK(MONDAY))",
        Columns(["f0_"], [[DT(2017, 10, 30)]], ["DATETIME"]),
    ),
    (
        "datetime_trunc_isoyear",
        "SELECT DATETIME_TRUNC('2015-06-15 00:00:00', ISOYEAR), "
        "EXTRACT(ISOYEAR FROM DATETIME '2015-06-15 00:00:00')",
        [[DT(2014, 12, 29), 2015]],
    ),
    (
        "timestamp_trunc_day_in_zones",
        "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2008-12-25 15:30:00+00', DAY, 'UTC') AS utc, "
        "TIMESTAMP_TRUNC(TIMESTAMP '2008-12-25 15:30:00+00', DAY, 'America/Los_Angeles') AS la",
        Columns(["utc", "la"], [[TS(2008, 12, 25), TS(2008, 12, 25, 8)]], ["TIMESTAMP"] * 2),
    ),
    (
        "timestamp_trunc_week_monday_in_zones",
        "SELECT timestamp_value AS timestamp_value, "
        "TIMESTAMP_TRUNC(timestamp_value, WEEK(MONDAY), 'UTC') AS utc_truncated, "
        "TIMESTAMP_TRUNC(timestamp_value, WEEK(MONDAY), 'Pacific/Auckland') AS nzdt_truncated "
        "FROM (SELECT TIMESTAMP('2017-11-06 00:00:00+12') AS timestamp_value)",
        [[TS(2017, 11, 5, 12), TS(2017, 10, 30), TS(2017, 11, 5, 11)]],
    ),
    (
        "timestamp_trunc_isoyear",
        "SELECT TIMESTAMP_TRUNC('2015-06-15 00:00:00+00', ISOYEAR) AS isoyear_boundary, "
        "EXTRACT(ISOYEAR FROM TIMESTAMP '2015-06-15 00:00:00+00') AS isoyear_number",
        Columns(
            ["isoyear_boundary", "isoyear_number"],
            [[TS(2014, 12, 29), 2015]],
            ["TIMESTAMP", "INT64"],
        ),
    ),
    (
        "timestamp_trunc_week",
        "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2017-11-08 10:00:00+00', WEEK)",
        [[TS(2017, 11, 5)]],
    ),
    (
        "time_trunc_hour",
        "SELECT TIME_TRUNC(TIME '15:30:00', HOUR) AS truncated",
        Columns(["truncated"], [[T(15, 0)]], ["TIME"]),
    ),
    ("time_trunc_minute", "SELECT TIME_TRUNC(TIME '15:30:45', MINUTE)", [[T(15, 30)]]),
    # EXTRACT
    ("extract_day_from_date", "SELECT EXTRACT(DAY FROM DATE '2013-12-25')", [[25]]),
    (
        "extract_parts_of_dates",
        "SELECT date, EXTRACT(ISOYEAR FROM date), EXTRACT(ISOWEEK FROM date), "
        "EXTRACT(YEAR FROM date), EXTRACT(WEEK FROM date) "
        "FROM UNNEST(GENERATE_DATE_ARRAY('2015-12-23', '2016-01-09')) AS date "
        "WHERE date IN ('2015-12-23', '2015-12-27', '2015-12-28', '2016-01-01', '2016-01-03', "
        "'2016-01-04', '2016-01-09') ORDER BY date",
        [
            [D(2015, 12, 23), 2015, 52, 2015, 51],
            [D(2015, 12, 27), 2015, 52, 2015, 52],
            [D(2015, 12, 28), 2015, 53, 2015, 52],
            [D(2016, 1, 1), 2015, 53, 2016, 0],
            [D(2016, 1, 3), 2015, 53, 2016, 1],
            [D(2016, 1, 4), 2016, 1, 2016, 1],
            [D(2016, 1, 9), 2016, 1, 2016, 1],
        ],
    ),
    (
        "extract_weeks_of_a_date",
        "SELECT EXTRACT(WEEK(SUNDAY) FROM DATE '2017-11-05') AS week_sunday, "
        "EXTRACT(WEEK(MONDAY) FROM DATE '2017-11-05') AS week_monday",
        [[45, 44]],
    ),
    (
        "extract_parts_of_timestamps",
        "WITH Timestamps AS ("
        "SELECT TIMESTAMP('2005-01-03 12:34:56+00') AS timestamp_value UNION ALL "
        "SELECT TIMESTAMP('2007-12-31 12:00:00+00') UNION ALL "
        "SELECT TIMESTAMP('2009-01-01 12:00:00+00') UNION ALL "
        "SELECT TIMESTAMP('2009-12-31 12:00:00+00') UNION ALL "
        "SELECT TIMESTAMP('2017-01-02 12:00:00+00') UNION ALL "
        "SELECT TIMESTAMP('2017-05-26 12:00:00+00')) "
        "SELECT EXTRACT(ISOYEAR FROM timestamp_value) AS isoyear, "
        "EXTRACT(ISOWEEK FROM timestamp_value) AS isoweek, "
        "EXTRACT(YEAR FROM timestamp_value) AS year, "
        "EXTRACT(WEEK FROM timestamp_value) AS week FROM Timestamps ORDER BY timestamp_value",
        [
            [2005, 1, 2005, 1],
            [2008, 1, 2007, 52],
            [2009, 1, 2009, 0],
            [2009, 53, 2009, 52],
            [2017, 1, 2017, 1],
            [2017, 21, 2017, 21],
        ],
    ),
    (
        "extract_weeks_of_a_timestamp",
        "SELECT EXTRACT(WEEK(SUNDAY) FROM TIMESTAMP '2017-11-06 00:00:00+00') AS week_sunday, "
        "EXTRACT(WEEK(MONDAY) FROM TIMESTAMP '2017-11-06 00:00:00+00') AS week_monday",
        [[45, 45]],
    ),
    (
        "extract_weeks_of_a_datetime",
        "SELECT EXTRACT(WEEK(SUNDAY) FROM DATETIME '2017-11-05 00:00:00'), "
        "EXTRACT(WEEK(MONDAY) FROM DATETIME '2017-11-05 00:00:00')",
        [[45, 44]],
    ),
    (
        "extract_day_at_time_zone",
        "WITH Input AS (SELECT TIMESTAMP('2008-12-25 05:30:00+00') AS timestamp_value) "
        "SELECT EXTRACT(DAY FROM timestamp_value AT TIME ZONE 'UTC') AS the_day_utc, "
        "EXTRACT(DAY FROM timestamp_value AT TIME ZONE 'America/Los_Angeles') "
        "AS the_day_california FROM Input",
        [[25, 24]],
    ),
    (
        "extract_hour_from_datetime",
        "SELECT EXTRACT(HOUR FROM DATETIME(2008, 12, 25, 15, 30, 00)) AS hour",
        [[15]],
    ),
    ("extract_hour_from_time", "SELECT EXTRACT(HOUR FROM TIME '15:30:00') AS hour", [[15]]),
    (
        "extract_date_from_timestamp",
        "SELECT EXTRACT(DATE FROM TIMESTAMP '2008-12-25 15:30:00+00')",
        Columns(["f0_"], [[D(2008, 12, 25)]], ["DATE"]),
    ),
    (
        "extract_datetime_from_timestamp",
        "SELECT EXTRACT(DATETIME FROM TIMESTAMP '2008-12-25 15:30:00+00')",
        Columns(["f0_"], [[DT(2008, 12, 25, 15, 30)]], ["DATETIME"]),
    ),
    (
        "extract_time_from_timestamp",
        "SELECT EXTRACT(TIME FROM TIMESTAMP '2008-12-25 15:30:00+00')",
        Columns(["f0_"], [[T(15, 30)]], ["TIME"]),
    ),
    (
        "extract_date_from_datetime",
        "SELECT EXTRACT(DATE FROM DATETIME '2008-12-25 15:30:00')",
        Columns(["f0_"], [[D(2008, 12, 25)]], ["DATE"]),
    ),
    # Inferred from the parts' descriptions: DAYOFWEEK counts from Sunday = 1.
    (
        "extract_dayofweek",
        "SELECT EXTRACT(DAYOFWEEK FROM DATE '2008-12-25'), "
        "EXTRACT(DAYOFWEEK FROM DATE '2008-12-28')",
        [[5, 1]],
    ),
    ("extract_dayofyear", "SELECT EXTRACT(DAYOFYEAR FROM DATE '2008-12-25')", [[360]]),
    ("extract_quarter", "SELECT EXTRACT(QUARTER FROM DATE '2008-12-25')", [[4]]),
    (
        "extract_sub_second_parts",
        "SELECT EXTRACT(MILLISECOND FROM TIMESTAMP '2008-12-25 15:30:07.123456+00'), "
        "EXTRACT(MICROSECOND FROM TIMESTAMP '2008-12-25 15:30:07.123456+00'), "
        "EXTRACT(SECOND FROM TIMESTAMP '2008-12-25 15:30:07.123456+00')",
        [[123, 123456, 7]],
    ),
    # Constructors and conversions
    (
        "date_constructors",
        "SELECT DATE(2016, 12, 25) AS date_ymd, "
        "DATE(DATETIME '2016-12-25 23:59:59') AS date_dt, "
        "DATE(TIMESTAMP '2016-12-25 05:30:00+07', 'America/Los_Angeles') AS date_tstz",
        Columns(
            ["date_ymd", "date_dt", "date_tstz"],
            [[D(2016, 12, 25), D(2016, 12, 25), D(2016, 12, 24)]],
            ["DATE"] * 3,
        ),
    ),
    (
        "datetime_constructors",
        "SELECT DATETIME(2008, 12, 25, 05, 30, 00) AS datetime_ymdhms, "
        "DATETIME(TIMESTAMP '2008-12-25 05:30:00+00', 'America/Los_Angeles') AS datetime_tstz",
        Columns(
            ["datetime_ymdhms", "datetime_tstz"],
            [[DT(2008, 12, 25, 5, 30), DT(2008, 12, 24, 21, 30)]],
            ["DATETIME"] * 2,
        ),
    ),
    (
        "datetime_of_date_and_time",
        "SELECT DATETIME(DATE '2008-12-25', TIME '05:30:00')",
        Columns(["f0_"], [[DT(2008, 12, 25, 5, 30)]], ["DATETIME"]),
    ),
    (
        "time_constructors",
        "SELECT TIME(15, 30, 00) AS time_hms, "
        "TIME(TIMESTAMP '2008-12-25 15:30:00+08', 'America/Los_Angeles') AS time_tstz, "
        "TIME(DATETIME '2008-12-25 15:30:00.000000') AS time_dt",
        Columns(
            ["time_hms", "time_tstz", "time_dt"],
            [[T(15, 30), T(23, 30), T(15, 30)]],
            ["TIME"] * 3,
        ),
    ),
    (
        "timestamp_of_string_with_offset",
        "SELECT TIMESTAMP('2008-12-25 15:30:00+00') AS timestamp_str",
        Columns(["timestamp_str"], [[TS(2008, 12, 25, 15, 30)]], ["TIMESTAMP"]),
    ),
    (
        "timestamp_of_string_in_a_zone",
        "SELECT TIMESTAMP('2008-12-25 15:30:00', 'America/Los_Angeles') AS timestamp_str",
        [[TS(2008, 12, 25, 23, 30)]],
    ),
    (
        "timestamp_of_string_utc",
        "SELECT TIMESTAMP('2008-12-25 15:30:00 UTC') AS timestamp_str",
        [[TS(2008, 12, 25, 15, 30)]],
    ),
    (
        "timestamp_of_datetime",
        "SELECT TIMESTAMP(DATETIME '2008-12-25 15:30:00') AS timestamp_datetime",
        Columns(["timestamp_datetime"], [[TS(2008, 12, 25, 15, 30)]], ["TIMESTAMP"]),
    ),
    (
        "timestamp_of_date",
        "SELECT TIMESTAMP(DATE '2008-12-25') AS timestamp_date",
        Columns(["timestamp_date"], [[TS(2008, 12, 25)]], ["TIMESTAMP"]),
    ),
    (
        "current_datetime_is_datetime",
        "SELECT CURRENT_DATETIME() IS NOT NULL, CURRENT_DATETIME() AS now",
        Columns(["f0_", "now"], None, ["BOOL", "DATETIME"]),
    ),
    (
        "current_time_is_time",
        "SELECT CURRENT_TIME() AS now",
        Columns(["now"], None, ["TIME"]),
    ),
    # Arithmetic
    (
        "date_add",
        "SELECT DATE_ADD(DATE '2008-12-25', INTERVAL 5 DAY) AS five_days_later",
        Columns(["five_days_later"], [[D(2008, 12, 30)]], ["DATE"]),
    ),
    (
        "date_sub",
        "SELECT DATE_SUB(DATE '2008-12-25', INTERVAL 5 DAY) AS five_days_ago",
        Columns(["five_days_ago"], [[D(2008, 12, 20)]], ["DATE"]),
    ),
    (
        "datetime_add",
        "SELECT DATETIME_ADD(DATETIME '2008-12-25 15:30:00', INTERVAL 10 MINUTE) AS later",
        Columns(["later"], [[DT(2008, 12, 25, 15, 40)]], ["DATETIME"]),
    ),
    (
        "datetime_sub",
        "SELECT DATETIME_SUB(DATETIME '2008-12-25 15:30:00', INTERVAL 10 MINUTE) AS earlier",
        Columns(["earlier"], [[DT(2008, 12, 25, 15, 20)]], ["DATETIME"]),
    ),
    (
        "time_add",
        "SELECT TIME_ADD(TIME '15:30:00', INTERVAL 10 MINUTE) AS later",
        Columns(["later"], [[T(15, 40)]], ["TIME"]),
    ),
    (
        "time_sub",
        "SELECT TIME_SUB(TIME '15:30:00', INTERVAL 10 MINUTE) AS earlier",
        Columns(["earlier"], [[T(15, 20)]], ["TIME"]),
    ),
    (
        "timestamp_add",
        "SELECT TIMESTAMP_ADD(TIMESTAMP '2008-12-25 15:30:00+00', INTERVAL 10 MINUTE) AS later",
        Columns(["later"], [[TS(2008, 12, 25, 15, 40)]], ["TIMESTAMP"]),
    ),
    (
        "timestamp_sub",
        "SELECT TIMESTAMP_SUB(TIMESTAMP '2008-12-25 15:30:00+00', INTERVAL 10 MINUTE) AS earlier",
        Columns(["earlier"], [[TS(2008, 12, 25, 15, 20)]], ["TIMESTAMP"]),
    ),
    # The parts each function lists; others are refused, not added as DuckDB would add them.
    (
        "timestamp_add_has_no_months",
        "SELECT TIMESTAMP_ADD(TIMESTAMP '2008-12-25 15:30:00+00', INTERVAL 1 MONTH)",
        Error("TIMESTAMP_ADD does not support the MONTH date part"),
    ),
    (
        "date_add_has_no_hours",
        "SELECT DATE_ADD(DATE '2008-12-25', INTERVAL 1 HOUR)",
        Error("DATE_ADD does not support the HOUR date part"),
    ),
    (
        "time_sub_has_no_days",
        "SELECT TIME_SUB(TIME '15:30:00', INTERVAL 1 DAY)",
        Error("TIME_SUB does not support the DAY date part"),
    ),
    (
        "date_add_month_end",
        "SELECT DATE_ADD(DATE '2008-01-31', INTERVAL 1 MONTH)",
        [[D(2008, 2, 29)]],  # the page: the last day of the month when the day does not exist
    ),
    (
        "datetime_add_quarter",
        "SELECT DATETIME_ADD(DATETIME '2008-12-25 15:30:00', INTERVAL 1 QUARTER)",
        [[DT(2009, 3, 25, 15, 30)]],
    ),
    (
        "time_add_wraps_around",
        "SELECT TIME_ADD(TIME '23:30:00', INTERVAL 60 MINUTE)",
        [[T(0, 30)]],  # the page: adding an hour to 23:30:00 returns 00:30:00
    ),
    # LAST_DAY
    ("last_day_month", "SELECT LAST_DAY(DATE '2008-11-25', MONTH)", [[D(2008, 11, 30)]]),
    ("last_day_default", "SELECT LAST_DAY(DATE '2008-11-25')", [[D(2008, 11, 30)]]),
    ("last_day_year", "SELECT LAST_DAY(DATE '2008-11-25', YEAR)", [[D(2008, 12, 31)]]),
    (
        "last_day_week_sunday",
        "SELECT LAST_DAY(DATE '2008-11-10', WEEK(SUNDAY))",
        [[D(2008, 11, 15)]],
    ),
    (
        "last_day_week_monday",
        "SELECT LAST_DAY(DATE '2008-11-10', WEEK(MONDAY))",
        [[D(2008, 11, 16)]],
    ),
    (
        "last_day_of_datetime",
        "SELECT LAST_DAY(DATETIME '2008-11-25 15:30:00', MONTH)",
        Columns(["f0_"], [[D(2008, 11, 30)]], ["DATE"]),
    ),
    # Inferred from LAST_DAY's list of parts: a quarter, ISO weeks and ISO years end on their
    # last day (ISO year 2008 ends on Sunday 2008-12-28).
    ("last_day_quarter", "SELECT LAST_DAY(DATE '2008-11-25', QUARTER)", [[D(2008, 12, 31)]]),
    ("last_day_isoweek", "SELECT LAST_DAY(DATE '2008-11-25', ISOWEEK)", [[D(2008, 11, 30)]]),
    ("last_day_week", "SELECT LAST_DAY(DATE '2008-11-25', WEEK)", [[D(2008, 11, 29)]]),
    ("last_day_isoyear", "SELECT LAST_DAY(DATE '2008-11-25', ISOYEAR)", [[D(2008, 12, 28)]]),
    ("last_day_leap_month", "SELECT LAST_DAY(DATE '2008-02-10', MONTH)", [[D(2008, 2, 29)]]),
    # GENERATE_DATE_ARRAY
    (
        "generate_date_array",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-08') AS example",
        [[[D(2016, 10, 5), D(2016, 10, 6), D(2016, 10, 7), D(2016, 10, 8)]]],
    ),
    (
        "generate_date_array_step",
        "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-09', INTERVAL 2 DAY) AS example",
        [[[D(2016, 10, 5), D(2016, 10, 7), D(2016, 10, 9)]]],
    ),
    # DATE_BUCKET, DATETIME_BUCKET, TIMESTAMP_BUCKET
    (
        "date_bucket_default_origin",
        "WITH some_dates AS (SELECT DATE '1949-12-29' AS my_date UNION ALL "
        "SELECT DATE '1949-12-30' UNION ALL SELECT DATE '1949-12-31' UNION ALL "
        "SELECT DATE '1950-01-01' UNION ALL SELECT DATE '1950-01-02' UNION ALL "
        "SELECT DATE '1950-01-03') "
        "SELECT DATE_BUCKET(my_date, INTERVAL 2 DAY) AS bucket_lower_bound FROM some_dates "
        "ORDER BY my_date",
        Columns(
            ["bucket_lower_bound"],
            [
                [D(1949, 12, 28)],
                [D(1949, 12, 30)],
                [D(1949, 12, 30)],
                [D(1950, 1, 1)],
                [D(1950, 1, 1)],
                [D(1950, 1, 3)],
            ],
            ["DATE"],
        ),
    ),
    (
        "date_bucket_origin",
        "WITH some_dates AS (SELECT DATE '2000-12-20' AS my_date UNION ALL "
        "SELECT DATE '2000-12-21' UNION ALL SELECT DATE '2000-12-22' UNION ALL "
        "SELECT DATE '2000-12-23' UNION ALL SELECT DATE '2000-12-24' UNION ALL "
        "SELECT DATE '2000-12-25') "
        "SELECT DATE_BUCKET(my_date, INTERVAL 7 DAY, DATE '2000-12-24') AS bucket_lower_bound "
        "FROM some_dates ORDER BY my_date",
        [[D(2000, 12, 17)]] * 4 + [[D(2000, 12, 24)]] * 2,
    ),
    (
        "datetime_bucket_default_origin",
        "WITH some_datetimes AS (SELECT DATETIME '1949-12-30 13:00:00' AS my_datetime UNION ALL "
        "SELECT DATETIME '1949-12-31 00:00:00' UNION ALL SELECT DATETIME '1949-12-31 13:00:00' "
        "UNION ALL SELECT DATETIME '1950-01-01 00:00:00' UNION ALL "
        "SELECT DATETIME '1950-01-01 13:00:00' UNION ALL SELECT DATETIME '1950-01-02 00:00:00') "
        "SELECT DATETIME_BUCKET(my_datetime, INTERVAL 12 HOUR) AS bucket_lower_bound "
        "FROM some_datetimes ORDER BY my_datetime",
        Columns(
            ["bucket_lower_bound"],
            [
                [DT(1949, 12, 30, 12)],
                [DT(1949, 12, 31)],
                [DT(1949, 12, 31, 12)],
                [DT(1950, 1, 1)],
                [DT(1950, 1, 1, 12)],
                [DT(1950, 1, 2)],
            ],
            ["DATETIME"],
        ),
    ),
    (
        "timestamp_bucket_default_origin",
        "WITH some_timestamps AS (SELECT TIMESTAMP '1949-12-30 13:00:00.00' AS my_timestamp "
        "UNION ALL SELECT TIMESTAMP '1949-12-31 00:00:00.00' UNION ALL "
        "SELECT TIMESTAMP '1949-12-31 13:00:00.00' UNION ALL "
        "SELECT TIMESTAMP '1950-01-01 00:00:00.00' UNION ALL "
        "SELECT TIMESTAMP '1950-01-01 13:00:00.00' UNION ALL "
        "SELECT TIMESTAMP '1950-01-02 00:00:00.00') "
        "SELECT TIMESTAMP_BUCKET(my_timestamp, INTERVAL 12 HOUR) AS bucket_lower_bound "
        "FROM some_timestamps ORDER BY my_timestamp",
        Columns(
            ["bucket_lower_bound"],
            [
                [TS(1949, 12, 30, 12)],
                [TS(1949, 12, 31)],
                [TS(1949, 12, 31, 12)],
                [TS(1950, 1, 1)],
                [TS(1950, 1, 1, 12)],
                [TS(1950, 1, 2)],
            ],
            ["TIMESTAMP"],
        ),
    ),
    # Time zones given as offsets from UTC (the pages' time zone definitions: +HH:MM, -H, ...)
    (
        "timestamp_of_string_at_an_offset",
        "SELECT TIMESTAMP('2008-12-25 15:30:00', '+05:30')",
        Columns(["f0_"], [[TS(2008, 12, 25, 10, 0)]], ["TIMESTAMP"]),
    ),
    (
        "date_of_timestamp_at_an_offset",
        "SELECT DATE(TIMESTAMP '2008-12-25 20:00:00+00', '+08')",
        [[D(2008, 12, 26)]],
    ),
    (
        "datetime_of_timestamp_at_an_offset",
        "SELECT DATETIME(TIMESTAMP '2008-12-25 20:00:00+00', '-08:00')",
        Columns(["f0_"], [[DT(2008, 12, 25, 12)]], ["DATETIME"]),
    ),
    (
        "time_of_timestamp_at_an_offset",
        "SELECT TIME(TIMESTAMP '2008-12-25 20:00:00+00', '+01')",
        [[T(21, 0)]],
    ),
    (
        "extract_at_an_offset",
        "SELECT EXTRACT(HOUR FROM TIMESTAMP '2008-12-25 20:00:00+00' AT TIME ZONE '-8')",
        [[12]],
    ),
    (
        "timestamp_trunc_at_an_offset",
        "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2008-12-25 20:00:00+00', DAY, '+08')",
        [[TS(2008, 12, 25, 16)]],
    ),
    (
        "string_of_timestamp_at_an_offset",
        "SELECT STRING(TIMESTAMP '2008-12-25 20:00:00+00', '-03:30')",
        [["2008-12-25 16:30:00-03:30"]],
    ),
    (
        "parse_timestamp_at_an_offset",
        "SELECT PARSE_TIMESTAMP('%F %T', '2008-12-25 07:30:00', '-08')",
        [[TS(2008, 12, 25, 15, 30)]],
    ),
    (
        "format_timestamp_unknown_zone",
        "SELECT FORMAT_TIMESTAMP('%c', TIMESTAMP '2008-12-25 15:30:00+00', 'Mars/Olympus')",
        Error("Invalid time zone: Mars/Olympus"),
    ),
    # CAST(... FORMAT ...): the format-elements page's format model
    ("cast_format_yyyy", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'YYYY')", [["2018"]]),
    ("cast_format_yyyy_pads", "SELECT CAST(DATE '0076-01-30' AS STRING FORMAT 'YYYY')", [["0076"]]),
    ("cast_format_yyy", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'YYY')", [["018"]]),
    ("cast_format_yy", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'YY')", [["18"]]),
    ("cast_format_y", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'Y')", [["8"]]),
    ("cast_format_mm", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'MM')", [["01"]]),
    ("cast_format_mon", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'MON')", [["JAN"]]),
    ("cast_format_month", "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'MONTH')", [["JANUARY"]]),
    ("cast_format_day", "SELECT CAST(DATE '2020-12-31' AS STRING FORMAT 'DAY')", [["THURSDAY "]]),
    (
        "cast_format_day_case",
        "SELECT CAST(DATE '2020-12-31' AS STRING FORMAT 'Day')",
        [["Thursday "]],
    ),
    ("cast_format_dy", "SELECT CAST(DATE '2020-12-31' AS STRING FORMAT 'DY')", [["THU"]]),
    ("cast_format_dd", "SELECT CAST(DATE '2018-12-02' AS STRING FORMAT 'DD')", [["02"]]),
    ("cast_format_dd_example", "SELECT CAST(DATE '2018-02-15' AS STRING FORMAT 'DD')", [["15"]]),
    ("cast_format_ddd", "SELECT CAST(DATE '2018-02-03' AS STRING FORMAT 'DDD')", [["034"]]),
    ("cast_format_hh", "SELECT CAST(TIME '21:30:00' AS STRING FORMAT 'HH')", [["09"]]),
    ("cast_format_hh12", "SELECT CAST(TIME '21:30:00' AS STRING FORMAT 'HH12')", [["09"]]),
    ("cast_format_hh24", "SELECT CAST(TIME '21:30:00' AS STRING FORMAT 'HH24')", [["21"]]),
    ("cast_format_mi", "SELECT CAST(TIME '21:30:00' AS STRING FORMAT 'MI')", [["30"]]),
    ("cast_format_ss", "SELECT CAST(TIME '21:30:25.16' AS STRING FORMAT 'SS')", [["25"]]),
    ("cast_format_sssss", "SELECT CAST(TIME '01:02:03' AS STRING FORMAT 'SSSSS')", [["03723"]]),
    ("cast_format_ff1", "SELECT CAST(TIME '01:05:07.16' AS STRING FORMAT 'FF1')", [["1"]]),
    ("cast_format_ff2", "SELECT CAST(TIME '21:30:25.16' AS STRING FORMAT 'FF2')", [["16"]]),
    ("cast_format_ff3", "SELECT CAST(TIME '01:05:07.16' AS STRING FORMAT 'FF3')", [["160"]]),
    ("cast_format_am", "SELECT CAST(TIME '21:30:00' AS STRING FORMAT 'AM')", [["PM"]]),
    ("cast_format_pm", "SELECT CAST(TIME '01:30:00' AS STRING FORMAT 'PM')", [["AM"]]),
    ("cast_format_a_m", "SELECT CAST(TIME '16:02:03' AS STRING FORMAT 'A.M.')", [["P.M."]]),
    ("cast_format_a_m_lower", "SELECT CAST(TIME '01:02:03' AS STRING FORMAT 'a.M.')", [["a.m."]]),
    (
        "cast_format_tzh_in_a_zone",
        "SELECT CAST(TIMESTAMP '2008-12-25 00:00:00+00:00' AS STRING FORMAT 'TZH' "
        "AT TIME ZONE 'Asia/Kolkata')",
        [["+05"]],
    ),
    (
        "cast_format_tzm_in_a_zone",
        "SELECT CAST(TIMESTAMP '2008-12-25 00:00:00+00:00' AS STRING FORMAT 'TZM' "
        "AT TIME ZONE 'Asia/Kolkata')",
        [["30"]],
    ),
    (
        "cast_format_literal",
        "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT 'YYYY-MM-DD')",
        [["2018-01-30"]],
    ),
    (
        "cast_format_quoted_text",
        "SELECT CAST(DATE '2018-01-30' AS STRING FORMAT '\"Year\" YYYY')",
        [["Year 2018"]],
    ),
    ("cast_to_date_yy", "SELECT CAST('18-12-03' AS DATE FORMAT 'YY-MM-DD')", [[D(2018, 12, 3)]]),
    (
        "cast_to_date_mm_dd_yyyy",
        "SELECT CAST('03-12-2018' AS DATE FORMAT 'MM-DD-YYYY')",
        [[D(2018, 3, 12)]],
    ),
    ("cast_to_date_yyy", "SELECT CAST('038-12-03' AS DATE FORMAT 'YYY-MM-DD')", [[D(2038, 12, 3)]]),
    ("cast_to_date_y", "SELECT CAST('8-12-03' AS DATE FORMAT 'Y-MM-DD')", [[D(2028, 12, 3)]]),
    (
        "cast_to_date_mon",
        "SELECT CAST('DEC 03, 2018' AS DATE FORMAT 'MON DD, YYYY')",
        [[D(2018, 12, 3)]],
    ),
    (
        "cast_to_date_month",
        "SELECT CAST('DECEMBER 03, 2018' AS DATE FORMAT 'MONTH DD, YYYY')",
        [[D(2018, 12, 3)]],
    ),
    ("cast_to_time_hh24", "SELECT CAST('15:30' AS TIME FORMAT 'HH24:MI')", [[T(15, 30)]]),
    ("cast_to_time_pm", "SELECT CAST('03:30 P.M.' AS TIME FORMAT 'HH:MI P.M.')", [[T(15, 30)]]),
    (
        "cast_to_time_am_element_pm_input",
        "SELECT CAST('03:30 P.M.' AS TIME FORMAT 'HH:MI A.M.')",
        [[T(15, 30)]],
    ),
    (
        "cast_to_time_seconds",
        "SELECT CAST('03:30:02 P.M.' AS TIME FORMAT 'HH:MI:SS P.M.')",
        [[T(15, 30, 2)]],
    ),
    ("cast_to_time_sssss", "SELECT CAST('03723' AS TIME FORMAT 'SSSSS')", [[T(1, 2, 3)]]),
    (
        "cast_to_time_ff1",
        "SELECT CAST('01:05:07.16' AS TIME FORMAT 'HH24:MI:SS.FF1')",
        [[T(1, 5, 7, 200000)]],
    ),
    (
        "cast_to_time_ff2",
        "SELECT CAST('01:05:07.16' AS TIME FORMAT 'HH24:MI:SS.FF2')",
        [[T(1, 5, 7, 160000)]],
    ),
    (
        "cast_to_datetime_keeps_its_type",
        "SELECT CAST('2018-12-03 10:00' AS DATETIME FORMAT 'YYYY-MM-DD HH24:MI')",
        Columns(["f0_"], [[DT(2018, 12, 3, 10)]], ["DATETIME"]),
    ),
    (
        "cast_to_time_keeps_its_type",
        "SELECT CAST('15:30' AS TIME FORMAT 'HH24:MI')",
        Columns(["f0_"], [[T(15, 30)]], ["TIME"]),
    ),
    (
        "cast_to_timestamp_with_offset",
        "SELECT CAST('2020-06-03 00:00:53.110 +00' AS TIMESTAMP "
        "FORMAT 'YYYY-MM-DD HH24:MI:SS.FF3 TZH')",
        Columns(["f0_"], [[dt.datetime(2020, 6, 3, 0, 0, 53, 110000, tzinfo=UTC)]], ["TIMESTAMP"]),
    ),
    (
        "cast_to_timestamp_at_time_zone",
        "SELECT CAST('2008-12-25 15:30' AS TIMESTAMP FORMAT 'YYYY-MM-DD HH24:MI' "
        "AT TIME ZONE 'America/Los_Angeles')",
        [[TS(2008, 12, 25, 23, 30)]],
    ),
    ("safe_cast_with_format", "SELECT SAFE_CAST('x' AS DATE FORMAT 'YYYY')", [[None]]),
    (
        "cast_with_format_fails",
        "SELECT CAST('x' AS DATE FORMAT 'YYYY')",
        Error("Cannot parse 'x' with the format model 'YYYY'"),
    ),
    (
        "cast_to_date_without_year_is_this_year",
        "SELECT CAST('12-03' AS DATE FORMAT 'MM-DD') = "
        "DATE(EXTRACT(YEAR FROM CURRENT_DATE()), 12, 3)",
        [[True]],
    ),
    # The SAFE. prefix (functions reference: NULL instead of an error), inferred for these.
    (
        "safe_parse_date",
        "SELECT SAFE.PARSE_DATE('%Y-%m-%d', d) FROM UNNEST(['2008-02-30', '2008-02-28']) AS d",
        [[None], [D(2008, 2, 28)]],
    ),
    ("safe_parse_timestamp", "SELECT SAFE.PARSE_TIMESTAMP('%c', 'x')", [[None]]),
    ("safe_date_constructor", "SELECT SAFE.DATE(2008, 13, 1)", [[None]]),
    (
        "safe_format_timestamp",
        "SELECT SAFE.FORMAT_TIMESTAMP('%c', TIMESTAMP '2008-12-25', 'Mars/Olympus')",
        [[None]],
    ),
    # CURRENT_* in a time zone: the date, time and datetime there now (checked against each
    # other, since now moves).
    (
        "current_time_in_a_zone",
        "SELECT CURRENT_TIME('Asia/Tokyo') AS t, "
        "TIME_DIFF(CURRENT_TIME('Asia/Tokyo'), TIME(CURRENT_TIMESTAMP(), 'Asia/Tokyo'), MINUTE) "
        "BETWEEN -1 AND 0 AS same",
        Columns(["t", "same"], None, ["TIME", "BOOL"]),
    ),
    (
        "current_date_in_a_zone",
        "SELECT CURRENT_DATE('Pacific/Kiritimati') = DATE(CURRENT_TIMESTAMP(), "
        "'Pacific/Kiritimati'), CURRENT_DATE('-12') = DATE(CURRENT_TIMESTAMP(), '-12')",
        [[True, True]],
    ),
    # Parts a type does not have are refused, not extracted as 0.
    (
        "extract_hour_from_a_date",
        "SELECT EXTRACT(HOUR FROM DATE '2008-12-25')",
        Error("EXTRACT from DATE does not support the HOUR date part"),
    ),
    (
        "extract_year_from_a_time",
        "SELECT EXTRACT(YEAR FROM TIME '15:30:00')",
        Error("EXTRACT from TIME does not support the YEAR date part"),
    ),
    (
        "time_trunc_has_no_days",
        "SELECT TIME_TRUNC(TIME '15:30:00', DAY)",
        Error("TIME_TRUNC does not support the DAY date part"),
    ),
    (
        "date_trunc_of_a_date_has_no_hours",
        "SELECT DATE_TRUNC(DATE '2008-12-25', HOUR)",
        Error("DATE_TRUNC does not support the HOUR date part"),
    ),
    (
        "generate_timestamp_array_has_no_months",
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-12-07 00:00:00', "
        "INTERVAL 1 MONTH)",
        Error("GENERATE_TIMESTAMP_ARRAY does not support the MONTH date part"),
    ),
    ("time_trunc_second", "SELECT TIME_TRUNC(TIME '15:30:45.5', SECOND)", [[T(15, 30, 45)]]),
    # Functions BigQuery does not have
    (
        "timestamp_from_unix_millis_is_not_bigquerys",
        "SELECT TIMESTAMP_FROM_UNIX_MILLIS(1230219000000)",
        Error("Function not found: TIMESTAMP_FROM_UNIX_MILLIS"),
    ),
]


@cases(CASES)
def test_it_matches_bigquery(engine: Any, sql: str, expected: Any, default_dataset: Any) -> None:
    check(engine(sql, default_dataset), expected)
