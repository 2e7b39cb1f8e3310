"""NEWLINE_DELIMITED_JSON: nested RECORD and REPEATED fields, autodetect, errors by line."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pajson

from console.engine.formats import BadRecords, LoadOptions, text
from console.engine.formats.convert import ConversionError, convert_rows, json_read_type
from console.engine.types import arrow_schema, bigquery_arrow_type, field_from_arrow, normalize_type
from console.errors import InvalidError

ARROW_BLOCK_BYTES = 1024 * 1024
# BigQuery nests RECORDs at most 15 levels deep; in JSON a REPEATED RECORD level is an array and
# an object, so no row BigQuery can load is deeper than this. pyarrow's parser recurses once per
# level and crashes the worker on a row thousands deep, so such a row never reaches it.
MAX_NESTING = 15
# How pyarrow's reader says a value's JSON type differs from the schema's, naming the field.
_CHANGED = re.compile(r"Column\((?P<path>/[^)]*)\) changed from (number|boolean|string) to")
MAX_JSON_DEPTH = 2 * MAX_NESTING + 1
# Each byte's step in bracket depth: +1 for [ and {, -1 for ] and }.
_DEPTH_STEP = np.zeros(256, np.int32)
_DEPTH_STEP[list(b"[{")] = 1
_DEPTH_STEP[list(b"]}")] = -1


class JsonSource:
    """A staged newline-delimited JSON upload, read piece by piece."""

    def __init__(self, handle: IO[bytes], options: LoadOptions, bad: BadRecords) -> None:
        self.options = options
        self.bad = bad
        # The INT64, FLOAT64 and BOOL fields by the reader's paths, and those seen quoted.
        self.numbers: set[str] = set()
        self.quoted: set[str] = set()
        self.stream = _depth_checked(text.strip_bom(text.pieces(handle)))

    def detect_fields(self) -> list[dict[str, Any]]:
        """Infer the fields from the first piece of the file, as pyarrow reads its values."""
        first = next(self.stream, None)
        if first is None:
            raise InvalidError("Error while reading data, error message: the file is empty")
        self.stream = _chain(first, self.stream)
        try:
            table = _read_json(first[1])
        except pa.ArrowInvalid as err:
            raise InvalidError(
                f"Error while reading data, error message: JSON parsing error in the first rows: "
                f"{_first_line(err)}"
            ) from None
        return [_detected_field(f.name, f.type) for f in table.schema]

    def batches(self, fields: list[dict[str, Any]]) -> Iterator[pa.RecordBatch]:
        """Yield the rows of the file as batches of the fields' Arrow types."""
        schema = arrow_schema(fields)
        self.numbers = set(_number_paths(fields))
        for line, data in self.stream:
            piece = _Piece(self, fields, line, data)
            columns = piece.columns()
            if columns and len(columns[0]):
                yield pa.RecordBatch.from_arrays(columns, schema=schema)


