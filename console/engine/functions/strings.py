"""STRING and BYTES functions, where DuckDB differs.

Most of BigQuery's string functions take STRING or BYTES and count characters for one and bytes
for the other; DuckDB's take VARCHAR only. Where the result's type does not depend on the
argument's (INT64, BOOL, ARRAY<INT64>), one Arrow UDF serves both: it sees whether its input is
Arrow string or binary. Where it does (TRIM, REVERSE, ...), a STRING and a BYTES registration of
one UDF sit behind a DuckDB macro overloaded on (x VARCHAR) and (x BLOB), so DuckDB picks by the
argument's actual type, a column's included. Slicing (x[a:b]) already means characters of a
VARCHAR and bytes of a BLOB, so LEFT, RIGHT, SUBSTR and the pads are spelled with it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from console.engine.functions.base import Handler, Udf
from console.engine.types import (
    check_string_or_bytes,
    googlesql_type_name,
    googlesql_type_of,
)
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


def _udf(
    name: str,
    function: Callable[..., pa.Array],
    returns: str,
    texts: int = 0,
    only: str | None = None,
) -> Udf:
    """A UDF whose first `texts` arguments must be STRING or BYTES (or only the one named),
    refused in BigQuery's words otherwise."""
    shown = name.upper()

    def checked(*arrays: pa.Array) -> pa.Array:
        for array in arrays[:texts]:
            if only is None:
                check_string_or_bytes(array, shown)
            else:
                _check_only(array, shown, only)
        return function(*arrays)

    # "special": every function here sees NULLs itself, since some return NULL for non-NULL input
    # (CODE_POINTS_TO_STRING of an array holding a NULL) and DuckDB's default forbids that.
    return Udf(f"quarry_{name}", checked, None, returns, null_handling="special")


def _check_only(values: pa.Array, function: str, kind: str) -> None:
    if pa.types.is_null(values.type) or googlesql_type_of(values.type) == kind:
        return
    raise InvalidError(
        f"No matching signature for function {function} for argument types: "
        f"{googlesql_type_of(values.type)}. Supported signature: {function}({kind})"
    )


def _error(message: str, like: str) -> str:
    """SQL raising message, typed like the SQL `like` (VARCHAR or BLOB).

    DuckDB's own ERROR() is volatile, which SAFE.'s TRY refuses; a UDF given a value of the row
    is neither volatile nor folded into a constant before its branch is taken.
    """
    return f"quarry_raise_like({like}, {exp.Literal.string(message).sql('duckdb')})"


def _raiser(kind: pa.DataType) -> Callable[[pa.Array, pa.Array], pa.Array]:
    def udf(values: pa.Array, messages: pa.Array) -> pa.Array:
        for message in messages.to_pylist():
            if message is not None:
                raise InvalidError(message)
        return pa.nulls(len(values), kind)

    return udf


# Lengths, positions and code points ------------------------------------------------------------


def _length(values: pa.Array) -> pa.Array:
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), pa.int64())
    lengths = pc.binary_length(values) if _is_binary(values.type) else pc.utf8_length(values)
    return lengths.cast(pa.int64())


def _byte_length(values: pa.Array) -> pa.Array:
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), pa.int64())
    return pc.binary_length(values.cast(pa.binary())).cast(pa.int64())


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
            raise InvalidError(f"Invalid ASCII value {point}")
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


