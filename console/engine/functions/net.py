"""NET.*, HLL_COUNT.* and other families sqlglot does not model."""

from __future__ import annotations
