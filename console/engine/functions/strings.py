"""STRING and BYTES functions, where DuckDB differs.

Most of BigQuery's string functions take STRING or BYTES and count characters for one and bytes
for the other; DuckDB's take VARCHAR only. Where the result's type does not depend on the
argument's (INT64, BOOL, ARRAY<INT64>), one Arrow UDF serves both: it sees whether its input is
Arrow string or binary. Where it does (LEFT, TRIM, REVERSE, ...), the type is read off the
argument as sqlglot annotates it (a BYTES literal, a cast, FROM_BASE64, ...) and the STRING or
the BYTES spelling is chosen; slicing (x[a:b]) already means characters for VARCHAR and bytes for
BLOB in DuckDB, so LEFT, RIGHT, SUBSTR and the pads are spelled with it and need no type at all.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from console.engine.functions.base import Handler, Udf
from console.errors import InvalidError

# Arrow helpers ---------------------------------------------------------------------------------


def _is_binary(kind: pa.DataType) -> bool:
    return pa.types.is_binary(kind) or pa.types.is_large_binary(kind)


def _rows(*arrays: pa.Array) -> Iterable[tuple[Any, ...]]:
    return zip(*(array.to_pylist() for array in arrays), strict=True)


def _map(returns: pa.DataType, each: Callable[..., Any]) -> Callable[..., pa.Array]:
    """An Arrow UDF applying `each` to every row whose arguments are all non-NULL."""

    def udf(*arrays: pa.Array) -> pa.Array:
        results = [None if any(v is None for v in row) else each(*row) for row in _rows(*arrays)]
        return pa.array(results, returns)

    return udf


def _same_kind(function: str, *values: Any) -> None:
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) > 1:
        raise InvalidError(
            f"No matching signature for function {function} for argument types: STRING, BYTES"
        )


def _udf(name: str, function: Callable[..., pa.Array], returns: str) -> Udf:
    # "special": every function here sees NULLs itself, since some return NULL for non-NULL input
    # (CODE_POINTS_TO_STRING of an array holding a NULL) and DuckDB's default forbids that.
    return Udf(f"quarry_{name}", function, None, returns, null_handling="special")


def _is_bytes(node: exp.Expression | None) -> bool:
    """Whether an argument is BYTES as far as its text shows (literals, casts, functions)."""
    if node is None:
        return False
    kind = annotate_types(node.copy(), dialect="bigquery").type
    return kind is not None and kind.this in (
        exp.DataType.Type.BINARY,
        exp.DataType.Type.VARBINARY,
        exp.DataType.Type.BLOB,
    )


def _error(message: str) -> str:
    return f"ERROR({exp.Literal.string(message).sql('duckdb')})"


# Lengths, positions and code points ------------------------------------------------------------


def _length(value: str | bytes) -> int:
    return len(value)


def _byte_length(value: str | bytes) -> int:
    return len(value.encode() if isinstance(value, str) else value)


def _instr(value: Any, sub: Any, position: int, occurrence: int) -> int:
    # BigQuery counts overlapping occurrences; a negative position searches backwards from that
    # many characters before the end.
    _same_kind("INSTR", value, sub)
    if position == 0:
        raise InvalidError("Position must be non-zero")
    if occurrence <= 0:
        raise InvalidError("Occurrence must be positive")
    size = len(value)
    if position > 0:
        start = position - 1
        if start >= size and not (sub == value[:0] and start == size):
            return 0
        found = start - 1
        for _ in range(occurrence):
            found = value.find(sub, found + 1)
            if found < 0:
                return 0
        return found + 1
    last = size + position
    if last < 0:
        return 0
    found = last + 1
    for _ in range(occurrence):
        found = value.rfind(sub, 0, found - 1 + len(sub)) if found > 0 else -1
        if found < 0:
            return 0
    return found + 1


def _instr_udf(*arrays: pa.Array) -> pa.Array:
    results = []
    for value, sub, position, occurrence in _rows(*arrays):
        if None in (value, sub, position, occurrence):
            results.append(None)
        else:
            results.append(_instr(value, sub, position, occurrence))
    return pa.array(results, pa.int64())


def _first_code(value: str | bytes) -> int:
    if not value:
        return 0
    return value[0] if isinstance(value, bytes) else ord(value[0])


def _ascii(value: str | bytes) -> int:
    code = _first_code(value)
    if isinstance(value, str) and code > 127:
        raise InvalidError(f"First character of input string {value!r} is not ASCII")
    return code


def _chr(code: int) -> str:
    if code == 0:
        return ""
    if not (0 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF):
        raise InvalidError(f"Invalid codepoint {code}")
    return chr(code)


def _to_code_points(value: str | bytes) -> list[int]:
    return list(value) if isinstance(value, bytes) else [ord(c) for c in value]


def _code_points_to_string(points: list[int | None]) -> str | None:
    if any(p is None for p in points):
        return None
    return "".join(_chr(p) if p else "\x00" for p in points)


def _code_points_to_bytes(points: list[int | None]) -> bytes | None:
    if any(p is None for p in points):
        return None
    for point in points:
        if not 0 <= point <= 255:
            raise InvalidError(f"Invalid ASCII value: {point}")
    return bytes(points)


def _starts_with(value: Any, prefix: Any) -> bool:
    _same_kind("STARTS_WITH", value, prefix)
    return value.startswith(prefix)


def _ends_with(value: Any, suffix: Any) -> bool:
    _same_kind("ENDS_WITH", value, suffix)
    return value.endswith(suffix)


def _edit_distance(first: Any, second: Any, most: int) -> int:
    _same_kind("EDIT_DISTANCE", first, second)
    if most < 0:
        raise InvalidError("max_distance must be non-negative")
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return min(previous[-1], most)


# Encodings -------------------------------------------------------------------------------------


def _to_base32(value: bytes) -> str:
    return base64.b32encode(value).decode()


def _from_base32(text: str) -> bytes:
    try:
        padded = text + "=" * (-len(text) % 8)
        return base64.b32decode(padded)
    except (binascii.Error, ValueError):
        raise InvalidError(f"Failed to decode invalid base32 string: {text}") from None


def _safe_convert(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


# Case, normalization, Soundex ------------------------------------------------------------------

_NORMAL_FORMS = ("NFC", "NFKC", "NFD", "NFKD")


def _normalize(value: str, form: str) -> str:
    return unicodedata.normalize(form, value)


def _normalize_and_casefold(value: str, form: str) -> str:
    return unicodedata.normalize(form, value.casefold())


# BigQuery's default INITCAP word separators, besides whitespace.
_INITCAP_DELIMITERS = '[](){}/|\\<>!?@"#$&~_,.:;*%+-^'


def _initcap(value: str, delimiters: str | None) -> str:
    separators = set(_INITCAP_DELIMITERS if delimiters is None else delimiters)
    out = []
    capitalize = True
    for char in value:
        if char in separators or (delimiters is None and char.isspace()):
            out.append(char)
            capitalize = True
            continue
        changed = char.upper() if capitalize else char.lower()
        # ICU's u_toupper maps one code point to one code point (ß stays ß).
        out.append(changed if len(changed) == 1 else char)
        capitalize = False
    return "".join(out)


def _initcap_udf(*arrays: pa.Array) -> pa.Array:
    if len(arrays) == 1:
        return pa.array(
            [None if v is None else _initcap(v, None) for v in arrays[0].to_pylist()], pa.string()
        )
    return _map(pa.string(), _initcap)(*arrays)


_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def _soundex(value: str) -> str:
    # Non-Latin letters are skipped; H and W do not separate letters of one code, vowels do.
    letters = [c for c in value if c.isascii() and c.isalpha()]
    if not letters:
        return ""
    first = letters[0]
    code = first.upper()
    previous = _SOUNDEX_CODES.get(first.lower(), "")
    for char in letters[1:]:
        lower = char.lower()
        digit = _SOUNDEX_CODES.get(lower, "")
        if digit and digit != previous:
            code += digit
            if len(code) == 4:
                break
        if lower not in "hw":
            previous = digit
    return code.ljust(4, "0")


# Same-type functions: STRING in, STRING out; BYTES in, BYTES out -------------------------------


def _reverse(value: Any) -> Any:
    return value[::-1]


def _bytes_lower(value: bytes) -> bytes:
    return value.lower()


def _bytes_upper(value: bytes) -> bytes:
    return value.upper()


def _trim(where: str) -> Callable[..., pa.Array]:
    def udf(*arrays: pa.Array) -> pa.Array:
        kind = arrays[0].type
        out = []
        for row in _rows(*arrays):
            if any(v is None for v in row):
                out.append(None)
                continue
            value = row[0]
            if len(row) == 1:
                if isinstance(value, bytes):
                    raise InvalidError(
                        "No matching signature for function TRIM for argument types: BYTES"
                    )
                chars = None
            else:
                chars = row[1]
                _same_kind("TRIM", value, chars)
            strip = {"BOTH": value.strip, "LEADING": value.lstrip, "TRAILING": value.rstrip}
            out.append(strip[where](chars))
        return pa.array(out, pa.binary() if _is_binary(kind) else pa.string())

    return udf


def _translate(value: Any, source: Any, target: Any) -> Any:
    _same_kind("TRANSLATE", value, source, target)
    empty = value[:0]
    table: dict[Any, Any] = {}
    for i in range(len(source)):
        char = source[i : i + 1]
        if char in table:
            shown = char.decode("latin-1") if isinstance(char, bytes) else char
            raise InvalidError(f'Duplicate character "{shown}" in TRANSLATE source characters')
        table[char] = target[i : i + 1] if i < len(target) else empty
    return empty.join(table.get(value[i : i + 1], value[i : i + 1]) for i in range(len(value)))


def _replace(value: Any, old: Any, new: Any) -> Any:
    _same_kind("REPLACE", value, old, new)
    return value.replace(old, new) if old else value


def _split(value: Any, delimiter: Any) -> list[Any]:
    _same_kind("SPLIT", value, delimiter)
    if not delimiter:
        return [value[i : i + 1] for i in range(len(value))] or [value]
    return value.split(delimiter)


def _same_type_udfs(name: str, function: Callable[..., pa.Array], many: bool = False) -> list[Udf]:
    """Register a function twice, for STRING and for BYTES results (many: an ARRAY of them)."""
    suffix = "[]" if many else ""
    return [
        _udf(f"{name}_string", function, f"VARCHAR{suffix}"),
        _udf(f"{name}_bytes", function, f"BLOB{suffix}"),
    ]


def _kind_map(each: Callable[..., Any], many: bool = False) -> Callable[..., pa.Array]:
    """An Arrow UDF returning the Arrow type of its first argument (or a list of it)."""

    def udf(*arrays: pa.Array) -> pa.Array:
        item = pa.binary() if _is_binary(arrays[0].type) else pa.string()
        return _map(pa.list_(item) if many else item, each)(*arrays)

    return udf


# FORMAT ----------------------------------------------------------------------------------------

_SPEC = re.compile(r"%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXfFeEgGstTpP%])?")


def _text_of_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    return text.replace("e+", "e+").replace("e-0", "e-0")


def _quoted(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _bytes_text(value: bytes, literal: bool) -> str:
    out = []
    for byte in value:
        char = chr(byte)
        if char == "\\":
            out.append("\\\\")
        elif literal and char == '"':
            out.append('\\"')
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append({10: "\\n", 9: "\\t", 13: "\\r"}.get(byte, f"\\x{byte:02x}"))
    text = "".join(out)
    return f'b"{text}"' if literal else text


def _timestamp_text(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "+00"


def _datetime_text(value: dt.datetime | dt.time) -> str:
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if "." in text:
        text = text.rstrip("0")
    return text


def _value_text(value: Any, kind: pa.DataType, literal: bool) -> str:
    """BigQuery's %t (literal=False) or %T (literal=True) text of one value of an Arrow type."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = _text_of_float(value)
        if literal and not math.isfinite(value):
            return f'CAST("{text}" AS FLOAT64)'
        return text if ("." in text or "e" in text or "n" in text) else f"{text}.0"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        if "." not in text:
            text += ".0"
        kind_name = "BIGNUMERIC" if getattr(kind, "scale", 9) > 9 else "NUMERIC"
        return f'{kind_name} "{text}"' if literal else text
    if isinstance(value, str):
        return _quoted(value) if literal else value
    if isinstance(value, bytes):
        return _bytes_text(value, literal)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            text = _timestamp_text(value)
            return f'TIMESTAMP "{text}"' if literal else text
        text = _datetime_text(value)
        return f'DATETIME "{text}"' if literal else text
    if isinstance(value, dt.date):
        return f'DATE "{value.isoformat()}"' if literal else value.isoformat()
    if isinstance(value, dt.time):
        text = _datetime_text(value)
        return f'TIME "{text}"' if literal else text
    if isinstance(value, list):
        item = kind.value_type if pa.types.is_list(kind) else pa.null()
        return "[" + ", ".join(_value_text(v, item, literal) for v in value) + "]"
    if isinstance(value, dict):
        fields = [kind.field(i).type for i in range(kind.num_fields)]
        parts = [_value_text(v, t, literal) for v, t in zip(value.values(), fields, strict=True)]
        if literal and len(parts) <= 1:
            return f"STRUCT({', '.join(parts)})"
        return "(" + ", ".join(parts) + ")"
    return str(value)


