"""Mangled statements end in a result or a BigQuery error, never in Python's own words.

The seeds are the conformance suite's statements; each is mangled a few times, deterministically,
the way a fuzzer (or a typist) would: tokens dropped, repeated, swapped, or joined by stray
brackets, quotes and out-of-range numbers. Every one runs through the engine in-process, as a
worker runs it, and through a dry run, as the console's live check does.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from console.catalog.models import Project
from console.engine.script import dry_run
from console.errors import BigQueryError
from tests.engine import test_conformance as conformance

SEED = 13
STATEMENTS = 300
STRAYS = [
    "(", ")", "[", "]", "[[[[", "]]]]", ",", "'", '"', "`", ".", "*", "<", ">", "@", "\\", ";",
    "-9223372036854775809", "9223372036854775808", "1e400", "NULL", "DATE", "INTERVAL", "STRUCT",
    "ARRAY", "SELECT", "FROM", "AS", "OVER", "UNNEST", "EXCEPT", "--", "/*",
]  # fmt: skip
# Text that only Python itself writes: a message with any of it leaked an exception.
PYTHON_TEXT = re.compile(
    r"NoneType|object has no attribute|Traceback|not subscriptable|positional argument|"
    r"index out of range|values to unpack|unhashable|object is not|KeyError|ValueError|TypeError"
)


def mangled(rng: random.Random, sql: str) -> str:
    """Return sql with one to four random edits of its tokens."""
    tokens = re.findall(r"\w+|\s+|.", sql)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(tokens) + 1)
        edit = rng.randrange(5)
        if edit == 0 and tokens:
            del tokens[min(at, len(tokens) - 1)]
        elif edit == 1:
            tokens.insert(at, rng.choice(STRAYS))
        elif edit == 2 and tokens:
            tokens.insert(at, rng.choice(tokens))
        elif edit == 3 and len(tokens) > 1:
            i = min(at, len(tokens) - 2)
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        else:
            tokens.insert(at, f" {rng.choice(STRAYS) * rng.randint(2, 6)} ")
    return "".join(tokens)


def corpus() -> list[str]:
    rng = random.Random(SEED)
    seeds = [case[1] for case in conformance.CASES + conformance.ML_CASES]
    return [mangled(rng, rng.choice(seeds)) for _ in range(STATEMENTS)]


def _leak(sql: str, message: str) -> str:
    return f"{sql!r} gave {message!r}"


def test_it_answers_every_mangled_statement_in_bigquerys_words(ml_engine: Any) -> None:
    leaks = []
    for sql in corpus():
        try:
            error = ml_engine(sql).error_result
        except BigQueryError as refused:  # refused before any job existed (an empty query)
            error = refused.as_error_result()
        if error and (error["reason"] == "internalError" or PYTHON_TEXT.search(error["message"])):
            leaks.append(_leak(sql, error["message"]))
        try:
            dry_run(Project.default(), sql, principal=None)
        except BigQueryError as err:
            if PYTHON_TEXT.search(err.message):
                leaks.append(_leak(sql, err.message))
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize(
    "sql,message",
    [
        (
            "SELECT DATE_ADD(DATE [[[[1]]]], INTERVAL 1 DAY)",
            "Unrecognized name: DATE at [1:17]",
        ),
        (
            "SELECT DATE_SUB(DATESELECT '2024-03-01', INTERVAL 1 DAY)",
            "Syntax error: Unexpected string literal '2024-03-01' at [1:28]",
        ),
        (
            "SELECT APPROX_QUANTILES(-9223372036854775809, 4)",
            "Invalid integer literal: -9223372036854775809 at [1:26]",
        ),
        ("SELEC 1", 'Syntax error: Unexpected identifier "SELEC" at [1:1]'),
        ("SELECT 1; foo", 'Syntax error: Unexpected identifier "foo" at [1:11]'),
        ("SELECT 'abc", "Syntax error: Unclosed string literal at [1:8]"),
        ("SELECT\n  `ds.t", "Syntax error: Unclosed identifier literal at [2:3]"),
        ("SELECT 1 /* never closed", "Syntax error: Unclosed comment at [1:10]"),
        ("SELECT IEEE_DIVIDE(1, )", "IEEE_DIVIDE: it takes 2 arguments, got 1"),
        ("SELECT " + "(" * 60 + "1" + ")" * 60, "Syntax error: Expressions are nested too deeply"),
        (
            "SELECT SUM(x) AS total FROM UNNEST([9223372036854775807, 1]) AS x",
            "Value out of range: column total has a value INT64 cannot hold",
        ),
    ],
)
def test_it_words_what_the_fuzzer_found_as_bigquery_does(
    engine: Any, sql: str, message: str
) -> None:
    error = engine(sql).error_result

    assert error["reason"] == "invalidQuery"
    assert message in error["message"]
