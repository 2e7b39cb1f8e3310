"""NET.*, HLL_COUNT.* and the small families no other area owns (ERROR, TYPEOF, BIT_COUNT).

NET.* and HLL_COUNT.* are called by dotted names and computed as Arrow functions.

sqlglot parses `NET.X(...)` as exp.NetFunc around the call (exp.Host, exp.RegDomain, or an
exp.Anonymous), and `HLL_COUNT.X(...)` as exp.Dot(HLL_COUNT, Anonymous X). Their ANONYMOUS
entries carry the full dotted name, which is how check_functions names such a call; the
REWRITES on NetFunc and Dot spell the whole call.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import socket
import struct
from collections.abc import Callable
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.engine.functions.base import Handler, Udf, arguments
from console.engine.types import field_from_arrow, googlesql_type_name
from console.errors import InvalidError

# The Public Suffix List, the data BigQuery's NET.PUBLIC_SUFFIX and NET.REG_DOMAIN look up: the
# copy the publicsuffixlist package ships (a dependency, dated by its version).
PUBLIC_SUFFIX_LIST = Path(str(files("publicsuffixlist") / "public_suffix_list.dat"))

PARTIAL = {
    "NET.PUBLIC_SUFFIX": "looks suffixes up in the Public Suffix List the publicsuffixlist "
    "package ships, whose date may differ from BigQuery's copy",
    "NET.REG_DOMAIN": "looks suffixes up in the Public Suffix List the publicsuffixlist "
    "package ships, whose date may differ from BigQuery's copy",
    "HLL_COUNT.INIT": "sketches are Quarry's own bytes, not BigQuery's HLL++ encoding: a sketch "
    "made by BigQuery cannot be merged or extracted here, nor one made here in BigQuery",
    "HLL_COUNT.MERGE_PARTIAL": "sketches are Quarry's own bytes, not BigQuery's HLL++ encoding",
}


def _type_name(values: pa.Array) -> str:
    return field_from_arrow("x", values.type)["type"]


def _expect(values: pa.Array, function: str, *kinds: str) -> None:
    """Refuse an argument of another type, in BigQuery's words."""
    if pa.types.is_null(values.type) or _type_name(values) in kinds:
        return
    signatures = "; ".join(f"{function}({kind})" for kind in kinds)
    raise InvalidError(
        f"No matching signature for function {function} for argument types: "
        f"{_type_name(values)}. Supported signatures: {signatures}"
    )


def _scalar(
    function: str, kinds: tuple[str, ...], compute: Callable[..., Any], result: pa.DataType
) -> Callable[..., pa.Array]:
    """An Arrow function applying compute to each row whose arguments are all non-NULL."""

    def run(*columns: pa.Array) -> pa.Array:
        for column, kind in zip(columns, kinds, strict=True):
            _expect(column, function, kind)
        rows = zip(*(column.to_pylist() for column in columns), strict=True)
        return pa.array(
            [None if None in row else compute(*row) for row in rows],
            result,
        )

    return run


# URLs ------------------------------------------------------------------------------------------

_SLASHES = "/\\"
_NETLOC_END = "/\\?#"


def host(url: str) -> str | None:
    """Return a URL's host as BigQuery's NET.HOST reads it, best effort, or None.

    After an optional scheme (only one followed by `//`) or a leading `//`, the host runs to the
    first of / \\ ? #, after the last @ and before a port; an IPv6 host keeps its brackets.
    Leading dots go, trailing dots shrink to one.
    """
    text = url.strip(" \t\n\v\f\r")
    start, end = 0, len(text)
    scheme_possible = True
    if text[:1] in _SLASHES and text[1:2] in _SLASHES and len(text) > 1:
        start, scheme_possible = 2, False
    index = start
    while index < end:
        char = text[index]
        if char in _NETLOC_END:
            end = index
            break
        if char == ":" and scheme_possible:
            scheme_possible = False
            if text[index + 1 : index + 3] in ("//", "\\\\", "/\\", "\\/") and index + 2 < end:
                index += 2
                start = index + 1
        elif char == "@":
            start = index + 1
        index += 1
    text = text[start:end]
    cut = 0
    if text.startswith("["):
        closing = re.search(r"[\[\]]", text[1:])
        cut = closing.end() + 1 if closing else len(text)
    colon = text.find(":", cut)
    if colon >= 0:
        text = text[:colon]
    text = text.lstrip(".")
    if text.endswith("."):
        text = text.rstrip(".") + "."
    return text or None


