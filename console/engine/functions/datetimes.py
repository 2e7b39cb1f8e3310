"""DATE, DATETIME, TIME and TIMESTAMP functions and format elements, where DuckDB differs."""

from __future__ import annotations
