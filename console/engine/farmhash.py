"""FARM_FINGERPRINT: FarmHash's Fingerprint64 (farmhashna::Hash64), as BigQuery computes it.

BigQuery documents FARM_FINGERPRINT as "the Fingerprint64 function from the open-source FarmHash
library", returned as a signed INT64 of the input's bytes (a STRING's UTF-8). bigframes hashes
whole columns with it to build default indexes and sampling orders, so the loop over rows is
compiled: numba compiles it on first use and caches the machine code (as `mfcore.kernels`), and
this module is imported only when a query first calls the function.

The arithmetic is FarmHash's own, 64-bit unsigned with wrap-around; every constant and
intermediate is a uint64 so that numba never promotes to float. `tests/engine/test_farmhash.py`
checks it against BigQuery's documented outputs and Guava's port test over 3,200 lengths, which
was checked against the C++ reference.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

from console.engine.types import check_string_or_bytes

_JIT = {"cache": True, "nogil": True}

K0 = np.uint64(0xC3A5C85C97CB3127)
K1 = np.uint64(0xB492B66FBE98F273)
K2 = np.uint64(0x9AE16A3B2F90404F)


@njit(**_JIT)
def _fetch64(data: np.ndarray, at: int) -> np.uint64:
    value = np.uint64(0)
    for i in range(7, -1, -1):
        value = (value << np.uint64(8)) | np.uint64(data[at + i])
    return value


@njit(**_JIT)
def _fetch32(data: np.ndarray, at: int) -> np.uint64:
    value = np.uint64(0)
    for i in range(3, -1, -1):
        value = (value << np.uint64(8)) | np.uint64(data[at + i])
    return value


@njit(**_JIT)
def _rotate(value: np.uint64, shift: int) -> np.uint64:
    if shift == 0:
        return value
    return (value >> np.uint64(shift)) | (value << np.uint64(64 - shift))


@njit(**_JIT)
def _shift_mix(value: np.uint64) -> np.uint64:
    return value ^ (value >> np.uint64(47))


@njit(**_JIT)
def _hash_len16(u: np.uint64, v: np.uint64, mul: np.uint64) -> np.uint64:
    a = (u ^ v) * mul
    a ^= a >> np.uint64(47)
    b = (v ^ a) * mul
    b ^= b >> np.uint64(47)
    return b * mul


@njit(**_JIT)
def _hash_len0to16(data: np.ndarray, s: int, n: int) -> np.uint64:
    length = np.uint64(n)
    if n >= 8:
        mul = K2 + length * np.uint64(2)
        a = _fetch64(data, s) + K2
        b = _fetch64(data, s + n - 8)
        c = _rotate(b, 37) * mul + a
        d = (_rotate(a, 25) + b) * mul
        return _hash_len16(c, d, mul)
    if n >= 4:
        mul = K2 + length * np.uint64(2)
        a = _fetch32(data, s)
        return _hash_len16(length + (a << np.uint64(3)), _fetch32(data, s + n - 4), mul)
    if n > 0:
        a = np.uint64(data[s])
        b = np.uint64(data[s + (n >> 1)])
        c = np.uint64(data[s + n - 1])
        mask32 = np.uint64(0xFFFFFFFF)
        y = (a + (b << np.uint64(8))) & mask32
        z = (length + (c << np.uint64(2))) & mask32
        return _shift_mix(y * K2 ^ z * K0) * K2
    return K2


@njit(**_JIT)
def _hash_len17to32(data: np.ndarray, s: int, n: int) -> np.uint64:
    mul = K2 + np.uint64(n) * np.uint64(2)
    a = _fetch64(data, s) * K1
    b = _fetch64(data, s + 8)
    c = _fetch64(data, s + n - 8) * mul
    d = _fetch64(data, s + n - 16) * K2
    return _hash_len16(_rotate(a + b, 43) + _rotate(c, 30) + d, a + _rotate(b + K2, 18) + c, mul)


@njit(**_JIT)
def _hash_len33to64(data: np.ndarray, s: int, n: int) -> np.uint64:
    mul = K2 + np.uint64(n) * np.uint64(2)
    a = _fetch64(data, s) * K2
    b = _fetch64(data, s + 8)
    c = _fetch64(data, s + n - 8) * mul
    d = _fetch64(data, s + n - 16) * K2
    y = _rotate(a + b, 43) + _rotate(c, 30) + d
    z = _hash_len16(y, a + _rotate(b + K2, 18) + c, mul)
    e = _fetch64(data, s + 16) * mul
    f = _fetch64(data, s + 24)
    g = (y + _fetch64(data, s + n - 32)) * mul
    h = (z + _fetch64(data, s + n - 24)) * mul
    return _hash_len16(_rotate(e + f, 43) + _rotate(g, 30) + h, e + _rotate(f + a, 18) + g, mul)


@njit(**_JIT)
def _weak_hash_len32_with_seeds(
    data: np.ndarray, s: int, a: np.uint64, b: np.uint64
) -> tuple[np.uint64, np.uint64]:
    w = _fetch64(data, s)
    x = _fetch64(data, s + 8)
    y = _fetch64(data, s + 16)
    z = _fetch64(data, s + 24)
    a += w
    b = _rotate(b + a + z, 21)
    c = a
    a += x
    a += y
    b += _rotate(a, 44)
    return a + z, b + c


@njit(**_JIT)
def _hash64(data: np.ndarray, s: int, n: int) -> np.uint64:
    if n <= 16:
        return _hash_len0to16(data, s, n)
    if n <= 32:
        return _hash_len17to32(data, s, n)
    if n <= 64:
        return _hash_len33to64(data, s, n)
    seed = np.uint64(81)
    x = seed
    y = seed * K1 + np.uint64(113)
    z = _shift_mix(y * K2 + np.uint64(113)) * K2
    v0 = np.uint64(0)
    v1 = np.uint64(0)
    w0 = np.uint64(0)
    w1 = np.uint64(0)
    x = x * K2 + _fetch64(data, s)
    end = s + ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    while True:
        x = _rotate(x + y + v0 + _fetch64(data, s + 8), 37) * K1
        y = _rotate(y + v1 + _fetch64(data, s + 48), 42) * K1
        x ^= w1
        y += v0 + _fetch64(data, s + 40)
        z = _rotate(z + w0, 33) * K1
        v0, v1 = _weak_hash_len32_with_seeds(data, s, v1 * K1, x + w0)
        w0, w1 = _weak_hash_len32_with_seeds(data, s + 32, z + w1, y + _fetch64(data, s + 16))
        x, z = z, x
        s += 64
        if s == end:
            break
    mul = K1 + ((z & np.uint64(0xFF)) << np.uint64(1))
    s = last64
    w0 += np.uint64((n - 1) & 63)
    v0 += w0
    w0 += v0
    x = _rotate(x + y + v0 + _fetch64(data, s + 8), 37) * mul
    y = _rotate(y + v1 + _fetch64(data, s + 48), 42) * mul
    x ^= w1 * np.uint64(9)
    y += v0 * np.uint64(9) + _fetch64(data, s + 40)
    z = _rotate(z + w0, 33) * mul
    v0, v1 = _weak_hash_len32_with_seeds(data, s, v1 * mul, x + w0)
    w0, w1 = _weak_hash_len32_with_seeds(data, s + 32, z + w1, y + _fetch64(data, s + 16))
    x, z = z, x
    return _hash_len16(
        _hash_len16(v0, w0, mul) + _shift_mix(y) * K0 + z, _hash_len16(v1, w1, mul) + x, mul
    )


@njit(**_JIT)
def _hash_all(data: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    for row in range(out.size):
        start = offsets[row]
        out[row] = _hash64(data, start, offsets[row + 1] - start)


def fingerprint64(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return FARM_FINGERPRINT of each STRING or BYTES value as INT64; NULL stays NULL."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_null(values.type):  # a bare NULL argument: BigQuery types it STRING
        return pa.nulls(len(values), pa.int64())
    check_string_or_bytes(values, "FARM_FINGERPRINT")
    binary = values.cast(pa.large_binary())
    offsets = np.frombuffer(binary.buffers()[1], dtype=np.int64)[
        binary.offset : binary.offset + len(binary) + 1
    ]
    data_buffer = binary.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
    out = np.empty(len(binary), dtype=np.uint64)
    _hash_all(data, offsets, out)
    # BigQuery returns the unsigned fingerprint's bits as a signed INT64.
    return pa.array(out.view(np.int64), mask=binary.is_null().to_numpy(zero_copy_only=False))
