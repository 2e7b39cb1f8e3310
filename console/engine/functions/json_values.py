"""JSON functions and the JSON type, where DuckDB differs."""

from __future__ import annotations