def _from_base64(text: str) -> bytes:
    try:
        # Padding may be left off, as BigQuery allows.
        digits = text.rstrip("=")
        return base64.b64decode(digits + "=" * (-len(digits) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidError("Failed to decode invalid base64 string") from None


def _from_hex(text: str) -> bytes:
    for offset, char in enumerate(text):
        if char not in "0123456789abcdefABCDEF":
            raise InvalidError(
                "Failed to decode invalid hexadecimal string due to character at offset "
                f"{offset}: {text}"
            )
    return bytes.fromhex(text.rjust(len(text) + len(text) % 2, "0"))


def _safe_convert(value: bytes) -> str:
    # BigQuery puts one U+FFFD for each byte of an invalid sequence, as surrogateescape does.
    escaped = value.decode("utf-8", errors="surrogateescape")
    return re.sub("[\udc80-\udcff]", "\ufffd", escaped)


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


# Regular expressions in Python, for BYTES (DuckDB's RE2 functions take VARCHAR only) and for
# patterns that are not literals (whose capturing groups are only known at run time) ------------

_TOO_MANY_GROUPS = (
    "Regular expressions passed into extraction functions must not have more than 1 capturing group"
)


def _compiled(pattern: Any) -> re.Pattern[Any]:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise InvalidError(f"Cannot parse regular expression: {err}") from None


def _regexp_contains(value: Any, pattern: Any) -> bool:
    _same_kind("REGEXP_CONTAINS", value, pattern)
    return _compiled(pattern).search(value) is not None


def _regexp_replace(value: Any, pattern: Any, replacement: Any) -> Any:
    _same_kind("REGEXP_REPLACE", value, pattern, replacement)
    compiled = _compiled(pattern)
    return compiled.sub(lambda match: _expand(match, replacement), value)


def _expand(match: re.Match[Any], replacement: Any) -> Any:
    # BigQuery's replacement: \0 to \9 name groups, \\ is a backslash.
    text = replacement.decode("latin-1") if isinstance(replacement, bytes) else replacement
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following.isdigit():
                group = match.group(int(following)) or match.string[:0]
                out.append(group.decode("latin-1") if isinstance(group, bytes) else group)
            else:
                out.append(following)
            i += 2
            continue
        out.append(char)
        i += 1
    joined = "".join(out)
    return joined.encode("latin-1") if isinstance(replacement, bytes) else joined


def _extraction(value: Any, pattern: Any, function: str) -> tuple[re.Pattern[Any], int]:
    _same_kind(function, value, pattern)
    compiled = _compiled(pattern)
    if compiled.groups > 1:
        raise InvalidError(_TOO_MANY_GROUPS)
    return compiled, compiled.groups


def _regexp_extract(value: Any, pattern: Any, position: int, occurrence: int) -> Any:
    compiled, group = _extraction(value, pattern, "REGEXP_EXTRACT")
    if position <= 0:
        raise InvalidError("Position must be positive")
    if occurrence <= 0:
        raise InvalidError("Occurrence must be positive")
    if position > len(value):
        return None
    for count, match in enumerate(compiled.finditer(value, position - 1), 1):
        if count == occurrence:
            return match.group(group)
    return None


def _regexp_instr(value: Any, pattern: Any, position: int, occurrence: int, where: int) -> int:
    _same_kind("REGEXP_INSTR", value, pattern)
    compiled = _compiled(pattern)
    if compiled.groups > 1:
        raise InvalidError(_TOO_MANY_GROUPS)
    _check_regexp_instr(position, occurrence, where)
    if not pattern or position > len(value):
        return 0
    for count, match in enumerate(compiled.finditer(value, position - 1), 1):
        if count == occurrence:
            return (match.end() if where else match.start()) + 1
    return 0


def _check_regexp_instr(position: int, occurrence: int, where: int) -> None:
    if position <= 0:
        raise InvalidError("Position must be positive")
    if occurrence <= 0:
        raise InvalidError("Occurrence must be positive")
    if where not in (0, 1):
        raise InvalidError("Occurrence position must be 0 or 1")


def _regexp_extract_all(value: Any, pattern: Any) -> list[Any]:
    compiled, group = _extraction(value, pattern, "REGEXP_EXTRACT_ALL")
    return [match.group(group) or value[:0] for match in compiled.finditer(value)]


# Same-type functions: STRING in, STRING out; BYTES in, BYTES out -------------------------------


def _reverse(value: Any) -> Any:
    return value[::-1]


def _case(upper: bool) -> Callable[[pa.Array], pa.Array]:
    """LOWER or UPPER: Unicode's full case mapping for STRING, as BigQuery's ICU does (ß is SS,
    a final Σ is ς; DuckDB writes ẞ and σ), ASCII letters only for BYTES."""

    def udf(values: pa.Array) -> pa.Array:
        if (
            pa.types.is_string(values.type)
            and pc.all(pc.string_is_ascii(values)).as_py() is not False
        ):
            return pc.ascii_upper(values) if upper else pc.ascii_lower(values)
        return pa.array(
            [
                None if v is None else (v.upper() if upper else v.lower())
                for v in values.to_pylist()
            ],
            values.type,
        )

    return udf


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


def _macro(name: str, overloads: list[tuple[str, str]]) -> str:
    bodies = ", ".join(f"({parameters}) AS {body}" for parameters, body in overloads)
    return f"CREATE MACRO IF NOT EXISTS quarry_{name}{bodies}"


def _dispatch(name: str, shown: str, arities: tuple[int, ...]) -> str:
    """A macro calling quarry_<name>_string or _bytes by its first argument's type, and refusing
    any other type as BigQuery does."""
    overloads = []
    for arity in arities:
        rest = [f"a{i}" for i in range(1, arity)]
        arguments = ", ".join(["x", *rest])
        for kind, suffix in (("VARCHAR", "string"), ("BLOB", "bytes")):
            parameters = ", ".join([f"x {kind}", *rest])
            overloads.append((parameters, f"quarry_{name}_{suffix}({arguments})"))
        overloads.append((arguments, _no_signature(shown)))
    return _macro(name, overloads)


def _no_signature(shown: str) -> str:
    return (
        f"ERROR('No matching signature for function {shown} for argument types: ' || "
        f"quarry_type_name(x) || '. Supported signatures: {shown}(STRING); {shown}(BYTES)')"
    )


def _only_bytes(shown: str) -> str:
    return (
        f"ERROR('No matching signature for function {shown} for argument types: ' || "
        f"quarry_type_name(x) || '. Supported signature: {shown}(BYTES)')"
    )


def _regexp_instr_re2(where: int) -> str:
    # sqlglot's RE2 spelling of REGEXP_INSTR, over the macro's parameters.
    return exp.RegexpInstr(
        this=exp.column("v"),
        expression=exp.column("pat"),
        position=exp.column("pos"),
        occurrence=exp.column("occ"),
        option=exp.Literal.number(where),
    ).sql("duckdb")


_REGEXP_INSTR_RE2 = (
    "CASE WHEN pos <= 0 THEN quarry_raise_int(v, 'Position must be positive')"
    " WHEN occ <= 0 THEN quarry_raise_int(v, 'Occurrence must be positive')"
    " WHEN op NOT IN (0, 1) THEN quarry_raise_int(v, 'Occurrence position must be 0 or 1')"
    f" WHEN op = 1 THEN {_regexp_instr_re2(1)} ELSE {_regexp_instr_re2(0)} END"
)


# BigQuery's names for DuckDB's types, for messages.
def _googlesql_types(names: pa.Array) -> pa.Array:
    return pa.array(
        [None if name is None else googlesql_type_name(name) for name in names.to_pylist()],
        pa.string(),
    )


# A value's type in GoogleSQL's words (ARRAY<INT64>, not INTEGER[]), for refusals.
_TYPE_NAME_MACRO = (
    "CREATE MACRO IF NOT EXISTS quarry_type_name(x) AS quarry_googlesql_type(typeof(x))"
)


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
    # Python's shortest round-trip text is BigQuery's: 123.0, 0.1, 1e+20, 1e-07.
    return repr(value)


def _quoted(text: str) -> str:
    # ZetaSQL's string literal: double quotes, or single ones when that spares escaping a ".
    quote = "'" if '"' in text and "'" not in text else '"'
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f"{quote}{escaped}{quote}"


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
        return text
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
            f"Invalid type for argument to FORMAT; Expected INT64; Got {googlesql_type_of(kind)}"
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
            f"Invalid type for argument to FORMAT; Expected FLOAT64; Got {googlesql_type_of(kind)}"
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


def _json_text(value: Any, spec: str) -> str:
    """%p (one line) or %P (indented) of a JSON value, which reaches FORMAT as its text."""
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        raise InvalidError(f"Invalid type for argument to FORMAT %{spec}; Expected JSON") from None
    if spec == "p":
        return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(parsed, indent=2, ensure_ascii=False)


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
                    "Invalid type for argument to FORMAT; Expected STRING; "
                    f"Got {googlesql_type_of(kind)}"
                )
            out.append(_format_text(value, flags, width, precision))
        else:
            out.append(_format_text(_json_text(value, spec), flags, width, precision))
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


_JSON_SCOPES = ("JSON_VALUES", "JSON_KEYS", "JSON_KEYS_AND_VALUES")


def _json_leaves(value: Any, scope: str) -> Iterable[str | None]:
    if isinstance(value, dict):
        for key, item in value.items():
            if "KEYS" in scope:
                yield key
            yield from _json_leaves(item, scope)
    elif isinstance(value, list):
        for item in value:
            yield from _json_leaves(item, scope)
    elif "VALUES" in scope:
        yield None if value is None else _value_text(value, pa.null(), literal=False)


def _contains_substr_udf(values: pa.Array, searches: pa.Array, scopes: pa.Array) -> pa.Array:
    # scope is '' unless the value is JSON, whose text is parsed and searched key by key and
    # value by value as json_scope says.
    out: list[bool | None] = []
    for value, search, scope in _rows(values, searches, scopes):
        if search is None:
            raise InvalidError("CONTAINS_SUBSTR: the search value must not be NULL")
        if scope and scope not in _JSON_SCOPES:
            raise InvalidError(f"Invalid json_scope: {scope}")
        if value is None:
            out.append(None)
            continue
        wanted = _folded(search)
        if scope:
            leaves = list(_json_leaves(json.loads(value), scope))
        else:
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
    Udf("quarry_googlesql_type", _googlesql_types, ["VARCHAR"], "VARCHAR"),
    _udf("length", _length, "BIGINT", texts=1),
    _udf("byte_length", _byte_length, "BIGINT", texts=1),
    _udf("instr", _instr_udf, "BIGINT", texts=2),
    _udf("ascii", _map(pa.int64(), _ascii), "BIGINT", texts=1),
    _udf("unicode", _map(pa.int64(), _first_code), "BIGINT", texts=1, only="STRING"),
    _udf("chr", _map(pa.string(), _chr), "VARCHAR"),
    _udf("to_code_points", _map(pa.list_(pa.int64()), _to_code_points), "BIGINT[]", texts=1),
    _udf("code_points_to_string", _map(pa.string(), _code_points_to_string), "VARCHAR"),
    _udf("code_points_to_bytes", _map(pa.binary(), _code_points_to_bytes), "BLOB"),
    _udf("starts_with", _map(pa.bool_(), _starts_with), "BOOLEAN", texts=2),
    _udf("ends_with", _map(pa.bool_(), _ends_with), "BOOLEAN", texts=2),
    _udf("edit_distance", _map(pa.int64(), _edit_distance), "BIGINT", texts=2),
    _udf("to_base32", _map(pa.string(), _to_base32), "VARCHAR", texts=1, only="BYTES"),
    _udf("from_base32", _map(pa.binary(), _from_base32), "BLOB", texts=1, only="STRING"),
    _udf("from_base64", _map(pa.binary(), _from_base64), "BLOB", texts=1, only="STRING"),
    _udf("from_hex", _map(pa.binary(), _from_hex), "BLOB", texts=1, only="STRING"),
    _udf(
        "safe_convert_bytes_to_string",
        _map(pa.string(), _safe_convert),
        "VARCHAR",
        texts=1,
        only="BYTES",
    ),
    _udf("normalize", _map(pa.string(), _normalize), "VARCHAR", texts=1, only="STRING"),
    _udf(
        "normalize_and_casefold",
        _map(pa.string(), _normalize_and_casefold),
        "VARCHAR",
        texts=1,
        only="STRING",
    ),
    _udf("initcap", _initcap_udf, "VARCHAR", texts=2, only="STRING"),
    _udf("soundex", _map(pa.string(), _soundex), "VARCHAR", texts=1, only="STRING"),
    _udf("format", _format_udf, "VARCHAR"),
    _udf("contains_substr_udf", _contains_substr_udf, "BOOLEAN"),
    _udf("raise_string", _raiser(pa.string()), "VARCHAR"),
    _udf("raise_bytes", _raiser(pa.binary()), "BLOB"),
    _udf("raise_int", _raiser(pa.int64()), "BIGINT"),
    _udf("regexp_instr_bytes", _map(pa.int64(), _regexp_instr), "BIGINT"),
    *_same_type_udfs("lower", _case(upper=False)),
    *_same_type_udfs("upper", _case(upper=True)),
    _udf("regexp_contains_bytes", _map(pa.bool_(), _regexp_contains), "BOOLEAN"),
    *_same_type_udfs("reverse", _kind_map(_reverse)),
    *_same_type_udfs("translate", _kind_map(_translate)),
    *_same_type_udfs("replace", _kind_map(_replace)),
    *_same_type_udfs("split", _kind_map(_split, many=True), many=True),
    *_same_type_udfs("trim_both", _trim("BOTH")),
    *_same_type_udfs("trim_leading", _trim("LEADING")),
    *_same_type_udfs("trim_trailing", _trim("TRAILING")),
    *_same_type_udfs("regexp_replace", _kind_map(_regexp_replace)),
    *_same_type_udfs("regexp_extract", _kind_map(_regexp_extract)),
    *_same_type_udfs("regexp_extract_all", _kind_map(_regexp_extract_all, many=True), many=True),
]

