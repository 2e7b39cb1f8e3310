"""BigQuery's JSON functions and the JSON type, case by case from BigQuery's documentation.

Each case's expected value is the one the json_functions reference shows for its example
(JSON results come back over REST as their compact JSON text). Where a case infers what the
documentation does not show, a comment says so.
"""

from __future__ import annotations

from typing import Any

from tests.engine.conformance import Columns, Error, cases, check

STUDENTS = """FROM UNNEST([
  '{"class" : {"students" : [{"name" : "Jane"}]}}',
  '{"class" : {"students" : []}}',
  '{"class" : {"students" : [{"name" : "John"}, {"name": "Jamie"}]}}'
  ]) AS json_text"""
STUDENTS_NULL = """FROM UNNEST([
  '{"class" : {"students" : [{"name" : "Jane"}]}}',
  '{"class" : {"students" : []}}',
  '{"class" : {"students" : [{"name" : "John"}, {"name" : null}]}}',
  '{"class" : {"students" : [{"name" : "John"}, {"name": "Jamie"}]}}'
  ]) AS json_text"""
JAKOB = '{ "name" : "Jakob", "age" : "6" }'
WHOLE = [
    ['{"class":{"students":[{"name":"Jane"}]}}'],
    ['{"class":{"students":[]}}'],
    ['{"class":{"students":[{"name":"John"},{"name":"Jamie"}]}}'],
]
FIRST = [['{"name":"Jane"}'], [None], ['{"name":"John"}']]
SECOND = [[None], [None], [None], ['"Jamie"']]
NAMES = [['[{"name":"Jane"}]'], ["[]"], ['[{"name":"John"},{"name":"Jamie"}]']]
COORDINATES = """WITH CoordinatesTable AS (
    (SELECT 1 AS id, [10,20] AS coordinates) UNION ALL
    (SELECT 2 AS id, [30,40] AS coordinates) UNION ALL
    (SELECT 3 AS id, [50,60] AS coordinates))"""


def _extractors(name: str, legacy: bool) -> list[tuple[str, str, Any]]:
    """The examples JSON_QUERY and JSON_EXTRACT share (legacy paths escape keys as ['a'])."""
    lower = name.lower()
    students = "$.class['students']" if legacy else '$.class."students"'
    return [
        (f"{lower}_whole", f"SELECT {name}(json_text, '$') {STUDENTS}", WHOLE),
        (f"{lower}_first", f"SELECT {name}(json_text, '$.class.students[0]') {STUDENTS}", FIRST),
        (
            f"{lower}_second_name",
            f"SELECT {name}(json_text, '$.class.students[1].name') {STUDENTS_NULL}",
            SECOND,
        ),
        (f"{lower}_escaped_key", f"SELECT {name}(json_text, {students!r}) {STUDENTS}", NAMES),
        (
            f"{lower}_json",
            f"""SELECT {name}(JSON '{{"class":{{"students":[{{"id":5}},{{"id":12}}]}}}}', '$.class')
               AS json_data""",
            Columns(["json_data"], [['{"students":[{"id":5},{"id":12}]}']]),
        ),
        (f"{lower}_string_null", f"""SELECT {name}('{{"a":null}}', "$.a")""", [[None]]),
        (f"{lower}_string_missing", f"""SELECT {name}('{{"a":null}}', "$.b")""", [[None]]),
        (f"{lower}_json_null", f"""SELECT {name}(JSON '{{"a":null}}', "$.a")""", [["null"]]),
        (f"{lower}_json_missing", f"""SELECT {name}(JSON '{{"a":null}}', "$.b")""", [[None]]),
        (
            f"{lower}_json_null_is_not_sql_null",
            f"""SELECT {name}(JSON '{{"a":null}}', "$.a") IS NULL""",
            [[False]],
        ),
        (f"{lower}_string_top_null", f"""SELECT {name}("null", "$")""", [[None]]),
        (f"{lower}_json_top_null", f"""SELECT {name}(JSON 'null', "$")""", [["null"]]),
        (f"{lower}_name", f"SELECT {name}('{JAKOB}', '$.name')", [['"Jakob"']]),
        (f"{lower}_age", f"SELECT {name}('{JAKOB}', '$.age')", [['"6"']]),
        (
            f"{lower}_array",
            f"""SELECT {name}('{{"fruits": ["apple", "banana"]}}', '$.fruits')""",
            [['["apple","banana"]']],
        ),
        (f"{lower}_null_input", f"SELECT {name}(CAST(NULL AS STRING), '$')", [[None]]),
    ]


