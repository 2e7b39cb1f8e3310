"""The readers stream: pieces end at record boundaries and errors keep their file line numbers.

These run the readers in-process with tiny pieces, so every record boundary, delimiter and quoted
value lands on a piece edge somewhere; test_loads.py runs the same readers on the real worker.
"""

from __future__ import annotations

import codecs
import io
from typing import Any

import pytest

from console.engine.formats import BadRecords, LoadOptions, open_source, text
from console.engine.types import parse_schema_string
from console.errors import InvalidError


@pytest.fixture(autouse=True)
def tiny_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "PIECE_BYTES", 7)


def _read(data: bytes, schema: str | None, limit: int = 0, fmt: str = "CSV", **options: Any):
    bad = BadRecords(limit, fmt)
    source = open_source(fmt, io.BytesIO(data), LoadOptions(**options), bad)
    fields = parse_schema_string(schema) if schema else source.detect_fields()
    rows = [row for batch in source.batches(fields) for row in batch.to_pylist()]
    return fields, rows, bad


def test_it_splits_a_file_into_pieces_at_line_ends_only() -> None:
    data = b"aaaa\nbbbbbbbbbbbb\ncc\n" + b"d" * 20
    pieces = list(text.pieces(io.BytesIO(data)))
    assert b"".join(p for _, p in pieces) == data
    assert all(p.endswith(b"\n") for _, p in pieces[:-1])
    assert len(pieces) > 2
    offset = 0
    for line, piece in pieces:
        assert line == 1 + data.count(b"\n", 0, offset)
        offset += len(piece)


def test_it_keeps_quoted_newlines_inside_one_piece() -> None:
    data = b'1,"a\nb\nc\nd"\n2,"e"\n'
    pieces = list(text.pieces(io.BytesIO(data), quote=b'"'))
    assert pieces == [(1, b'1,"a\nb\nc\nd"\n'), (5, b'2,"e"\n')]


def test_it_reads_a_double_colon_file_across_many_pieces() -> None:
    lines = [f"{i}::{i * 7}::{i % 5}.5::97830{i:04d}" for i in range(1, 200)]
    data = ("\n".join(lines) + "\n").encode()
    _, rows, bad = _read(data, "u:INT64,i:INT64,r:FLOAT64,t:INT64", field_delimiter="::")
    assert len(rows) == 199 and not bad.errors
    assert rows[122] == {"u": 123, "i": 861, "r": 3.5, "t": 978300123}


def test_it_names_the_file_line_of_a_bad_value_in_a_later_piece() -> None:
    data = b"".join(b"%d,x\n" % i for i in range(1, 50)) + b"oops,y\n"
    with pytest.raises(InvalidError) as raised:
        _read(data, "n:INT64,s")
    assert raised.value.message.endswith(
        "Could not parse 'oops' as INT64 for field n (position 0) starting at line 50"
    )


def test_it_counts_skipped_lines_across_pieces() -> None:
    data = b"# a long comment line\n# another\nh1,h2\n1,2\nz,3\n"
    with pytest.raises(InvalidError, match="starting at line 5$"):
        _read(data, "a:INT64,b:INT64", skip_leading_rows=3)


def test_it_escapes_bytes_the_delimiter_rewrite_uses() -> None:
    value = "a\x1fb\x1ec"
    data = f'1::{value}::"q::uoted"\n'.encode()
    _, rows, _ = _read(data, "n:INT64,s,t", field_delimiter="::")
    assert rows == [{"n": 1, "s": value, "t": "q::uoted"}]


def test_it_treats_a_quote_inside_a_value_as_a_plain_character() -> None:
    data = b'1::12" Single::Pop\n2::"A::B"::Rock\n'
    _, rows, _ = _read(data, "n:INT64,title,genre", field_delimiter="::")
    assert rows == [
        {"n": 1, "title": '12" Single', "genre": "Pop"},
        {"n": 2, "title": "A::B", "genre": "Rock"},
    ]


def test_it_detects_types_from_a_sample_and_skips_the_header() -> None:
    data = b"when,amount\n2024-01-01 10:00:00,1\n2024-01-02 11:00:00,2.5\n"
    fields, rows, _ = _read(data, None)
    assert [(f["name"], f["type"]) for f in fields] == [
        ("when", "TIMESTAMP"),
        ("amount", "FLOAT64"),
    ]
    assert [r["amount"] for r in rows] == [1.0, 2.5]


def test_it_strips_a_utf8_byte_order_mark() -> None:
    _, rows, _ = _read(b"\xef\xbb\xbfid,name\n1,x\n", None)
    assert rows == [{"id": 1, "name": "x"}]


