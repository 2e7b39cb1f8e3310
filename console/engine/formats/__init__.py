"""Readers for LOAD jobs: CSV, NEWLINE_DELIMITED_JSON and PARQUET, streamed as Arrow batches.

Each reader is a `Source` opened on the staged upload. `detect_fields()` returns the BigQuery
schema the file describes or implies (autodetect), `batches(fields)` yields the rows converted to
those fields' Arrow types, one bounded piece of the file at a time: nothing here ever holds the
whole file. Rows that do not fit are reported to a `BadRecords`, which skips up to
`max_bad_records` of them and then fails the load with BigQuery's message, naming the line.
Text formats are read as UTF-8 whatever the file's encoding (see `text.Utf8Reader`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

import pyarrow as pa

from console.errors import InvalidError

# BigQuery's encodings (Python's codecs know them by the same names). UTF-8 is read as it is,
# converting what is not UTF-8 by BigQuery's rule (docs/loads.md); the others are transcoded.
ENCODINGS = ("UTF-8", "ISO-8859-1", "UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE")
ENCODING_ALIASES = {"UTF8": "UTF-8", "LATIN1": "ISO-8859-1", "LATIN-1": "ISO-8859-1"}
TAB_NAMES = ("\\t", "tab", "\t")
TEXT_FORMATS = ("CSV", "NEWLINE_DELIMITED_JSON")
# Bytes of input handled at once; pieces end at a record boundary, so a piece may run longer.
PIECE_BYTES = 8 * 1024 * 1024
FIRST_PIECE_BYTES = 64 * 1024
# BigQuery's limit for one row (and so one CSV cell) of a CSV or JSON file: 100 MB.
MAX_ROW_BYTES = 100 * 1024 * 1024


def option_name(field_name: str) -> str:
    """Return the JobConfigurationLoad name of a LoadOptions field (fieldDelimiter)."""
    first, *rest = field_name.split("_")
    return first + "".join(word.title() for word in rest)


def _invalid(name: str, value: Any, why: str) -> InvalidError:
    return InvalidError(f"Invalid value for {name}: {value!r}; {why}", location=name)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _invalid(name, value, "expected a string")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _invalid(name, value, "expected true or false")
    return value


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
        raise _invalid(name, value, "expected a whole number, 0 or more")
    return int(value)


def _delimiter(name: str, value: Any) -> str:
    value = _text(name, value)
    if value.lower() in TAB_NAMES:
        return "\t"
    if not value:
        raise _invalid(name, value, "the field delimiter must not be empty")
    if any(c in value for c in "\r\n\x1e\x1f"):
        raise _invalid(name, value, "the field delimiter must not contain a line break")
    return value


def _encoding(name: str, value: Any) -> str:
    upper = _text(name, value).strip().upper()
    upper = ENCODING_ALIASES.get(upper, upper)
    if upper not in ENCODINGS:
        raise _invalid(name, value, "expected one of " + ", ".join(ENCODINGS))
    return upper


def _quote(name: str, value: Any) -> str:
    value = _text(name, value)
    if len(value) > 1:
        raise _invalid(name, value, "the quote must be one character, or empty for none")
    return value


def _markers(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise _invalid(name, value, "expected a list of strings")
    return tuple(_text(name, marker) for marker in value)


def _option(default: Any, check: Callable[[str, Any], Any]) -> Any:
    return dataclasses.field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class LoadOptions:
    """The parsing options of one load: each field is JobConfigurationLoad's option of the same
    name in camelCase (`option_name`), with BigQuery's default and the check its value passes."""

    field_delimiter: str = _option(",", _delimiter)
    skip_leading_rows: int | None = _option(None, _count)
    encoding: str = _option("UTF-8", _encoding)
    null_marker: str = _option("", _text)
    null_markers: tuple[str, ...] = _option((), _markers)
    quote: str = _option('"', _quote)
    allow_quoted_newlines: bool = _option(False, _flag)
    allow_jagged_rows: bool = _option(False, _flag)
    ignore_unknown_values: bool = _option(False, _flag)
    max_bad_records: int = _option(0, _count)
    # Accepted as bq sends it; Quarry keeps control characters whatever it says.
    preserve_ascii_control_characters: bool = _option(False, _flag)

    @classmethod
    def option_names(cls) -> list[str]:
        return [option_name(f.name) for f in dataclasses.fields(cls)]

    @classmethod
    def checked(cls, load: dict[str, Any]) -> dict[str, Any]:
        """Return the options load sets, each checked and normalised (a tab named "\\t" is a tab).

        An option that is absent or null is left out: it keeps BigQuery's default. Raise
        InvalidError naming the first option with a value BigQuery would refuse.
        """
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            name = option_name(field.name)
            if load.get(name) is not None:
                values[name] = field.metadata["check"](name, load[name])
        if values.get("nullMarker") is not None and values.get("nullMarkers"):
            raise InvalidError(
                "nullMarker and nullMarkers can't both be set: give one of them",
                location="nullMarkers",
            )
        delimiter, quote = values.get("fieldDelimiter", ","), values.get("quote", '"')
        if quote and quote in delimiter:
            raise _invalid("quote", quote, f"it must differ from the field delimiter {delimiter!r}")
        return values

    @classmethod
    def from_configuration(cls, load: dict[str, Any]) -> LoadOptions:
        """Return the options of a load configuration, BigQuery's defaults where it sets none."""
        values = cls.checked(load)
        return cls(
            **{
                field.name: values[option_name(field.name)]
                for field in dataclasses.fields(cls)
                if option_name(field.name) in values
            }
        )

    @property
    def null_values(self) -> list[str]:
        """Return the field values that read as NULL."""
        return list(self.null_markers) or [self.null_marker]


