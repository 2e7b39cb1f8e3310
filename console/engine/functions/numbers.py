"""NUMERIC, BIGNUMERIC and INTERVAL: types, literals, arithmetic and functions."""

from __future__ import annotations