def _type_name(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "INT64"
    if pa.types.is_floating(kind):
        return "FLOAT64"
    if pa.types.is_decimal(kind):
        return "NUMERIC"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "STRING"
    if _is_binary(kind):
        return "BYTES"
    if pa.types.is_boolean(kind):
        return "BOOL"
    if pa.types.is_date(kind):
        return "DATE"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP" if kind.tz else "DATETIME"
    if pa.types.is_time(kind):
        return "TIME"
    if pa.types.is_list(kind):
        return f"ARRAY<{_type_name(kind.value_type)}>"
    if pa.types.is_struct(kind):
        return "STRUCT"
    return str(kind).upper()


def _group(digits: str, size: int, separator: str) -> str:
    head = len(digits) % size or size
    parts = [digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)]
    return separator.join(parts)


def _pad(text: str, flags: str, width: int | None, numeric: bool) -> str:
    if width is None or len(text) >= width:
        return text
    if "-" in flags:
        return text.ljust(width)
    if "0" in flags and numeric:
        sign = text[0] if text[:1] in "+- " and text else ""
        body = text[len(sign) :]
        prefix = body[:2] if body[:2].lower() == "0x" else ""
        return sign + prefix + body[len(prefix) :].rjust(width - len(sign) - len(prefix), "0")
    return text.rjust(width)


