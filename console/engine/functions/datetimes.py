"""DATE, DATETIME, TIME and TIMESTAMP functions and format elements, where DuckDB differs.

Date parts: BigQuery's weeks start on Sunday unless a WEEK(<weekday>) says otherwise, its
DAYOFWEEK counts from Sunday = 1, and TIMESTAMP_DIFF counts whole elapsed units; DuckDB's weeks
are ISO weeks and its DAYOFWEEK counts from Sunday = 0. Each part is spelled here in DuckDB's
terms (_civil_trunc, _extract_part).

Format elements: one Python implementation of BigQuery's elements (format_value, parse_value)
formats and parses for every FORMAT_ and PARSE_ function and STRING(timestamp), and one of the
CAST ... FORMAT model (format_model, parse_model) for casts, run as Arrow UDFs. sqlglot rewrites
a literal format into Python's spelling as it parses; _bigquery_format undoes that.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
from sqlglot import exp

from console.engine.functions.base import Udf, arguments
from console.errors import InvalidError

WEEKDAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")

FORMAT = "quarry_format_datetime"
STRING_OF_TIMESTAMP = "quarry_string_of_timestamp"
PARSE = {
    "DATE": "quarry_parse_date",
    "DATETIME": "quarry_parse_datetime",
    "TIME": "quarry_parse_time",
    "TIMESTAMP": "quarry_parse_timestamp",
}
_DUCKDB = {"DATE": "DATE", "DATETIME": "TIMESTAMP", "TIME": "TIME", "TIMESTAMP": "TIMESTAMPTZ"}
_ARROW = {
    "DATE": pa.date32(),
    "DATETIME": pa.timestamp("us"),
    "TIME": pa.time64("us"),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}


# Date parts ------------------------------------------------------------------------------------


def _part(unit: exp.Expression | None) -> str:
    """Return a date part as BigQuery spells it: DAY, ISOWEEK, WEEK(MONDAY)."""
    if unit is None:
        return "DAY"
    if isinstance(unit, exp.WeekStart):
        return f"WEEK({unit.name.upper()})"
    return unit.name.upper()


def _week_start(part: str) -> int | None:
    """Return the weekday (Sunday = 0) a week part starts on, or None for another part."""
    if part == "WEEK":
        return 0
    if part == "ISOWEEK":
        return 1
    found = re.fullmatch(r"WEEK\((\w+)\)", part)
    return WEEKDAYS.index(found.group(1)) if found and found.group(1) in WEEKDAYS else None


def _days_into_week(civil: str, weekday: int) -> str:
    return f"((DAYOFWEEK({civil}) + {7 - weekday}) % 7)"


def _civil_trunc(civil: str, part: str) -> str | None:
    """Return DuckDB SQL truncating a civil TIMESTAMP to a week part, or None for other parts."""
    weekday = _week_start(part)
    if weekday is None:
        return None
    return (
        f"(DATE_TRUNC('DAY', {civil}) - "
        f"TO_DAYS(CAST({_days_into_week(civil, weekday)} AS INTEGER)))"
    )


def _any_trunc(civil: str, part: str) -> str:
    return _civil_trunc(civil, part) or f"DATE_TRUNC('{part}', {civil})"


def _typed(self: Any, node: exp.Expression, duckdb_type: str) -> str:
    # BigQuery reads a string literal as the function's type; DuckDB would not pick one.
    value = self.sql(node)
    return f"CAST({value} AS {duckdb_type})" if isinstance(node, exp.Literal) else value


def _date_trunc(self: Any, node: exp.DateTrunc) -> str:
    part = _part(node.unit)
    if part in _TIME_PARTS and _static_type(node.this) == "DATE":
        raise InvalidError(f"DATE_TRUNC does not support the {part} date part")
    return f"CAST({_any_trunc(_typed(self, node.this, 'DATE'), part)} AS DATE)"


def _datetime_trunc(self: Any, node: exp.DatetimeTrunc) -> str:
    return _any_trunc(_typed(self, node.this, "TIMESTAMP"), _part(node.args.get("unit")))


def _timestamp_trunc(self: Any, node: exp.TimestampTrunc) -> str:
    # The part that holds the instant in the time zone (UTC unless given), as an instant again.
    zone = self.sql(node, "zone") if node.args.get("zone") else "'UTC'"
    civil = f"TIMEZONE({zone}, CAST({self.sql(node, 'this')} AS TIMESTAMPTZ))"
    return f"TIMEZONE({zone}, {_any_trunc(civil, _part(node.args.get('unit')))})"


def _last_day(self: Any, node: exp.LastDay) -> str:
    # The day before the next period starts; an ISO year has 52 or 53 weeks, so 371 days
    # after its first day is always in the next one.
    part = _part(node.args.get("unit")) if node.args.get("unit") else "MONTH"
    civil = f"CAST(CAST({self.sql(node, 'this')} AS DATE) AS TIMESTAMP)"
    start = _any_trunc(civil, part)
    if _week_start(part) is not None:
        last = f"{start} + INTERVAL 6 DAY"
    elif part == "ISOYEAR":
        last = f"DATE_TRUNC('ISOYEAR', {start} + INTERVAL 371 DAY) - INTERVAL 1 DAY"
    elif part in ("YEAR", "QUARTER", "MONTH"):
        last = f"{start} + INTERVAL 1 {part} - INTERVAL 1 DAY"
    else:
        raise InvalidError(f"LAST_DAY does not support the {part} date part")
    return f"CAST({last} AS DATE)"


def _time_trunc(self: Any, node: exp.TimeTrunc) -> str:
    # DuckDB has no TIME_TRUNC: the time is truncated as a time of 1970-01-01.
    part = _part(node.args.get("unit"))
    if part not in _TIME_PARTS:
        raise InvalidError(f"TIME_TRUNC does not support the {part} date part")
    return (
        f"CAST(DATE_TRUNC('{part}', CAST('1970-01-01' AS DATE) + {self.sql(node, 'this')}) AS TIME)"
    )


def _civil_diff(self: Any, node: exp.DateDiff | exp.DatetimeDiff) -> str | None:
    # BigQuery counts the week boundaries crossed, with weeks starting on the part's weekday.
    part = _part(node.args.get("unit"))
    later, earlier = (f"CAST({self.sql(node, k)} AS TIMESTAMP)" for k in ("this", "expression"))
    if _week_start(part) is None:
        return None
    return f"(DATE_DIFF('DAY', {_civil_trunc(earlier, part)}, {_civil_trunc(later, part)}) // 7)"


ELAPSED_PARTS = {"MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY"}


def _timestamp_diff(self: Any, node: exp.TimestampDiff) -> str:
    # Whole elapsed units (a DAY is 24 hours), which DuckDB's DATE_SUB counts; its DATE_DIFF
    # counts the boundaries crossed instead (one HOUR from 00:59 to 01:00).
    part = _part(node.args.get("unit"))
    if part not in ELAPSED_PARTS:
        raise InvalidError(f"TIMESTAMP_DIFF does not support the {part} date part")
    later, earlier = (f"CAST({self.sql(node, k)} AS TIMESTAMPTZ)" for k in ("this", "expression"))
    return f"DATE_SUB('{part}', {earlier}, {later})"


_TIME_PARTS = ("MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR")
_DATE_PARTS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
# The parts each *_ADD and *_SUB takes; DuckDB would add any of them (a MONTH to a TIMESTAMP).
_ADDABLE = {
    exp.DateAdd: ("DATE_ADD", _DATE_PARTS),
    exp.DateSub: ("DATE_SUB", _DATE_PARTS),
    exp.DatetimeAdd: ("DATETIME_ADD", _TIME_PARTS + _DATE_PARTS),
    exp.DatetimeSub: ("DATETIME_SUB", _TIME_PARTS + _DATE_PARTS),
    exp.TimeAdd: ("TIME_ADD", _TIME_PARTS),
    exp.TimeSub: ("TIME_SUB", _TIME_PARTS),
    exp.TimestampAdd: ("TIMESTAMP_ADD", (*_TIME_PARTS, "DAY")),
    exp.TimestampSub: ("TIMESTAMP_SUB", (*_TIME_PARTS, "DAY")),
}


def _check_added_part(self: Any, node: exp.Expression) -> None:
    """Refuse a part the function does not take; for the others the node's own spelling follows."""
    name, parts = _ADDABLE[type(node)]
    part = _part(node.args.get("unit"))
    if part not in parts:
        raise InvalidError(f"{name} does not support the {part} date part")