CASES: list[tuple[str, str, Any]] = [
    # JSON literals and PARSE_JSON: BigQuery keeps JSON compact, with its object keys sorted
    ("literal_is_compact", """SELECT JSON '{"a": 1}' AS j""", [['{"a":1}']]),
    (
        "literal_sorts_keys",
        """SELECT JSON '{"city": "New York", "State": "NY"}'""",
        [['{"State":"NY","city":"New York"}']],
    ),
    (
        "literal_keeps_first_duplicate",
        """SELECT JSON_QUERY(JSON '{"key": 1, "key": 2}', "$") AS json""",
        [['{"key":1}']],
    ),
    (
        "string_keeps_duplicates",
        """SELECT JSON_QUERY('{"key": 1, "key": 2}', "$") AS string""",
        [['{"key":1,"key":2}']],
    ),
    ("literal_string", """SELECT JSON '"apple"'""", [['"apple"']]),
    ("literal_number", "SELECT JSON '10'", [["10"]]),
    ("literal_float", "SELECT JSON '3.14'", [["3.14"]]),
    ("literal_null", "SELECT JSON 'null'", [["null"]]),
    ("literal_false", "SELECT JSON 'false'", [["false"]]),
    ("literal_array", """SELECT JSON '["apple", "banana"]'""", [['["apple","banana"]']]),
    (
        "literal_invalid",
        """SELECT JSON '{"hello": "world"'""",
        Error("Invalid JSON literal"),
    ),
    (
        "string_input_is_read_lazily",
        """SELECT JSON_VALUE('{"hello": "world"', "$.hello") AS hello""",
        [["world"]],
    ),
    (
        "json_input_is_validated",
        """SELECT JSON_VALUE(JSON '{"hello": "world"', "$.hello") AS hello""",
        Error("Invalid JSON literal"),
    ),
    (
        "parse_json_documented",
        """SELECT PARSE_JSON('{"coordinates":[10,20],"id":1}') AS json_data""",
        [['{"coordinates":[10,20],"id":1}']],
    ),
    (
        "parse_json_wide_number_fails",
        """SELECT PARSE_JSON('{"id":922337203685477580701}') AS json_data""",
        Error("PARSE_JSON"),
    ),
    (
        "parse_json_wide_number_exact_fails",
        """SELECT PARSE_JSON('{"id":922337203685477580701}', wide_number_mode=>'exact')""",
        Error("PARSE_JSON"),
    ),
    (
        "parse_json_wide_number_round",
        """SELECT PARSE_JSON('{"id":922337203685477580701}', wide_number_mode=>'round')
           AS json_data""",
        [['{"id":9.223372036854776e+20}']],
    ),
    ("parse_json_null", "SELECT PARSE_JSON(CAST(NULL AS STRING))", [[None]]),
    ("parse_json_number", "SELECT PARSE_JSON('6') AS json_data", [["6"]]),
    ("parse_json_string", """SELECT PARSE_JSON('"red"') AS json_data""", [['"red"']]),
    # Inferred: an integer of UINT64's range is stored exactly.
    ("parse_json_uint64", "SELECT PARSE_JSON('18446744073709551615')", [["18446744073709551615"]]),
    # JSON_TYPE
    (
        "json_type_documented",
        """SELECT JSON_TYPE(json_val) AS type FROM UNNEST([
             JSON '"apple"', JSON '10', JSON '3.14', JSON 'null',
             JSON '{"city": "New York", "State": "NY"}', JSON '["apple", "banana"]',
             JSON 'false']) AS json_val""",
        [["string"], ["number"], ["number"], ["null"], ["object"], ["array"], ["boolean"]],
    ),
    ("json_type_sql_null", "SELECT JSON_TYPE(CAST(NULL AS JSON))", [[None]]),
    (
        "json_type_is_string",
        "SELECT JSON_TYPE(JSON '1') AS t",
        Columns(["t"], [["number"]], ["STRING"]),
    ),
    # STRING, BOOL, INT64, FLOAT64
    ("string_documented", """SELECT STRING(JSON '"purple"') AS color""", [["purple"]]),
    (
        "string_of_query",
        """SELECT STRING(JSON_QUERY(JSON '{"name": "sky", "color": "blue"}', "$.color"))
           AS color""",
        [["blue"]],
    ),
    ("string_of_number_fails", "SELECT STRING(JSON '123') AS result", Error("JSON")),
    ("string_of_null_fails", "SELECT STRING(JSON 'null') AS result", Error("JSON")),
    ("safe_string", "SELECT SAFE.STRING(JSON '123') AS result", [[None]]),
    ("safe_string_of_string", """SELECT SAFE.STRING(JSON '"a"') AS result""", [["a"]]),
    ("safe_bool", "SELECT SAFE.BOOL(JSON '123') AS result", [[None]]),
    ("safe_int64", """SELECT SAFE.INT64(JSON '"strawberry"') AS result""", [[None]]),
    ("safe_float64", """SELECT SAFE.FLOAT64(JSON '"strawberry"') AS result""", [[None]]),
    # Inferred: SAFE.PARSE_JSON returns NULL where PARSE_JSON raises, as SAFE. does.
    ("safe_parse_json", "SELECT SAFE.PARSE_JSON('{') AS result", [[None]]),
    ("safe_parse_json_valid", """SELECT SAFE.PARSE_JSON('{"a": 1}') AS result""", [['{"a":1}']]),
    ("string_of_sql_null", "SELECT STRING(CAST(NULL AS JSON))", [[None]]),
    ("string_still_casts_other_types", "SELECT STRING(DATE '2024-01-02')", [["2024-01-02"]]),
    ("bool_documented", "SELECT BOOL(JSON 'true') AS vacancy", [[True]]),
    (
        "bool_of_query",
        """SELECT BOOL(JSON_QUERY(JSON '{"hotel class": "5-star", "vacancy": true}',
           "$.vacancy")) AS vacancy""",
        [[True]],
    ),
    ("bool_of_number_fails", "SELECT BOOL(JSON '123') AS result", Error("JSON")),
    ("bool_of_null_fails", "SELECT BOOL(JSON 'null') AS result", Error("JSON")),
    ("int64_documented", "SELECT INT64(JSON '2005') AS flight_number", [[2005]]),
    (
        "int64_of_query",
        """SELECT INT64(JSON_QUERY(JSON '{"gate": "A4", "flight_number": 2005}',
           "$.flight_number")) AS flight_number""",
        [[2005]],
    ),
    ("int64_of_integral_float", "SELECT INT64(JSON '10.0') AS score", [[10]]),
    ("int64_of_fraction_fails", "SELECT INT64(JSON '10.1') AS result", Error("JSON")),
    ("int64_of_string_fails", """SELECT INT64(JSON '"strawberry"') AS result""", Error("JSON")),
    ("int64_of_null_fails", "SELECT INT64(JSON 'null') AS result", Error("JSON")),
    ("int64_type", "SELECT INT64(JSON '1') AS x", Columns(["x"], [[1]], ["INT64"])),
    ("float64_documented", "SELECT FLOAT64(JSON '9.8') AS velocity", [[9.8]]),
    (
        "float64_of_query",
        """SELECT FLOAT64(JSON_QUERY(JSON '{"vo2_max": 39.1, "age": 18}', "$.vo2_max"))
           AS vo2_max""",
        [[39.1]],
    ),
    (
        "float64_round",
        "SELECT FLOAT64(JSON '18446744073709551615', wide_number_mode=>'round') as result",
        [[1.8446744073709552e19]],
    ),
    (
        "float64_default_rounds",
        "SELECT FLOAT64(JSON '18446744073709551615') as result",
        [[1.8446744073709552e19]],
    ),
    (
        "float64_exact_fails",
        "SELECT FLOAT64(JSON '18446744073709551615', wide_number_mode=>'exact') as result",
        Error("without loss of precision"),
    ),
    (
        "float64_mode_is_case_sensitive",
        "SELECT FLOAT64(JSON '123.4', wide_number_mode=>'EXACT') as result",
        Error("wide_number_mode"),
    ),
    (
        "float64_mode_must_be_known",
        "SELECT FLOAT64(JSON '123.4', wide_number_mode=>'exac') as result",
        Error("wide_number_mode"),
    ),
    ("float64_of_string_fails", """SELECT FLOAT64(JSON '"strawberry"')""", Error("JSON")),
    ("float64_of_null_fails", "SELECT FLOAT64(JSON 'null') AS result", Error("JSON")),
    ("float64_type", "SELECT FLOAT64(JSON '1') AS x", Columns(["x"], [[1.0]], ["FLOAT64"])),
    # LAX_ converters: the documented tables of inputs and results
    ("lax_bool_true", "SELECT LAX_BOOL(JSON 'true') AS result", [[True]]),
    ("lax_bool_string_true", """SELECT LAX_BOOL(JSON '"true"') AS result""", [[True]]),
    ("lax_bool_string_upper", """SELECT LAX_BOOL(JSON '"TRUE"') AS result""", [[True]]),
    ("lax_bool_string_space", """SELECT LAX_BOOL(JSON '"true "') AS result""", [[None]]),
    ("lax_bool_negative", "SELECT LAX_BOOL(JSON '-1.1') AS result", [[True]]),
    ("lax_bool_string_other", """SELECT LAX_BOOL(JSON '"foo"') AS result""", [[None]]),
    ("lax_bool_zero", "SELECT LAX_BOOL(JSON '0') AS result", [[False]]),
    ("lax_bool_number", "SELECT LAX_BOOL(JSON '10') AS result", [[True]]),
    ("lax_bool_float", "SELECT LAX_BOOL(JSON '0.0') AS result", [[False]]),
    ("lax_bool_null", "SELECT LAX_BOOL(JSON 'null') AS result", [[None]]),
    ("lax_bool_array", "SELECT LAX_BOOL(JSON '[true]') AS result", [[None]]),
    ("lax_int64_number", "SELECT LAX_INT64(JSON '10') AS result", [[10]]),
    ("lax_int64_integral", "SELECT LAX_INT64(JSON '10.0') AS result", [[10]]),
    ("lax_int64_fraction", "SELECT LAX_INT64(JSON '1.1') AS result", [[1]]),
    ("lax_int64_rounds_half_up", "SELECT LAX_INT64(JSON '3.5') AS result", [[4]]),
    ("lax_int64_exponent", "SELECT LAX_INT64(JSON '1.1e2') AS result", [[110]]),
    ("lax_int64_string", """SELECT LAX_INT64(JSON '"10"') AS result""", [[10]]),
    ("lax_int64_string_float", """SELECT LAX_INT64(JSON '"1.1"') AS result""", [[1]]),
    ("lax_int64_string_exponent", """SELECT LAX_INT64(JSON '"1.1e2"') AS result""", [[110]]),
    ("lax_int64_string_plus", """SELECT LAX_INT64(JSON '"+1.5"') AS result""", [[2]]),
    ("lax_int64_string_huge", """SELECT LAX_INT64(JSON '"1e100"') AS result""", [[None]]),
    ("lax_int64_string_other", """SELECT LAX_INT64(JSON '"foo"') AS result""", [[None]]),
    ("lax_int64_true", "SELECT LAX_INT64(JSON 'true') AS result", [[1]]),
    ("lax_int64_false", "SELECT LAX_INT64(JSON 'false') AS result", [[0]]),
    ("lax_int64_out_of_range", "SELECT LAX_INT64(JSON '1e100') AS result", [[None]]),
    ("lax_int64_null", "SELECT LAX_INT64(JSON 'null') AS result", [[None]]),
    ("lax_float64_number", "SELECT LAX_FLOAT64(JSON '9.8') AS result", [[9.8]]),
    ("lax_float64_int", "SELECT LAX_FLOAT64(JSON '9') AS result", [[9.0]]),
    (
        "lax_float64_wide",
        "SELECT LAX_FLOAT64(JSON '9007199254740993') AS result",
        [[9007199254740992.0]],
    ),
    ("lax_float64_huge", "SELECT LAX_FLOAT64(JSON '1e100') AS result", [[1e100]]),
    ("lax_float64_false", "SELECT LAX_FLOAT64(JSON 'false') AS result", [[None]]),
    ("lax_float64_string_exp", """SELECT LAX_FLOAT64(JSON '"1.1e2"') AS result""", [[110.0]]),
    (
        "lax_float64_string_wide",
        """SELECT LAX_FLOAT64(JSON '"9007199254740993"') AS result""",
        [[9007199254740992.0]],
    ),
    ("lax_float64_string_plus", """SELECT LAX_FLOAT64(JSON '"+1.5"') AS result""", [[1.5]]),
    ("lax_float64_inf", """SELECT LAX_FLOAT64(JSON '"Inf"') AS result""", [[float("inf")]]),
    (
        "lax_float64_minus_inf",
        """SELECT LAX_FLOAT64(JSON '"-InfiNiTY"') AS result""",
        [[float("-inf")]],
    ),
    ("lax_float64_string", """SELECT LAX_FLOAT64(JSON '"10"') AS result""", [[10.0]]),
    ("lax_float64_string_float", """SELECT LAX_FLOAT64(JSON '"1.1"') AS result""", [[1.1]]),
    ("lax_float64_nan", """SELECT IS_NAN(LAX_FLOAT64(JSON '"NaN"')) AS result""", [[True]]),
    # Inferred: a JSON string that is not a JSON number is not converted.
    ("lax_float64_string_underscore", """SELECT LAX_FLOAT64(JSON '"1_0"')""", [[None]]),
    ("lax_int64_string_space", """SELECT LAX_INT64(JSON '" 1"')""", [[None]]),
    ("lax_float64_string_other", """SELECT LAX_FLOAT64(JSON '"foo"') AS result""", [[None]]),
    ("lax_float64_bool", "SELECT LAX_FLOAT64(JSON 'true') AS result", [[None]]),
    ("lax_string_string", """SELECT LAX_STRING(JSON '"purple"') AS result""", [["purple"]]),
    ("lax_string_number", "SELECT LAX_STRING(JSON '10') AS result", [["10"]]),
    ("lax_string_string_number", """SELECT LAX_STRING(JSON '"10"') AS result""", [["10"]]),
    ("lax_string_false", "SELECT LAX_STRING(JSON 'false') AS result", [["false"]]),
    ("lax_string_integral", "SELECT LAX_STRING(JSON '10.0') AS result", [["10"]]),
    ("lax_string_float", "SELECT LAX_STRING(JSON '1e100') AS result", [["1e+100"]]),
    ("lax_string_bool", "SELECT LAX_STRING(JSON 'true') AS result", [["true"]]),
    ("lax_string_null", "SELECT LAX_STRING(JSON 'null') AS result", [[None]]),
    ("lax_string_object", """SELECT LAX_STRING(JSON '{"a": 1}') AS result""", [[None]]),
    # Extractors: JSON_QUERY and JSON_EXTRACT
    *_extractors("JSON_QUERY", legacy=False),
    *_extractors("JSON_EXTRACT", legacy=True),
    (
        "json_query_result_type_is_string",
        "SELECT JSON_QUERY('{\"a\": 1}', '$.a') AS a",
        Columns(["a"], [["1"]], ["STRING"]),
    ),
    (
        "json_query_of_json_selects_json",
        "SELECT JSON_TYPE(JSON_QUERY(JSON '{\"a\": [1]}', '$.a')) AS t",
        [["array"]],
    ),
    (
        "json_query_null_distinction",
        """WITH t AS (SELECT '{"name": null}' AS json_string, JSON '{"name": null}' AS json)
           SELECT JSON_QUERY(json_string, "$.name") AS name_string,
             JSON_QUERY(json_string, "$.name") IS NULL AS name_string_is_null,
             JSON_QUERY(json, "$.name") AS name_json,
             JSON_QUERY(json, "$.name") IS NULL AS name_json_is_null
           FROM t""",
        [[None, True, "null", False]],
    ),
    # Extractors: JSON_VALUE and JSON_EXTRACT_SCALAR
    (
        "json_value_of_json",
        f"SELECT JSON_VALUE(JSON '{JAKOB}', '$.age') AS scalar_age",
        [["6"]],
    ),
    (
        "json_value_compared_with_query",
        f"""SELECT JSON_QUERY('{JAKOB}', '$.name') AS json_name,
             JSON_VALUE('{JAKOB}', '$.name') AS scalar_name,
             JSON_QUERY('{JAKOB}', '$.age') AS json_age,
             JSON_VALUE('{JAKOB}', '$.age') AS scalar_age""",
        [['"Jakob"', "Jakob", '"6"', "6"]],
    ),
    (
        "json_value_of_array_is_null",
        """SELECT JSON_QUERY('{"fruits": ["apple", "banana"]}', '$.fruits') AS json_query,
             JSON_VALUE('{"fruits": ["apple", "banana"]}', '$.fruits') AS json_value""",
        [['["apple","banana"]', None]],
    ),
    (
        "json_value_escaped_key",
        """SELECT JSON_VALUE('{"a.b": {"c": "world"}}', '$."a.b".c') AS hello""",
        [["world"]],
    ),
    ("json_value_number", """SELECT JSON_VALUE('{"a": 1.5}', '$.a')""", [["1.5"]]),
    ("json_value_bool", """SELECT JSON_VALUE(JSON '{"a": true}', '$.a')""", [["true"]]),
    ("json_value_null", """SELECT JSON_VALUE(JSON '{"a": null}', '$.a')""", [[None]]),
    ("json_value_default_path", """SELECT JSON_VALUE('"x"')""", [["x"]]),
    (
        "json_value_unescapes",
        r"""SELECT JSON_VALUE('{"a": "say \\"hi\\""}', '$.a')""",
        [['say "hi"']],
    ),
    (
        "json_extract_scalar_of_json",
        f"SELECT JSON_EXTRACT_SCALAR(JSON '{JAKOB}', '$.age') AS scalar_age",
        [["6"]],
    ),
    (
        "json_extract_scalar_compared",
        f"""SELECT JSON_EXTRACT('{JAKOB}', '$.name') AS json_name,
             JSON_EXTRACT_SCALAR('{JAKOB}', '$.name') AS scalar_name,
             JSON_EXTRACT('{JAKOB}', '$.age') AS json_age,
             JSON_EXTRACT_SCALAR('{JAKOB}', '$.age') AS scalar_age""",
        [['"Jakob"', "Jakob", '"6"', "6"]],
    ),
    (
        "json_extract_scalar_of_array_is_null",
        """SELECT JSON_EXTRACT('{"fruits": ["apple", "banana"]}', '$.fruits') AS json_extract,
             JSON_EXTRACT_SCALAR('{"fruits": ["apple", "banana"]}', '$.fruits')
             AS json_extract_scalar""",
        [['["apple","banana"]', None]],
    ),
    (
        "json_extract_scalar_escaped_key",
        """SELECT JSON_EXTRACT_SCALAR('{"a.b": {"c": "world"}}', "$['a.b'].c") AS hello""",
        [["world"]],
    ),
    # Array extractors
    (
        "json_query_array_of_json",
        """SELECT JSON_QUERY_ARRAY(JSON '{"fruits":["apples","oranges","grapes"]}', '$.fruits')
           AS json_array""",
        [[['"apples"', '"oranges"', '"grapes"']]],
    ),
    ("json_query_array_default_path", "SELECT JSON_QUERY_ARRAY('[1,2,3]')", [[["1", "2", "3"]]]),
    (
        "json_query_array_cast_to_int",
        """SELECT ARRAY(SELECT CAST(integer_element AS INT64)
             FROM UNNEST(JSON_QUERY_ARRAY('[1,2,3]','$')) AS integer_element) AS integer_array""",
        [[[1, 2, 3]]],
    ),
    (
        "json_query_array_keeps_quotes",
        """SELECT JSON_QUERY_ARRAY('["apples","oranges","grapes"]', '$') AS string_array""",
        [[['"apples"', '"oranges"', '"grapes"']]],
    ),
    (
        "json_query_array_then_value",
        """SELECT ARRAY(SELECT JSON_VALUE(string_element, '$')
             FROM UNNEST(JSON_QUERY_ARRAY('["apples","oranges","grapes"]','$'))
             AS string_element) AS string_array""",
        [[["apples", "oranges", "grapes"]]],
    ),
    (
        "json_query_array_objects",
        """SELECT JSON_QUERY_ARRAY('{"fruit":[{"apples":5,"oranges":10},{"apples":2,"oranges":4}],
           "vegetables":[{"lettuce":7,"kale": 8}]}', '$.fruit') AS string_array""",
        [[['{"apples":5,"oranges":10}', '{"apples":2,"oranges":4}']]],
    ),
    (
        "json_query_array_quoted_key",
        """SELECT JSON_QUERY_ARRAY('{"fruits":["apples","oranges","grapes"]}','$."fruits"')""",
        [[['"apples"', '"oranges"', '"grapes"']]],
    ),
    (
        "json_query_array_escaped_key",
        """SELECT JSON_QUERY_ARRAY('{"a.b": {"c": ["world"]}}', '$."a.b".c') AS hello""",
        [[['"world"']]],
    ),
    (
        "json_query_array_invalid_path",
        """SELECT JSON_QUERY_ARRAY('["foo", "bar", "baz"]', 'INVALID_JSONPath') AS result""",
        Error("JSONPath"),
    ),
    (
        "json_value_array_invalid_path",
        """SELECT JSON_VALUE_ARRAY('["foo","bar","baz"]','INVALID_JSONPath') AS result""",
        Error("JSONPath"),
    ),
    # Inferred: the JSONPath rules are the same for every extractor.
    ("json_query_invalid_path", """SELECT JSON_QUERY('{"a": 1}', 'a')""", Error("JSONPath")),
    (
        "json_query_path_of_column",
        """SELECT JSON_QUERY('{"a": {"b": 1}}', p) AS x FROM UNNEST(['$.a', '$.a.b', '$.c']) AS p
           ORDER BY p""",
        [['{"b":1}'], ["1"], [None]],
    ),
    # The documentation shows these functions' NULL results; a query's result holds a NULL array
    # as [] ("BigQuery translates a NULL ARRAY into an empty ARRAY in the query result").
    ("json_query_array_not_array", """SELECT JSON_QUERY_ARRAY('{"a":"foo"}','$.a')""", [[[]]]),
    ("json_query_array_missing", """SELECT JSON_QUERY_ARRAY('{"a":"foo"}','$.b')""", [[[]]]),
    ("json_query_array_empty", """SELECT JSON_QUERY_ARRAY('{"a":"foo","b":[]}','$.b')""", [[[]]]),
    (
        "json_value_array_of_json",
        """SELECT JSON_VALUE_ARRAY(JSON '{"fruits":["apples","oranges","grapes"]}','$.fruits')
           AS string_array""",
        [[["apples", "oranges", "grapes"]]],
    ),
    (
        "json_value_array_compared",
        """SELECT JSON_QUERY_ARRAY('["apples","oranges"]') AS json_array,
             JSON_VALUE_ARRAY('["apples","oranges"]') AS string_array""",
        [[['"apples"', '"oranges"'], ["apples", "oranges"]]],
    ),
    (
        "json_value_array_strips_quotes",
        """SELECT JSON_VALUE_ARRAY('["foo","bar","baz"]','$') AS string_array""",
        [[["foo", "bar", "baz"]]],
    ),
    (
        "json_value_array_cast_to_int",
        """SELECT ARRAY(SELECT CAST(integer_element AS INT64)
             FROM UNNEST(JSON_VALUE_ARRAY('[1,2,3]','$')) AS integer_element) AS integer_array""",
        [[[1, 2, 3]]],
    ),
    (
        "json_value_array_quoted_key",
        """SELECT JSON_VALUE_ARRAY('{"fruits":["apples","oranges","grapes"]}','$."fruits"')""",
        [[["apples", "oranges", "grapes"]]],
    ),
    (
        "json_value_array_escaped_key",
        """SELECT JSON_VALUE_ARRAY('{"a.b": {"c": ["world"]}}', '$."a.b".c') AS hello""",
        [[["world"]]],
    ),
    ("json_value_array_invalid_json", "SELECT JSON_VALUE_ARRAY('}}','$')", [[[]]]),
    ("json_value_array_null", "SELECT JSON_VALUE_ARRAY(NULL,'$')", [[[]]]),
    (
        "json_value_array_missing",
        """SELECT JSON_VALUE_ARRAY('{"a":["foo","bar","baz"]}','$.b')""",
        [[[]]],
    ),
    ("json_value_array_not_array", """SELECT JSON_VALUE_ARRAY('{"a":"foo"}','$')""", [[[]]]),
    (
        "json_value_array_of_objects",
        """SELECT JSON_VALUE_ARRAY(
             '{"a":[{"b":"foo","c":1},{"b":"bar","c":2}],"d":"baz"}','$.a')""",
        [[[]]],
    ),
    ("json_value_array_empty", """SELECT JSON_VALUE_ARRAY('{"a":"foo","b":[]}','$.b')""", [[[]]]),
    (
        "json_value_array_json_null",
        """SELECT JSON_VALUE_ARRAY('["world", null, 1]') AS result""",
        # The documentation shows [world, NULL, 1] inside a query; a result cannot hold it.
        Error("Array cannot have a null element; error in writing field result"),
    ),
    (
        "json_extract_array_documented",
        """SELECT JSON_EXTRACT_ARRAY('{"fruits":["apples","oranges","grapes"]}','$.fruits')""",
        [[['"apples"', '"oranges"', '"grapes"']]],
    ),
    (
        "json_extract_array_escaped_key",
        """SELECT JSON_EXTRACT_ARRAY('{"a.b": {"c": ["world"]}}', "$['a.b'].c") AS hello""",
        [[['"world"']]],
    ),
    (
        "json_extract_string_array_documented",
        """SELECT JSON_EXTRACT_STRING_ARRAY('["foo","bar","baz"]','$') AS string_array""",
        [[["foo", "bar", "baz"]]],
    ),
    (
        "json_extract_string_array_escaped_key",
        """SELECT JSON_EXTRACT_STRING_ARRAY('{"a.b": {"c": ["world"]}}', "$['a.b'].c")""",
        [[["world"]]],
    ),
    # TO_JSON: a JSON value, keys sorted
    (
        "to_json_rows",
        f"{COORDINATES} SELECT TO_JSON(t) AS json_objects FROM CoordinatesTable AS t ORDER BY id",
        [
            ['{"coordinates":[10,20],"id":1}'],
            ['{"coordinates":[30,40],"id":2}'],
            ['{"coordinates":[50,60],"id":3}'],
        ],
    ),
    (
        "to_json_stringify_on",
        "SELECT TO_JSON(9007199254740993, stringify_wide_numbers=>TRUE) as stringify_on",
        [['"9007199254740993"']],
    ),
    (
        "to_json_stringify_off",
        "SELECT TO_JSON(9007199254740993, stringify_wide_numbers=>FALSE) as stringify_off",
        [["9007199254740993"]],
    ),
    ("to_json_wide_by_default", "SELECT TO_JSON(9007199254740993)", [["9007199254740993"]]),
    (
        "to_json_stringify_rows",
        """WITH T1 AS ((SELECT 9007199254740993 AS id) UNION ALL (SELECT 2 AS id))
           SELECT TO_JSON(t, stringify_wide_numbers=>TRUE) AS json_objects FROM T1 AS t
           ORDER BY JSON_VALUE(TO_JSON(t), '$.id') DESC""",
        [['{"id":"9007199254740993"}'], ['{"id":2}']],
    ),
    (
        "to_json_common_supertype",
        """WITH T1 AS ((SELECT 9007199254740993 AS id) UNION ALL (SELECT 2.1 AS id))
           SELECT TO_JSON(t, stringify_wide_numbers=>TRUE) AS json_objects FROM T1 AS t
           ORDER BY t.id DESC""",
        [['{"id":9.007199254740992e+15}'], ['{"id":2.1}']],
    ),
    ("to_json_interval_second", "SELECT TO_JSON(INTERVAL 1 SECOND)", [['"PT1S"']]),
    ("to_json_interval_months", "SELECT TO_JSON(INTERVAL -25 MONTH)", [['"P-2Y-1M"']]),
    ("to_json_numeric_integral", "SELECT TO_JSON(NUMERIC '-1')", [["-1"]]),
    ("to_json_numeric_zero", "SELECT TO_JSON(NUMERIC '0')", [["0"]]),
    (
        "to_json_numeric_wide",
        "SELECT TO_JSON(NUMERIC '9007199254740993')",
        [["9007199254740993"]],
    ),
    (
        "to_json_numeric_wide_stringified",
        "SELECT TO_JSON(NUMERIC '9007199254740993', stringify_wide_numbers=>TRUE)",
        [['"9007199254740993"']],
    ),
    (
        "to_json_numeric_fraction_stringified",
        "SELECT TO_JSON(NUMERIC '123.56', stringify_wide_numbers=>TRUE)",
        [["123.56"]],
    ),
    (
        "to_json_struct",
        "SELECT TO_JSON(STRUCT(12 AS purchases, TRUE AS inStock))",
        [['{"inStock":true,"purchases":12}']],
    ),
    (
        "to_json_of_json_is_not_encoded_twice",
        "SELECT TO_JSON(STRUCT(TO_JSON(1) AS a, JSON '{\"b\": [2]}' AS c))",
        [['{"a":1,"c":{"b":[2]}}']],
    ),
    ("to_json_null", "SELECT TO_JSON(CAST(NULL AS INT64))", [["null"]]),
    ("to_json_true", "SELECT TO_JSON(TRUE)", [["true"]]),
    ("to_json_float_integral", "SELECT TO_JSON(1.0)", [["1"]]),
    ("to_json_inf", "SELECT TO_JSON(CAST('+inf' AS FLOAT64))", [['"Infinity"']]),
    ("to_json_minus_inf", "SELECT TO_JSON(CAST('-inf' AS FLOAT64))", [['"-Infinity"']]),
    ("to_json_nan", "SELECT TO_JSON(CAST('NaN' AS FLOAT64))", [['"NaN"']]),
    ("to_json_string", """SELECT TO_JSON('"abc"')""", [[r'"\"abc\""']]),
    ("to_json_bytes", """SELECT TO_JSON(b"Google")""", [['"R29vZ2xl"']]),
    ("to_json_date", "SELECT TO_JSON(DATE '2017-03-06')", [['"2017-03-06"']]),
    (
        "to_json_timestamp",
        "SELECT TO_JSON(TIMESTAMP '2017-03-06 12:34:56.789012')",
        [['"2017-03-06T12:34:56.789012Z"']],
    ),
    (
        "to_json_datetime",
        "SELECT TO_JSON(DATETIME '2017-03-06 12:34:56.789012')",
        [['"2017-03-06T12:34:56.789012"']],
    ),
    ("to_json_time", "SELECT TO_JSON(TIME '12:34:56.789012')", [['"12:34:56.789012"']]),
    ("to_json_array", """SELECT TO_JSON(["red", "blue", "green"])""", [['["red","blue","green"]']]),
    ("to_json_int_array", "SELECT TO_JSON([1, 2, 3])", [["[1,2,3]"]]),
    ("to_json_numeric", "SELECT TO_JSON(NUMERIC '123.56')", [["123.56"]]),
    (
        "to_json_json",
        """SELECT TO_JSON(JSON '{"item": "pen", "price": 10}')""",
        [['{"item":"pen","price":10}']],
    ),
    # TO_JSON_STRING: fields in order, wide numbers quoted
    (
        "to_json_string_rows",
        f"""{COORDINATES} SELECT id, coordinates, TO_JSON_STRING(t) AS json_data
            FROM CoordinatesTable AS t ORDER BY id""",
        [
            [1, [10, 20], '{"id":1,"coordinates":[10,20]}'],
            [2, [30, 40], '{"id":2,"coordinates":[30,40]}'],
            [3, [50, 60], '{"id":3,"coordinates":[50,60]}'],
        ],
    ),
    (
        "to_json_string_pretty",
        f"""{COORDINATES} SELECT TO_JSON_STRING(t, true) AS json_data
            FROM CoordinatesTable AS t WHERE id = 1""",
        [['{\n  "id": 1,\n  "coordinates": [\n    10,\n    20\n  ]\n}']],
    ),
    (
        "to_json_string_rows_of_structs",
        """WITH Input AS (
             SELECT [1, 2] AS x, 'foo' AS y, STRUCT(true AS a, DATE '2017-04-05' AS b) AS s
             UNION ALL SELECT NULL AS x, '' AS y, STRUCT(false AS a, DATE '0001-01-01' AS b) AS s
             UNION ALL SELECT [3] AS x, 'bar' AS y, STRUCT(NULL AS a, DATE '2016-12-05' AS b) AS s)
           SELECT TO_JSON_STRING(t) AS json_row FROM Input AS t ORDER BY y""",
        [
            ['{"x":null,"y":"","s":{"a":false,"b":"0001-01-01"}}'],
            ['{"x":[3],"y":"bar","s":{"a":null,"b":"2016-12-05"}}'],
            ['{"x":[1,2],"y":"foo","s":{"a":true,"b":"2017-04-05"}}'],
        ],
    ),
    (
        "to_json_string_wide_int",
        "SELECT TO_JSON_STRING(9007199254740993)",
        [['"9007199254740993"']],
    ),
    ("to_json_string_exact_int", "SELECT TO_JSON_STRING(9007199254740992)", [["9007199254740992"]]),
    ("to_json_string_numeric_fraction", "SELECT TO_JSON_STRING(NUMERIC '123.56')", [['"123.56"']]),
    ("to_json_string_numeric_integral", "SELECT TO_JSON_STRING(NUMERIC '-1')", [["-1"]]),
    ("to_json_string_null", "SELECT TO_JSON_STRING(NULL)", [["null"]]),
    ("to_json_string_string", "SELECT TO_JSON_STRING('abc')", [['"abc"']]),
    ("to_json_string_bytes", """SELECT TO_JSON_STRING(b"Google")""", [['"R29vZ2xl"']]),
    (
        "to_json_string_json_documented",
        """SELECT TO_JSON_STRING(JSON '{"id": 1, "coordinates": [10, 20]}') AS json_string""",
        [['{"coordinates":[10,20],"id":1}']],
    ),
    (
        "to_json_string_json",
        """SELECT TO_JSON_STRING(JSON '{"b": 1, "a": 2}')""",
        [['{"a":2,"b":1}']],
    ),
    # Constructors
    ("json_array_documented", "SELECT JSON_ARRAY(10) AS json_data", [["[10]"]]),
    (
        "json_array_nested",
        "SELECT JSON_ARRAY([]) AS json_data",
        [["[[]]"]],
    ),
    (
        "json_array_mixed",
        """SELECT JSON_ARRAY(10, 'foo', NULL) AS json_data""",
        [['[10,"foo",null]']],
    ),
    (
        "json_array_of_struct",
        """SELECT JSON_ARRAY(STRUCT(10 AS a, 'foo' AS b)) AS json_data""",
        [['[{"a":10,"b":"foo"}]']],
    ),
    (
        "json_array_of_arrays",
        """SELECT JSON_ARRAY(10, ['foo', 'bar'], [20, 30]) AS json_data""",
        [['[10,["foo","bar"],[20,30]]']],
    ),
    (
        "json_array_of_json",
        """SELECT JSON_ARRAY(JSON '{"a": 1}', JSON 'null') AS json_data""",
        [['[{"a":1},null]']],
    ),
    ("json_array_empty", "SELECT JSON_ARRAY() AS json_data", [["[]"]]),
    (
        "json_array_of_json_array",
        """SELECT JSON_ARRAY(10, [JSON '20', JSON '"foo"']) AS json_data""",
        [['[10,[20,"foo"]]']],
    ),
    ("json_object_documented", "SELECT JSON_OBJECT() AS json_data", [["{}"]]),
    (
        "json_object_pairs",
        "SELECT JSON_OBJECT('foo', 10, 'bar', TRUE) AS json_data",
        [['{"bar":true,"foo":10}']],
    ),
    (
        "json_object_nested",
        "SELECT JSON_OBJECT('foo', 10, 'bar', ['a', 'b']) AS json_data",
        [['{"bar":["a","b"],"foo":10}']],
    ),
    (
        "json_object_first_duplicate",
        "SELECT JSON_OBJECT('a', 10, 'a', 'foo') AS json_data",
        [['{"a":10}']],
    ),
    (
        "json_object_json_value",
        """SELECT JSON_OBJECT('a', JSON '{"b": [1, 2]}') AS json_data""",
        [['{"a":{"b":[1,2]}}']],
    ),
    (
        "json_object_arrays",
        "SELECT JSON_OBJECT(['a', 'b'], [10, NULL]) AS json_data",
        [['{"a":10,"b":null}']],
    ),
    (
        "json_object_nulls",
        "SELECT JSON_OBJECT('a', NULL, 'b', JSON 'null') AS json_data",
        [['{"a":null,"b":null}']],
    ),
    (
        "json_object_columns",
        """WITH Items AS (SELECT 'hello' AS key, 'world' AS value)
           SELECT JSON_OBJECT(key, value) AS json_data FROM Items""",
        [['{"hello":"world"}']],
    ),
    ("json_object_null_key_fails", "SELECT JSON_OBJECT(NULL, 1)", Error("A key can't be NULL")),
    (
        "json_object_odd_arguments_fail",
        "SELECT JSON_OBJECT('a', 1, 'b') AS json_data",
        Error("JSON_OBJECT"),
    ),
    (
        "json_object_empty_arrays",
        "SELECT JSON_OBJECT(CAST([] AS ARRAY<STRING>), []) AS json_data",
        [["{}"]],
    ),
    (
        "json_object_arrays_of_json",
        """SELECT JSON_OBJECT(['a', 'b'], [JSON '10', JSON '"foo"']) AS json_data""",
        [['{"a":10,"b":"foo"}']],
    ),
    (
        "json_object_arrays_of_structs",
        """SELECT JSON_OBJECT(['a', 'b'],
             [STRUCT(10 AS id, 'Red' AS color), STRUCT(20 AS id, 'Blue' AS color)])
             AS json_data""",
        [['{"a":{"color":"Red","id":10},"b":{"color":"Blue","id":20}}']],
    ),
    (
        "json_object_arrays_of_to_json",
        """SELECT JSON_OBJECT(['a', 'b'], [TO_JSON(10), TO_JSON(['foo', 'bar'])]) AS json_data""",
        [['{"a":10,"b":["foo","bar"]}']],
    ),
    (
        "json_object_array_agg",
        """WITH Fruits AS (
             SELECT 0 AS id, 'color' AS json_key, 'red' AS json_value UNION ALL
             SELECT 0, 'fruit', 'apple' UNION ALL
             SELECT 1, 'fruit', 'banana' UNION ALL
             SELECT 1, 'ripe', 'true')
           SELECT JSON_OBJECT(ARRAY_AGG(json_key ORDER BY json_key),
                              ARRAY_AGG(json_value ORDER BY json_key)) AS json_data
           FROM Fruits GROUP BY id ORDER BY id""",
        [['{"color":"red","fruit":"apple"}'], ['{"fruit":"banana","ripe":"true"}']],
    ),
    (
        "json_object_arrays_mismatch",
        "SELECT JSON_OBJECT(['a', 'b'], [10]) AS json_data",
        Error("The number of keys and values must match"),
    ),
    (
        "json_object_null_keys_array",
        "SELECT JSON_OBJECT(CAST(NULL AS ARRAY<STRING>), [10, 20]) AS json_data",
        Error("The keys array can't be NULL"),
    ),
    (
        "json_object_null_values_array",
        "SELECT JSON_OBJECT(['a', 'b'], CAST(NULL AS ARRAY<INT64>)) AS json_data",
        Error("The values array can't be NULL"),
    ),
    # JSON subscripts
    (
        "subscript_array",
        """SELECT (JSON '["a", "b"]')[1] AS x""",
        [['"b"']],
    ),
    (
        "subscript_key",
        """SELECT (JSON '{"a": {"b": 2}}')['a'] AS x""",
        [['{"b":2}']],
    ),
    (
        "subscript_chain",
        """SELECT (JSON '{"a": [10, 20]}')['a'][1] AS x""",
        [["20"]],
    ),
    ("subscript_missing", """SELECT (JSON '{"a": 1}')['b'] AS x""", [[None]]),
    ("subscript_out_of_range", """SELECT (JSON '[1]')[5] AS x""", [[None]]),
    # The JSON type: results are typed JSON, stored JSON columns stay JSON
    ("type_of_literal", "SELECT JSON '1' AS j", Columns(["j"], [["1"]], ["JSON"])),
    (
        "type_of_parse_json",
        "SELECT PARSE_JSON('[1]') AS j",
        Columns(["j"], [["[1]"]], ["JSON"]),
    ),
    ("type_of_to_json", "SELECT TO_JSON(1) AS j", Columns(["j"], [["1"]], ["JSON"])),
    (
        "type_of_to_json_string",
        "SELECT TO_JSON_STRING(1) AS s",
        Columns(["s"], [["1"]], ["STRING"]),
    ),
    (
        "type_of_json_object",
        "SELECT JSON_OBJECT('a', 1) AS j",
        Columns(["j"], [['{"a":1}']], ["JSON"]),
    ),
    (
        "type_of_json_query_of_json",
        """SELECT JSON_QUERY(JSON '{"a": [1]}', '$.a') AS j""",
        Columns(["j"], [["[1]"]], ["JSON"]),
    ),
    (
        "type_of_json_query_array_of_json",
        """SELECT JSON_QUERY_ARRAY(JSON '[1, "a"]') AS j""",
        Columns(["j"], [[["1", '"a"']]], ["JSON"]),
    ),
    (
        "type_of_json_query_array_of_string",
        """SELECT JSON_QUERY_ARRAY('[1, "a"]') AS j""",
        Columns(["j"], [[["1", '"a"']]], ["STRING"]),
    ),
    (
        "type_of_json_in_struct",
        "SELECT STRUCT(JSON '2' AS x, 'y' AS s) AS st",
        Columns(["st"], [[{"x": "2", "s": "y"}]], ["RECORD"]),
    ),
    (
        "stored_json_column",
        """CREATE TABLE ds.json_docs (j JSON);
           INSERT INTO ds.json_docs VALUES (JSON '{"b": [1, 2], "a": null}');
           SELECT j, JSON_QUERY(j, '$.a') AS a, j['b'][1] AS b, JSON_TYPE(j) AS t
           FROM ds.json_docs""",
        Columns(
            ["j", "a", "b", "t"],
            [['{"a":null,"b":[1,2]}', "null", "2", "object"]],
            ["JSON", "JSON", "JSON", "STRING"],
        ),
    ),
    (
        "stored_json_from_query",
        """CREATE TABLE ds.json_copy AS SELECT JSON '{"a": "x"}' AS j;
           SELECT STRING(j['a']) AS a FROM ds.json_copy""",
        [["x"]],
    ),
    (
        "subscript_of_column",
        """SELECT j[0] AS first, j[1] AS second FROM (SELECT JSON '[10, 20]' AS j)""",
        [["10", "20"]],
    ),
    (
        "subscript_of_json_query",
        """SELECT JSON_QUERY(j, '$.b')[0] AS x FROM (SELECT JSON '{"b": [5, 6]}' AS j)""",
        [["5"]],
    ),
    (
        "subscript_of_array_column_still_counts_from_0",
        "SELECT x[0] AS first FROM (SELECT [10, 20] AS x)",
        [[10]],
    ),
    (
        "array_column_positions_are_arrays_own",
        """SELECT x[ORDINAL(1)] AS a, x[OFFSET(1)] AS b, x[SAFE_OFFSET(5)] AS c,
             x[SAFE_ORDINAL(2)] AS d FROM (SELECT [10, 20] AS x)""",
        [[10, 20, None, 20]],
    ),
    (
        "field_access",
        """SELECT j.a.b AS x FROM (SELECT JSON '{"a": {"b": [1]}}' AS j)""",
        [["[1]"]],
    ),
    (
        "string_of_field",
        """SELECT STRING(j.name) AS x FROM (SELECT JSON '{"name": "Alice"}' AS j)""",
        [["Alice"]],
    ),
    # Mutators (GoogleSQL's json_functions page, as BigQuery shares it)
    (
        "json_array_append_documented",
        """SELECT JSON_ARRAY_APPEND(JSON '["a", "b", "c"]', '$', 1) AS json_data""",
        [['["a","b","c",1]']],
    ),
    (
        "json_array_append_each_element",
        """SELECT JSON_ARRAY_APPEND(JSON '["a", "b", "c"]', '$', [1, 2]) AS json_data""",
        [['["a","b","c",1,2]']],
    ),
    (
        "json_array_append_whole_array",
        """SELECT JSON_ARRAY_APPEND(JSON '["a", "b", "c"]', '$', [1, 2],
             append_each_element=>FALSE) AS json_data""",
        [['["a","b","c",[1,2]]']],
    ),
    (
        "json_array_append_two_pairs",
        """SELECT JSON_ARRAY_APPEND(JSON '["a", ["b"], "c"]', '$[1]', [1, 2], '$[1][1]', [3, 4],
             append_each_element=>FALSE) AS json_data""",
        [['["a",["b",[1,2,[3,4]]],"c"]']],
    ),
    (
        "json_array_append_second_ignored",
        """SELECT JSON_ARRAY_APPEND(JSON '["a", ["b"], "c"]', '$[1]', [1, 2], '$[1][1]', [3, 4])
           AS json_data""",
        [['["a",["b",1,2],"c"]']],
    ),
    (
        "json_array_append_key",
        """SELECT JSON_ARRAY_APPEND(JSON '{"a": [1]}', '$.a', 2) AS json_data""",
        [['{"a":[1,2]}']],
    ),
    (
        "json_array_append_into_null",
        """SELECT JSON_ARRAY_APPEND(JSON '{"a": null}', '$.a', 10)""",
        [['{"a":[10]}']],
    ),
    (
        "json_array_append_not_array",
        """SELECT JSON_ARRAY_APPEND(JSON '{"a": 1}', '$.a', 2) AS json_data""",
        [['{"a":1}']],
    ),
    (
        "json_array_append_missing",
        """SELECT JSON_ARRAY_APPEND(JSON '{"a": 1}', '$.b', 2) AS json_data""",
        [['{"a":1}']],
    ),
    (
        "json_array_insert_documented",
        """SELECT JSON_ARRAY_INSERT(JSON '["a", ["b", "c"], "d"]', '$[1]', 1) AS json_data""",
        [['["a",1,["b","c"],"d"]']],
    ),
    (
        "json_array_insert_nested",
        """SELECT JSON_ARRAY_INSERT(JSON '["a", ["b", "c"], "d"]', '$[1][0]', 1) AS json_data""",
        [['["a",[1,"b","c"],"d"]']],
    ),
    (
        "json_array_insert_each_element",
        """SELECT JSON_ARRAY_INSERT(JSON '["a", "b", "c"]', '$[1]', [1, 2]) AS json_data""",
        [['["a",1,2,"b","c"]']],
    ),
    (
        "json_array_insert_whole_array",
        """SELECT JSON_ARRAY_INSERT(JSON '["a", "b", "c"]', '$[1]', [1, 2],
             insert_each_element=>FALSE) AS json_data""",
        [['["a",[1,2],"b","c"]']],
    ),
    (
        "json_array_insert_pads",
        """SELECT JSON_ARRAY_INSERT(JSON '["a", "b", "c", "d"]', '$[7]', "e") AS json_data""",
        [['["a","b","c","d",null,null,null,"e"]']],
    ),
    (
        "json_array_insert_object_ignored",
        """SELECT JSON_ARRAY_INSERT(JSON '{"a": {}}', '$.a[0]', 2) AS json_data""",
        [['{"a":{}}']],
    ),
    (
        "json_array_insert_no_position",
        "SELECT JSON_ARRAY_INSERT(JSON '[1, 2]', '$', 3) AS json_data",
        [["[1,2]"]],
    ),
    (
        "json_array_insert_into_null",
        """SELECT JSON_ARRAY_INSERT(JSON '{"a": null}', '$.a[2]', 10) AS json_data""",
        [['{"a":[null,null,10]}']],
    ),
    (
        "json_array_insert_into_number",
        "SELECT JSON_ARRAY_INSERT(JSON '1', '$[0]', 'r1') AS json_data",
        [["1"]],
    ),
    (
        "json_remove_documented",
        """SELECT JSON_REMOVE(JSON '["a", ["b", "c"], "d"]', '$[1]') AS json_data""",
        [['["a","d"]']],
    ),
    (
        "json_remove_field_access",
        """WITH T AS (SELECT JSON '{"a": {"b": 10, "c": 20}}' AS data)
           SELECT JSON_REMOVE(data.a, '$.b') AS json_data FROM T""",
        [['{"c":20}']],
    ),
    (
        "json_remove_twice",
        """SELECT JSON_REMOVE(JSON '["a", ["b", "c"], "d"]', '$[1]', '$[1]') AS json_data""",
        [['["a"]']],
    ),
    (
        "json_remove_keeps_empty_array",
        """SELECT JSON_REMOVE(JSON '["a", ["b", "c"], "d"]', '$[1]', '$[1]', '$[0]')
           AS json_data""",
        [["[]"]],
    ),
    (
        "json_remove_nested_key",
        """SELECT JSON_REMOVE(JSON '{"a": {"b": {"c": "d"}}}', '$.a.b.c') AS json_data""",
        [['{"a":{"b":{}}}']],
    ),
    (
        "json_remove_subtree",
        """SELECT JSON_REMOVE(JSON '{"a": {"b": {"c": "d"}}}', '$.a.b') AS json_data""",
        [['{"a":{}}']],
    ),
    (
        "json_remove_missing",
        """SELECT JSON_REMOVE(JSON '{"a": 1}', '$.b') AS json_data""",
        [['{"a":1}']],
    ),
    (
        "json_remove_several",
        """SELECT JSON_REMOVE(JSON '{"a": [1, 2, 3]}', '$.a[0]', '$.a.b', '$.b', '$.a[0]')
           AS json_data""",
        [['{"a":[3]}']],
    ),
    ("json_remove_root_fails", "SELECT JSON_REMOVE(JSON '{}', '$')", Error("can't be '$'")),
    ("json_remove_from_null", "SELECT JSON_REMOVE(JSON 'null', '$.a.b')", [["null"]]),
    (
        "json_set_root",
        """SELECT JSON_SET(JSON '{"a": 1}', '$', JSON '{"b": 2, "c": 3}') AS json_data""",
        [['{"b":2,"c":3}']],
    ),
    (
        "json_set_not_created",
        # The docs show this result as '{"a": 1}', quoted: the JSON value {"a":1}.
        """SELECT JSON_SET(JSON '{"a": 1}', "$.b", 999, create_if_missing => false)
           AS json_data""",
        [['{"a":1}']],
    ),
    (
        "json_set_replaces",
        """SELECT JSON_SET(JSON '{"a": 1}', "$.a", 999, create_if_missing => false)
           AS json_data""",
        [['{"a":999}']],
    ),
    (
        "json_set_creates_key",
        """SELECT JSON_SET(JSON '{"a": {}}', '$.a.b', 100) AS json_data""",
        [['{"a":{"b":100}}']],
    ),
    (
        "json_set_into_null",
        "SELECT JSON_SET(JSON 'null', '$.a.b', 100) AS json_data",
        [['{"a":{"b":100}}']],
    ),
    (
        "json_set_ignores_misfit",
        """SELECT JSON_SET(JSON '{"a": 1}', '$.b', 2, '$.a.c', 100, '$.d', 3) AS json_data""",
        [['{"a":1,"b":2,"d":3}']],
    ),
    (
        "json_set_ignores_index_of_number",
        """SELECT JSON_SET(JSON '{"a": 1}', '$.a[2]', 100, '$.b', 2) AS json_data""",
        [['{"a":1,"b":2}']],
    ),
    (
        "json_set_array_element",
        """SELECT JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1]', "foo") AS json_data""",
        [['["a","foo","d"]']],
    ),
    (
        "json_set_nested_element",
        """SELECT JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][0]', "foo") AS json_data""",
        [['["a",["foo","c"],"d"]']],
    ),
    (
        "json_set_null_padded",
        """SELECT JSON_SET(JSON 'null', '$[0][3]', "foo")""",
        [['[[null,null,null,"foo"]]']],
    ),
    (
        "json_set_extends_array",
        """SELECT JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][4]', "foo") AS json_data""",
        [['["a",["b","c",null,null,"foo"],"d"]']],
    ),
    (
        "json_set_string_not_array",
        """SELECT JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][0][0]', "foo") AS json_data""",
        [['["a",["b","c"],"d"]']],
    ),
    (
        "json_set_creates_nested_array",
        """SELECT JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][2][1]', "foo") AS json_data""",
        [['["a",["b","c",[null,"foo"]],"d"]']],
    ),
    (
        "json_set_creates_path",
        """SELECT JSON_SET(JSON '{}', '$.b[2].d', 100) AS json_data""",
        [['{"b":[null,null,{"d":100}]}']],
    ),
    (
        "json_set_several",
        """SELECT JSON_SET(JSON '{"a": 1, "b": {"c":3}, "d": [4]}',
             '$.a', 'v1', '$.b.e', 'v2', '$.d[2]', 'v3') AS json_data""",
        [['{"a":"v1","b":{"c":3,"e":"v2"},"d":[4,null,"v3"]}']],
    ),
    (
        "json_strip_nulls_documented",
        """SELECT JSON_STRIP_NULLS(JSON '{"a": null, "b": "c"}') AS json_data""",
        [['{"b":"c"}']],
    ),
    (
        "json_strip_nulls_array",
        "SELECT JSON_STRIP_NULLS(JSON '[1, null, 2, null]') AS json_data",
        [["[1,2]"]],
    ),
    (
        "json_strip_nulls_not_arrays",
        "SELECT JSON_STRIP_NULLS(JSON '[1, null, 2, null]', include_arrays=>FALSE) AS json_data",
        [["[1,null,2,null]"]],
    ),
    (
        "json_strip_nulls_keeps_empty",
        "SELECT JSON_STRIP_NULLS(JSON '[1, null, 2, null, [null]]') AS json_data",
        [["[1,2,[]]"]],
    ),
    (
        "json_strip_nulls_remove_empty",
        "SELECT JSON_STRIP_NULLS(JSON '[1, null, 2, null, [null]]', remove_empty=>TRUE)",
        [["[1,2]"]],
    ),
    (
        "json_strip_nulls_nothing_left",
        """SELECT JSON_STRIP_NULLS(JSON '{"a": null}', remove_empty=>TRUE) AS json_data""",
        [["null"]],
    ),
    (
        "json_strip_nulls_nothing_left_array",
        """SELECT JSON_STRIP_NULLS(JSON '{"a": [null]}', remove_empty=>TRUE) AS json_data""",
        [["null"]],
    ),
    (
        "json_strip_nulls_objects_only",
        """SELECT JSON_STRIP_NULLS(
             JSON '{"a": {"b": {"c": null}}, "d": [null], "e": [], "f": 1}',
             include_arrays=>FALSE, remove_empty=>TRUE) AS json_data""",
        [['{"d":[null],"e":[],"f":1}']],
    ),
    (
        "json_strip_nulls_objects_and_arrays",
        """SELECT JSON_STRIP_NULLS(
             JSON '{"a": {"b": {"c": null}}, "d": [null], "e": [], "f": 1}',
             remove_empty=>TRUE) AS json_data""",
        [['{"f":1}']],
    ),
    ("json_strip_nulls_null", "SELECT JSON_STRIP_NULLS(JSON 'null') AS json_data", [["null"]]),
    # JSON_KEYS and JSON_CONTAINS
    ("json_keys_documented", """SELECT JSON_KEYS(JSON '{"a": {"b":1}}')""", [[["a", "a.b"]]]),
    ("json_keys_depth", """SELECT JSON_KEYS(JSON '{"a": {"b":1}}', 1)""", [[["a"]]]),
    (
        "json_keys_strict",
        """SELECT JSON_KEYS(JSON '{"a":[{"b":1}, {"c":2}], "d":3}') AS json_keys""",
        [[["a", "d"]]],
    ),
    (
        "json_keys_lax",
        """SELECT JSON_KEYS(JSON '{"a":[{"b":1}, {"c":2}], "d":3}', mode => "lax")""",
        [[["a", "a.b", "a.c", "d"]]],
    ),
    (
        "json_keys_lax_nested_arrays",
        """SELECT JSON_KEYS(JSON '{"a":[[{"b":1}]]}', mode => "lax") as json_keys""",
        [[["a"]]],
    ),
    (
        "json_keys_lax_recursive",
        """SELECT JSON_KEYS(JSON '{"a":[[{"b":1}]]}', mode => "lax recursive") as json_keys""",
        [[["a", "a.b"]]],
    ),
    (
        "json_keys_lax_arrays_apart",
        """SELECT JSON_KEYS(JSON '{"a":[{"b":[{"c":1}]}]}', mode => "lax") as json_keys""",
        [[["a", "a.b", "a.b.c"]]],
    ),
    (
        "json_keys_lax_mixed",
        """SELECT JSON_KEYS(JSON '{"a":[{"b":[[{"c":1}]]}]}', mode => "lax") as json_keys""",
        [[["a", "a.b"]]],
    ),
    (
        "json_keys_lax_recursive_mixed",
        """SELECT JSON_KEYS(JSON '{"a":[{"b":[[{"c":1}]]}]}', mode => "lax recursive")""",
        [[["a", "a.b", "a.b.c"]]],
    ),
    (
        "json_contains_scalar",
        """SELECT JSON_CONTAINS(JSON '"a"', JSON '"a"') AS result""",
        [[True]],
    ),
    (
        "json_contains_objects",
        """SELECT
             JSON_CONTAINS(JSON '{"a": {"b": 1}, "c": 2}', JSON '{"b": 1}') AS result1,
             JSON_CONTAINS(JSON '{"a": {"b": 1}, "c": 2}', JSON '{"a": {"b": 1}}') AS result2,
             JSON_CONTAINS(JSON '{"a": {"b": 1, "d": 3}, "c": 2}', JSON '{"a": {"b": 1}}')
             AS result3""",
        [[False, True, True]],
    ),
    (
        "json_contains_arrays",
        """SELECT JSON_CONTAINS(JSON '[1, 2, 3]', JSON '[2]') AS result1,
             JSON_CONTAINS(JSON '[1, 2, 3]', JSON '2') AS result2""",
        [[True, True]],
    ),
    (
        "json_contains_nested_arrays",
        """SELECT JSON_CONTAINS(JSON '[[1, 2, 3]]', JSON '2') AS result1,
             JSON_CONTAINS(JSON '[[1, 2, 3]]', JSON '[2]') AS result2,
             JSON_CONTAINS(JSON '[[1, 2, 3]]', JSON '[[2]]') AS result3""",
        [[False, False, True]],
    ),
    (
        "json_contains_array_of_objects",
        """SELECT
             JSON_CONTAINS(JSON '[{"a":0}, {"b":1, "c":2}]', JSON '[{"b":1}]') AS result1,
             JSON_CONTAINS(JSON '[{"a":0}, {"b":1, "c":2}]', JSON '{"b":1}') AS results2,
             JSON_CONTAINS(JSON '[{"a":0}, {"b":1, "c":2}]', JSON '[{"a":0, "b":1}]')
             AS results3""",
        [[True, False, False]],
    ),
    # Functions of JSON refuse a STRING: it is not JSON until PARSE_JSON makes it so
    (
        "bool_refuses_string",
        "SELECT BOOL('true')",
        Error("No matching signature for function BOOL for argument types: STRING"),
    ),
    (
        "int64_refuses_string",
        "SELECT INT64('1')",
        Error("No matching signature for function INT64 for argument types: STRING"),
    ),
    (
        "lax_int64_refuses_number",
        "SELECT LAX_INT64(1)",
        Error("No matching signature for function LAX_INT64 for argument types: INT64"),
    ),
    (
        "json_type_refuses_string",
        """SELECT JSON_TYPE('{"a": 1}')""",
        Error("No matching signature for function JSON_TYPE for argument types: STRING"),
    ),
    (
        "json_set_refuses_string",
        """SELECT JSON_SET('{"a": 1}', '$.a', 2)""",
        Error("No matching signature for function JSON_SET"),
    ),
    ("bool_of_sql_null", "SELECT BOOL(NULL)", [[None]]),
    # JSON_FLATTEN (BigQuery's json_functions page, in Preview)
    ("json_flatten_scalar", "SELECT JSON_FLATTEN(JSON '1') AS json_flatten", [[["1"]]]),
    (
        "json_flatten_array",
        "SELECT JSON_FLATTEN(JSON '[1, 2, null]') AS json_flatten",
        [[["1", "2", "null"]]],
    ),
    (
        "json_flatten_nested",
        "SELECT JSON_FLATTEN(JSON '[[[1]], 2, [3]]') AS json_flatten",
        Columns(["json_flatten"], [[["1", "2", "3"]]], ["JSON"]),
    ),
    (
        "json_flatten_mixed",
        """SELECT JSON_FLATTEN(JSON '[[[1, 2], 3], {"a": 4}, true]') AS json_flatten""",
        [[["1", "2", "3", '{"a":4}', "true"]]],
    ),
    # NULL, which a query's result holds as [].
    ("json_flatten_null", "SELECT JSON_FLATTEN(CAST(NULL AS JSON))", [[[]]]),
    # BigQuery defines no equality or order on JSON (the JSON type in data types)
    ("json_equality_refused", "SELECT JSON '1' = JSON '1'", Error("not defined for")),
    ("json_inequality_refused", "SELECT JSON '1' != TO_JSON(2)", Error("not defined for")),
    ("json_order_refused", "SELECT JSON '1' < JSON '2'", Error("not defined for")),
]


@cases(CASES)
def test_it_matches_bigquery(engine: Any, sql: str, expected: Any, default_dataset: Any) -> None:
    check(engine(sql, default_dataset), expected)