def _format_integer(
    value: Any, kind: pa.DataType, flags: str, width: int | None, precision: int | None, spec: str
) -> str:
    if not pa.types.is_integer(kind):
        raise InvalidError(
            f"Invalid type for argument to FORMAT; Expected INT64; Got {_type_name(kind)}"
        )
    if spec in "oxX" and value < 0:
        raise InvalidError(f"Negative values not supported for %{spec}: {value}")
    python = {"d": "d", "i": "d", "u": "d", "o": "o", "x": "x", "X": "X"}[spec]
    digits = f"%{'.' + str(precision) if precision is not None else ''}{python}" % abs(value)
    if precision == 0 and value == 0:
        digits = ""
    if "'" in flags:
        size, separator = (3, ",") if python == "d" else (4, ":" if python in "xX" else ",")
        digits = _group(digits, size, separator)
    if "#" in flags and value != 0:
        digits = {"o": "0", "x": "0x", "X": "0X"}.get(python, "") + digits
    sign = "-" if value < 0 else ("+" if "+" in flags else (" " if " " in flags else ""))
    return _pad(sign + digits, flags, width, precision is None)


def _format_float(
    value: Any, kind: pa.DataType, flags: str, width: int | None, precision: int | None, spec: str
) -> str:
    if not (pa.types.is_floating(kind) or pa.types.is_decimal(kind) or pa.types.is_integer(kind)):
        raise InvalidError(
            f"Invalid type for argument to FORMAT; Expected FLOAT64; Got {_type_name(kind)}"
        )
    if pa.types.is_integer(kind):
        raise InvalidError("Invalid type for argument to FORMAT; Expected FLOAT64; Got INT64")
    number = float(value)
    python_flags = "".join(f for f in flags if f in "-+ #0")
    precision_text = "" if precision is None else f".{precision}"
    if not math.isfinite(number):
        text = "nan" if math.isnan(number) else ("inf" if number > 0 else "-inf")
        if number > 0 and "+" in flags:
            text = "+" + text
        text = text.upper() if spec.isupper() else text
        return _pad(text, flags.replace("0", ""), width, False)
    text = f"%{python_flags}{precision_text}{spec}" % number
    return _pad(text, flags, width, True)