def _extract_part(part: str, value: str) -> str | None:
    weekday = _week_start(part)
    if part == "ISOWEEK":
        return f"WEEK({value})"
    if weekday is not None:
        # Days before the year's first <weekday> are in week 0.
        return f"((DAYOFYEAR({value}) + 6 - {_days_into_week(value, weekday)}) // 7)"
    simple = {
        "DAYOFWEEK": f"(DAYOFWEEK({value}) + 1)",
        "ISOYEAR": f"ISOYEAR({value})",
        "DATE": f"CAST({value} AS DATE)",
        "DATETIME": f"CAST({value} AS TIMESTAMP)",
        "TIME": f"CAST(CAST({value} AS TIMESTAMP) AS TIME)",
        # DuckDB counts the seconds' milli- and microseconds in too.
        "MILLISECOND": f"(EXTRACT(MILLISECOND FROM {value}) % 1000)",
        "MICROSECOND": f"(EXTRACT(MICROSECOND FROM {value}) % 1000000)",
    }
    return simple.get(part)


_DATE_ONLY = {"DAYOFWEEK", "DAY", "DAYOFYEAR", "WEEK", "ISOWEEK", "MONTH", "QUARTER", "YEAR"}
_DATE_ONLY |= {"ISOYEAR", "DATE"}


def _static_type(node: exp.Expression) -> str | None:
    """Return DATE or TIME for an expression that is one by its form (a literal, a cast)."""
    if isinstance(node, exp.Cast) and node.to.this in (
        exp.DataType.Type.DATE,
        exp.DataType.Type.TIME,
    ):
        return node.to.this.value
    if isinstance(node, exp.DateFromParts | exp.CurrentDate | exp.StrToDate | exp.DateFromUnixDate):
        return "DATE"
    if isinstance(node, exp.TimeFromParts | exp.ParseTime):
        return "TIME"
    return None


def _extract(self: Any, node: exp.Extract) -> str | None:
    part, value = _part(node.this), node.expression
    kind = _static_type(value)
    date_part = part in _DATE_ONLY or _week_start(part) is not None
    if (kind == "DATE" and not date_part) or (kind == "TIME" and (date_part or part == "TIME")):
        raise InvalidError(f"EXTRACT from {kind} does not support the {part} date part")
    return _extract_part(part, self.sql(node, "expression"))


# Conversions -----------------------------------------------------------------------------------


def _unix_to_time(self: Any, node: exp.UnixToTime) -> str | None:
    # TIMESTAMP_MILLIS and TIMESTAMP_MICROS return TIMESTAMP; DuckDB's EPOCH_MS a naive one.
    scale = node.args.get("scale")
    value = self.sql(node, "this")
    if scale is None or scale.name == "0":
        return None
    if scale.name == "3":
        return f"TIMEZONE('UTC', EPOCH_MS(CAST({value} AS BIGINT)))"
    if scale.name == "6":
        return f"TIMEZONE('UTC', MAKE_TIMESTAMP(CAST({value} AS BIGINT)))"
    return None


def _unix_units(units_per_second: int) -> Any:
    # UNIX_MILLIS and UNIX_SECONDS round down to the whole unit; DuckDB's EPOCH_MS rounds.
    per = 1_000_000 // units_per_second

    def handler(self: Any, node: exp.Expression) -> str:
        micros = f"EPOCH_US(CAST({self.sql(node, 'this')} AS TIMESTAMPTZ))"
        return f"(({micros} - (({micros} % {per}) + {per}) % {per}) // {per})"

    return handler


def _date_from_unix_date(self: Any, node: exp.DateFromUnixDate) -> str:
    return f"(CAST('1970-01-01' AS DATE) + CAST({self.sql(node, 'this')} AS INTEGER))"


def _generate_timestamp_array(self: Any, node: exp.GenerateTimestampArray) -> str:
    step = node.args.get("step")
    part = _part(step.args.get("unit")) if isinstance(step, exp.Interval) else "DAY"
    if part not in ELAPSED_PARTS:
        raise InvalidError(f"GENERATE_TIMESTAMP_ARRAY does not support the {part} date part")
    start, end = (f"CAST({self.sql(node, k)} AS TIMESTAMPTZ)" for k in ("start", "end"))
    return self.func("GENERATE_SERIES", start, end, self.sql(node, "step"))