class BadRecords:
    """Collect rows that do not fit; fail the load once there are more than the limit allows."""

    def __init__(self, limit: int, table_kind: str) -> None:
        self.limit = limit
        self.table_kind = table_kind
        self.errors: list[dict[str, str]] = []
        self.rows_read = 0

    @property
    def allowance(self) -> int:
        """Return how many more bad rows the load may skip."""
        return self.limit - len(self.errors)

    def add(self, message: str, line: int | None = None) -> None:
        """Record one bad row; raise InvalidError if that makes one too many."""
        error = {"reason": "invalid", "message": message}
        if line is not None:
            error["location"] = f"line {line}"
        self.errors.append(error)
        if len(self.errors) > self.limit:
            raise InvalidError(self.failure_message(), location=error.get("location", ""))

    def failure_message(self) -> str:
        first = self.errors[0]["message"]
        if self.limit == 0:
            return first
        return (
            f"Error while reading data, error message: {self.table_kind} table encountered too "
            f"many errors, giving up. Rows: {self.rows_read + len(self.errors)}; errors: "
            f"{len(self.errors)}. Please look into the errors[] collection for more details. "
            f"First error: {first}"
        )


class Source(Protocol):
    def detect_fields(self) -> list[dict[str, Any]]: ...

    def batches(self, fields: list[dict[str, Any]]) -> Iterator[pa.RecordBatch]: ...


def open_source(
    source_format: str, handle: IO[bytes], options: LoadOptions, bad: BadRecords
) -> Source:
    """Return the reader for a staged upload in source_format."""
    from console.engine.formats import delimited, ndjson, parquet

    readers: dict[str, Any] = {
        "CSV": delimited.CsvSource,
        "NEWLINE_DELIMITED_JSON": ndjson.JsonSource,
        "PARQUET": parquet.ParquetSource,
    }
    if source_format in TEXT_FORMATS:
        from console.engine.formats.text import Utf8Reader

        handle = Utf8Reader(handle, options.encoding, repair=source_format == "CSV")
    return readers[source_format](handle, options, bad)