def _format_text(text: str, flags: str, width: int | None, precision: int | None) -> str:
    if precision is not None:
        text = text[:precision]
    return _pad(text, flags, width, False)


def _format_one(fmt: str, values: list[Any], kinds: list[pa.DataType]) -> str | None:
    out = []
    index = 0
    position = 0

    def take() -> tuple[Any, pa.DataType]:
        nonlocal index
        if index >= len(values):
            raise InvalidError(f'Too few arguments to FORMAT for pattern "{fmt}"')
        index += 1
        return values[index - 1], kinds[index - 1]

    null = False
    while position < len(fmt):
        percent = fmt.find("%", position)
        if percent < 0:
            out.append(fmt[position:])
            break
        out.append(fmt[position:percent])
        match = _SPEC.match(fmt, percent)
        assert match is not None
        flags, width_text, precision_text, spec = match.groups()
        if spec is None:
            raise InvalidError(f'Invalid format specifier in FORMAT pattern "{fmt}"')
        position = match.end()
        if spec == "%":
            out.append("%")
            continue
        width = precision = None
        if width_text == "*":
            width, _ = take()
        elif width_text:
            width = int(width_text)
        if precision_text == "*":
            precision, _ = take()
        elif precision_text is not None:
            precision = int(precision_text or 0)
        if width is not None and width < 0:
            flags, width = flags + "-", -width
        value, kind = take()
        if spec in "tT":
            out.append(_format_text(_value_text(value, kind, spec == "T"), flags, width, precision))
            continue
        if value is None:
            null = True
            continue
        if spec in "diouxX":
            out.append(_format_integer(value, kind, flags, width, precision, spec))
        elif spec in "fFeEgG":
            out.append(_format_float(value, kind, flags, width, precision, spec))
        elif spec == "s":
            if not pa.types.is_string(kind):
                raise InvalidError(
                    f"Invalid type for argument to FORMAT; Expected STRING; Got {_type_name(kind)}"
                )
            out.append(_format_text(value, flags, width, precision))
        else:
            out.append(_format_text(str(value), flags, width, precision))
    if index < len(values):
        raise InvalidError(f'Too many arguments to FORMAT for pattern "{fmt}"')
    return None if null else "".join(out)