def _current_in_zone(duckdb_type: str) -> Any:
    # CURRENT_DATE(zone) and CURRENT_TIME(zone): today's date, the time now, in the zone.
    def handler(self: Any, node: exp.Expression) -> str | None:
        if not node.args.get("this"):
            return None
        return f"CAST(TIMEZONE({self.sql(node, 'this')}, GET_CURRENT_TIMESTAMP()) AS {duckdb_type})"

    return handler


def _timestamp_in_zone(self: Any, node: exp.Timestamp) -> str | None:
    # TIMESTAMP(civil, zone): the instant the civil time is in the zone.
    if not node.args.get("zone"):
        return None
    civil = f"CAST({self.sql(node, 'this')} AS TIMESTAMP)"
    return f"TIMEZONE({self.sql(node, 'zone')}, {civil})"


def _datetime_in_zone(self: Any, node: exp.Datetime) -> str | None:
    # DATETIME(timestamp, zone): the civil time of the instant in the zone. A string second
    # argument is a zone (DATETIME(date, time) takes a TIME).
    zone = node.expression
    if not (isinstance(zone, exp.Literal) and zone.is_string):
        return None
    instant = f"CAST({self.sql(node, 'this')} AS TIMESTAMPTZ)"
    return f"TIMEZONE({self.sql(zone)}, {instant})"


def _current_datetime(self: Any, node: exp.CurrentDatetime) -> str:
    zone = self.sql(node, "this") if node.args.get("this") else "'UTC'"
    return f"TIMEZONE({zone}, GET_CURRENT_TIMESTAMP())"


# Format elements -------------------------------------------------------------------------------

# sqlglot's rewrites of BigQuery's elements into Python's, undone (the others it makes, %F into
# %Y-%m-%d and so on, mean the same in BigQuery's elements).
_SQLGLOT_SPELLINGS = {"%-d": "%e", "%S.%f": "%E6S"}


def _bigquery_format(self: Any, node: exp.Expression) -> str:
    if isinstance(node, exp.Literal) and node.is_string:
        text = node.this
        for python, bigquery in _SQLGLOT_SPELLINGS.items():
            text = text.replace(python, bigquery)
        return self.sql(exp.Literal.string(text))
    return self.sql(node)


_CONVERSIONS = {
    exp.TsOrDsToDate: "DATE",
    exp.TsOrDsToDatetime: "DATETIME",
    exp.TsOrDsToTime: "TIME",
    exp.TsOrDsToTimestamp: "TIMESTAMP",
}


def _time_to_str(self: Any, node: exp.TimeToStr) -> str | None:
    # FORMAT_DATE, FORMAT_DATETIME, FORMAT_TIME and FORMAT_TIMESTAMP, told apart by sqlglot's
    # conversion of the value.
    kind = _CONVERSIONS.get(type(node.this))
    if kind is None:
        return None
    zone = self.sql(node, "zone") if node.args.get("zone") else "'UTC'"
    value = f"CAST({self.sql(node.this, 'this')} AS {_DUCKDB[kind]})"
    return self.func(FORMAT, _bigquery_format(self, node.args["format"]), value, zone)


def _parse(kind: str) -> Any:
    def handler(self: Any, node: exp.Expression) -> str:
        given = [_bigquery_format(self, node.args["format"]), self.sql(node, "this")]
        if kind == "TIMESTAMP":
            given.append(self.sql(node, "zone") if node.args.get("zone") else "'UTC'")
        return self.func(PARSE[kind], *given)

    return handler


def _string(self: Any, node: exp.String) -> str | None:
    zone = node.args.get("zone")
    if zone is None:
        return None
    return self.func(STRING_OF_TIMESTAMP, f"CAST({self.sql(node, 'this')} AS TIMESTAMPTZ)", zone)


def _bucket(kind: str, duckdb_type: str, origin: str) -> Any:
    # DuckDB's TIME_BUCKET is BigQuery's *_BUCKET with the arguments in another order.
    def handler(self: Any, node: exp.Anonymous) -> str:
        given = arguments(f"{kind}_BUCKET", node, (2, 3))
        value, width = (self.sql(a) for a in given[:2])
        start = self.sql(given[2]) if len(given) == 3 else f"'{origin}'"
        return self.func(
            "TIME_BUCKET",
            width,
            f"CAST({value} AS {duckdb_type})",
            f"CAST({start} AS {duckdb_type})",
        )

    return handler


ANONYMOUS = {
    "DATE_BUCKET": lambda self, node: (
        f"CAST({_bucket('DATE', 'DATE', '1950-01-01')(self, node)} AS DATE)"
    ),
    "DATETIME_BUCKET": _bucket("DATETIME", "TIMESTAMP", "1950-01-01 00:00:00"),
    "TIMESTAMP_BUCKET": _bucket("TIMESTAMP", "TIMESTAMPTZ", "1950-01-01 00:00:00+00"),
}

# Where BigQuery takes a time zone; DuckDB knows an offset only as GMT+hh:mm.
_ZONE_ARGUMENTS = {
    exp.Timestamp: "zone",
    exp.Date: "zone",
    exp.Time: "zone",
    exp.Datetime: "expression",
    exp.TimestampTrunc: "zone",
    exp.AtTimeZone: "zone",
    exp.CurrentDatetime: "this",
    exp.CurrentDate: "this",
    exp.CurrentTime: "this",
}
_OFFSET = re.compile(r"(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?")


def _zone_literal(self: Any, node: exp.Literal) -> str | None:
    parent = node.parent
    if not node.is_string or _ZONE_ARGUMENTS.get(type(parent)) != node.arg_key:
        return None
    offset = _OFFSET.fullmatch(node.this.strip())
    if offset is None:
        return None
    sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
    return f"'GMT{sign}{hours:02}:{minutes:02}'"


# BigQuery's format elements, in Python ----------------------------------------------------------

