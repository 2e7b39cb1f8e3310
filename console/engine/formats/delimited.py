"""CSV with any delimiter of any length: BigQuery options, autodetect, errors naming the line."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from console.engine.formats import (
    FIRST_PIECE_BYTES,
    MAX_ROW_BYTES,
    BadRecords,
    LoadOptions,
    text,
)
from console.engine.formats.convert import ConversionError, convert_rows
from console.engine.types import arrow_schema
from console.errors import InvalidError

SAMPLE_ROWS = 500  # BigQuery's autodetect reads up to the first 500 rows
SAMPLE_BYTES = 2 * 1024 * 1024
ARROW_BLOCK_BYTES = 1024 * 1024  # pyarrow parses blocks of a piece on several threads
SHOWN_CHARS = 100
# pyarrow's message when a row does not fit in one block.
STRADDLING = "straddling object straddles two block boundaries"

# Python's csv module refuses a field over 128 KB; BigQuery's only limit is the row's.
csv.field_size_limit(MAX_ROW_BYTES)

DETECTORS = [
    ("BOOL", re.compile(r"(?i)true|false")),
    ("INT64", re.compile(r"[-+]?\d{1,18}")),
    ("FLOAT64", re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")),
    ("DATE", re.compile(r"\d{4}-\d\d-\d\d")),
    ("TIME", re.compile(r"\d\d?:\d\d:\d\d(\.\d{1,6})?")),
    (
        "TIMESTAMP",
        re.compile(
            r"\d{4}-\d\d-\d\d[T ]\d\d?:\d\d(:\d\d(\.\d{1,6})?)?"
            r"\s*(UTC|Z|[+-]\d\d(:?\d\d)?)?",
            re.IGNORECASE,
        ),
    ),
]
WIDENINGS = {
    frozenset({"INT64", "FLOAT64"}): "FLOAT64",
    frozenset({"DATE", "TIMESTAMP"}): "TIMESTAMP",
}
NAME_PREFIXES = {"FLOAT64": "double"}
# Separators a file that misfits may be using instead, longest first (MovieLens's '::' before ':').
SEPARATORS = ("::", "||", "\t", ",", ";", "|", "@", ":", "^", "~", "#", " ")


class CsvSource:
    """A staged CSV upload, read piece by piece."""

    def __init__(self, handle: IO[bytes], options: LoadOptions, bad: BadRecords) -> None:
        self.options = options
        self.bad = bad
        # open_source hands every reader UTF-8, whatever the file's encoding.
        delimiter = options.field_delimiter.encode()
        self.rewrite = len(delimiter) > 1 or not delimiter.isascii()
        self.delimiter = delimiter
        self.parse_delimiter = text.SUBSTITUTE.decode() if self.rewrite else delimiter.decode()
        self.quote = options.quote.encode() if options.quote else None
        boundary_quote = self.quote if options.allow_quoted_newlines else None
        # A small first piece lets a file that is wrong from its first line fail at once.
        stream = text.pieces(handle, boundary_quote, first_bytes=FIRST_PIECE_BYTES)
        self.stream = text.strip_bom(stream)
        self.skipped = False

    # -- schema autodetect ---------------------------------------------------------------------

    def detect_fields(self) -> list[dict[str, Any]]:
        """Infer the fields from the first rows, and whether the first row is a header."""
        skip = self.options.skip_leading_rows
        self.stream = text.skip_lines(self.stream, max((skip or 0) - 1, 0))
        self.skipped = True
        head: list[text.Piece] = []
        size = lines = 0
        for piece in self.stream:
            head.append(piece)
            size, lines = size + len(piece[1]), lines + piece[1].count(b"\n")
            if size >= SAMPLE_BYTES or lines > SAMPLE_ROWS:
                break
        self.stream = itertools.chain(head, self.stream)
        records = self._sample(b"".join(p for _, p in head))
        if not records:
            raise InvalidError("Error while reading data, error message: the file is empty")
        width = max(len(r) for r in records)
        candidate = records[0] if skip != 0 else None
        data = records[1:] if candidate is not None else records
        types = _column_types(data or records, width, self)
        header = candidate is not None and _is_header(candidate, types, self)
        if header or (skip or 0) > 0:
            self.stream = text.skip_lines(self.stream, 1)
        elif candidate is not None:
            types = _column_types(records, width, self)
        names = _field_names(candidate if header and candidate else [], types)
        return [
            {"name": n, "type": t, "mode": "NULLABLE"} for n, t in zip(names, types, strict=True)
        ]

    def _sample(self, data: bytes) -> list[list[str]]:
        head = data[:SAMPLE_BYTES]
        if len(head) < len(data):
            head = head[: head.rfind(b"\n") + 1] or head
        reader = self._records(self._rewritten(head))
        return [fields for _, fields in itertools.islice(reader, SAMPLE_ROWS + 1)]

    def is_null(self, value: str) -> bool:
        return value == "" or value in self.options.null_values

    # -- rows --------------------------------------------------------------------------------

    def batches(self, fields: list[dict[str, Any]]) -> Iterator[pa.RecordBatch]:
        """Yield the rows of the file as batches of the fields' Arrow types."""
        if not self.skipped:
            self.stream = text.skip_lines(self.stream, self.options.skip_leading_rows or 0)
            self.skipped = True
        schema = arrow_schema(fields)
        for line, data in self.stream:
            columns = _Piece(self, fields, line, self._rewritten(data)).columns()
            if columns and len(columns[0]):
                yield pa.RecordBatch.from_arrays(columns, schema=schema)

    def _rewritten(self, data: bytes) -> bytes:
        if not self.rewrite:
            return data
        return text.rewrite_delimiter(
            data, self.delimiter, self.quote, self.options.allow_quoted_newlines
        )

    def _records(self, data: bytes) -> Iterator[tuple[int, list[str]]]:
        """Yield (line offset, fields) of each non-empty record, read by Python's csv module."""
        reader = csv.reader(
            io.StringIO(data.decode(errors="replace"), newline=""),
            delimiter=self.parse_delimiter,
            quotechar=self.quote.decode() if self.quote else None,
            quoting=csv.QUOTE_MINIMAL if self.quote else csv.QUOTE_NONE,
            escapechar=text.ESCAPE.decode() if self.rewrite else None,
            strict=False,
        )
        consumed = 0
        for fields in reader:
            offset, consumed = consumed, reader.line_num
            if fields:
                yield offset, fields