_NUMERIC_TEXT = (
    "CASE WHEN contains(CAST(x AS VARCHAR), '.') "
    "THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.') ELSE CAST(x AS VARCHAR) END"
)

_MACRO_STATEMENTS = [
    _TYPE_NAME_MACRO,
    # JSON is searched as JSON; anything else as the text of its values.
    _macro(
        "contains_substr",
        [
            ("x JSON, s, scope", "quarry_contains_substr_udf(x, s, scope)"),
            ("x VARCHAR, s, scope", "quarry_contains_substr_udf(x, s, '')"),
            ("x, s, scope", "quarry_contains_substr_udf(x, s, '')"),
        ],
    ),
    _macro(
        "raise_like",
        [("x BLOB, m", "quarry_raise_bytes(x, m)"), ("x, m", "quarry_raise_string(x::VARCHAR, m)")],
    ),
    _dispatch("reverse", "REVERSE", (1,)),
    _dispatch("translate", "TRANSLATE", (3,)),
    _dispatch("replace", "REPLACE", (3,)),
    _dispatch("split", "SPLIT", (2,)),
    _dispatch("trim_both", "TRIM", (1, 2)),
    _dispatch("trim_leading", "LTRIM", (1, 2)),
    _dispatch("trim_trailing", "RTRIM", (1, 2)),
    _dispatch("regexp_extract", "REGEXP_EXTRACT", (4,)),
    _dispatch("regexp_extract_all", "REGEXP_EXTRACT_ALL", (2,)),
    _dispatch("lower", "LOWER", (1,)),
    _dispatch("upper", "UPPER", (1,)),
    _macro(
        "regexp_instr",
        [
            ("v VARCHAR, pat, pos, occ, op", _REGEXP_INSTR_RE2),
            ("v BLOB, pat, pos, occ, op", "quarry_regexp_instr_bytes(v, pat, pos, occ, op)"),
            ("x, pat, pos, occ, op", _no_signature("REGEXP_INSTR")),
        ],
    ),
    _macro(
        "concat_part",
        [("x VARCHAR", "x"), ("x BLOB", "x"), ("x", "CAST(x AS VARCHAR)")],
    ),
    _macro(
        "to_bytes",
        [("x VARCHAR", "encode(x)"), ("x BLOB", "x"), ("x", "CAST(x AS BLOB)")],
    ),
    _macro(
        "to_string",
        [
            ("x BLOB", "decode(x)"),
            ("x VARCHAR", "x"),
            ("x BIGINT", "CAST(x AS VARCHAR)"),
            # BigQuery writes NUMERIC '1.25' as 1.25 where DuckDB writes 1.250000000.
            ("x DECIMAL(38, 9)", _NUMERIC_TEXT),
            ("x", "CAST(x AS VARCHAR)"),
        ],
    ),
    _macro(
        "to_hex",
        [("x BLOB", "lower(hex(x))"), ("x", _only_bytes("TO_HEX"))],
    ),
    _macro(
        "to_base64",
        [("x BLOB", "to_base64(x)"), ("x", _only_bytes("TO_BASE64"))],
    ),
    # A space of the value's own type: LPAD and RPAD's default pattern.
    _macro("space_like", [("x VARCHAR", "' '"), ("x BLOB", "'\\x20'::BLOB")]),
    _macro(
        "regexp_contains",
        [
            ("x VARCHAR, p", "regexp_matches(x, p)"),
            ("x BLOB, p", "quarry_regexp_contains_bytes(x, p)"),
            ("x, p", _no_signature("REGEXP_CONTAINS")),
        ],
    ),
    _macro(
        "regexp_extract_whole",
        [
            ("x VARCHAR, p", "CASE WHEN regexp_matches(x, p) THEN regexp_extract(x, p, 0) END"),
            ("x BLOB, p", "quarry_regexp_extract_bytes(x, p, 1, 1)"),
            ("x, p", _no_signature("REGEXP_EXTRACT")),
        ],
    ),
    # DuckDB gives '' where a group took no part in the match; BigQuery NULL.
    _macro(
        "regexp_extract_group",
        [
            (
                "x VARCHAR, p",
                "CASE WHEN regexp_matches(x, p) THEN NULLIF(regexp_extract(x, p, 1), '') END",
            ),
            ("x BLOB, p", "quarry_regexp_extract_bytes(x, p, 1, 1)"),
            ("x, p", _no_signature("REGEXP_EXTRACT")),
        ],
    ),
    _macro(
        "regexp_extract_all_re2",
        [
            ("x VARCHAR, p, g", "regexp_extract_all(x, p, g)"),
            ("x BLOB, p, g", "quarry_regexp_extract_all_bytes(x, p)"),
            ("x, p, g", _no_signature("REGEXP_EXTRACT_ALL")),
        ],
    ),
    _macro(
        "regexp_replace",
        [
            ("x VARCHAR, p, r", "regexp_replace(x, p, r, 'g')"),
            ("x BLOB, p, r", "quarry_regexp_replace_bytes(x, p, r)"),
            ("x, p, r", _no_signature("REGEXP_REPLACE")),
        ],
    ),
]