_ELEMENT = re.compile(r"%(E\d+S|E\*S|E4Y|Ez|[A-Za-z%])")
_EXPANSIONS = {
    "c": "%a %b %e %H:%M:%S %Y",
    "D": "%m/%d/%y",
    "x": "%m/%d/%y",
    "F": "%Y-%m-%d",
    "R": "%H:%M",
    "T": "%H:%M:%S",
    "X": "%H:%M:%S",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


_UTC_NAMES = {"UTC", "Etc/UTC", "+00", "+00:00", "Z"}


@functools.lru_cache(maxsize=256)
def zone_of(name: str) -> dt.tzinfo:
    """Return a BigQuery time zone: a tz database name, UTC, or an offset like +08 or -05:30."""
    offset = _OFFSET.fullmatch(name.strip())
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        return dt.timezone(sign * dt.timedelta(minutes=minutes))
    if name.strip() in _UTC_NAMES:
        return dt.UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidError(f"Invalid time zone: {name}") from None


def _offset_text(offset: dt.timedelta, colon: bool) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02}{':' if colon else ''}{minutes:02}"


def _seconds(value: dt.datetime | dt.time, digits: int | None) -> str:
    whole = f"{value.second:02}"
    if digits is None:  # %E*S: as many digits as the value has
        fraction = f"{value.microsecond:06}".rstrip("0")
        return f"{whole}.{fraction}" if fraction else whole
    if digits == 0:
        return whole
    return f"{whole}.{f'{value.microsecond:06}000'[:digits]}"


def _hour12(value: dt.datetime) -> int:
    return (value.hour + 11) % 12 + 1


# Each element of a civil datetime (a DATE at midnight, a TIME on 1970-01-01) and its zone (a
# TIMESTAMP's, else None).
_ELEMENTS: dict[str, Callable[[dt.datetime, dt.tzinfo | None], str]] = {
    "A": lambda v, z: _DAYS[v.weekday()],
    "a": lambda v, z: _DAYS[v.weekday()][:3],
    "B": lambda v, z: _MONTHS[v.month - 1],
    "b": lambda v, z: _MONTHS[v.month - 1][:3],
    "h": lambda v, z: _MONTHS[v.month - 1][:3],
    "C": lambda v, z: f"{v.year // 100:02}",
    "d": lambda v, z: f"{v.day:02}",
    "e": lambda v, z: f"{v.day:2}",
    "G": lambda v, z: f"{v.isocalendar()[0]}",
    "g": lambda v, z: f"{v.isocalendar()[0] % 100:02}",
    "H": lambda v, z: f"{v.hour:02}",
    "I": lambda v, z: f"{_hour12(v):02}",
    "J": lambda v, z: f"{(v.isocalendar()[1] - 1) * 7 + v.isocalendar()[2]:03}",
    "j": lambda v, z: f"{v.timetuple().tm_yday:03}",
    "k": lambda v, z: f"{v.hour:2}",
    "l": lambda v, z: f"{_hour12(v):2}",
    "M": lambda v, z: f"{v.minute:02}",
    "m": lambda v, z: f"{v.month:02}",
    "n": lambda v, z: "\n",
    "t": lambda v, z: "\t",
    "P": lambda v, z: "am" if v.hour < 12 else "pm",
    "p": lambda v, z: "AM" if v.hour < 12 else "PM",
    "Q": lambda v, z: f"{(v.month - 1) // 3 + 1}",
    "S": lambda v, z: f"{v.second:02}",
    "s": lambda v, z: f"{_epoch_seconds(v, z)}",
    "U": lambda v, z: v.strftime("%U"),
    "W": lambda v, z: v.strftime("%W"),
    "u": lambda v, z: f"{v.isocalendar()[2]}",
    "V": lambda v, z: f"{v.isocalendar()[1]:02}",
    "w": lambda v, z: f"{(v.weekday() + 1) % 7}",
    "Y": lambda v, z: f"{v.year}",
    "E4Y": lambda v, z: f"{v.year:04}",
    "y": lambda v, z: f"{v.year % 100:02}",
    "Z": lambda v, z: _zone_name(v, z),
    "z": lambda v, z: _offset_text(_utcoffset(v, z), colon=False),
    "Ez": lambda v, z: _offset_text(_utcoffset(v, z), colon=True),
    "E*S": lambda v, z: _seconds(v, None),
    "%": lambda v, z: "%",
}


# Elements C's strftime (glibc's, in the C locale) spells exactly as BigQuery does, %Y's
# unpadded years included: a format of only these is formatted by it in one call.
_LIKE_STRFTIME = set("aAbBhdeGgHIjklmMnpPStuUVwWyY%")


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> tuple[Any, ...]:
    """Return a format as its literal texts and element functions, in order."""
    parts: list[Any] = []
    position = 0
    text = _expanded(text)
    if {found.group(1) for found in _ELEMENT.finditer(text)} <= _LIKE_STRFTIME:
        return (lambda value, zone: value.strftime(text),)
    for found in _ELEMENT.finditer(text):
        parts.append(text[position : found.start()])
        code = found.group(1)
        if code in _ELEMENTS:
            parts.append(_ELEMENTS[code])
        elif re.fullmatch(r"E\d+S", code):
            parts.append(functools.partial(_fraction, int(code[1:-1])))
        else:
            parts.append(found.group(0))
        position = found.end()
    parts.append(text[position:])
    return tuple(p for p in parts if p != "")


def _fraction(digits: int, value: dt.datetime, zone: dt.tzinfo | None) -> str:
    return _seconds(value, digits)


def _utcoffset(value: dt.datetime, zone: dt.tzinfo | None) -> dt.timedelta:
    return (zone or dt.UTC).utcoffset(value) or dt.timedelta(0)


def _zone_name(value: dt.datetime, zone: dt.tzinfo | None) -> str:
    if zone is None or zone is dt.UTC:
        return "UTC"
    return value.replace(tzinfo=zone).tzname() or _offset_text(_utcoffset(value, zone), True)


