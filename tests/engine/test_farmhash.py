"""FARM_FINGERPRINT's algorithm against published outputs of FarmHash's Fingerprint64."""

from __future__ import annotations

import pyarrow as pa
import pytest

from console.engine.farmhash import fingerprint64
from console.errors import InvalidError

MASK = (1 << 64) - 1


def _fingerprint(data: bytes) -> int:
    return fingerprint64(pa.array([data], pa.binary()))[0].as_py()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1footrue", -1541654101129638711),  # BigQuery's documented example
        ("2applefalse", 2794438866806483259),
        ("3true", -4880158226897771312),
        ("test", 8581389452482819506),  # Guava's FarmHashFingerprint64Test
        ("test" * 8, -4196240717365766262),
        ("test" * 64, 3500507768004279527),
        ("", -7286425919675154353),  # FarmHash's k2, as a signed INT64
    ],
)
def test_it_matches_published_fingerprints(text: str, expected: int) -> None:
    assert _fingerprint(text.encode()) == expected
    assert fingerprint64(pa.array([text]))[0].as_py() == expected


def test_it_matches_the_c_reference_over_every_length_to_3200() -> None:
    # Guava's testMultipleLengths, which it checked against FarmHash's C++ code: it folds the
    # fingerprints of 3,200 prefixes of a buffer it mutates as it goes into one number.
    buffer = bytearray(800 * 4)
    size = 0
    h = 0

    def step(length: int) -> None:
        nonlocal h, size
        h ^= _fingerprint(bytes(buffer[:length])) & MASK
        h ^= h >> 41
        h = (h * 949921979) & MASK
        buffer[size] = ord("a") + (h & 0xFFFFF) % 26
        size += 1

    for i in range(800):
        step(i)
        step(i * i % size)
        step(i * i * i % size)
        step(size)
        x0, x1, x2, x3 = buffer[size - 1], buffer[size - 2], buffer[size - 3], buffer[size // 2]
        buffer[((x0 << 16) + (x1 << 8) + x2) % size] ^= x3
        buffer[((x1 << 16) + (x2 << 8) + x3) % size] ^= i % 256
    assert h == 0x7A1D67C50EC7E167


def test_it_keeps_nulls_and_reads_sliced_and_chunked_columns() -> None:
    values = pa.chunked_array([pa.array(["x", "3true", None, "alphabet"]).slice(1)])
    assert fingerprint64(values).to_pylist() == [
        -4880158226897771312,
        None,
        -2427165924636348523,
    ]


def test_it_refuses_a_type_bigquery_does_not_hash() -> None:
    with pytest.raises(InvalidError, match=r"argument types: FLOAT64\. Supported signatures"):
        fingerprint64(pa.array([1.5]))
