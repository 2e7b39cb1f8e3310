"""BigQuery's text of FLOAT64 and NUMERIC values, for every front end that prints them: REST rows,
the console's grid and bq's tables. Standard library only, so that `bq ls` stays light."""

from __future__ import annotations

import math
from decimal import Decimal


def float_text(value: float) -> str:
    """Return a FLOAT64 as BigQuery writes it: NaN and Infinity spelled out, else the shortest
    text that reads back as the same number."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def numeric_text(value: Decimal) -> str:
    """Return a NUMERIC as BigQuery writes it: 1.5, not the stored 1.500000000 (nor 1.5E+3)."""
    return format(value.normalize(), "f")