class _Piece:
    def __init__(
        self,
        source: JsonSource,
        fields: list[dict[str, Any]],
        line: int,
        data: bytes,
    ) -> None:
        self.source = source
        self.fields = fields
        self.first_line = line
        self.data = data
        self.row_lines: list[int] = []

    def columns(self) -> list[pa.Array]:
        try:
            table = self._read(self.data)
            self.row_lines = []
        except pa.ArrowInvalid:
            table = self._read_line_by_line()
        # Parts read with fewer quoted fields are widened to text, which convert_rows reads.
        table = table.cast(self._read_schema(self.source.quoted))
        columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
        result = convert_rows(columns, self.fields, self._on_bad_value)
        self.source.bad.rows_read += len(result[0]) if result else 0
        return result

    def _read(self, data: bytes) -> pa.Table:
        """Read data, learning which number fields it writes as JSON strings.

        pyarrow's reader names the field whose JSON type differs from the schema's; a field
        quoted here is read as text from then on. A field written both ways within data fails,
        and the caller reads smaller parts.
        """
        quoted = set(self.source.quoted)
        flipped: set[str] = set()
        behaviour = "ignore" if self.source.options.ignore_unknown_values else "error"
        while True:
            options = pajson.ParseOptions(
                explicit_schema=self._read_schema(quoted), unexpected_field_behavior=behaviour
            )
            try:
                table = _read_json(data, options)
            except pa.ArrowInvalid as err:
                found = _CHANGED.search(str(err))
                path = found and found["path"]
                if not path or path in flipped or path not in self.source.numbers:
                    raise
                flipped.add(path)
                quoted ^= {path}
                continue
            self.source.quoted |= quoted
            return table

    def _read_schema(self, quoted: Collection[str]) -> pa.Schema:
        return pa.schema([pa.field(f["name"], json_read_type(f, quoted)) for f in self.fields])

    def _read_line_by_line(self) -> pa.Table:
        """Read the piece by halves until each bad line stands alone; report and drop those."""
        lines = self.data.split(b"\n")
        tables: list[pa.Table] = []

        def read(start: int, stop: int) -> None:
            if not any(line.strip() for line in lines[start:stop]):
                return
            try:
                table = self._read(b"\n".join(lines[start:stop]))
            except pa.ArrowInvalid as err:
                if stop - start == 1:
                    self.source.bad.add(
                        f"Error while reading data, error message: JSON parsing error in line "
                        f"{self.first_line + start}: {_first_line(err)}",
                        self.first_line + start,
                    )
                    return
                middle = (start + stop) // 2
                read(start, middle)
                read(middle, stop)
                return
            tables.append(table)
            self.row_lines.extend(
                self.first_line + i for i in range(start, stop) if lines[i].strip()
            )

        read(0, len(lines))
        schema = self._read_schema(self.source.quoted)
        return pa.concat_tables([table.cast(schema) for table in tables] or [schema.empty_table()])

    def _on_bad_value(self, index: int, err: ConversionError, value: Any) -> None:
        if not self.row_lines:
            self.row_lines = [
                self.first_line + i for i, line in enumerate(self.data.split(b"\n")) if line.strip()
            ]
        line = self.row_lines[index] if index < len(self.row_lines) else None
        self.source.bad.add(
            f"Error while reading data, error message: JSON parsing error in line {line}: "
            f"Could not convert value '{value}' to {err.field['type']}. "
            f"Field: {err.field['name']}; Value: {value}",
            line,
        )


def _number_paths(fields: list[dict[str, Any]], prefix: str = "") -> Iterator[str]:
    for field in fields:
        path = f"{prefix}/{field['name']}" + ("/[]" if field.get("mode") == "REPEATED" else "")
        type_name = normalize_type(field["type"])
        if type_name == "STRUCT":
            yield from _number_paths(field.get("fields", []), path)
        elif type_name in ("INT64", "FLOAT64", "BOOL"):
            yield path


def _depth_checked(pieces: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    """Pass pieces through, refusing one with a row nested deeper than BigQuery allows."""
    for first_line, data in pieces:
        # Counting brackets in strings too can only overstate a depth: exact below, if at all.
        naive = np.cumsum(_DEPTH_STEP[np.frombuffer(data, np.uint8)])
        if len(naive) and naive.max() > MAX_JSON_DEPTH:
            for offset, line in enumerate(data.split(b"\n")):
                if _too_deep(line):
                    raise InvalidError(
                        f"Error while reading data, error message: line {first_line + offset}: "
                        f"the row is nested more than {MAX_NESTING} levels deep, BigQuery's limit"
                    )
        yield first_line, data


def _too_deep(line: bytes) -> bool:
    """Return True if a JSON line nests deeper than MAX_JSON_DEPTH, brackets in strings aside."""
    depth, in_string, escaped = 0, False, False
    for byte in line:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _read_json(data: bytes, parse_options: pajson.ParseOptions | None = None) -> pa.Table:
    # Blocks of 1 MiB parse in parallel; a line longer than a block needs one block for all.
    for block_size in (ARROW_BLOCK_BYTES, len(data) + 1):
        try:
            return pajson.read_json(
                pa.BufferReader(data),
                read_options=pajson.ReadOptions(block_size=block_size),
                parse_options=parse_options,
            )
        except pa.ArrowInvalid as err:
            if "straddl" not in str(err) or block_size > len(data):
                raise
    raise AssertionError("unreachable")


def _detected_field(name: str, dtype: pa.DataType) -> dict[str, Any]:
    return field_from_arrow(name, _without_nulls(bigquery_arrow_type(dtype)))


def _without_nulls(dtype: pa.DataType) -> pa.DataType:
    """Type columns that were null throughout the sample as STRING, as BigQuery does."""
    if pa.types.is_null(dtype):
        return pa.string()
    if pa.types.is_list(dtype):
        return pa.list_(_without_nulls(dtype.value_type))
    if pa.types.is_struct(dtype):
        return pa.struct([pa.field(f.name, _without_nulls(f.type)) for f in dtype])
    if pa.types.is_timestamp(dtype):
        return pa.timestamp("us", tz="UTC")
    return dtype


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0]


def _chain(first: text.Piece, rest: Iterator[text.Piece]) -> Iterator[text.Piece]:
    yield first
    yield from rest