def _format_udf(formats: pa.Array, arguments: pa.Array) -> pa.Array:
    # The arguments come packed in one STRUCT, so that each keeps its own type.
    kinds = (
        [arguments.type.field(i).type for i in range(arguments.type.num_fields)]
        if pa.types.is_struct(arguments.type)
        else []
    )
    out = []
    for fmt, packed in _rows(formats, arguments):
        if fmt is None:
            out.append(None)
            continue
        values = list(packed.values()) if isinstance(packed, dict) else []
        out.append(_format_one(fmt, values, kinds))
    return pa.array(out, pa.string())


# CONTAINS_SUBSTR -------------------------------------------------------------------------------


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text.casefold())


def _leaves(value: Any, kind: pa.DataType) -> Iterable[str | None]:
    if value is None:
        yield None
    elif isinstance(value, dict):
        for i, item in enumerate(value.values()):
            yield from _leaves(item, kind.field(i).type)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, kind.value_type)
    else:
        yield _value_text(value, kind, literal=False)


def _contains_substr_udf(values: pa.Array, searches: pa.Array) -> pa.Array:
    out: list[bool | None] = []
    for value, search in _rows(values, searches):
        if search is None:
            raise InvalidError("CONTAINS_SUBSTR: the search value must not be NULL")
        wanted = _folded(search)
        leaves = list(_leaves(value, values.type))
        if any(leaf is not None and wanted in _folded(leaf) for leaf in leaves):
            out.append(True)
        elif any(leaf is None for leaf in leaves):
            out.append(None)
        else:
            out.append(False)
    return pa.array(out, pa.bool_())


# Registration ----------------------------------------------------------------------------------

UDFS = [
    _udf("length", _map(pa.int64(), _length), "BIGINT"),
    _udf("byte_length", _map(pa.int64(), _byte_length), "BIGINT"),
    _udf("instr", _instr_udf, "BIGINT"),
    _udf("ascii", _map(pa.int64(), _ascii), "BIGINT"),
    _udf("unicode", _map(pa.int64(), _first_code), "BIGINT"),
    _udf("chr", _map(pa.string(), _chr), "VARCHAR"),
    _udf("to_code_points", _map(pa.list_(pa.int64()), _to_code_points), "BIGINT[]"),
    _udf("code_points_to_string", _map(pa.string(), _code_points_to_string), "VARCHAR"),
    _udf("code_points_to_bytes", _map(pa.binary(), _code_points_to_bytes), "BLOB"),
    _udf("starts_with", _map(pa.bool_(), _starts_with), "BOOLEAN"),
    _udf("ends_with", _map(pa.bool_(), _ends_with), "BOOLEAN"),
    _udf("edit_distance", _map(pa.int64(), _edit_distance), "BIGINT"),
    _udf("to_base32", _map(pa.string(), _to_base32), "VARCHAR"),
    _udf("from_base32", _map(pa.binary(), _from_base32), "BLOB"),
    _udf("safe_convert_bytes_to_string", _map(pa.string(), _safe_convert), "VARCHAR"),
    _udf("normalize", _map(pa.string(), _normalize), "VARCHAR"),
    _udf("normalize_and_casefold", _map(pa.string(), _normalize_and_casefold), "VARCHAR"),
    _udf("initcap", _initcap_udf, "VARCHAR"),
    _udf("soundex", _map(pa.string(), _soundex), "VARCHAR"),
    _udf("format", _format_udf, "VARCHAR"),
    _udf("contains_substr", _contains_substr_udf, "BOOLEAN"),
    *_same_type_udfs("reverse", _kind_map(_reverse)),
    *_same_type_udfs("translate", _kind_map(_translate)),
    *_same_type_udfs("replace", _kind_map(_replace)),
    *_same_type_udfs("split", _kind_map(_split, many=True), many=True),
    *_same_type_udfs("trim_both", _trim("BOTH")),
    *_same_type_udfs("trim_leading", _trim("LEADING")),
    *_same_type_udfs("trim_trailing", _trim("TRAILING")),
    _udf("bytes_lower", _map(pa.binary(), _bytes_lower), "BLOB"),
    _udf("bytes_upper", _map(pa.binary(), _bytes_upper), "BLOB"),
]