class _Piece:
    """One piece of a CSV file: parsed by pyarrow, converted, its bad rows found and reported."""

    def __init__(self, source: CsvSource, fields: list[dict[str, Any]], line: int, data: bytes):
        self.source = source
        self.fields = fields
        self.first_line = line
        self.data = data
        self.invalid: list[str] = []
        self.misfits = 0
        self.gave_up = False
        self._lines: list[int] | None = None
        self._short: list[tuple[int, list[str]]] = []

    def columns(self) -> list[pa.Array]:
        table = self._parse()
        columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
        if self.invalid:
            columns = self._report_invalid_rows(columns)
        quote = self.source.quote
        if not self.source.options.allow_quoted_newlines and quote and quote in self.data:
            columns = self._drop_quoted_newlines(columns)
        bad = self.source.bad
        result = convert_rows(columns, self.fields, self._on_bad_value)
        bad.rows_read += len(result[0]) if result else 0
        return result

    def _parse(self) -> pa.Table:
        try:
            try:
                return self._read_csv(ARROW_BLOCK_BYTES)
            except pa.ArrowInvalid as err:
                if STRADDLING not in str(err):
                    raise
                # A row longer than a block (one with a 10 MB value): read the piece as one block,
                # forgetting what the first try saw.
                self.invalid, self.misfits, self.gave_up = [], 0, False
                return self._read_csv(len(self.data) + 1)
        except pa.ArrowInvalid as err:
            if self.gave_up:
                # Say which rows misfit (this raises), reading no further than the last of them.
                self._map_lines(stop_after=self.source.bad.allowance + 1)
                self._report_misfits(self._short)
            raise InvalidError(self._parse_message(err)) from None

    def _read_csv(self, block_size: int) -> pa.Table:
        options = self.source.options
        names = [f["name"] for f in self.fields]
        return pacsv.read_csv(
            pa.BufferReader(self.data),
            read_options=pacsv.ReadOptions(
                column_names=names,
                encoding="utf8",
                block_size=block_size,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.source.parse_delimiter,
                quote_char=self.source.quote.decode() if self.source.quote else False,
                escape_char=text.ESCAPE.decode() if self.source.rewrite else False,
                newlines_in_values=options.allow_quoted_newlines,
                invalid_row_handler=self._on_invalid_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=options.null_values,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )

    def _on_invalid_row(self, row: Any) -> str:
        self.invalid.append(row.text)
        if self._tolerated(row.actual_columns):
            return "skip"
        self.misfits += 1
        # One misfit too many fails the load: stop parsing now rather than after the piece.
        self.gave_up = self.misfits > self.source.bad.allowance
        return "error" if self.gave_up else "skip"

    def _tolerated(self, actual: int) -> bool:
        """Return True for a row whose width the options accept (jagged, or with extra values)."""
        options, expected = self.source.options, len(self.fields)
        if actual < expected:
            return options.allow_jagged_rows
        return actual > expected and options.ignore_unknown_values

    def _parse_message(self, err: Exception) -> str:
        return f"Error while reading data, error message: {str(err).splitlines()[0]}"

    def _map_lines(self, stop_after: int | None = None) -> None:
        """Find the line of every record, the way pyarrow split them (only when one misfits).

        With stop_after, stop once that many records of a width the options refuse are found.
        """
        expected = len(self.fields)
        self._lines = []
        refused = 0
        for offset, fields in self.source._records(self.data):
            if len(fields) == expected:
                self._lines.append(self.first_line + offset)
                continue
            self._short.append((self.first_line + offset, fields))
            refused += not self._tolerated(len(fields))
            if stop_after is not None and refused >= stop_after:
                return

    def _report_invalid_rows(self, columns: list[pa.Array]) -> list[pa.Array]:
        self._map_lines()
        assert self._lines is not None
        found = self._short or [(None, t.split(self.source.parse_delimiter)) for t in self.invalid]
        kept = self._report_misfits(found)
        if not kept:
            return columns
        extra = list(zip(*kept, strict=True))
        return [
            pa.concat_arrays([column, pa.array(values, pa.string())])
            for column, values in zip(columns, extra, strict=True)
        ]

    def _report_misfits(self, found: list[tuple[int | None, list[str]]]) -> list[list[str | None]]:
        """Report the rows of the wrong width as bad records; return those the options accept.

        Missing trailing values of an accepted row are NULL and extra trailing ones dropped.
        """
        assert self._lines is not None
        expected = len(self.fields)
        markers = self.source.options.null_values
        kept: list[list[str | None]] = []
        for line, values in found:
            if self._tolerated(len(values)):
                row = [None if v in markers else v for v in values[:expected]]
                kept.append(row + [None] * (expected - len(row)))
                self._lines.append(line or self.first_line)
            else:
                self.source.bad.add(self._misfit_message(line, values), line)
        return kept

    def _misfit_message(self, line: int | None, values: list[str]) -> str:
        expected, actual = len(self.fields), len(values)
        delimiter = self.source.options.field_delimiter
        original = delimiter.join(values)
        shown = original[:SHOWN_CHARS]
        where = f"line {line}" if line else "a line"
        guess = _separator(original, expected, delimiter)
        if guess is not None:
            flag = "tab" if guess == "\t" else f"'{guess}'"
            return (
                f"Error while reading data, error message: {where} has {actual} "
                f"field{'s' if actual != 1 else ''} where {expected} are expected: {shown!r}. "
                f"The line seems to use {guess!r} as its separator, not {delimiter!r}: load the "
                f"file with field delimiter {guess!r} (bq load --field_delimiter={flag})"
            )
        if actual < expected:
            return (
                f"Error while reading data, error message: CSV table references column "
                f"position {expected - 1}, but {where} contains only {actual} columns; "
                f"expected {expected}: {shown!r}"
            )
        return (
            f"Error while reading data, error message: Too many values in {where}: "
            f"expected {expected} columns but got {actual}: {shown!r}"
        )

    def _drop_quoted_newlines(self, columns: list[pa.Array]) -> list[pa.Array]:
        """Report rows with a line break inside quotes: BigQuery refuses them unless allowed."""
        broken = functools.reduce(
            pc.or_, [pc.fill_null(pc.match_substring(c, "\n"), False) for c in columns]
        )
        if not pc.any(broken).as_py():
            return columns
        if self._lines is None:
            self._map_lines()
        assert self._lines is not None
        flags = broken.to_pylist()
        for index in pc.indices_nonzero(broken).to_pylist():
            line = self._lines[index] if index < len(self._lines) else None
            self.source.bad.add(
                f"Error while reading data, error message: line {line} has a quoted value "
                "with a line break; load the file with allow_quoted_newlines to accept it",
                line,
            )
        self._lines = [n for n, flag in zip(self._lines, flags, strict=False) if not flag]
        keep = pc.invert(broken)
        return [column.filter(keep) for column in columns]

    def _on_bad_value(self, index: int, err: ConversionError, value: Any) -> None:
        if self._lines is None:
            self._map_lines()
        assert self._lines is not None
        line = self._lines[index] if index < len(self._lines) else None
        where = (
            f"line {line}" if line else f"row {index + 1} of the piece at line {self.first_line}"
        )
        self.source.bad.add(
            f"Error while reading data, error message: Could not parse '{value}' as "
            f"{err.field['type']} for field {err.field['name']} (position {err.position}) "
            f"starting at {where}",
            line,
        )


def _separator(line: str, expected: int, delimiter: str) -> str | None:
    """Return the common separator that splits line into expected fields, if one does."""
    for candidate in SEPARATORS:
        if candidate != delimiter and len(line.split(candidate)) == expected:
            return candidate
    return None


def _value_type(value: str) -> str:
    for type_name, pattern in DETECTORS:
        if pattern.fullmatch(value):
            return type_name
    return "STRING"


def _column_types(records: list[list[str]], width: int, source: CsvSource) -> list[str]:
    return [_column_type([r[i] for r in records if i < len(r)], source) for i in range(width)]


def _column_type(values: list[str], source: CsvSource) -> str:
    seen = {_value_type(v.strip()) for v in values if not source.is_null(v)}
    if not seen:
        return "STRING"
    if len(seen) == 1:
        return seen.pop()
    return WIDENINGS.get(frozenset(seen), "STRING")


def _is_header(candidate: list[str], types: list[str], source: CsvSource) -> bool:
    """BigQuery's rule: the first row is a header if it holds only strings and the rest do not."""
    first = [_value_type(v.strip()) for v in candidate if not source.is_null(v)]
    return all(t == "STRING" for t in first) and any(t != "STRING" for t in types)


def _field_names(header: list[str], types: list[str]) -> list[str]:
    """Return valid, distinct column names: the header's, cleaned, or BigQuery's generated ones."""
    names: list[str] = []
    seen: set[str] = set()
    for position, type_name in enumerate(types):
        raw = header[position].strip() if position < len(header) else ""
        name = re.sub(r"[^A-Za-z0-9_]", "_", raw)[:300]
        if not name:
            prefix = NAME_PREFIXES.get(type_name, type_name.lower())
            name = f"{prefix}_field_{position}"
        elif name[0].isdigit():
            name = f"_{name}"
        base, suffix = name, 1
        while name.lower() in seen:
            name = f"{base}_{suffix}"
            suffix += 1
        seen.add(name.lower())
        names.append(name)
    return names
