"""What a query would be billed, as BigQuery bills it, and the job's maximumBytesBilled limit."""

from __future__ import annotations

from typing import Any

from console.errors import BigQueryError, InvalidError

MB = 1024 * 1024
# On-demand queries are billed in whole megabytes, and at least 10 MB for any that reads data.
MIN_BILLED_BYTES = 10 * MB


def billed_bytes(processed: int) -> int:
    """Return the bytes BigQuery bills for a query that processes `processed` bytes."""
    if processed <= 0:
        return 0
    return max(MIN_BILLED_BYTES, -(-processed // MB) * MB)


def limit(query: dict[str, Any]) -> int | None:
    """Return a query configuration's maximumBytesBilled as a number, None if unset."""
    value = query.get("maximumBytesBilled")
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidError(
            f"Invalid value for maximumBytesBilled: {value!r} is not an int64",
            "maximumBytesBilled",
        ) from None


def check_limit(query: dict[str, Any], processed: int) -> None:
    """Stop a query, before it runs, that would be billed more than its maximumBytesBilled."""
    most = limit(query)
    billed = billed_bytes(processed)
    if most is not None and billed > most:
        raise BigQueryError(
            f"Query exceeded limit for bytes billed: {most}. {billed} or higher required.",
            "bytesBilledLimitExceeded",
        )
