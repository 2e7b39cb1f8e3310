"""Parsing and the function check speak BigQuery's words and point where BigQuery points."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from console.engine.dialect import Quarry
from console.engine.parse import check_functions, location, parse_script
from console.errors import InvalidError


def test_it_places_a_node_where_it_starts() -> None:
    tree = sqlglot.parse_one("SELECT 1,\n  NO_SUCH_FN(2)", read=Quarry)
    assert location(tree.find(exp.Anonymous)) == " at [2:3]"


def test_it_places_nothing_it_did_not_parse() -> None:
    assert location(exp.column("x")) == ""


def test_it_names_an_unknown_function_and_where_it_is() -> None:
    with pytest.raises(InvalidError, match=r"Function not found: NO_SUCH_FN at \[2:3\]"):
        check_functions(sqlglot.parse_one("SELECT 1,\n  NO_SUCH_FN(2)", read=Quarry))


def test_it_lets_through_the_functions_the_engine_generates() -> None:
    check_functions(sqlglot.parse_one("SELECT IEEE_DIVIDE(1, 0)", read=Quarry))


def test_it_refuses_functions_that_read_files() -> None:
    with pytest.raises(InvalidError, match="Function not found: READCSV"):
        check_functions(exp.select("*").from_(exp.ReadCSV(this=exp.Literal.string("/etc/x"))))


def test_it_words_a_syntax_error_as_bigquery_does() -> None:
    with pytest.raises(InvalidError, match=r'Syntax error: Unexpected identifier "t" at \[1:15\]'):
        parse_script("SELECT 1 FORM t")


def test_it_names_the_token_it_got_once_and_in_words() -> None:
    with pytest.raises(InvalidError) as refused:
        parse_script("SELECT FROM WHERE")
    assert refused.value.message == (
        "Syntax error: Expected table name but got keyword WHERE at [1:13]"
    )


def test_it_parses_fifty_levels_of_brackets_and_refuses_more_wherever_it_runs() -> None:
    # The same answer whatever the process's recursion limit (bigframes raises it on import).
    deep = "SELECT " + "([" * 25 + "1" + "])" * 25
    assert parse_script(deep)
    too_deep = "SELECT\n  " + "(" * 51 + "1" + ")" * 51
    with pytest.raises(
        InvalidError, match=r"^Syntax error: Expressions are nested too deeply at \[2:53\]$"
    ):
        parse_script(too_deep)
