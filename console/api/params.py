"""Query-string parameters as the clients send them (booleans as `True`, int64 as text)."""

from __future__ import annotations

from django.http import HttpRequest

from console.errors import BigQueryError

TRUE = ("true", "1")
FALSE = ("false", "0", "")


def flag(request: HttpRequest, name: str, default: bool = False) -> bool:
    """Return a boolean parameter; the Python client sends `True`, bq and others `true`."""
    value = request.GET.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise BigQueryError(f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\"")


def integer(
    request: HttpRequest, name: str, default: int | None = None, minimum: int = 0
) -> int | None:
    """Return a non-negative int64 parameter, or default when it is absent."""
    value = request.GET.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BigQueryError(f"Invalid value at '{name}' (TYPE_INT64), \"{value}\"") from None
    if number < minimum:
        raise BigQueryError(f"Invalid value at '{name}': must be at least {minimum}, got {number}")
    return number


def page_start(request: HttpRequest, name: str = "pageToken") -> int:
    """Return the offset a page token stands for (Quarry's tokens are row or item offsets)."""
    token = request.GET.get(name) or "0"
    if not token.isdigit():
        raise BigQueryError(f"Invalid page token: {token}")
    return int(token)