@functools.cache
def _suffix_rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The ICANN section of the Public Suffix List: (rules, wildcard parents, exceptions)."""
    rules, wildcards, exceptions = set(), set(), set()
    in_icann = False
    for line in PUBLIC_SUFFIX_LIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if "===BEGIN ICANN DOMAINS===" in line:
            in_icann = True
        elif "===END ICANN DOMAINS===" in line:
            break
        elif in_icann and line and not line.startswith("//"):
            rule = _lookup_form(line.lstrip("!*."))
            if line.startswith("!"):
                exceptions.add(rule)
            elif line.startswith("*."):
                wildcards.add(rule)
            else:
                rules.add(rule)
    return frozenset(rules), frozenset(wildcards), frozenset(exceptions)


def _lookup_form(name: str) -> str:
    # BigQuery lower-cases English letters and Punycode-encodes other labels before the lookup.
    return ".".join(
        label.lower() if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in name.split(".")
    )


def _suffix_labels(hostname: str) -> int | None:
    """Return how many trailing labels of hostname are its public suffix, or None for none."""
    name = hostname.rstrip(".")
    if not name or ".." in name or name.startswith("["):
        return None
    rules, wildcards, exceptions = _suffix_rules()
    labels = _lookup_form(name).split(".")
    for count in range(len(labels), 0, -1):
        candidate = ".".join(labels[-count:])
        if candidate in exceptions:
            return count - 1 or None
        parent = ".".join(labels[-count + 1 :]) if count > 1 else ""
        if candidate in rules or (count > 1 and parent in wildcards):
            return count
    return None


def _last_labels(hostname: str, count: int) -> str:
    trailing_dot = hostname.endswith(".")
    labels = hostname.rstrip(".").split(".")
    return ".".join(labels[-count:]) + ("." if trailing_dot else "")


def public_suffix(url: str) -> str | None:
    name = host(url)
    count = _suffix_labels(name) if name else None
    return _last_labels(name, count) if name and count else None


def reg_domain(url: str) -> str | None:
    name = host(url)
    count = _suffix_labels(name) if name else None
    if not name or not count or len(name.rstrip(".").split(".")) <= count:
        return None
    return _last_labels(name, count + 1)


# IP addresses ----------------------------------------------------------------------------------


def _parse_ip(text: str) -> bytes | None:
    # inet_pton, as BigQuery's: dotted quads or IPv6's colon form; no CIDR, no NUL.
    if "\0" in text:
        return None
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_pton(family, text)
        except OSError:
            continue
    return None


def ip_from_string(text: str) -> bytes:
    packed = _parse_ip(text)
    if packed is None:
        raise InvalidError(f"NET.IP_FROM_STRING() encountered an unparseable IP-address: {text}")
    return packed


def ip_to_string(packed: bytes) -> str:
    if len(packed) not in (4, 16):
        raise InvalidError(
            "NET.IP_TO_STRING() encountered an invalid IP address. Expected 4 (for IPv4) or 16 "
            f"(for IPv6) bytes but got {len(packed)}"
        )
    return socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)


def _mask(length: int, prefix: int) -> int:
    bits = length * 8
    return ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)


def ip_net_mask(length: int, prefix: int) -> bytes:
    if length not in (4, 16):
        raise InvalidError(
            "The first argument of NET.IP_NET_MASK() must be either 4 (for IPv4) or 16 (for "
            f"IPv6); got {length}"
        )
    if not 0 <= prefix <= length * 8:
        raise InvalidError(
            "The second argument of NET.IP_NET_MASK() must be between 0 and the first "
            f"argument * 8; got {prefix}"
        )
    return _mask(length, prefix).to_bytes(length, "big")


def ip_trunc(packed: bytes, prefix: int) -> bytes:
    if len(packed) not in (4, 16):
        raise InvalidError(
            "The first argument of NET.IP_TRUNC() must have length 4 (for IPv4) or 16 (for "
            f"IPv6); got {len(packed)}"
        )
    if not 0 <= prefix <= len(packed) * 8:
        raise InvalidError(
            "The second argument of NET.IP_TRUNC() must be between 0 and 8 * LENGTH(first "
            f"argument); got {prefix}"
        )
    kept = int.from_bytes(packed, "big") & _mask(len(packed), prefix)
    return kept.to_bytes(len(packed), "big")


def ipv4_from_int64(value: int) -> bytes:
    if not -0x80000000 <= value <= 0xFFFFFFFF:
        raise InvalidError(
            "NET.IPV4_FROM_INT64() encountered an invalid integer IP. Expected range: "
            f"[-0x80000000, 0xFFFFFFFF]; got {value}"
        )
    return (value & 0xFFFFFFFF).to_bytes(4, "big")


def ipv4_to_int64(packed: bytes) -> int:
    if len(packed) != 4:
        raise InvalidError(
            "NET.IPV4_TO_INT64() encountered a non-IPv4 address. Expected 4 bytes but got "
            f"{len(packed)}"
        )
    return int.from_bytes(packed, "big")


# HLL_COUNT -------------------------------------------------------------------------------------
#
# A sketch is b"QHLL", a version, the input type's tag, the precision p, and either the sorted
# distinct 64-bit hashes of the values (sparse, exact) or, once those would take more room than
# the 2**p one-byte registers of HyperLogLog, the registers (dense, estimated).

_MAGIC = b"QHLL\x01"
_TAGS = {"INT64": 1, "NUMERIC": 2, "BIGNUMERIC": 3, "STRING": 4, "BYTES": 5}
_SPARSE, _DENSE = 0, 1
_HLL_INIT_TYPES = tuple(_TAGS)


def _hash(value: Any) -> int:
    if isinstance(value, int):
        data = struct.pack(">q", value)
    elif isinstance(value, Decimal):
        data = str(value.normalize()).encode()
    elif isinstance(value, str):
        data = value.encode()
    else:
        data = bytes(value)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _registers(hashes: list[int], precision: int) -> bytearray:
    registers = bytearray(1 << precision)
    for value in hashes:
        index = value >> (64 - precision)
        rest = value & ((1 << (64 - precision)) - 1)
        rank = (64 - precision) - rest.bit_length() + 1
        registers[index] = max(registers[index], rank)
    return registers


def _fold(registers: bytes, precision: int, target: int) -> bytearray:
    """Registers of a lower precision: the dropped index bits lead the rest of the hash."""
    dropped = precision - target
    folded = bytearray(1 << target)
    for index, rank in enumerate(registers):
        if rank == 0:
            continue
        low = index & ((1 << dropped) - 1)
        new_rank = dropped - low.bit_length() + 1 if low else dropped + rank
        folded[index >> dropped] = max(folded[index >> dropped], new_rank)
    return folded


def _encode(tag: int, precision: int, hashes: list[int] | None, registers: bytes | None) -> bytes:
    header = _MAGIC + bytes([tag, precision])
    if hashes is not None and len(hashes) * 8 < (1 << precision):
        return header + bytes([_SPARSE]) + b"".join(h.to_bytes(8, "big") for h in sorted(hashes))
    if registers is None:
        registers = _registers(hashes or [], precision)
    return header + bytes([_DENSE]) + bytes(registers)


def _decode(sketch: bytes, function: str) -> tuple[int, int, list[int] | None, bytes | None]:
    if len(sketch) < 8 or not sketch.startswith(_MAGIC):
        raise InvalidError(f"{function}: the argument is not an HLL sketch Quarry made")
    tag, precision, mode = sketch[5], sketch[6], sketch[7]
    body = sketch[8:]
    if mode == _SPARSE:
        return (
            tag,
            precision,
            [int.from_bytes(body[i : i + 8], "big") for i in range(0, len(body), 8)],
            None,
        )
    return tag, precision, None, body


def _hll_init(values: pa.Array, precisions: pa.Array) -> pa.Array:
    element = values.type.value_type if pa.types.is_list(values.type) else values.type
    kind = field_from_arrow("x", element)["type"]
    if kind not in _TAGS and not pa.types.is_null(element):
        raise InvalidError(
            f"No matching signature for aggregate function HLL_COUNT.INIT for argument types: "
            f"{kind}. Supported signatures: "
            + "; ".join(f"HLL_COUNT.INIT({t} [, INT64])" for t in _HLL_INIT_TYPES)
        )
    sketches = []
    for group, precision in zip(values.to_pylist(), precisions.to_pylist(), strict=True):
        if precision is None or not 10 <= precision <= 24:
            raise InvalidError(
                f"HLL_COUNT.INIT precision must be between 10 and 24 but was {precision}"
            )
        if not group:
            sketches.append(None)
            continue
        hashes = sorted({_hash(v) for v in group})
        sketches.append(_encode(_TAGS.get(kind, 0), precision, hashes, None))
    return pa.array(sketches, pa.binary())


def _merge(sketches: list[bytes], function: str) -> bytes | None:
    decoded = [_decode(s, function) for s in sketches if s is not None]
    if not decoded:
        return None
    tags = {tag for tag, *_ in decoded}
    if len(tags) > 1:
        raise InvalidError(f"{function}: sketches of different input types cannot be merged")
    precision = min(p for _, p, _, _ in decoded)
    if all(h is not None for _, _, h, _ in decoded):
        hashes = sorted({h for _, _, part, _ in decoded for h in part or []})
        return _encode(tags.pop(), precision, hashes, None)
    merged = bytearray(1 << precision)
    for _, own, part, registers in decoded:
        registers = _registers(part, own) if part is not None else registers
        folded = _fold(registers, own, precision) if own != precision else registers
        merged = bytearray(map(max, merged, folded))
    return _encode(tags.pop(), precision, None, merged)


def _estimate(sketch: bytes | None, function: str) -> int:
    if sketch is None:
        return 0
    _, precision, hashes, registers = _decode(sketch, function)
    if hashes is not None:
        return len(hashes)
    size = 1 << precision
    alpha = 0.7213 / (1 + 1.079 / size)
    raw = alpha * size * size / sum(2.0**-rank for rank in registers)
    zeros = registers.count(0)
    if raw <= 2.5 * size and zeros:
        return round(size * math.log(size / zeros))
    return round(raw)


def _hll_merge_partial(groups: pa.Array) -> pa.Array:
    return pa.array(
        [None if g is None else _merge(g, "HLL_COUNT.MERGE_PARTIAL") for g in groups.to_pylist()],
        pa.binary(),
    )


def _hll_merge(groups: pa.Array) -> pa.Array:
    return pa.array(
        [
            _estimate(_merge(g or [], "HLL_COUNT.MERGE"), "HLL_COUNT.MERGE")
            for g in groups.to_pylist()
        ],
        pa.int64(),
    )


def _hll_extract(sketches: pa.Array) -> pa.Array:
    _expect(sketches, "HLL_COUNT.EXTRACT", "BYTES")
    return pa.array([_estimate(s, "HLL_COUNT.EXTRACT") for s in sketches.to_pylist()], pa.int64())


# ERROR, TYPEOF, BIT_COUNT ----------------------------------------------------------------------


def _googlesql_type_names(duckdb_names: pa.Array) -> pa.Array:
    # TYPEOF: DuckDB's typeof() names DuckDB's types (VARCHAR, INTEGER[]); BigQuery's, its own.
    return pa.array(
        [None if n is None else googlesql_type_name(n) for n in duckdb_names.to_pylist()],
        pa.string(),
    )


def _bit_count(values: pa.Array) -> pa.Array:
    # BigQuery counts an INT64's 64 bits in two's complement (-2 has 63), and a BYTES value's
    # bits; DuckDB counts a literal's 32, and has no BLOB form.
    _expect(values, "BIT_COUNT", "INT64", "BYTES")
    if pa.types.is_integer(values.type):
        counts = [None if v is None else (v & (2**64 - 1)).bit_count() for v in values.to_pylist()]
    else:
        counts = [
            None if v is None else int.from_bytes(v, "big").bit_count() for v in values.to_pylist()
        ]
    return pa.array(counts, pa.int64())


# Registration and spelling ---------------------------------------------------------------------

_NET_FUNCTIONS: dict[str, tuple[tuple[str, ...], Callable[..., Any], pa.DataType, str]] = {
    "HOST": (("STRING",), host, pa.string(), "VARCHAR"),
    "PUBLIC_SUFFIX": (("STRING",), public_suffix, pa.string(), "VARCHAR"),
    "REG_DOMAIN": (("STRING",), reg_domain, pa.string(), "VARCHAR"),
    "IP_FROM_STRING": (("STRING",), ip_from_string, pa.binary(), "BLOB"),
    "SAFE_IP_FROM_STRING": (("STRING",), _parse_ip, pa.binary(), "BLOB"),
    "IP_TO_STRING": (("BYTES",), ip_to_string, pa.string(), "VARCHAR"),
    "IP_NET_MASK": (("INT64", "INT64"), ip_net_mask, pa.binary(), "BLOB"),
    "IP_TRUNC": (("BYTES", "INT64"), ip_trunc, pa.binary(), "BLOB"),
    "IPV4_FROM_INT64": (("INT64",), ipv4_from_int64, pa.binary(), "BLOB"),
    "IPV4_TO_INT64": (("BYTES",), ipv4_to_int64, pa.int64(), "BIGINT"),
}

UDFS = [
    *(
        Udf(
            f"quarry_net_{name.lower()}",
            _scalar(f"NET.{name}", kinds, compute, result),
            None,
            returns,
            # NET.HOST and the like return NULL for some non-NULL URLs, which DuckDB's default
            # handling refuses; NULL arguments are handled by _scalar.
            null_handling="special",
        )
        for name, (kinds, compute, result, returns) in _NET_FUNCTIONS.items()
    ),
    Udf("quarry_googlesql_type_name", _googlesql_type_names, ["VARCHAR"], "VARCHAR"),
    Udf("quarry_bit_count", _bit_count, None, "BIGINT"),
    Udf("quarry_hll_init", _hll_init, None, "BLOB"),
    Udf("quarry_hll_merge_partial", _hll_merge_partial, None, "BLOB"),
    # MERGE of no sketches, and EXTRACT of NULL, is 0: these see NULLs themselves.
    Udf("quarry_hll_merge", _hll_merge, None, "BIGINT", null_handling="special"),
    Udf("quarry_hll_extract", _hll_extract, None, "BIGINT", null_handling="special"),
]


def _net_sql(name: str) -> Handler:
    kinds = _NET_FUNCTIONS[name][0]

    def spell(self: Any, call: exp.Expression) -> str:
        given = arguments(f"NET.{name}", call, (len(kinds),))
        return self.func(f"quarry_net_{name.lower()}", *given)

    return spell


def _not_null_list(self: Any, value: exp.Expression) -> str:
    # The group's non-NULL values, as one list (NULL for none) for a sketch function.
    sql = self.sql(value)
    return f"LIST({sql}) FILTER (WHERE {sql} IS NOT NULL)"


def _aggregate(function: str, call: exp.Anonymous) -> None:
    # The sketch aggregates are spelled as a scalar over an aggregate list, which has no
    # window form: refused rather than left to DuckDB's words about the scalar.
    if isinstance(call.parent, exp.Dot) and isinstance(call.parent.parent, exp.Window):
        raise InvalidError(f"{function} cannot be called with an OVER clause in Quarry")


def _hll_init_sql(self: Any, call: exp.Anonymous) -> str:
    _aggregate("HLL_COUNT.INIT", call)
    given = arguments("HLL_COUNT.INIT", call, (1, 2))
    value = self.sql(given[0])
    precision = self.sql(given[1]) if len(given) > 1 else "15"
    distinct = f"LIST(DISTINCT {value}) FILTER (WHERE {value} IS NOT NULL)"
    return self.func("quarry_hll_init", distinct, precision)


def _hll_merge_sql(self: Any, call: exp.Anonymous) -> str:
    _aggregate("HLL_COUNT.MERGE", call)
    (sketch,) = arguments("HLL_COUNT.MERGE", call, (1,))
    return self.func("quarry_hll_merge", _not_null_list(self, sketch))


def _hll_merge_partial_sql(self: Any, call: exp.Anonymous) -> str:
    _aggregate("HLL_COUNT.MERGE_PARTIAL", call)
    (sketch,) = arguments("HLL_COUNT.MERGE_PARTIAL", call, (1,))
    return self.func("quarry_hll_merge_partial", _not_null_list(self, sketch))


def _hll_extract_sql(self: Any, call: exp.Anonymous) -> str:
    (sketch,) = arguments("HLL_COUNT.EXTRACT", call, (1,))
    return self.func("quarry_hll_extract", sketch)


# Calls sqlglot parses as Anonymous, by the name check_functions knows them by: a dotted one's
# handler is given the call inside its NetFunc or Dot (see the REWRITES below).
ANONYMOUS: dict[str, Handler] = {
    **{f"NET.{name}": _net_sql(name) for name in _NET_FUNCTIONS},
    "HLL_COUNT.INIT": _hll_init_sql,
    "HLL_COUNT.MERGE": _hll_merge_sql,
    "HLL_COUNT.MERGE_PARTIAL": _hll_merge_partial_sql,
    "HLL_COUNT.EXTRACT": _hll_extract_sql,
}


def _net_call(self: Any, node: exp.NetFunc) -> str | None:
    call = node.this
    # NET.HOST and NET.REG_DOMAIN parse as sqlglot's own nodes, the others as Anonymous.
    name = call.name if isinstance(call, exp.Anonymous) else call.sql_name()
    handler = ANONYMOUS.get(f"NET.{name}".upper())
    return handler(self, call) if handler else None


def _dotted_call(self: Any, node: exp.Dot) -> str | None:
    call = node.expression
    if not (isinstance(call, exp.Anonymous) and isinstance(node.this, exp.Identifier)):
        return None
    handler = ANONYMOUS.get(f"{node.this.name}.{call.name}".upper())
    return handler(self, call) if handler else None


REWRITES: dict[type, Handler] = {
    exp.NetFunc: _net_call,
    exp.Dot: _dotted_call,
    exp.Typeof: lambda self, node: self.func(
        "quarry_googlesql_type_name", self.func("TYPEOF", node.this)
    ),
    exp.BitwiseCount: lambda self, node: self.func("quarry_bit_count", node.this),
}