# By name, as functions.macros_for looks them up.
MACROS = {re.match(r"CREATE MACRO IF NOT EXISTS (\w+)", sql)[1]: sql for sql in _MACRO_STATEMENTS}


# Handlers --------------------------------------------------------------------------------------


def _call(self: Any, name: str, *args: Any) -> str:
    return self.func(f"quarry_{name}", *args)


def _text(node: exp.Expression) -> exp.Expression:
    # A bare NULL is a STRING to BigQuery; DuckDB's macros would take it for a BLOB.
    return exp.cast(node, exp.DataType.Type.VARCHAR) if isinstance(node, exp.Null) else node


def _dispatched(name: str, *keys: str) -> Handler:
    """A handler calling the type-dispatching macro quarry_<name> with the node's arguments."""

    def handler(self: Any, node: exp.Expression) -> str:
        arguments = [node.args[key] for key in keys if node.args.get(key) is not None]
        return _call(self, name, _text(arguments[0]), *arguments[1:])

    return handler


def _instr_sql(self: Any, node: exp.StrPosition) -> str:
    position = node.args.get("position") or exp.Literal.number(1)
    occurrence = node.args.get("occurrence") or exp.Literal.number(1)
    return _call(self, "instr", node.this, node.args["substr"], position, occurrence)