def _epoch_seconds(value: dt.datetime, zone: dt.tzinfo | None) -> int:
    instant = value.replace(tzinfo=zone or dt.UTC)
    return int((instant - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() // 1)


def format_value(text: str, value: Any, zone: dt.tzinfo | None = None) -> str:
    """Format a civil datetime with BigQuery's format elements (zone: a TIMESTAMP's time zone)."""
    return "".join(p if isinstance(p, str) else p(value, zone) for p in _compiled(text))


def _civil(value: Any, zone: dt.tzinfo) -> tuple[dt.datetime, dt.tzinfo | None]:
    """Return a DATE, DATETIME, TIME or TIMESTAMP as a naive civil datetime, and its zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value, None
        civil = value if zone is dt.UTC and value.tzinfo is dt.UTC else value.astimezone(zone)
        return civil.replace(tzinfo=None), zone
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), None
    return dt.datetime.combine(dt.date(1970, 1, 1), value), None


def _python_values(values: pa.Array, zones: list[Any]) -> list[Any]:
    """Return an Arrow column as Python values; TIMESTAMPs shown in UTC come back as UTC civil
    times (with their zone), which saves converting each one."""
    if pa.types.is_timestamp(values.type) and values.type.tz and set(zones) <= _UTC_NAMES:
        return [
            None if v is None else v.replace(tzinfo=dt.UTC)
            for v in values.cast(pa.timestamp("us")).to_pylist()
        ]
    return values.to_pylist()


def _format_datetime(formats: pa.Array, values: pa.Array, zones: pa.Array) -> pa.Array:
    # Columns of dates repeat their values: each distinct one is formatted once per batch.
    zone_list = zones.to_pylist()
    keys = list(zip(formats.to_pylist(), _python_values(values, zone_list), zone_list, strict=True))
    done: dict[tuple[Any, Any, Any], str | None] = {}
    for key in keys:
        if key not in done:
            text, value, zone = key
            missing = text is None or value is None or zone is None
            done[key] = None if missing else format_value(text, *_civil(value, zone_of(zone)))
    return pa.array([done[key] for key in keys], pa.string())


def string_of_timestamp(value: dt.datetime, zone: dt.tzinfo) -> str:
    """Return a TIMESTAMP as BigQuery's STRING(ts, zone) spells it: 2008-12-25 15:30:00+00."""
    civil = value.astimezone(zone)
    offset = _offset_text(civil.utcoffset() or dt.timedelta(0), colon=True)
    offset = offset[:3] if offset.endswith(":00") else offset
    return format_value("%Y-%m-%d %H:%M:%E*S", civil.replace(tzinfo=None)) + offset


def _string_of_timestamp(values: pa.Array, zones: pa.Array) -> pa.Array:
    return pa.array(
        [
            None if v is None or z is None else string_of_timestamp(v, zone_of(z))
            for v, z in zip(values.to_pylist(), zones.to_pylist(), strict=True)
        ],
        pa.string(),
    )


# Parsing ----------------------------------------------------------------------------------------

_NAMES = "|".join(sorted({*_MONTHS, *(m[:3] for m in _MONTHS)}, key=len, reverse=True))
_WEEKDAY_NAMES = "|".join(sorted({*_DAYS, *(d[:3] for d in _DAYS)}, key=len, reverse=True))
_PATTERNS = {
    "Y": r"(?P<Y>[+-]?\d{1,4})",
    "E4Y": r"(?P<Y>\d{4})",
    "C": r"(?P<C>\d{1,2})",
    "y": r"(?P<y>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "e": r"\s?(?P<d>\d{1,2})",
    "j": r"(?P<j>\d{1,3})",
    "H": r"(?P<H>\d{1,2})",
    "k": r"\s?(?P<H>\d{1,2})",
    "I": r"(?P<I>\d{1,2})",
    "l": r"\s?(?P<I>\d{1,2})",
    "M": r"(?P<M>\d{1,2})",
    "S": r"(?P<S>\d{1,2})",
    "E*S": r"(?P<S>\d{1,2})(?:\.(?P<f>\d+))?",
    "B": rf"(?P<B>{_NAMES})",
    "b": rf"(?P<B>{_NAMES})",
    "h": rf"(?P<B>{_NAMES})",
    "A": rf"(?:{_WEEKDAY_NAMES})",
    "a": rf"(?:{_WEEKDAY_NAMES})",
    "p": r"(?P<p>AM|PM)",
    "P": r"(?P<p>AM|PM)",
    "z": r"(?P<z>Z|[+-]\d{2}:?\d{2})",
    "Ez": r"(?P<z>Z|[+-]\d{2}(?::?\d{2})?)",
    "s": r"(?P<s>[+-]?\d+)",
    "u": r"[1-7]",
    "w": r"[0-6]",
    "n": r"\s*",
    "t": r"\s*",
    "%": "%",
}


def _expanded(text: str) -> str:
    """Return a format with its shorthand elements (%c, %D, %F, %R, %T, %x, %X) spelled out."""
    return _ELEMENT.sub(
        lambda found: (
            _expanded(_EXPANSIONS[found.group(1)])
            if found.group(1) in _EXPANSIONS
            else found.group(0)
        ),
        text,
    )


@functools.lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern[str]:
    """Return the regular expression a BigQuery format string matches (input strings may have
    spaces around; one space or more in the format matches any run of them, even none)."""
    text = _expanded(text)
    parts, position = [r"\s*"], 0
    for found in _ELEMENT.finditer(text):
        parts.append(_literal(text[position : found.start()]))
        code = "E*S" if re.fullmatch(r"E\d+S", found.group(1)) else found.group(1)
        if code not in _PATTERNS:
            raise InvalidError(f"Mismatch between format character '%{code}' and string")
        parts.append(_PATTERNS[code])
        position = found.end()
    parts.append(_literal(text[position:]))
    parts.append(r"\s*")
    # A field given twice keeps its last value: each group gets a numbered name of its own.
    numbers = iter(range(len(parts) * 2))
    joined = re.sub(
        r"\(\?P<(\w)>", lambda found: f"(?P<{found.group(1)}{next(numbers)}>", "".join(parts)
    )
    return re.compile(joined, re.IGNORECASE)


def _literal(text: str) -> str:
    return "".join(
        r"\s*" if part.isspace() else re.escape(part) for part in re.split(r"(\s+)", text)
    )


def _fields(match: re.Match[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, value in match.groupdict().items():
        if value is not None:
            fields[key.rstrip("0123456789")] = value
    return fields


def parse_value(text: str, value: str, zone: dt.tzinfo | None) -> dt.datetime:
    """Parse a string with BigQuery's format elements; fields not given are 1970-01-01 00:00:00.

    Returns a naive civil datetime, or an aware one for a TIMESTAMP (zone given).
    """
    match = _pattern(text).fullmatch(value)
    if match is None:
        raise InvalidError(f'Failed to parse input string "{value}"')
    fields = _fields(match)
    try:
        if "s" in fields:
            return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=int(fields["s"]))
        civil = _civil_of_fields(fields)
    except (ValueError, OverflowError):
        raise InvalidError(f'Failed to parse input string "{value}"') from None
    if zone is None:
        return civil
    if "z" in fields:
        offset = fields["z"]
        return civil.replace(tzinfo=dt.UTC if offset.upper() == "Z" else zone_of(offset))
    return civil.replace(tzinfo=zone)


def _civil_of_fields(fields: dict[str, str]) -> dt.datetime:
    year = int(fields.get("Y", 1970))
    if "y" in fields:
        short = int(fields["y"])
        if "C" in fields:
            year = int(fields["C"]) * 100 + short
        else:
            year = (2000 if short < 69 else 1900) + short
    elif "C" in fields:
        year = int(fields["C"]) * 100
    month = int(fields.get("m", 1))
    if "B" in fields:
        month = [m[:3].upper() for m in _MONTHS].index(fields["B"][:3].upper()) + 1
    hour = int(fields.get("H", 0))
    if "I" in fields:
        hour = int(fields["I"]) % 12 + (12 if fields.get("p", "AM").upper() == "PM" else 0)
    fraction = (fields.get("f") or "").ljust(6, "0")[:6]
    civil = dt.datetime(
        year,
        month,
        int(fields.get("d", 1)),
        hour,
        int(fields.get("M", 0)),
        int(fields.get("S", 0)),
        int(fraction),
    )
    if "j" in fields:
        civil = civil.replace(month=1, day=1) + dt.timedelta(days=int(fields["j"]) - 1)
    return civil


def _parser(kind: str) -> Any:
    arrow = _ARROW[kind]

    def parse_in_zone(formats: pa.Array, values: pa.Array, zones: pa.Array) -> pa.Array:
        return _parse_all(kind, formats, values, zones.to_pylist()).cast(arrow)

    def parse(formats: pa.Array, values: pa.Array) -> pa.Array:
        return _parse_all(kind, formats, values, [None] * len(values)).cast(arrow)

    return parse_in_zone if kind == "TIMESTAMP" else parse


def _parse_all(kind: str, formats: pa.Array, values: pa.Array, zone_list: list[Any]) -> pa.Array:
    # Each distinct string is parsed once per batch.
    keys = list(zip(formats.to_pylist(), values.to_pylist(), zone_list, strict=True))
    done: dict[tuple[Any, Any, Any], Any] = {}
    for key in keys:
        if key not in done:
            done[key] = _parsed(kind, *key)
    return pa.array([done[key] for key in keys])


def _parsed(kind: str, text: str | None, value: str | None, zone: str | None) -> Any:
    if text is None or value is None:
        return None
    parsed = parse_value(text, value, zone_of(zone) if zone is not None else None)
    if kind == "DATE":
        return parsed.date()
    if kind == "TIME":
        return parsed.time()
    return parsed.astimezone(dt.UTC) if kind == "TIMESTAMP" else parsed


# CAST(... FORMAT ...): the format model ---------------------------------------------------------

_MODEL_ELEMENT = re.compile(
    r'"(?:[^"\\]|\\.)*"|Y,YYY|YYYY|RRRR|YYY|YY|RR|Y|MONTH|MON|MM|DDD|DD|DAY|DY|D|HH24|HH12|HH|'
    r"MI|SSSSS|SS|FF[1-9]|A\.M\.|P\.M\.|AM|PM|TZH|TZM|[-./,';: ]",
    re.IGNORECASE,
)
_CAST_KINDS = {
    exp.DataType.Type.DATE: "DATE",
    exp.DataType.Type.TIMESTAMP: "DATETIME",
    exp.DataType.Type.TIME: "TIME",
    exp.DataType.Type.TIMESTAMPTZ: "TIMESTAMP",
}
CAST_FORMAT = "quarry_cast_format"
CAST_PARSE = {kind: f"quarry_cast_parse_{kind.lower()}" for kind in PARSE}


@functools.lru_cache(maxsize=256)
def model_elements(model: str) -> tuple[str, ...]:
    """Return a format model's elements in order, or raise BigQuery's error for a stray one."""
    elements, position = [], 0
    while position < len(model):
        found = _MODEL_ELEMENT.match(model, position)
        if found is None:
            raise InvalidError(
                f"Cannot find matching format element at position {position + 1} of {model!r}"
            )
        elements.append(found.group(0))
        position = found.end()
    return tuple(elements)


def _is_date_time_model(model: str) -> bool:
    try:
        return any(e[0].isalpha() for e in model_elements(model))
    except InvalidError:
        return False


def _matched_case(element: str, word: str) -> str:
    """Spell a name in the element's case: DAY is THURSDAY, Day Thursday, day thursday."""
    if element[:2].isupper():
        return word.upper()
    return word.capitalize() if element[0].isupper() else word.lower()


def _model_element(element: str, value: dt.datetime, offset: dt.timedelta) -> str:
    key = element.upper()
    hour12 = (value.hour + 11) % 12 + 1
    minutes = int(offset.total_seconds()) // 60
    formats: dict[str, Any] = {
        "YYYY": lambda: f"{value.year:04}",
        "RRRR": lambda: f"{value.year:04}",
        "Y,YYY": lambda: f"{value.year // 1000},{value.year % 1000:03}",
        "YYY": lambda: f"{value.year % 1000:03}",
        "YY": lambda: f"{value.year % 100:02}",
        "RR": lambda: f"{value.year % 100:02}",
        "Y": lambda: f"{value.year % 10}",
        "MONTH": lambda: _matched_case(element, _MONTHS[value.month - 1]),
        "MON": lambda: _matched_case(element, _MONTHS[value.month - 1][:3]),
        "MM": lambda: f"{value.month:02}",
        "DDD": lambda: f"{value.timetuple().tm_yday:03}",
        "DD": lambda: f"{value.day:02}",
        "DAY": lambda: _matched_case(element, _DAYS[value.weekday()]).ljust(9),
        "DY": lambda: _matched_case(element, _DAYS[value.weekday()][:3]),
        "D": lambda: f"{(value.weekday() + 1) % 7 + 1}",
        "HH24": lambda: f"{value.hour:02}",
        "HH12": lambda: f"{hour12:02}",
        "HH": lambda: f"{hour12:02}",
        "MI": lambda: f"{value.minute:02}",
        "SSSSS": lambda: f"{value.hour * 3600 + value.minute * 60 + value.second:05}",
        "SS": lambda: f"{value.second:02}",
        "TZH": lambda: f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02}",
        "TZM": lambda: f"{abs(minutes) % 60:02}",
    }
    if key in formats:
        return formats[key]()
    if key.startswith("FF"):
        return f"{value.microsecond:06}000"[: int(key[2])]
    if key in ("AM", "PM", "A.M.", "P.M."):
        meridian = ("A" if value.hour < 12 else "P") + (".M." if "." in key else "M")
        return meridian if element[0].isupper() else meridian.lower()
    if element.startswith('"'):
        return re.sub(r"\\(.)", r"\1", element[1:-1])
    return element


def format_model(model: str, value: Any, zone: dt.tzinfo) -> str:
    """Return a DATE, DATETIME, TIME or TIMESTAMP as CAST(value AS STRING FORMAT model) does."""
    civil, civil_zone = _civil(value, zone)
    offset = _utcoffset(civil, civil_zone) if civil_zone else dt.timedelta(0)
    return "".join(_model_element(e, civil, offset) for e in model_elements(model))


def _cast_format(values: pa.Array, models: pa.Array, zones: pa.Array) -> pa.Array:
    return pa.array(
        [
            None if v is None or m is None or z is None else format_model(m, v, zone_of(z))
            for v, m, z in zip(
                values.to_pylist(), models.to_pylist(), zones.to_pylist(), strict=True
            )
        ],
        pa.string(),
    )


_MODEL_PATTERNS = {
    "YYYY": r"(?P<YYYY>\d{1,5})",
    "RRRR": r"(?P<YYYY>\d{1,5})",
    "Y,YYY": r"(?P<YCOMMA>\d{1,2},\d{3})",
    "YYY": r"(?P<YYY>\d{3})",
    "YY": r"(?P<YY>\d{2})",
    "RR": r"(?P<RR>\d{2})",
    "Y": r"(?P<Y>\d)",
    "MONTH": r"(?P<MONTH>[A-Za-z]{3,9})",
    "MON": r"(?P<MONTH>[A-Za-z]{3})",
    "MM": r"(?P<MM>\d{2})",
    "DDD": r"(?P<DDD>\d{3})",
    "DD": r"(?P<DD>\d{2})",
    "HH24": r"(?P<HH24>\d{2})",
    "HH12": r"(?P<HH12>\d{2})",
    "HH": r"(?P<HH12>\d{2})",
    "MI": r"(?P<MI>\d{2})",
    "SSSSS": r"(?P<SSSSS>\d{5})",
    "SS": r"(?P<SS>\d{2})",
    "A.M.": r"(?P<MERIDIAN>[AP])\.M\.",
    "P.M.": r"(?P<MERIDIAN>[AP])\.M\.",
    "AM": r"(?P<MERIDIAN>[AP])M",
    "PM": r"(?P<MERIDIAN>[AP])M",
    "TZH": r"(?P<TZH>[+-]\d{1,2})",
    "TZM": r"(?P<TZM>\d{2})",
}
_TIME_ELEMENTS = {"HH24", "HH12", "HH", "MI", "SSSSS", "SS", "A.M.", "P.M.", "AM", "PM"}


@functools.lru_cache(maxsize=256)
def _model_pattern(model: str, kind: str) -> re.Pattern[str]:
    parts = []
    for element in model_elements(model):
        key = element.upper()
        if kind == "DATE" and (key in _TIME_ELEMENTS or key.startswith("FF")):
            raise InvalidError(f"Format element {element} is not allowed for the DATE type")
        if kind == "TIME" and key not in _TIME_ELEMENTS and key[0].isalpha() and key[:2] != "FF":
            raise InvalidError(f"Format element {element} is not allowed for the TIME type")
        if key.startswith("FF"):
            parts.append(rf"(?P<FF{key[2]}>\d+)")
        elif key in _MODEL_PATTERNS:
            parts.append(_MODEL_PATTERNS[key])
        elif element.startswith('"'):
            parts.append(re.escape(re.sub(r"\\(.)", r"\1", element[1:-1])))
        elif key[0].isalpha():  # DAY, DY and D name a weekday, which a date cannot be cast from
            raise InvalidError(f"Format element {element} is not supported for casting from STRING")
        else:
            parts.append(re.escape(element))
    return re.compile("".join(parts), re.IGNORECASE)


def _year_of(fields: dict[str, str], today: dt.date) -> int:
    if "YYYY" in fields:
        return int(fields["YYYY"])
    if "YCOMMA" in fields:
        return int(fields["YCOMMA"].replace(",", ""))
    for name, digits in (("YYY", 3), ("YY", 2), ("Y", 1)):
        if name in fields:
            return today.year - today.year % 10**digits + int(fields[name])
    if "RR" in fields:
        entered, century, current = int(fields["RR"]), today.year // 100, today.year % 100
        if entered < 50:
            century += 1 if current >= 50 else 0
        else:
            century -= 1 if current < 50 else 0
        return century * 100 + entered
    return today.year


def parse_model(model: str, text: str, kind: str, zone: dt.tzinfo) -> Any:
    """Return a STRING cast to DATE, DATETIME, TIME or TIMESTAMP with a format model."""
    found = _model_pattern(model, kind).fullmatch(text)
    if found is None:
        raise InvalidError(f"Cannot parse {text!r} with the format model {model!r}")
    fields = {k: v for k, v in found.groupdict().items() if v is not None}
    today = dt.datetime.now(dt.UTC).date()
    try:
        year = _year_of(fields, today)
        month = today.month
        if "MM" in fields:
            month = int(fields["MM"])
        elif "MONTH" in fields:
            names = [m.upper() for m in _MONTHS]
            name = fields["MONTH"].upper()
            month = 1 + next(i for i, m in enumerate(names) if m == name or m[:3] == name)
        day = dt.date(year, month, int(fields.get("DD", 1)))
        if "DDD" in fields:
            day = dt.date(year, 1, 1) + dt.timedelta(days=int(fields["DDD"]) - 1)
        hour = int(fields.get("HH24", 0))
        if "HH12" in fields:
            hour = int(fields["HH12"]) % 12 + (
                12 if fields.get("MERIDIAN", "A").upper() == "P" else 0
            )
        seconds = hour * 3600 + int(fields.get("MI", 0)) * 60 + int(fields.get("SS", 0))
        seconds = int(fields.get("SSSSS", seconds))
        digits = next((k for k in fields if k.startswith("FF")), None)
        micros = 0
        if digits:
            fraction = round(float(f"0.{fields[digits]}"), int(digits[2]))
            micros = round(fraction * 1_000_000)
        civil = dt.datetime.combine(day, dt.time()) + dt.timedelta(
            seconds=seconds, microseconds=micros
        )
    except (ValueError, StopIteration, OverflowError):
        raise InvalidError(f"Cannot parse {text!r} with the format model {model!r}") from None
    if kind == "DATE":
        return civil.date()
    if kind == "TIME":
        return civil.time()
    if kind == "DATETIME":
        return civil
    if "TZH" in fields:
        hours = int(fields["TZH"])
        offset = dt.timedelta(hours=abs(hours), minutes=int(fields.get("TZM", 0)))
        zone = dt.timezone(-offset if fields["TZH"].startswith("-") else offset)
    return civil.replace(tzinfo=zone).astimezone(dt.UTC)


def _cast_parser(kind: str) -> Any:
    def parse(values: pa.Array, models: pa.Array, zones: pa.Array, safe: pa.Array) -> pa.Array:
        out: list[Any] = []
        for text, model, zone, quiet in zip(
            values.to_pylist(), models.to_pylist(), zones.to_pylist(), safe.to_pylist(), strict=True
        ):
            try:
                missing = text is None or model is None or zone is None
                out.append(None if missing else parse_model(model, text, kind, zone_of(zone)))
            except InvalidError:
                if not quiet:
                    raise
                out.append(None)
        return pa.array(out).cast(_ARROW[kind])

    return parse


def _cast_with_format(self: Any, node: exp.Cast) -> str | None:
    model = node.args.get("format")
    if model is None:
        return None
    zone = "'UTC'"
    if isinstance(model, exp.AtTimeZone):
        zone, model = self.sql(model, "zone"), model.this
    if not (isinstance(model, exp.Literal) and model.is_string):
        return None
    kind = _CAST_KINDS.get(node.to.this)
    safe = "TRUE" if isinstance(node, exp.TryCast) or node.args.get("safe") else "FALSE"
    if kind is not None:
        return self.func(CAST_PARSE[kind], self.sql(node, "this"), self.sql(model), zone, safe)
    if node.to.this == exp.DataType.Type.TEXT and _is_date_time_model(model.this):
        return self.func(CAST_FORMAT, self.sql(node, "this"), self.sql(model), zone)
    return None


# Date and time functions a SAFE. prefix may wrap (every one that can fail on its input).
_SAFE = (
    exp.TimeToStr,
    exp.StrToDate,
    exp.ParseDatetime,
    exp.ParseTime,
    exp.StrToTime,
    exp.String,
    exp.DateFromParts,
    exp.TimeFromParts,
    exp.TimestampFromParts,
    exp.Timestamp,
    exp.Date,
    exp.Datetime,
    exp.Time,
    exp.UnixToTime,
    exp.DateFromUnixDate,
    *_ADDABLE,
)


def _safe(self: Any, node: exp.SafeFunc) -> str | None:
    # SAFE.f(...) is NULL where f fails; DuckDB's TRY retries a failing chunk row by row, so
    # only the failing rows are NULL, the engine's Python functions included.
    return self.func("TRY", node.this) if isinstance(node.this, _SAFE) else None


REWRITES = {
    exp.SafeFunc: _safe,
    **dict.fromkeys(_ADDABLE, _check_added_part),
    exp.Literal: _zone_literal,
    exp.DateTrunc: _date_trunc,
    exp.DatetimeTrunc: _datetime_trunc,
    exp.TimestampTrunc: _timestamp_trunc,
    exp.TimeTrunc: _time_trunc,
    exp.LastDay: _last_day,
    exp.DateDiff: _civil_diff,
    exp.DatetimeDiff: _civil_diff,
    exp.TimestampDiff: _timestamp_diff,
    exp.Extract: _extract,
    exp.UnixToTime: _unix_to_time,
    exp.DateFromUnixDate: _date_from_unix_date,
    exp.UnixMillis: _unix_units(1000),
    exp.UnixSeconds: _unix_units(1),
    exp.GenerateTimestampArray: _generate_timestamp_array,
    exp.CurrentDatetime: _current_datetime,
    exp.CurrentDate: _current_in_zone("DATE"),
    exp.CurrentTime: _current_in_zone("TIME"),
    exp.Timestamp: _timestamp_in_zone,
    exp.Datetime: _datetime_in_zone,
    exp.TimeToStr: _time_to_str,
    exp.StrToDate: _parse("DATE"),
    exp.ParseDatetime: _parse("DATETIME"),
    exp.ParseTime: _parse("TIME"),
    exp.StrToTime: _parse("TIMESTAMP"),
    exp.String: _string,
    exp.Cast: _cast_with_format,
    exp.TryCast: _cast_with_format,
}


UDFS = [
    Udf(CAST_FORMAT, _cast_format, None, "VARCHAR"),
    Udf(FORMAT, _format_datetime, None, "VARCHAR"),
    Udf(STRING_OF_TIMESTAMP, _string_of_timestamp, ["TIMESTAMPTZ", "VARCHAR"], "VARCHAR"),
    Udf(PARSE["DATE"], _parser("DATE"), ["VARCHAR", "VARCHAR"], "DATE"),
    Udf(PARSE["DATETIME"], _parser("DATETIME"), ["VARCHAR", "VARCHAR"], "TIMESTAMP"),
    Udf(PARSE["TIME"], _parser("TIME"), ["VARCHAR", "VARCHAR"], "TIME"),
    Udf(
        PARSE["TIMESTAMP"],
        _parser("TIMESTAMP"),
        ["VARCHAR", "VARCHAR", "VARCHAR"],
        "TIMESTAMPTZ",
    ),
    *(
        # "special": SAFE_CAST returns NULL for a string it cannot parse.
        Udf(
            name,
            _cast_parser(kind),
            ["VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN"],
            _DUCKDB[kind],
            null_handling="special",
        )
        for kind, name in CAST_PARSE.items()
    ),
]


PARTIAL = {
    "FORMAT_TIMESTAMP": "%Z prints the zone's abbreviation (PST) or UTC; BigQuery's own names "
    "for other zones are not documented",
    "PARSE_TIMESTAMP": "%U, %W, %V, %G, %g, %J, %Q and %Z are refused in a string to parse",
    "CAST": "a FORMAT model's D element counts Sunday as 1, as its description says (the page's "
    "example shows 4 for a Thursday); a YYYY given fewer digits is taken as it is",
}
