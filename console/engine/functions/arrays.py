"""Arrays, aggregates and query result shape (JOIN USING, UNPIVOT) where DuckDB differs."""

from __future__ import annotations