# Handlers --------------------------------------------------------------------------------------


def _call(self: Any, name: str, *args: Any) -> str:
    return self.func(f"quarry_{name}", *args)


def _typed(self: Any, name: str, node: exp.Expression, *args: Any) -> str:
    """Call the STRING or the BYTES registration of a same-type function, by node's type."""
    suffix = "bytes" if _is_bytes(node) else "string"
    return self.func(f"quarry_{name}_{suffix}", *args)


def _instr_sql(self: Any, node: exp.StrPosition) -> str:
    position = node.args.get("position") or exp.Literal.number(1)
    occurrence = node.args.get("occurrence") or exp.Literal.number(1)
    return _call(self, "instr", node.this, node.args["substr"], position, occurrence)


def _left_sql(self: Any, node: exp.Left) -> str:
    # x[1:n] is characters of a VARCHAR and bytes of a BLOB.
    value, length = self.sql(node, "this"), self.sql(node, "expression")
    return (
        f"CASE WHEN {length} < 0 THEN {_error('Second argument in LEFT() cannot be negative')} "
        f"ELSE ({value})[1:{length}] END"
    )


def _right_sql(self: Any, node: exp.Right) -> str:
    value, length = self.sql(node, "this"), self.sql(node, "expression")
    size = _call(self, "length", node.this)
    return (
        f"CASE WHEN {length} < 0 THEN {_error('Second argument in RIGHT() cannot be negative')} "
        f"ELSE ({value})[GREATEST({size} - {length}, 0) + 1:] END"
    )


def _substr_sql(self: Any, node: exp.Substring) -> str:
    value, position = self.sql(node, "this"), self.sql(node, "start")
    size = _call(self, "length", node.this)
    start = (
        f"CASE WHEN {position} > 0 THEN {position} WHEN {position} = 0 OR {position} < -{size} "
        f"THEN 1 ELSE {size} + {position} + 1 END"
    )
    if node.args.get("length") is None:
        return f"({value})[{start}:]"
    length = self.sql(node, "length")
    return (
        f"CASE WHEN {length} < 0 THEN {_error('Third argument in SUBSTR() cannot be negative')} "
        f"ELSE ({value})[{start}:({start}) + {length} - 1] END"
    )


def _pad_sql(self: Any, node: exp.Pad) -> str:
    # Built of slices, REPEAT and ||, all of which keep VARCHAR or BLOB as they are.
    value, length = self.sql(node, "this"), self.sql(node, "expression")
    pattern_node = node.args.get("fill_pattern")
    if pattern_node is None:
        pattern = "CAST(' ' AS BLOB)" if _is_bytes(node.this) else "' '"
        pattern_size = "1"
    else:
        pattern = self.sql(pattern_node)
        pattern_size = _call(self, "length", pattern_node)
    size = _call(self, "length", node.this)
    name = "LPAD" if node.args.get("is_left") else "RPAD"
    missing = f"{length} - {size}"
    fill = f"REPEAT({pattern}, ({missing}) // {pattern_size} + 1)[1:{missing}]"
    padded = f"{fill} || {value}" if node.args.get("is_left") else f"{value} || {fill}"
    return (
        f"CASE WHEN {length} < 0 THEN {_error(f'Second argument in {name}() cannot be negative')}"
        f" WHEN {pattern_size} = 0 THEN {_error(f'Third argument in {name}() cannot be empty')}"
        f" WHEN {length} <= {size} THEN ({value})[1:{length}] ELSE {padded} END"
    )


def _trim_sql(self: Any, node: exp.Trim) -> str:
    where = str(node.args.get("position") or "BOTH").upper()
    arguments = [node.this, *([node.expression] if node.expression is not None else [])]
    return _typed(self, f"trim_{where.lower()}", node.this, *arguments)