def test_it_names_the_line_of_bad_json_across_pieces() -> None:
    data = b"".join(b'{"n": %d}\n' % i for i in range(1, 30)) + b'{"n": "x"}\n'
    fields, rows, bad = _read(data, "n:INT64", limit=1, fmt="NEWLINE_DELIMITED_JSON")
    assert len(rows) == 29
    assert bad.errors[0]["location"] == "line 30"


def test_it_keeps_utf8_characters_that_straddle_pieces() -> None:
    titles = ["Amélie", "Léon", "Smörgåsbord", "Ænima", "東京物語", "😀 smile"]
    data = "".join(f"{i},{t}\n" for i, t in enumerate(titles)).encode()
    _, rows, _ = _read(data, "n:INT64,title")
    assert [r["title"] for r in rows] == titles


def test_it_converts_bytes_that_are_not_utf8_by_bigquerys_rule() -> None:
    # Latin-1 bytes (é, ö) are read as Latin-1 even at a piece's edge; UTF-8 beside them stays
    # UTF-8; 0x93/0x94 (Windows quotes) have no ISO-8859-1 character and become U+FFFD.
    data = b"1,Mis\xe9rables\n2,Am\xc3\xa9lie\n3,Sm\xf6rg\xe5sbord\n4,\x93quoted\x94\n5,caf\xe9"
    _, rows, bad = _read(data, "n:INT64,title")
    assert [r["title"] for r in rows] == [
        "Misérables",
        "Amélie",
        "Smörgåsbord",
        "\ufffdquoted\ufffd",
        "café",
    ]
    assert not bad.errors


@pytest.mark.parametrize("encoding", ["UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE"])
def test_it_transcodes_utf16_and_utf32_across_odd_sized_pieces(encoding: str) -> None:
    text = "id,title\n1,Misérables\n2,東京物語\n3,😀\n"
    fields, rows, _ = _read(text.encode(encoding), None, encoding=encoding)
    assert [f["name"] for f in fields] == ["id", "title"]
    assert rows == [
        {"id": 1, "title": "Misérables"},
        {"id": 2, "title": "東京物語"},
        {"id": 3, "title": "😀"},
    ]


WRONG_SEPARATOR = (
    "Error while reading data, error message: line 1 has 1 field where 4 are expected: "
    "'1::1193::5::978300760'. The line seems to use '::' as its separator, not ',': load the "
    "file with field delimiter '::' (bq load --field_delimiter='::')"
)


def test_it_fails_on_line_1_of_the_wrong_separator_without_reading_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(text, "PIECE_BYTES", 8 * 1024 * 1024)  # the real size
    data = b"1::1193::5::978300760\n" * 500_000  # 11 MB, as ml-1m's ratings.dat looks
    handle = io.BytesIO(data)
    with pytest.raises(InvalidError) as raised:
        source = open_source("CSV", handle, LoadOptions(), BadRecords(0, "CSV"))
        next(source.batches(parse_schema_string("u:INT64,i:INT64,r:FLOAT64,t:TIMESTAMP")))
    assert raised.value.message == WRONG_SEPARATOR
    assert raised.value.location == "line 1"
    assert handle.tell() < 100_000  # the first piece only


def test_it_names_a_tab_separator_and_gives_up_after_max_bad_records() -> None:
    data = b"1\t10\n2\t20\n3\t30\n4\t40\n"
    with pytest.raises(InvalidError) as raised:
        _read(data, "a:INT64,b:INT64", limit=2)
    assert "encountered too many errors, giving up. Rows: 3; errors: 3." in raised.value.message
    assert raised.value.message.endswith(
        "First error: Error while reading data, error message: line 1 has 1 field where 2 are "
        "expected: '1\\t10'. The line seems to use '\\t' as its separator, not ',': load the "
        "file with field delimiter '\\t' (bq load --field_delimiter=tab)"
    )


def test_it_converts_the_same_whatever_size_the_blocks_are_read_in() -> None:
    # Reading in blocks must not split a UTF-8 sequence, nor read bytes of one as ISO-8859-1.
    samples = [
        b"Mis\xe9rables, " + "Amélie, 東京, 😀, ".encode() + b"\x93q\x94",
        b"caf\xe9 \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82 \xed\xa0\x80 \xc3 \xf0\x9f\x98 \x80\xbf",
        b"\xe9" * 10 + "é".encode() * 10 + b"\xff\xfe trailing \xc3",
    ]
    for data in samples:
        expected = codecs.utf_8_decode(data, text.REPAIR, True)[0].encode()
        for size in range(1, 9):
            reader = text.Utf8Reader(io.BytesIO(b"x" + data), "UTF-8")
            out = b""
            while chunk := reader.read(size):
                out += chunk
            assert out == b"x" + expected, (data, size)
