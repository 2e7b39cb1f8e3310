"""STRING and BYTES functions, where DuckDB differs."""

from __future__ import annotations
