"""Line-based pieces of a text upload, and the rewrite that lets pyarrow read any delimiter."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import IO

from console.engine.formats import PIECE_BYTES

Piece = tuple[int, bytes]  # (number of the piece's first line, its bytes)

# pyarrow parses single-byte delimiters only. A longer one (MovieLens's `::`) is rewritten to
# SUBSTITUTE outside quoted fields; any SUBSTITUTE or ESCAPE already in the data is escaped, so
# pyarrow's escape handling gives every original byte back unchanged.
SUBSTITUTE = b"\x1f"
ESCAPE = b"\x1e"
BOM = b"\xef\xbb\xbf"


def pieces(handle: IO[bytes], quote: bytes | None = None) -> Iterator[Piece]:
    """Yield the file in pieces of about PIECE_BYTES, each ending at a record boundary.

    Without quote every newline ends a record. With quote (quoted newlines allowed) only a
    newline outside quotes does: the quotes before it are even in number.
    """
    line = 1
    carry = b""
    while True:
        block = handle.read(PIECE_BYTES)
        if not block:
            if carry:
                yield line, carry
            return
        buffer = carry + block if carry else block
        cut = _last_boundary(buffer, quote)
        if cut <= 0:
            carry = buffer
            continue
        piece, carry = buffer[:cut], buffer[cut:]
        yield line, piece
        line += piece.count(b"\n")


def _last_boundary(buffer: bytes, quote: bytes | None) -> int:
    end = buffer.rfind(b"\n")
    if quote is None or end < 0:
        return end + 1
    odd = buffer.count(quote, 0, end) % 2
    while odd:
        previous = buffer.rfind(b"\n", 0, end)
        if previous < 0:
            return 0
        odd ^= buffer.count(quote, previous, end) % 2
        end = previous
    return end + 1


def strip_bom(stream: Iterator[Piece]) -> Iterator[Piece]:
    first = next(stream, None)
    if first is None:
        return iter(())
    line, data = first
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return itertools.chain([(line, data)], stream)


def skip_lines(stream: Iterator[Piece], count: int) -> Iterator[Piece]:
    """Drop the first count lines of the stream, keeping the line numbers of the rest."""
    for line, data in stream:
        start = 0
        while count and start < len(data):
            newline = data.find(b"\n", start)
            start = len(data) if newline < 0 else newline + 1
            count -= 1
            line += 1
        if data[start:]:
            yield line, data[start:] if start else data
            yield from stream
            return


def rewrite_delimiter(
    data: bytes, delimiter: bytes, quote: bytes | None, quoted_newlines: bool
) -> bytes:
    """Return data with delimiter replaced by SUBSTITUTE outside quoted fields (see above)."""
    if ESCAPE in data:
        data = data.replace(ESCAPE, ESCAPE + ESCAPE)
    if SUBSTITUTE in data:
        data = data.replace(SUBSTITUTE, ESCAPE + SUBSTITUTE)
    if not quote or quote not in data:
        return data.replace(delimiter, SUBSTITUTE)
    out: list[bytes] = []
    outside = search = 0
    while (start := data.find(quote, search)) >= 0:
        # Only a quote that opens a field starts a quoted value; elsewhere it is a plain byte.
        opens = start == 0 or data[start - 1] in b"\r\n" or data.endswith(delimiter, 0, start)
        if not opens:
            search = start + 1
            continue
        out.append(data[outside:start].replace(delimiter, SUBSTITUTE))
        end = start + 1
        while (end := data.find(quote, end)) >= 0 and data[end + 1 : end + 2] == quote:
            end += 2
        stop = len(data) if end < 0 else end + 1
        if not quoted_newlines:
            newline = data.find(b"\n", start, stop)
            stop = stop if newline < 0 else newline
        out.append(data[start:stop])
        outside = search = stop
    out.append(data[outside:].replace(delimiter, SUBSTITUTE))
    return b"".join(out)