def _concat_sql(self: Any, node: exp.Concat) -> str:
    # BigQuery's CONCAT is NULL when any argument is, and casts numbers, dates and the like
    # to STRING; DuckDB's skips NULLs and keeps a lone argument's type.
    parts = []
    for argument in node.expressions:
        kind = annotate_types(argument.copy(), dialect="bigquery").type
        sql = self.sql(argument)
        known = kind is not None and kind.this != exp.DataType.Type.UNKNOWN
        if known and not (kind.is_type(*exp.DataType.TEXT_TYPES) or _is_bytes(argument)):
            sql = f"CAST({sql} AS VARCHAR)"
        parts.append(f"({sql})")
    return "(" + " || ".join(parts) + ")"


def _repeat_sql(self: Any, node: exp.Repeat) -> str:
    value, times = self.sql(node, "this"), self.sql(node, "times")
    return (
        f"CASE WHEN {times} < 0 THEN {_error('Second argument in REPEAT() cannot be negative')}"
        f" ELSE REPEAT({value}, {times}) END"
    )


def _normalize_sql(self: Any, node: exp.Normalize) -> str:
    form = node.args.get("form")
    name = form.name.upper() if isinstance(form, exp.Expression) else "NFC"
    if name not in _NORMAL_FORMS:
        raise InvalidError(f"Invalid normalization mode: {name}")
    function = "normalize_and_casefold" if node.args.get("is_casefold") else "normalize"
    return _call(self, function, node.this, exp.Literal.string(name))


def _format_sql(self: Any, node: exp.Format) -> str:
    arguments = node.expressions
    if not arguments:
        packed = "NULL"
    else:
        fields = ", ".join(f"a{i} := {self.sql(a)}" for i, a in enumerate(arguments))
        packed = f"struct_pack({fields})"
    return f"quarry_format({self.sql(node, 'this')}, {packed})"


def _lower_upper(name: str) -> Handler:
    def handler(self: Any, node: exp.Expression) -> str | None:
        return _call(self, f"bytes_{name}", node.this) if _is_bytes(node.this) else None

    return handler


def _split_sql(self: Any, node: exp.Split) -> str:
    return _typed(self, "split", node.this, node.this, node.expression)


def _contains_substr_sql(self: Any, node: exp.Contains) -> str:
    # sqlglot wraps both arguments in LOWER; BigQuery folds them with NFKC instead.
    value, search = node.this, node.expression
    if isinstance(value, exp.Lower):
        value = value.this
    if isinstance(search, exp.Lower):
        search = search.this
    if isinstance(search, exp.Null):
        raise InvalidError("CONTAINS_SUBSTR: the search value must not be NULL")
    return _call(self, "contains_substr", value, search)


def _group_count(pattern: exp.Expression) -> int | None:
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        return None
    try:
        return re.compile(pattern.this).groups
    except re.error:
        return None


_TOO_MANY_GROUPS = (
    "Regular expressions passed into extraction functions must not have more than 1 capturing group"
)


def _regexp_extract_sql(self: Any, node: exp.RegexpExtract | exp.RegexpExtractAll) -> str | None:
    # BigQuery extracts the capturing group when there is one, the whole match otherwise.
    pattern = node.expression
    groups = _group_count(pattern)
    if groups is None:
        return None
    if groups > 1:
        raise InvalidError(_TOO_MANY_GROUPS)
    value, regexp = self.sql(node, "this"), self.sql(pattern)
    if isinstance(node, exp.RegexpExtractAll):
        return f"REGEXP_EXTRACT_ALL({value}, {regexp}, {groups})"
    position = node.args.get("position")
    occurrence = node.args.get("occurrence")
    if position is None and occurrence is None:
        found = f"REGEXP_EXTRACT({value}, {regexp}, {groups})"
        # DuckDB gives '' where nothing matched (or the group took no part); BigQuery NULL.
        if groups:
            found = f"NULLIF({found}, '')"
        return f"CASE WHEN REGEXP_MATCHES({value}, {regexp}) THEN {found} END"
    start = self.sql(position) if position is not None else "1"
    nth = self.sql(occurrence) if occurrence is not None else "1"
    matches = f"REGEXP_EXTRACT_ALL(({value})[{start}:], {regexp}, {groups})"
    return (
        f"CASE WHEN {start} <= 0 THEN {_error('Position must be positive')}"
        f" WHEN {nth} <= 0 THEN {_error('Occurrence must be positive')}"
        f" ELSE {matches}[{nth}] END"
    )


