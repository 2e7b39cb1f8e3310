"""Text uploads as UTF-8, in line-based pieces, and the rewrite that lets pyarrow read any
delimiter."""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterator
from typing import IO

from console.engine.formats import MAX_ROW_BYTES, PIECE_BYTES
from console.errors import InvalidError

Piece = tuple[int, bytes]  # (number of the piece's first line, its bytes)

# pyarrow parses single-byte delimiters only. A longer one (MovieLens's `::`) is rewritten to
# SUBSTITUTE outside quoted fields; any SUBSTITUTE or ESCAPE already in the data is escaped, so
# pyarrow's escape handling gives every original byte back unchanged.
SUBSTITUTE = b"\x1f"
ESCAPE = b"\x1e"
BOM = b"\xef\xbb\xbf"
# The byte order marks that name an encoding other than UTF-8, longest first (UTF-32LE's begins
# with UTF-16LE's).
FOREIGN_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32LE",
    b"\x00\x00\xfe\xff": "UTF-32BE",
    b"\xff\xfe": "UTF-16LE",
    b"\xfe\xff": "UTF-16BE",
}
REPAIR = "quarry-latin1"


def _read_as_latin1(err: UnicodeError) -> tuple[str, int]:
    """Read each byte that is not part of a UTF-8 sequence as its ISO-8859-1 character.

    Bytes 0x80-0x9F have no character in ISO/IEC 8859-1 (only C1 control codes in IANA's
    charset): they cannot be converted and become U+FFFD, as BigQuery documents for a character
    it cannot convert.
    """
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return "".join(chr(b) if b >= 0xA0 else "\ufffd" for b in bad), err.end


codecs.register_error(REPAIR, _read_as_latin1)


class Utf8Reader:
    """Read a text upload as UTF-8 bytes, whatever its encoding.

    A file in UTF-8 (the default) passes through unchanged; bytes in it that are not UTF-8 are
    converted by `_read_as_latin1`, as BigQuery "attempts to convert the data to UTF-8" (if
    repair; otherwise they are left for the reader to refuse). A file that starts with a
    UTF-16 or UTF-32 byte order mark is read in that encoding. Any other encoding is decoded,
    with U+FFFD for what cannot be, and written out as UTF-8.
    """

    def __init__(self, handle: IO[bytes], encoding: str, repair: bool = True) -> None:
        self.handle = handle
        head = handle.read(4)
        named = next((name for bom, name in FOREIGN_BOMS.items() if head.startswith(bom)), None)
        if encoding == "UTF-8" and named:
            encoding = named
        elif encoding.startswith("UTF-") and named and named != encoding:
            raise InvalidError(
                f"Error while reading data, error message: the file starts with a {named} byte "
                f"order mark but the load's encoding is {encoding}: load it with encoding {named}"
            )
        self.decoder = (
            None if encoding == "UTF-8" else codecs.getincrementaldecoder(encoding)("replace")
        )
        self.repair = repair
        self.pending = head

    def read(self, size: int = PIECE_BYTES) -> bytes:
        """Return up to about size bytes of the file as UTF-8; b"" at its end."""
        while True:
            block = self.handle.read(size)
            data = self.pending + block if self.pending else block
            self.pending = b""
            final = not block
            if self.decoder is not None:
                out = self.decoder.decode(data, final).encode()
            else:
                out = self._utf8(data, final)
            if out or final:
                return out

    def _utf8(self, data: bytes, final: bool) -> bytes:
        if data.isascii() or not self.repair:
            return data
        # Cheap check first: most files are valid; a sequence cut by the block end waits.
        try:
            _, used = codecs.utf_8_decode(data, "strict", final)
            out = data[:used] if used < len(data) else data
        except UnicodeDecodeError:
            used = len(data) if final else _sequence_end(data)
            out = _converted(data[:used])
        self.pending = data[used:]
        return out


def _byte_class(byte: int) -> int:
    """Return "L" if byte may begin a UTF-8 sequence, "C" if it may continue one, "X" if it may
    continue one but has no ISO-8859-1 character (0x80-0x9F), else "." (as a byte)."""
    if 0x80 <= byte <= 0x9F:
        return ord("X")
    if 0xA0 <= byte <= 0xBF:
        return ord("C")
    return ord("L") if 0xC2 <= byte <= 0xF4 else ord(".")


BYTE_CLASSES = bytes(_byte_class(byte) for byte in range(256))


def _converted(data: bytes) -> bytes:
    """Return data, which is not all UTF-8, converted to UTF-8 by `_read_as_latin1`'s rule."""
    classes = data.translate(BYTE_CLASSES)
    if b"X" not in classes and b"LC" not in classes:
        # No UTF-8 sequence and no byte without a character: the rule reads every byte as
        # ISO-8859-1. Python's codec does that in C, where the rule is one call per byte.
        return data.decode("latin-1").encode()
    return codecs.utf_8_decode(data, REPAIR, True)[0].encode()


def _sequence_end(data: bytes) -> int:
    """Return where data can be cut without cutting a UTF-8 sequence that may go on after it."""
    start = len(data)
    while start > 0 and len(data) - start < 3 and 0x80 <= data[start - 1] <= 0xBF:
        start -= 1
    if start > 0 and 0xC2 <= data[start - 1] <= 0xF4:
        return start - 1
    return len(data)


def pieces(
    handle: IO[bytes], quote: bytes | None = None, first_bytes: int | None = None
) -> Iterator[Piece]:
    """Yield the file in pieces of about PIECE_BYTES, each ending at a record boundary.

    Without quote every newline ends a record. With quote (quoted newlines allowed) only a
    newline outside quotes does: the quotes before it are even in number. With first_bytes the
    first piece is about that size.
    """
    line = 1
    carry = b""
    size = min(first_bytes or PIECE_BYTES, PIECE_BYTES)
    while True:
        block = handle.read(size)
        size = PIECE_BYTES
        if not block:
            if carry:
                yield line, carry
            return
        buffer = carry + block if carry else block
        if len(buffer) > MAX_ROW_BYTES and buffer.find(b"\n", 0, MAX_ROW_BYTES + 1) < 0:
            # Refused before it grows further: a line longer than BigQuery's limit.
            raise InvalidError(
                f"Error while reading data, error message: line {line} is longer than "
                f"{MAX_ROW_BYTES // (1024 * 1024)} MB, BigQuery's limit for a row"
            )
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