def _left_sql(self: Any, node: exp.Left) -> str:
    # x[1:n] is characters of a VARCHAR and bytes of a BLOB.
    value, length = self.sql(node, "this"), self.sql(node, "expression")
    negative = "Second argument in LEFT() cannot be negative"
    return f"CASE WHEN {length} < 0 THEN {_error(negative, value)} ELSE ({value})[1:{length}] END"


def _right_sql(self: Any, node: exp.Right) -> str:
    value, length = self.sql(node, "this"), self.sql(node, "expression")
    size = _call(self, "length", node.this)
    negative = "Second argument in RIGHT() cannot be negative"
    return (
        f"CASE WHEN {length} < 0 THEN {_error(negative, value)} "
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
    negative = "Third argument in SUBSTR() cannot be negative"
    return (
        f"CASE WHEN {length} < 0 THEN {_error(negative, value)} "
        f"ELSE ({value})[{start}:({start}) + {length} - 1] END"
    )


def _pad_sql(self: Any, node: exp.Pad) -> str:
    # Built of slices, REPEAT and ||, all of which keep VARCHAR or BLOB as they are.
    value, length = self.sql(node, "this"), self.sql(node, "expression")
    pattern_node = node.args.get("fill_pattern")
    if pattern_node is None:
        pattern, pattern_size = _call(self, "space_like", node.this), "1"
    else:
        pattern, pattern_size = self.sql(pattern_node), _call(self, "length", pattern_node)
    size = _call(self, "length", node.this)
    missing = f"{length} - {size}"
    fill = f"REPEAT({pattern}, ({missing}) // {pattern_size} + 1)[1:{missing}]"
    padded = f"{fill} || {value}" if node.args.get("is_left") else f"{value} || {fill}"
    negative = "Second argument (output size) for LPAD/RPAD cannot be negative"
    empty = "Third argument (pad pattern) for LPAD/RPAD cannot be empty"
    return (
        f"CASE WHEN {length} < 0 THEN {_error(negative, value)}"
        f" WHEN {pattern_size} = 0 THEN {_error(empty, value)}"
        f" WHEN {length} <= {size} THEN ({value})[1:{length}] ELSE {padded} END"
    )


def _trim_sql(self: Any, node: exp.Trim) -> str:
    where = str(node.args.get("position") or "BOTH").lower()
    arguments = [node.this, *([node.expression] if node.expression is not None else [])]
    return _call(self, f"trim_{where}", _text(arguments[0]), *arguments[1:])


def _concat_sql(self: Any, node: exp.Concat) -> str:
    # BigQuery's CONCAT is NULL when any argument is (as DuckDB's || is, not its CONCAT), and
    # casts numbers, dates and the like to STRING, by each argument's actual type.
    parts = [_call(self, "concat_part", _text(argument)) for argument in node.expressions]
    return "(" + " || ".join(parts) + ")"


def _repeat_sql(self: Any, node: exp.Repeat) -> str:
    value, times = self.sql(node, "this"), self.sql(node, "times")
    negative = "Second argument (repeat count) for REPEAT cannot be negative"
    return f"CASE WHEN {times} < 0 THEN {_error(negative, value)} ELSE REPEAT({value}, {times}) END"


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


def _contains_substr_sql(self: Any, node: exp.Contains) -> str:
    # sqlglot wraps both arguments in LOWER; BigQuery folds them with NFKC instead.
    value, search = node.this, node.expression
    if isinstance(value, exp.Lower):
        value = value.this
    if isinstance(search, exp.Lower):
        search = search.this
    if isinstance(search, exp.Null):
        raise InvalidError("CONTAINS_SUBSTR: the search value must not be NULL")
    scope = node.args.get("json_scope")
    scope = scope.expression if isinstance(scope, exp.Kwarg) else exp.Literal.string("JSON_VALUES")
    return _call(self, "contains_substr", value, search, scope)


def _group_count(pattern: exp.Expression) -> int | None:
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        return None
    try:
        return re.compile(pattern.this).groups
    except re.error:
        return None


def _regexp_extract_sql(self: Any, node: exp.RegexpExtract) -> str:
    # BigQuery extracts the capturing group when there is one, the whole match otherwise. A
    # literal pattern's groups are counted here, and DuckDB's RE2 runs it on a STRING.
    value, pattern = node.this, node.expression
    position, occurrence = node.args.get("position"), node.args.get("occurrence")
    groups = _group_count(pattern)
    if groups is not None and groups > 1:
        raise InvalidError(_TOO_MANY_GROUPS)
    if groups is None or position is not None or occurrence is not None:
        one = exp.Literal.number(1)
        return _call(
            self, "regexp_extract", _text(value), pattern, position or one, occurrence or one
        )
    return _call(
        self, "regexp_extract_group" if groups else "regexp_extract_whole", _text(value), pattern
    )


def _regexp_extract_all_sql(self: Any, node: exp.RegexpExtractAll) -> str:
    groups = _group_count(node.expression)
    if groups is not None and groups > 1:
        raise InvalidError(_TOO_MANY_GROUPS)
    if groups is None:
        return _call(self, "regexp_extract_all", _text(node.this), node.expression)
    return _call(
        self,
        "regexp_extract_all_re2",
        _text(node.this),
        node.expression,
        exp.Literal.number(groups),
    )


def _regexp_instr_sql(self: Any, node: exp.RegexpInstr) -> str:
    groups = _group_count(node.expression)
    if groups is not None and groups > 1:
        raise InvalidError(_TOO_MANY_GROUPS)
    one, zero = exp.Literal.number(1), exp.Literal.number(0)
    return _call(
        self,
        "regexp_instr",
        _text(node.this),
        node.expression,
        node.args.get("position") or one,
        node.args.get("occurrence") or one,
        node.args.get("option") or zero,
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
    # The macros pick by the operand's actual type; any other cast is DuckDB's.
    if node.to.this in (exp.DataType.Type.BINARY, exp.DataType.Type.VARBINARY):
        function = "to_bytes"
    elif node.to.is_type(*exp.DataType.TEXT_TYPES) and not node.to.expressions:
        function = "to_string"
    else:
        return None
    sql = _call(self, function, node.this)
    return f"TRY({sql})" if isinstance(node, exp.TryCast) else sql


def _unary(name: str) -> Handler:
    return lambda self, node: _call(self, name, node.this)


def _safe_sql(self: Any, node: exp.SafeFunc) -> str | None:
    # SAFE.f(...) is NULL where f would fail: DuckDB's TRY does that to the errors these
    # functions raise (UDF errors; TRY refuses volatile functions such as ERROR()).
    if type(node.this) not in REWRITES or isinstance(node.this, exp.Cast):
        return None
    return f"TRY({self.sql(node, 'this')})"


REWRITES: dict[type, Handler] = {
    exp.SafeFunc: _safe_sql,
    exp.Cast: _cast_sql,
    exp.TryCast: _cast_sql,
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
    exp.Contains: _contains_substr_sql,
    exp.RegexpExtract: _regexp_extract_sql,
    exp.RegexpExtractAll: _regexp_extract_all_sql,
    exp.RegexpInstr: _regexp_instr_sql,
    exp.RegexpLike: _dispatched("regexp_contains", "this", "expression"),
    exp.RegexpReplace: _dispatched("regexp_replace", "this", "expression", "replacement"),
    exp.Collate: _collate_sql,
    exp.Lower: _dispatched("lower", "this"),
    exp.Upper: _dispatched("upper", "this"),
    exp.Reverse: _dispatched("reverse", "this"),
    exp.Split: _dispatched("split", "this", "expression"),
    exp.Translate: _dispatched("translate", "this", "from_", "to"),
    exp.Replace: _dispatched("replace", "this", "expression", "replacement"),
    exp.Length: _unary("length"),
    exp.ByteLength: _unary("byte_length"),
    exp.Unicode: _unary("unicode"),
    exp.Ascii: _unary("ascii"),
    exp.Chr: lambda self, node: _call(self, "chr", *node.expressions),
    exp.ToCodePoints: _unary("to_code_points"),
    exp.CodePointsToString: _unary("code_points_to_string"),
    exp.CodePointsToBytes: _unary("code_points_to_bytes"),
    exp.StartsWith: lambda self, node: _call(self, "starts_with", node.this, node.expression),
    exp.EndsWith: lambda self, node: _call(self, "ends_with", node.this, node.expression),
    exp.ToBase32: _unary("to_base32"),
    exp.FromBase32: _unary("from_base32"),
    exp.FromBase64: _unary("from_base64"),
    exp.ToBase64: _unary("to_base64"),
    exp.LowerHex: _unary("to_hex"),
    exp.Unhex: _unary("from_hex"),
    exp.SafeConvertBytesToString: _unary("safe_convert_bytes_to_string"),
    exp.Soundex: _unary("soundex"),
    exp.Initcap: lambda self, node: _call(
        self, "initcap", node.this, *([node.expression] if node.expression else [])
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
    "REGEXP_EXTRACT": (
        "a capturing group that matched the empty string reads as NULL; with a position, an "
        "occurrence, a pattern that is not a literal or BYTES, Python's re stands in for RE2"
    ),
    "REGEXP_EXTRACT_ALL": (
        "on BYTES or with a pattern that is not a literal, Python's re stands in for RE2"
    ),
    "REGEXP_CONTAINS": "on BYTES, Python's re stands in for RE2",
    "REGEXP_REPLACE": "on BYTES, Python's re stands in for RE2",
    "REGEXP_INSTR": "on BYTES, Python's re stands in for RE2",
    "COLLATE": "only 'und:ci' and '' (no collation)",
    "FORMAT": (
        "%t and %T of JSON and INTERVAL print DuckDB's text; %t of NUMERIC follows the "
        "reference's table (123.0)"
    ),
    "CONTAINS_SUBSTR": "JSON inside a STRUCT or ARRAY is searched as its text",
}