def _regexp_match_sql(self: Any, node: exp.Anonymous) -> str:
    # The deprecated REGEXP_MATCH is a full match.
    value, pattern = node.expressions
    return f"REGEXP_FULL_MATCH({self.sql(value)}, {self.sql(pattern)})"


def _collate_sql(self: Any, node: exp.Collate) -> str | None:
    spec = node.expression
    name = spec.name if isinstance(spec, exp.Literal | exp.Var | exp.Identifier) else None
    value = self.sql(node, "this")
    if name == "":
        return value
    if name == "und:ci":
        return f"{value} COLLATE NOCASE"
    if name is None or not isinstance(spec, exp.Literal):
        return None
    raise InvalidError(f"Quarry supports the collations 'und:ci' and '', not '{name}'")


def _cast_sql(self: Any, node: exp.Cast) -> str | None:
    # BigQuery casts between STRING and BYTES by UTF-8; DuckDB reads and writes escapes (\xAA).
    if node.to.this in (exp.DataType.Type.BINARY, exp.DataType.Type.VARBINARY):
        kind = annotate_types(node.this.copy(), dialect="bigquery").type
        if kind is not None and kind.is_type(*exp.DataType.TEXT_TYPES):
            return f"ENCODE({self.sql(node, 'this')})"
    if node.to.is_type(*exp.DataType.TEXT_TYPES) and _is_bytes(node.this):
        return f"DECODE({self.sql(node, 'this')})"
    return None


REWRITES: dict[type, Handler] = {
    exp.Cast: _cast_sql,
    exp.StrPosition: _instr_sql,
    exp.Left: _left_sql,
    exp.Right: _right_sql,
    exp.Substring: _substr_sql,
    exp.Pad: _pad_sql,
    exp.Trim: _trim_sql,
    exp.Concat: _concat_sql,
    exp.Repeat: _repeat_sql,
    exp.Normalize: _normalize_sql,
    exp.Format: _format_sql,
    exp.Lower: _lower_upper("lower"),
    exp.Upper: _lower_upper("upper"),
    exp.Split: _split_sql,
    exp.Contains: _contains_substr_sql,
    exp.RegexpExtract: _regexp_extract_sql,
    exp.RegexpExtractAll: _regexp_extract_sql,
    exp.Collate: _collate_sql,
    exp.Length: lambda self, node: _call(self, "length", node.this),
    exp.ByteLength: lambda self, node: _call(self, "byte_length", node.this),
    exp.Unicode: lambda self, node: _call(self, "unicode", node.this),
    exp.Ascii: lambda self, node: _call(self, "ascii", node.this),
    exp.Chr: lambda self, node: _call(self, "chr", *node.expressions),
    exp.ToCodePoints: lambda self, node: _call(self, "to_code_points", node.this),
    exp.CodePointsToString: lambda self, node: _call(self, "code_points_to_string", node.this),
    exp.CodePointsToBytes: lambda self, node: _call(self, "code_points_to_bytes", node.this),
    exp.StartsWith: lambda self, node: _call(self, "starts_with", node.this, node.expression),
    exp.EndsWith: lambda self, node: _call(self, "ends_with", node.this, node.expression),
    exp.ToBase32: lambda self, node: _call(self, "to_base32", node.this),
    exp.FromBase32: lambda self, node: _call(self, "from_base32", node.this),
    exp.SafeConvertBytesToString: lambda self, node: _call(
        self, "safe_convert_bytes_to_string", node.this
    ),
    exp.Soundex: lambda self, node: _call(self, "soundex", node.this),
    exp.Initcap: lambda self, node: _call(
        self, "initcap", node.this, *([node.expression] if node.expression else [])
    ),
    exp.Reverse: lambda self, node: _typed(self, "reverse", node.this, node.this),
    exp.Translate: lambda self, node: _typed(
        self, "translate", node.this, node.this, node.args["from_"], node.args["to"]
    ),
    exp.Replace: lambda self, node: _typed(
        self, "replace", node.this, node.this, node.expression, node.args["replacement"]
    ),
    exp.Levenshtein: lambda self, node: _call(
        self,
        "edit_distance",
        node.this,
        node.expression,
        node.args.get("max_dist") or exp.Literal.number(2**62),
    ),
}

ANONYMOUS: dict[str, Handler] = {"REGEXP_MATCH": _regexp_match_sql}

PARTIAL: dict[str, str] = {
    "REGEXP_EXTRACT": "a capturing group that matched the empty string reads as NULL",
    "COLLATE": "only 'und:ci' and '' (no collation)",
}
