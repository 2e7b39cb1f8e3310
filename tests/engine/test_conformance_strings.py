"""STRING and BYTES functions against BigQuery's documented examples.

The cases come from the string_functions page of BigQuery's GoogleSQL reference (its examples'
inputs and outputs) and from its FORMAT specifier tables. Where BigQuery's console shows BYTES in
base64, the expected value here is the bytes themselves. A case whose expectation the docs do not
show says so in a comment.
"""

from __future__ import annotations

from typing import Any

from tests.engine.conformance import Columns, Error, cases, check

BANANA = "SELECT INSTR('banana', 'an', {}, {})"
HELLO = "SELECT REGEXP_EXTRACT('Hello Helloo and Hellooo', 'H?ello+', {}, {})"
EMAIL_FULL = r"REGEXP_CONTAINS('{0}', r'^([\w.+-]+@foo\.com|[\w.+-]+@bar\.org)$')"
EMAIL_LOOSE = r"REGEXP_CONTAINS('{0}', r'^[\w.+-]+@foo\.com|[\w.+-]+@bar\.org$')"
RECIPES = """WITH Recipes AS
 (SELECT 'Blueberry pancakes' as Breakfast, 'Egg salad sandwich' as Lunch,
         'Potato dumplings' as Dinner UNION ALL
  SELECT 'Potato pancakes', 'Toasted cheese sandwich', 'Beef stroganoff' UNION ALL
  SELECT 'Ham scramble', 'Steak avocado salad', 'Tomato pasta' UNION ALL
  SELECT 'Avocado toast', 'Tomato soup', 'Blueberry salmon' UNION ALL
  SELECT 'Corned beef hash', 'Lentil potato soup', 'Glazed ham')
"""

CASES: list[tuple[str, str, Any]] = [
    # ASCII
    (
        "ascii_documented",
        "SELECT ASCII('abcd') as A, ASCII('a') as B, ASCII('') as C, ASCII(NULL) as D",
        Columns(["A", "B", "C", "D"], [[97, 97, 0, None]], ["INT64"] * 4),
    ),
    ("ascii_of_bytes", "SELECT ASCII(b'\\x05bc')", [[5]]),  # inferred: first byte
    # BYTE_LENGTH, OCTET_LENGTH, CHAR_LENGTH, CHARACTER_LENGTH, LENGTH
    ("byte_length_string", "SELECT BYTE_LENGTH('абвгд') AS string_example", [[10]]),
    ("byte_length_bytes", "SELECT BYTE_LENGTH(b'абвгд') AS bytes_example", [[10]]),
    ("octet_length_is_byte_length", "SELECT OCTET_LENGTH('абвгд'), OCTET_LENGTH(b'ab')", [[10, 2]]),
    ("char_length", "SELECT CHAR_LENGTH('абвгд') AS char_length", [[5]]),
    (
        "character_length",
        "SELECT 'абвгд' AS characters, CHARACTER_LENGTH('абвгд') AS char_length_example",
        [["абвгд", 5]],
    ),
    (
        "length_string_and_bytes",
        "SELECT LENGTH('абвгд') AS string_example, LENGTH(CAST('абвгд' AS BYTES)) AS bytes_example",
        [[5, 10]],
    ),
    ("length_of_null", "SELECT LENGTH(CAST(NULL AS STRING))", [[None]]),
    # CHR
    (
        "chr_documented",
        "SELECT CHR(65) AS A, CHR(255) AS B, CHR(513) AS C, CHR(1024) AS D",
        [["A", "ÿ", "ȁ", "Ѐ"]],
    ),
    (
        "chr_zero_and_null",
        "SELECT CHR(97) AS A, CHR(0xF9B5) AS B, CHR(0) AS C, CHR(NULL) AS D",
        # U+F9B5, a CJK compatibility ideograph that looks like 例 (U+4F8B).
        Columns(["A", "B", "C", "D"], [["a", "\uf9b5", "", None]], ["STRING"] * 4),
    ),
    ("chr_invalid_code_point", "SELECT CHR(0xD800)", Error("Invalid codepoint")),
    # CODE_POINTS_TO_BYTES / CODE_POINTS_TO_STRING / TO_CODE_POINTS
    (
        "code_points_to_bytes",
        "SELECT CODE_POINTS_TO_BYTES([65, 98, 67, 100]) AS bytes",
        Columns(["bytes"], [[b"AbCd"]], ["BYTES"]),
    ),
    (
        "code_points_to_bytes_rot13",
        """SELECT CODE_POINTS_TO_BYTES(ARRAY_AGG(
  (SELECT
      CASE
        WHEN chr BETWEEN b'a' and b'z'
          THEN TO_CODE_POINTS(b'a')[offset(0)] +
            MOD(code+13-TO_CODE_POINTS(b'a')[offset(0)],26)
        WHEN chr BETWEEN b'A' and b'Z'
          THEN TO_CODE_POINTS(b'A')[offset(0)] +
            MOD(code+13-TO_CODE_POINTS(b'A')[offset(0)],26)
        ELSE code
      END
   FROM
     (SELECT code, CODE_POINTS_TO_BYTES([code]) chr)
  ) ORDER BY OFFSET)) AS encoded_string
FROM UNNEST(TO_CODE_POINTS(b'Test String!')) code WITH OFFSET""",
        [[b"Grfg Fgevat!"]],
    ),
    (
        "code_points_to_string",
        "SELECT CODE_POINTS_TO_STRING([65, 255, 513, 1024]) AS string",
        Columns(["string"], [["AÿȁЀ"]], ["STRING"]),
    ),
    (
        "code_points_to_string_null_element",
        "SELECT CODE_POINTS_TO_STRING([65, 255, NULL, 1024]) AS string",
        [[None]],
    ),
    (
        "code_points_to_string_letter_counts",
        """WITH Words AS (
  SELECT word FROM UNNEST(['foo', 'bar', 'baz', 'giraffe', 'llama']) AS word)
SELECT CODE_POINTS_TO_STRING([code_point]) AS letter, COUNT(*) AS letter_count
FROM Words, UNNEST(TO_CODE_POINTS(word)) AS code_point
GROUP BY 1 ORDER BY 2 DESC, 1""",
        [
            ["a", 5],
            ["f", 3],
            ["b", 2],
            ["l", 2],
            ["o", 2],
            ["r", 2],
            ["e", 1],
            ["g", 1],
            ["i", 1],
            ["m", 1],
            ["z", 1],
        ],
    ),
    (
        "to_code_points_words",
        "SELECT word, TO_CODE_POINTS(word) AS code_points "
        "FROM UNNEST(['foo', 'bar', 'baz', 'giraffe', 'llama']) AS word",
        [
            ["foo", [102, 111, 111]],
            ["bar", [98, 97, 114]],
            ["baz", [98, 97, 122]],
            ["giraffe", [103, 105, 114, 97, 102, 102, 101]],
            ["llama", [108, 108, 97, 109, 97]],
        ],
    ),
    (
        "to_code_points_bytes",
        "SELECT TO_CODE_POINTS(b'\\x66\\x6f\\x6f'), TO_CODE_POINTS(b'\\x00\\x01\\x10\\xff')",
        [[[102, 111, 111], [0, 1, 16, 255]]],
    ),
    (
        "to_code_points_bytes_vs_string",
        "SELECT TO_CODE_POINTS(b'Ā') AS b_result, TO_CODE_POINTS('Ā') AS s_result",
        Columns(["b_result", "s_result"], [[[196, 128], [256]]], ["INT64", "INT64"]),
    ),
    # COLLATE
    (
        "collate_und_ci",
        "WITH Words AS (SELECT COLLATE('a', 'und:ci') AS char1, COLLATE('Z', 'und:ci') AS char2) "
        "SELECT (Words.char1 < Words.char2) AS a_less_than_Z FROM Words",
        [[True]],
    ),
    (
        "collate_default_is_binary",
        "WITH Words AS (SELECT 'a' AS char1, 'Z' AS char2) "
        "SELECT (Words.char1 < Words.char2) AS a_less_than_Z FROM Words",
        [[False]],
    ),
    # CONCAT
    ("concat_author", "SELECT CONCAT('T.P.', ' ', 'Bar') as author", [["T.P. Bar"]]),
    (
        "concat_casts_numbers",
        "SELECT CONCAT('Summer', ' ', 1923) as release_date",
        Columns(["release_date"], [["Summer 1923"]], ["STRING"]),
    ),
    (
        "concat_employees",
        """With Employees AS
  (SELECT 'John' AS first_name, 'Doe' AS last_name
  UNION ALL SELECT 'Jane' AS first_name, 'Smith' AS last_name
  UNION ALL SELECT 'Joe' AS first_name, 'Jackson' AS last_name)
SELECT CONCAT(first_name, ' ', last_name) AS full_name FROM Employees""",
        [["John Doe"], ["Jane Smith"], ["Joe Jackson"]],
    ),
    (
        # Inferred: a column's INT64 is cast as a literal's is.
        "concat_casts_a_number_column",
        "SELECT CONCAT(x), CONCAT('a', x) FROM (SELECT 7 AS x)",
        Columns(["f0_", "f1_"], [["7", "a7"]], ["STRING", "STRING"]),
    ),
    (
        # BigQuery casts STRING and BYTES by UTF-8, columns included; SAFE_CAST is NULL on a
        # BYTES value that is not UTF-8.
        "cast_string_bytes_columns",
        "SELECT CAST(s AS BYTES), CAST(b AS STRING), SAFE_CAST(b'\\xff' AS STRING) "
        "FROM (SELECT 'é\\\\x' AS s, b'\\xc3\\xa9' AS b)",
        [[b"\xc3\xa9\\x", "é", None]],
    ),
    ("concat_null_is_null", "SELECT CONCAT('a', NULL, 'b')", [[None]]),
    (
        # "All values must be BYTES or data types that can be cast to STRING": a lone INT64
        # comes back as STRING.
        "concat_of_one_number_is_string",
        "SELECT CONCAT(1) AS x",
        Columns(["x"], [["1"]], ["STRING"]),
    ),
    (
        "concat_bytes",
        "SELECT CONCAT(b'ab', b'\\xff') AS x",
        Columns(["x"], [[b"ab\xff"]], ["BYTES"]),
    ),
    # CONTAINS_SUBSTR
    ("contains_substr_case", "SELECT CONTAINS_SUBSTR('the blue house', 'Blue house')", [[True]]),
    (
        "contains_substr_constant_expression",
        "SELECT CONTAINS_SUBSTR('the blue house', CONCAT('Blue ', 'house')) AS result",
        [[True]],
    ),
    ("contains_substr_false", "SELECT CONTAINS_SUBSTR('the red house', 'blue')", [[False]]),
    ("contains_substr_nfkc", "SELECT CONTAINS_SUBSTR('\\u2168', 'IX') AS result", [[True]]),
    ("contains_substr_struct", "SELECT CONTAINS_SUBSTR((23, 35, 41), '35')", [[True]]),
    (
        "contains_substr_nested",
        "SELECT CONTAINS_SUBSTR(('abc', ['def', 'ghi', 'jkl'], 'mno'), 'jk')",
        [[True]],
    ),
    ("contains_substr_null_ignored", "SELECT CONTAINS_SUBSTR((23, NULL, 41), '41')", [[True]]),
    ("contains_substr_null_unmatched", "SELECT CONTAINS_SUBSTR((23, NULL, 41), '35')", [[None]]),
    ("contains_substr_null_search", "SELECT CONTAINS_SUBSTR('hello', NULL)", Error("NULL")),
    (
        "contains_substr_table",
        RECIPES + "SELECT * FROM Recipes WHERE CONTAINS_SUBSTR(Recipes, 'toast') ORDER BY 1",
        [
            ["Avocado toast", "Tomato soup", "Blueberry salmon"],
            ["Potato pancakes", "Toasted cheese sandwich", "Beef stroganoff"],
        ],
    ),
    (
        "contains_substr_columns",
        RECIPES + "SELECT * FROM Recipes WHERE CONTAINS_SUBSTR((Lunch, Dinner), 'potato') "
        "ORDER BY 1",
        [
            ["Blueberry pancakes", "Egg salad sandwich", "Potato dumplings"],
            ["Corned beef hash", "Lentil potato soup", "Glazed ham"],
        ],
    ),
    # EDIT_DISTANCE
    ("edit_distance_a_b", "SELECT EDIT_DISTANCE('a', 'b') AS results", [[1]]),
    ("edit_distance_aa_b", "SELECT EDIT_DISTANCE('aa', 'b') AS results", [[2]]),
    ("edit_distance_aa_ba", "SELECT EDIT_DISTANCE('aa', 'ba') AS results", [[1]]),
    (
        "edit_distance_max",
        "SELECT EDIT_DISTANCE('abcdefg', 'a', max_distance => 2) AS results",
        [[2]],
    ),
    # ENDS_WITH / STARTS_WITH
    ("ends_with", "SELECT ENDS_WITH('apple', 'e') as example", [[True]]),
    (
        "ends_with_items",
        "SELECT ENDS_WITH(item, 'e') FROM UNNEST(['apple', 'banana', 'orange']) AS item",
        [[True], [False], [True]],
    ),
    ("ends_with_bytes", "SELECT ENDS_WITH(b'apple', b'le')", [[True]]),
    ("starts_with", "SELECT STARTS_WITH('bar', 'b') AS example", [[True]]),
    (
        "starts_with_items",
        "SELECT STARTS_WITH(item, 'b') FROM UNNEST(['foo', 'bar', 'baz']) AS item",
        [[False], [True], [True]],
    ),
    ("starts_with_bytes", "SELECT STARTS_WITH(b'\\xab\\xcd', b'\\xab')", [[True]]),
    # FORMAT
    ("format_d", "SELECT FORMAT('%d', 10)", [["10"]]),
    ("format_width", "SELECT FORMAT('|%10d|', 11)", [["|        11|"]]),
    ("format_zero_pad", "SELECT FORMAT('+%010d+', 12)", [["+0000000012+"]]),
    ("format_grouping", 'SELECT FORMAT("%\'d", 123456789)', [["123,456,789"]]),
    ("format_grouping_flag_doc", 'SELECT FORMAT("%\'d", 12345678)', [["12,345,678"]]),
    ("format_grouping_hex", 'SELECT FORMAT("%\'x", 12345678)', [["bc:614e"]]),
    ("format_grouping_octal", 'SELECT FORMAT("%\'o", 55555)', [["15,4403"]]),
    ("format_s", "SELECT FORMAT('-%s-', 'abcd efg')", [["-abcd efg-"]]),
    ("format_f_E", "SELECT FORMAT('%f %E', 1.1, 2.2)", [["1.100000 2.200000E+00"]]),
    ("format_t_date", "SELECT FORMAT('%t', date '2015-09-01')", [["2015-09-01"]]),
    (
        "format_t_timestamp",
        "SELECT FORMAT('%t', timestamp '2015-09-01 12:34:56 America/Los_Angeles')",
        [["2015-09-01 19:34:56+00"]],
    ),
    (
        "format_with_format_date",
        "SELECT FORMAT('date: %s!', FORMAT_DATE('%B %d, %Y', date '2015-01-02'))",
        [["date: January 02, 2015!"]],
    ),
    ("format_i", "SELECT FORMAT('%i', 392)", [["392"]]),
    ("format_o", "SELECT FORMAT('%o', 392)", [["610"]]),
    ("format_x", "SELECT FORMAT('%x', 2042)", [["7fa"]]),
    ("format_X", "SELECT FORMAT('%X', 2042)", [["7FA"]]),
    ("format_x_negative", "SELECT FORMAT('%x', -1)", Error("Negative")),
    ("format_f", "SELECT FORMAT('%f', 392.65)", [["392.650000"]]),
    ("format_F", "SELECT FORMAT('%F', 392.65)", [["392.650000"]]),
    ("format_e", "SELECT FORMAT('%e', 392.65)", [["3.926500e+02"]]),
    ("format_E", "SELECT FORMAT('%E', 392.65)", [["3.926500E+02"]]),
    ("format_g", "SELECT FORMAT('%g', 392.65)", [["392.65"]]),
    ("format_g_exponent", "SELECT FORMAT('%g', 39265000.0)", [["3.9265e+07"]]),
    ("format_G_exponent", "SELECT FORMAT('%G', 39265000.0)", [["3.9265E+07"]]),
    (
        "format_f_non_finite",
        "SELECT FORMAT('%f', CAST('inf' AS FLOAT64)), FORMAT('%f', CAST('nan' AS FLOAT64))",
        [["inf", "nan"]],
    ),
    (
        "format_F_non_finite",
        "SELECT FORMAT('%F', CAST('inf' AS FLOAT64)), FORMAT('%E', CAST('nan' AS FLOAT64))",
        [["INF", "NAN"]],
    ),
    ("format_t_string", "SELECT FORMAT('%t', 'sample')", [["sample"]]),
    ("format_T_string", "SELECT FORMAT('%T', 'abc')", [['"abc"']]),
    ("format_T_bytes", "SELECT FORMAT('%T', b'bytes sample')", [['b"bytes sample"']]),
    ("format_t_bytes_escaped", "SELECT FORMAT('%t', b'abc\\x01\\x02')", [["abc\\x01\\x02"]]),
    ("format_T_bytes_escaped", "SELECT FORMAT('%T', b'abc\\x01\\x02')", [['b"abc\\x01\\x02"']]),
    # Inferred from ZetaSQL's string literals: single quotes spare escaping a double quote.
    ("format_T_string_with_quotes", """SELECT FORMAT('%T', 'say "hi"')""", [["'say \"hi\"'"]]),
    ("format_T_int", "SELECT FORMAT('%T', 1234)", [["1234"]]),
    ("format_T_float", "SELECT FORMAT('%T', 2.3)", [["2.3"]]),
    ("format_t_float_with_point", "SELECT FORMAT('%t', 123.0)", [["123.0"]]),
    (
        "format_T_inf",
        "SELECT FORMAT('%T', CAST('inf' AS FLOAT64)), FORMAT('%t', CAST('-inf' AS FLOAT64))",
        [['CAST("inf" AS FLOAT64)', "-inf"]],
    ),
    ("format_T_date", "SELECT FORMAT('%T', DATE '2011-02-03')", [['DATE "2011-02-03"']]),
    (
        "format_T_timestamp",
        "SELECT FORMAT('%T', TIMESTAMP '2011-02-03 04:05:06+00')",
        [['TIMESTAMP "2011-02-03 04:05:06+00"']],
    ),
    ("format_t_array", "SELECT FORMAT('%t', [1, 2])", [["[1, 2]"]]),
    ("format_T_array", "SELECT FORMAT('%T', ['a', 'b'])", [['["a", "b"]']]),
    ("format_t_struct", "SELECT FORMAT('%t', STRUCT(1, 'a'))", [["(1, a)"]]),
    ("format_T_struct", "SELECT FORMAT('%T', STRUCT(1, 'a'))", [['(1, "a")']]),
    ("format_t_bool", "SELECT FORMAT('%t %T', true, false)", [["true false"]]),
    ("format_t_null", "SELECT FORMAT('00-%t-00', CAST(NULL AS INT64))", [["00-NULL-00"]]),
    ("format_i_null", "SELECT FORMAT('%i', CAST(NULL AS INT64))", [[None]]),
    ("format_null_pattern", "SELECT FORMAT(CAST(NULL AS STRING), 1)", [[None]]),
    ("format_s_of_int", "SELECT FORMAT('%s', 1)", Error("FORMAT")),
    ("format_lone_percent", "SELECT FORMAT('%')", Error("FORMAT")),
    ("format_too_many", "SELECT FORMAT('%d', 1, 2)", Error("Too many arguments to FORMAT")),
    ("format_too_few", "SELECT FORMAT('%d %d', 1)", Error("Too few arguments to FORMAT")),
    ("format_percent", "SELECT FORMAT('100%%')", [["100%"]]),
    ("format_star_precision", "SELECT FORMAT('%.*f', 2, 3.14159)", [["3.14"]]),
    ("format_star_width", "SELECT FORMAT('|%*d|', 5, 42)", [["|   42|"]]),
    ("format_left_justify", "SELECT FORMAT('|%-5d|', 42)", [["|42   |"]]),
    ("format_plus", "SELECT FORMAT('%+d %+d', 5, -5)", [["+5 -5"]]),
    ("format_space", "SELECT FORMAT('% d', 5)", [[" 5"]]),
    ("format_hash_hex", "SELECT FORMAT('%#x %#o', 255, 8)", [["0xff 010"]]),
    ("format_int_precision", "SELECT FORMAT('%.5d', 42)", [["00042"]]),
    ("format_t_width_precision", "SELECT FORMAT('|%5.2t|', 'abcd')", [["|   ab|"]]),
    ("format_s_precision", "SELECT FORMAT('%.3s', 'abcdef')", [["abc"]]),
    ("format_e_precision", "SELECT FORMAT('%.2e', 12345.678)", [["1.23e+04"]]),
    ("format_g_small", "SELECT FORMAT('%g', 0.0001234)", [["0.0001234"]]),
    ("format_g_tiny", "SELECT FORMAT('%g', 0.00001234)", [["1.234e-05"]]),
    ("format_hash_g", "SELECT FORMAT('%#g', 1.0)", [["1.00000"]]),
    ("format_hash_f", "SELECT FORMAT('%#.0f', 3.0)", [["3."]]),
    ("format_is_string", "SELECT FORMAT('%d', 1) AS x", Columns(["x"], [["1"]], ["STRING"])),
    # FROM_BASE32 / TO_BASE32 / FROM_BASE64 / TO_BASE64 / FROM_HEX / TO_HEX
    (
        "from_base32",
        "SELECT FROM_BASE32('MFRGGZDF74======') AS byte_data",
        Columns(["byte_data"], [[b"abcde\xff"]], ["BYTES"]),
    ),
    (
        "to_base32",
        "SELECT TO_BASE32(b'abcde\\xFF') AS base32_string",
        Columns(["base32_string"], [["MFRGGZDF74======"]], ["STRING"]),
    ),
    ("from_base64", "SELECT FROM_BASE64('/+A=') AS byte_data", [[b"\xff\xe0"]]),
    (
        "from_base64_url",
        "SELECT FROM_BASE64(REPLACE(REPLACE('_-A=', '-', '+'), '_', '/')) AS binary",
        [[b"\xff\xe0"]],
    ),
    ("to_base64", "SELECT TO_BASE64(b'\\377\\340') AS base64_string", [["/+A="]]),
    (
        "to_base64_websafe",
        "SELECT REPLACE(REPLACE(TO_BASE64(b'\\377\\340'), '+', '-'), '/', '_') as websafe_base64",
        [["_-A="]],
    ),
    (
        "from_hex",
        "SELECT FROM_HEX(hex_str) AS bytes_str FROM UNNEST(['0AF', '00010203aaeeefff', "
        "'666f6f626172']) AS hex_str",
        [[b"\x00\xaf"], [b"\x00\x01\x02\x03\xaa\xee\xef\xff"], [b"foobar"]],
    ),
    (
        "to_hex",
        "SELECT TO_HEX(b'\\x00\\x01\\x02\\x03\\xAA\\xEE\\xEF\\xFF') AS hex_string",
        [["00010203aaeeefff"]],
    ),
    # INITCAP
    (
        "initcap_default_delimiters",
        "SELECT INITCAP('Hello World-everyone!') AS initcap_value",
        [["Hello World-Everyone!"]],
    ),
    (
        "initcap_delimiters",
        "SELECT INITCAP('Apples1oranges2pears' , '12') AS initcap_value",
        [["Apples1Oranges2Pears"]],
    ),
    # Inferred from the description: the rest of each word is lowercased.
    ("initcap_lowercases", "SELECT INITCAP('hELLO wORLD')", [["Hello World"]]),
    ("initcap_null", "SELECT INITCAP('a', NULL)", [[None]]),
    # INSTR
    ("instr_1_1", BANANA.format(1, 1), [[2]]),
    ("instr_1_2", BANANA.format(1, 2), [[4]]),
    ("instr_1_3", BANANA.format(1, 3), [[0]]),
    ("instr_3_1", BANANA.format(3, 1), [[4]]),
    ("instr_minus_1", BANANA.format(-1, 1), [[4]]),
    ("instr_minus_3", BANANA.format(-3, 1), [[4]]),
    ("instr_no_match", "SELECT INSTR('banana', 'ann', 1, 1)", [[0]]),
    ("instr_overlapping_1", "SELECT INSTR('helloooo', 'oo', 1, 1)", [[5]]),
    ("instr_overlapping_2", "SELECT INSTR('helloooo', 'oo', 1, 2)", [[6]]),
    ("instr_two_arguments", "SELECT INSTR('abc', 'bc')", [[2]]),
    ("instr_position_zero", "SELECT INSTR('abc', 'b', 0)", Error("Position must be non-zero")),
    ("instr_occurrence_zero", "SELECT INSTR('abc', 'b', 1, 0)", Error("Occurrence must be")),
    ("instr_position_past_end", "SELECT INSTR('abc', 'b', 10)", [[0]]),
    ("instr_null", "SELECT INSTR('abc', NULL)", [[None]]),
    ("instr_bytes", "SELECT INSTR(b'\\x01\\x02\\x01\\x02', b'\\x02', 1, 2)", [[4]]),
    # LEFT / RIGHT
    ("left", "SELECT LEFT('banana', 3) AS results", [["ban"]]),
    (
        "left_bytes",
        "SELECT LEFT(b'\\xab\\xcd\\xef\\xaa\\xbb', 3) AS results",
        Columns(["results"], [[b"\xab\xcd\xef"]], ["BYTES"]),
    ),
    ("left_negative", "SELECT LEFT('banana', -1)", Error("cannot be negative")),
    ("left_zero_and_long", "SELECT LEFT('abc', 0), LEFT('abc', 10)", [["", "abc"]]),
    ("right", "SELECT 'apple' AS example, RIGHT('apple', 3) AS right_example", [["apple", "ple"]]),
    (
        "right_bytes",
        "SELECT b'apple' AS example, RIGHT(b'apple', 3) AS right_example",
        Columns(["example", "right_example"], [[b"apple", b"ple"]], ["BYTES", "BYTES"]),
    ),
    ("right_zero_and_long", "SELECT RIGHT('abc', 0), RIGHT('abc', 10)", [["", "abc"]]),
    ("right_negative", "SELECT RIGHT('abc', -1)", Error("cannot be negative")),
    ("right_multibyte", "SELECT RIGHT('абвгд', 2)", [["гд"]]),
    # LOWER / UPPER
    ("lower", "SELECT LOWER('FOO BAR BAZ') AS example", [["foo bar baz"]]),
    (
        "lower_items",
        "SELECT LOWER(item) FROM UNNEST(['FOO', 'BAR', 'BAZ']) AS item",
        [["foo"], ["bar"], ["baz"]],
    ),
    ("upper", "SELECT UPPER('foo') AS example", [["FOO"]]),
    (
        "lower_bytes_ascii_only",
        "SELECT LOWER(b'ABC\\xC3'), UPPER(b'abc\\xe3')",
        Columns(["f0_", "f1_"], [[b"abc\xc3", b"ABC\xe3"]], ["BYTES", "BYTES"]),
    ),
    # Inferred: "according to the Unicode Character Database" is ICU's full mapping.
    ("upper_sharp_s", "SELECT UPPER('straße'), LOWER('ΣΑΣ')", [["STRASSE", "σας"]]),
    # LPAD / RPAD
    ("lpad_default", "SELECT FORMAT('%T', LPAD('c', 5)) AS results", [['"    c"']]),
    ("lpad_pattern", "SELECT LPAD('b', 5, 'a') AS results", [["aaaab"]]),
    ("lpad_repeats_pattern", "SELECT LPAD('abc', 10, 'ghd') AS results", [["ghdghdgabc"]]),
    ("lpad_truncates", "SELECT LPAD('abc', 2, 'd') AS results", [["ab"]]),
    (
        "lpad_bytes",
        "SELECT FORMAT('%T', LPAD(b'abc', 10, b'ghd')) AS results",
        [['b"ghdghdgabc"']],
    ),
    ("lpad_hello_world", "SELECT LPAD('hello world', 7)", [["hello w"]]),
    ("lpad_multibyte", "SELECT LPAD('例子', 5, '中文')", [["中文中例子"]]),
    (
        "lpad_bytes_default",
        "SELECT FORMAT('%T', LPAD(b'\\xab\\xcd\\xef', 4))",
        [['b" \\xab\\xcd\\xef"']],
    ),
    ("lpad_negative", "SELECT LPAD('a', -1)", Error("cannot be negative")),
    ("lpad_empty_pattern", "SELECT LPAD('a', 3, '')", Error("cannot be empty")),
    ("lpad_null", "SELECT LPAD('a', NULL), LPAD('a', 3, NULL)", [[None, None]]),
    ("rpad_default", "SELECT FORMAT('%T', RPAD('c', 5)) AS results", [['"c    "']]),
    ("rpad_pattern", "SELECT RPAD('b', 5, 'a') AS results", [["baaaa"]]),
    ("rpad_repeats_pattern", "SELECT RPAD('abc', 10, 'ghd') AS results", [["abcghdghdg"]]),
    ("rpad_truncates", "SELECT RPAD('abc', 2, 'd') AS results", [["ab"]]),
    (
        "rpad_bytes",
        "SELECT FORMAT('%T', RPAD(b'abc', 10, b'ghd')) AS results",
        [['b"abcghdghdg"']],
    ),
    ("rpad_multibyte", "SELECT RPAD('例子', 5, '中文')", [["例子中文中"]]),
    (
        "rpad_bytes_zero",
        "SELECT FORMAT('%T', RPAD(b'\\xab\\xcd\\xef', 5, b'\\x00'))",
        [['b"\\xab\\xcd\\xef\\x00\\x00"']],
    ),
    # LTRIM / RTRIM / TRIM
    ("ltrim_spaces", "SELECT CONCAT('#', LTRIM('   apple   '), '#') AS example", [["#apple   #"]]),
    ("ltrim_stars", "SELECT LTRIM('***apple***', '*') AS example", [["apple***"]]),
    ("ltrim_set", "SELECT LTRIM('xxxapplexxx', 'xyz') AS example", [["applexxx"]]),
    ("rtrim_stars", "SELECT RTRIM('***apple***', '*') AS example", [["***apple"]]),
    ("rtrim_set", "SELECT RTRIM('applexxz', 'xyz') AS example", [["apple"]]),
    ("trim_spaces", "SELECT CONCAT('#', TRIM( '   apple   '), '#') AS example", [["#apple#"]]),
    ("trim_stars", "SELECT TRIM('***apple***', '*') AS example", [["apple"]]),
    ("trim_set", "SELECT TRIM('xzxapplexxy', 'xyz') as example", [["apple"]]),
    (
        "trim_code_points",
        # The page's fourth column (TRIM('Ū̊aba', 'Y̊') shown as 'Ūaba') strips a mark that is
        # not at either end; it is left out until checked against BigQuery itself.
        "SELECT TRIM('abaW̊', 'Y̊') AS a, TRIM('W̊aba', 'Y̊') AS b, TRIM('abaŪ̊', 'Y̊') AS c",
        [["abaW", "W̊aba", "abaŪ"]],
    ),
    (
        "trim_bytes",
        "SELECT TRIM(b'apple', b'na\\xab') AS example",
        Columns(["example"], [[b"pple"]], ["BYTES"]),
    ),
    # Inferred: TRIM without a set removes all Unicode whitespace, not just spaces.
    ("trim_unicode_whitespace", "SELECT TRIM('\\u3000\\tx\\n ')", [["x"]]),
    # NORMALIZE / NORMALIZE_AND_CASEFOLD
    (
        "normalize_nfc",
        "SELECT NORMALIZE('\\u00ea') as a, NORMALIZE('\\u0065\\u0302') as b, "
        "NORMALIZE('\\u00ea') = NORMALIZE('\\u0065\\u0302') as normalized",
        [["ê", "ê", True]],
    ),
    ("normalize_nfkc_2004", "SELECT NORMALIZE('Raha\\u2004Mahan', NFKC)", [["Raha Mahan"]]),
    ("normalize_nfkc_2005", "SELECT NORMALIZE('Raha\\u2005Mahan', NFKC)", [["Raha Mahan"]]),
    ("normalize_nfkc_2006", "SELECT NORMALIZE('Raha\\u2006Mahan', NFKC)", [["Raha Mahan"]]),
    ("normalize_nfkc_plain", "SELECT NORMALIZE('Raha Mahan', NFKC)", [["Raha Mahan"]]),
    (
        "normalize_group_names",
        """WITH EquivalentNames AS (
  SELECT name FROM UNNEST(['Jane\\u2004Doe', 'John\\u2004Smith', 'Jane\\u2005Doe',
                           'Jane\\u2006Doe', 'John Smith']) AS name)
SELECT NORMALIZE(name, NFKC) AS normalized_name, COUNT(*) AS name_count
FROM EquivalentNames GROUP BY 1 ORDER BY 1""",
        [["Jane Doe", 3], ["John Smith", 2]],
    ),
    ("normalize_nfd", "SELECT TO_CODE_POINTS(NORMALIZE('\\u00ea', NFD))", [[[101, 770]]]),
    (
        "normalize_and_casefold",
        "SELECT NORMALIZE('The red barn') = NORMALIZE('The Red Barn') AS normalized, "
        "NORMALIZE_AND_CASEFOLD('The red barn') = NORMALIZE_AND_CASEFOLD('The Red Barn') "
        "AS normalized_with_case_folding",
        [[False, True]],
    ),
    (
        "normalize_and_casefold_roman_nine",
        "SELECT NORMALIZE_AND_CASEFOLD('\\u2168', NFD)=NORMALIZE_AND_CASEFOLD('IX', NFD) AS nfd, "
        "NORMALIZE_AND_CASEFOLD('\\u2168', NFC)=NORMALIZE_AND_CASEFOLD('IX', NFC) AS nfc, "
        "NORMALIZE_AND_CASEFOLD('\\u2168', NFKD)=NORMALIZE_AND_CASEFOLD('IX', NFKD) AS nfkd, "
        "NORMALIZE_AND_CASEFOLD('\\u2168', NFKC)=NORMALIZE_AND_CASEFOLD('IX', NFKC) AS nfkc",
        [[False, False, True, True]],
    ),
    (
        "normalize_and_casefold_a_ring",
        "SELECT "
        "NORMALIZE_AND_CASEFOLD('\\u0041\\u030A', NFD)=NORMALIZE_AND_CASEFOLD('\\u00C5', NFD), "
        "NORMALIZE_AND_CASEFOLD('\\u0041\\u030A', NFC)=NORMALIZE_AND_CASEFOLD('\\u00C5', NFC), "
        "NORMALIZE_AND_CASEFOLD('\\u0041\\u030A', NFKD)=NORMALIZE_AND_CASEFOLD('\\u00C5', NFKD), "
        "NORMALIZE_AND_CASEFOLD('\\u0041\\u030A', NFKC)=NORMALIZE_AND_CASEFOLD('\\u00C5', NFKC)",
        [[True, True, True, True]],
    ),
    # REGEXP_CONTAINS / REGEXP_MATCH
    (
        "regexp_contains_valid",
        "SELECT REGEXP_CONTAINS('foo@example.com', r'@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+')",
        [[True]],
    ),
    (
        "regexp_contains_invalid",
        "SELECT REGEXP_CONTAINS('www.example.net', r'@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+')",
        [[False]],
    ),
    *[
        (
            f"regexp_contains_full_{i}",
            f"SELECT {EMAIL_FULL.format(email)}, {EMAIL_LOOSE.format(email)}",
            [[full, loose]],
        )
        for i, (email, full, loose) in enumerate(
            [
                ("a@foo.com", True, True),
                ("a@foo.computer", False, True),
                ("b@bar.org", True, True),
                ("!b@bar.org", False, True),
                ("c@buz.net", False, False),
            ]
        )
    ],
    (
        "regexp_match_is_full",
        "SELECT REGEXP_MATCH(email, r'[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+') "
        "FROM UNNEST(['foo@example.com', 'bar@example.org', 'notavalidemailaddress']) AS email",
        [[True], [True], [False]],
    ),
    # REGEXP_EXTRACT / REGEXP_SUBSTR / REGEXP_EXTRACT_ALL
    (
        "regexp_extract_user",
        "SELECT REGEXP_EXTRACT('foo@example.com', r'^[a-zA-Z0-9_.+-]+') AS user_name",
        [["foo"]],
    ),
    (
        "regexp_extract_group",
        "SELECT REGEXP_EXTRACT('foo@example.com', "
        "r'^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.([a-zA-Z0-9-.]+$)')",
        [["com"]],
    ),
    (
        "regexp_extract_groups",
        "SELECT REGEXP_EXTRACT('ab', '.b') AS result_a, REGEXP_EXTRACT('ab', '(.)b') AS result_b, "
        "REGEXP_EXTRACT('xyztb', '(.)+b') AS result_c, REGEXP_EXTRACT('ab', '(z)?b') AS result_d",
        [["ab", "a", "t", None]],
    ),
    *[
        (f"regexp_extract_position_{p}_{o}", HELLO.format(p, o), [[want]])
        for p, o, want in [
            (1, 1, "Hello"),
            (1, 2, "Helloo"),
            (1, 3, "Hellooo"),
            (1, 4, None),
            (2, 1, "ello"),
            (3, 1, "Helloo"),
            (3, 2, "Hellooo"),
            (3, 3, None),
            (20, 1, None),
        ]
    ],
    (
        "regexp_extract_cats_dogs",
        "SELECT REGEXP_EXTRACT('cats&dogs&rabbits', '\\\\w+&', 1, 2), "
        "REGEXP_EXTRACT('cats&dogs&rabbits', '\\\\w+&', 2, 3)",
        [["dogs&", None]],
    ),
    (
        "regexp_extract_two_groups",
        "SELECT REGEXP_EXTRACT('ab', '(a)(b)')",
        Error("must not have more than 1 capturing group"),
    ),
    ("regexp_extract_no_match", "SELECT REGEXP_EXTRACT('abc', 'z')", [[None]]),
    (
        "regexp_substr",
        "SELECT REGEXP_SUBSTR('Hello World Helloo', 'H?ello+', 1, 1) AS regexp_value",
        [["Hello"]],
    ),
    (
        "regexp_extract_all_group",
        "SELECT REGEXP_EXTRACT_ALL('Try `func(x)` or `func(y)`', '`(.+?)`') AS example",
        [[["func(x)", "func(y)"]]],
    ),
    (
        "regexp_extract_all_non_overlapping",
        "SELECT REGEXP_EXTRACT_ALL('123456', r'\\d(\\d)\\d') AS example",
        [[["2", "5"]]],
    ),
    ("regexp_extract_all_banana", "SELECT REGEXP_EXTRACT_ALL('banana', 'ana')", [[["ana"]]]),
    ("regexp_extract_all_none", "SELECT REGEXP_EXTRACT_ALL('abc', 'z')", [[[]]]),
    (
        "regexp_extract_all_two_groups",
        "SELECT REGEXP_EXTRACT_ALL('ab', '(a)(b)')",
        Error("must not have more than 1 capturing group"),
    ),
    # REGEXP_INSTR
    (
        "regexp_instr_basic",
        "SELECT REGEXP_INSTR('ab@cd-ef', '@[^-]*') AS instr_a, "
        "REGEXP_INSTR('ab@d-ef', '@[^-]*') AS instr_b, "
        "REGEXP_INSTR('abc@cd-ef', '@[^-]*') AS instr_c, "
        "REGEXP_INSTR('abc-ef', '@[^-]*') AS instr_d",
        [[3, 3, 4, 0]],
    ),
    (
        "regexp_instr_position",
        "SELECT REGEXP_INSTR('a@cd-ef b@cd-ef', '@[^-]*', 1), "
        "REGEXP_INSTR('a@cd-ef b@cd-ef', '@[^-]*', 2), "
        "REGEXP_INSTR('a@cd-ef b@cd-ef', '@[^-]*', 3), "
        "REGEXP_INSTR('a@cd-ef b@cd-ef', '@[^-]*', 4)",
        [[2, 2, 10, 10]],
    ),
    (
        "regexp_instr_occurrence",
        "SELECT REGEXP_INSTR('a@cd-ef b@cd-ef c@cd-ef', '@[^-]*', 1, 1), "
        "REGEXP_INSTR('a@cd-ef b@cd-ef c@cd-ef', '@[^-]*', 1, 2), "
        "REGEXP_INSTR('a@cd-ef b@cd-ef c@cd-ef', '@[^-]*', 1, 3)",
        [[2, 10, 18]],
    ),
    (
        "regexp_instr_occurrence_position",
        "SELECT REGEXP_INSTR('a@cd-ef', '@[^-]*', 1, 1, 0), "
        "REGEXP_INSTR('a@cd-ef', '@[^-]*', 1, 1, 1)",
        [[2, 5]],
    ),
    # The page's "Returns an error if" list; the messages are Quarry's own.
    ("regexp_instr_position_zero", "SELECT REGEXP_INSTR('abc', 'b', 0)", Error("Position")),
    ("regexp_instr_occurrence_zero", "SELECT REGEXP_INSTR('abc', 'b', 1, 0)", Error("Occurrence")),
    (
        "regexp_instr_occurrence_position_two",
        "SELECT REGEXP_INSTR('abc', 'b', 1, 1, 2)",
        Error("Occurrence position must be 0 or 1"),
    ),
    (
        "regexp_instr_two_groups",
        "SELECT REGEXP_INSTR('ab', '(a)(b)')",
        Error("must not have more than 1 capturing group"),
    ),
    (
        "regexp_instr_zero_results",
        "SELECT REGEXP_INSTR('abc', 'b', 10), REGEXP_INSTR('abc', ''), "
        "REGEXP_INSTR('abc', 'b', NULL)",
        [[0, 0, None]],
    ),
    (
        "regexp_instr_bytes",
        "SELECT REGEXP_INSTR(b'abcb', b'b', 1, 2), REGEXP_INSTR(b'abcb', b'b', 1, 2, 1)",
        [[4, 5]],
    ),
    # REGEXP_REPLACE
    (
        "regexp_replace_heading",
        "SELECT REGEXP_REPLACE(heading, r'^# ([a-zA-Z0-9\\s]+$)', '<h1>\\\\1</h1>') "
        "FROM UNNEST(['# Heading', '# Another heading']) AS heading",
        [["<h1>Heading</h1>"], ["<h1>Another heading</h1>"]],
    ),
    ("regexp_replace_escape", "SELECT REGEXP_REPLACE('abc', 'b(.)', 'X\\\\1')", [["aXc"]]),
    ("regexp_replace_raw", "SELECT REGEXP_REPLACE('abc', 'b(.)', r'X\\1')", [["aXc"]]),
    ("regexp_replace_banana", "SELECT REGEXP_REPLACE('banana', 'ana', 'X')", [["bXna"]]),
    ("regexp_replace_whole", "SELECT REGEXP_REPLACE('abc', 'b', '[\\\\0]')", [["a[b]c"]]),
    # REPEAT
    ("repeat", "SELECT REPEAT('abc', 3) AS results", [["abcabcabc"]]),
    ("repeat_null_count", "SELECT REPEAT('abc', NULL) AS results", [[None]]),
    ("repeat_null_value", "SELECT REPEAT(NULL, 3) AS results", [[None]]),
    ("repeat_multibyte", "SELECT REPEAT('例子', 2)", [["例子例子"]]),
    ("repeat_negative", "SELECT REPEAT('a', -1)", Error("cannot be negative")),
    ("repeat_bytes", "SELECT REPEAT(b'ab', 2)", Columns(["f0_"], [[b"abab"]], ["BYTES"])),
    # REPLACE
    (
        "replace_desserts",
        "SELECT REPLACE(dessert, 'pie', 'cobbler') as example "
        "FROM UNNEST(['apple pie', 'blackberry pie', 'cherry pie']) AS dessert",
        [["apple cobbler"], ["blackberry cobbler"], ["cherry cobbler"]],
    ),
    ("replace_empty_pattern", "SELECT REPLACE('abc', '', 'x')", [["abc"]]),
    (
        "replace_bytes",
        "SELECT REPLACE(b'a\\xffb', b'\\xff', b'-')",
        Columns(["f0_"], [[b"a-b"]], ["BYTES"]),
    ),
    # REVERSE
    ("reverse", "SELECT REVERSE('abc') AS results", [["cba"]]),
    ("reverse_bytes", "SELECT FORMAT('%T', REVERSE(b'1a3')) AS results", [['b"3a1"']]),
    ("reverse_multibyte", "SELECT REVERSE('абвгд')", [["дгвба"]]),
    # SAFE_CONVERT_BYTES_TO_STRING
    (
        "safe_convert_bytes_to_string",
        "SELECT SAFE_CONVERT_BYTES_TO_STRING(b'\\xc2') as safe_convert",
        Columns(["safe_convert"], [["\ufffd"]], ["STRING"]),
    ),
    ("safe_convert_valid", "SELECT SAFE_CONVERT_BYTES_TO_STRING(b'abc')", [["abc"]]),
    # SOUNDEX
    (
        "soundex_ashcraft",
        "SELECT 'Ashcraft' AS value, SOUNDEX('Ashcraft') AS soundex",
        [["Ashcraft", "A261"]],
    ),
    # Inferred from the description (Levine and Lavine sound alike; non-Latin is skipped).
    ("soundex_levine", "SELECT SOUNDEX('Levine'), SOUNDEX('Lavine')", [["L150", "L150"]]),
    ("soundex_non_latin", "SELECT SOUNDEX('абв')", [[""]]),
    ("soundex_robert", "SELECT SOUNDEX('Robert'), SOUNDEX('Tymczak')", [["R163", "T522"]]),
    # SPLIT
    (
        "split_letters",
        "SELECT SPLIT(letter_group, ' ') as example "
        "FROM UNNEST(['', 'a', 'b c d']) AS letter_group",
        [[[""]], [["a"]], [["b", "c", "d"]]],
    ),
    ("split_default_comma", "SELECT SPLIT('a,b,c')", [[["a", "b", "c"]]]),
    ("split_empty_delimiter", "SELECT SPLIT('abc', '')", [[["a", "b", "c"]]]),
    (
        "split_bytes",
        "SELECT SPLIT(b'a-b', b'-')",
        Columns(["f0_"], [[[b"a", b"b"]]], ["BYTES"]),
    ),
    # STRPOS
    ("strpos", "SELECT STRPOS('foo@example.com', '@') AS example", [[4]]),
    (
        "strpos_emails",
        "SELECT STRPOS(email_address, '@') FROM UNNEST(['foo@example.com', "
        "'foobar@example.com', 'foobarbaz@example.com', 'quxexample.com']) AS email_address",
        [[4], [7], [10], [0]],
    ),
    ("strpos_bytes", "SELECT STRPOS(b'\\x01\\x02\\x03', b'\\x03')", [[3]]),
    # SUBSTR / SUBSTRING
    ("substr_2", "SELECT SUBSTR('apple', 2) AS example", [["pple"]]),
    ("substr_2_2", "SELECT SUBSTR('apple', 2, 2) AS example", [["pp"]]),
    ("substr_negative", "SELECT SUBSTR('apple', -2) AS example", [["le"]]),
    ("substr_long_length", "SELECT SUBSTR('apple', 1, 123) AS example", [["apple"]]),
    ("substr_past_end", "SELECT SUBSTR('apple', 123) AS example", [[""]]),
    ("substr_past_end_length", "SELECT SUBSTR('apple', 123, 5) AS example", [[""]]),
    ("substr_zero", "SELECT SUBSTR('apple', 0, 2)", [["ap"]]),
    ("substr_very_negative", "SELECT SUBSTR('apple', -10, 2)", [["ap"]]),
    ("substr_negative_length", "SELECT SUBSTR('apple', 1, -1)", Error("cannot be negative")),
    ("substring_alias", "SELECT SUBSTRING('apple', 2, 3)", [["ppl"]]),
    (
        "substr_bytes",
        "SELECT SUBSTR(b'\\x01\\x02\\x03\\x04', -2)",
        Columns(["f0_"], [[b"\x03\x04"]], ["BYTES"]),
    ),
    ("substr_multibyte", "SELECT SUBSTR('абвгд', 2, 2)", [["бв"]]),
    (
        "substr_items",
        "SELECT SUBSTR(item, 2) FROM UNNEST(['apple', 'banana']) AS item",
        [["pple"], ["anana"]],
    ),
    # TRANSLATE
    (
        "translate",
        "SELECT TRANSLATE('This is a cookie', 'sco', 'zku') AS translate",
        [["Thiz iz a kuukie"]],
    ),
    ("translate_omits", "SELECT TRANSLATE('abc', 'ab', 'x')", [["xc"]]),  # inferred
    ("translate_duplicate", "SELECT TRANSLATE('abc', 'aa', 'xy')", Error("Duplicate character")),
    # UNICODE
    (
        "unicode_documented",
        "SELECT UNICODE('âbcd') as A, UNICODE('â') as B, UNICODE('') as C, UNICODE(NULL) as D",
        Columns(["A", "B", "C", "D"], [[226, 226, 0, None]], ["INT64"] * 4),
    ),
    # BYTES columns, whose type only DuckDB sees: inferred from "STRING or BYTES" in each
    # function's return type.
    (
        "bytes_column_keeps_its_type",
        "SELECT REVERSE(b), TRIM(b, b'a'), LPAD(b, 5), UPPER(b), SPLIT(b, b'b') "
        "FROM (SELECT b'abc' AS b)",
        Columns(
            ["f0_", "f1_", "f2_", "f3_", "f4_"],
            [[b"cba", b"bc", b"  abc", b"ABC", [b"a", b"c"]]],
            ["BYTES"] * 5,
        ),
    ),
    (
        "regexp_on_bytes",
        "SELECT REGEXP_CONTAINS(b'abc', b'b'), REGEXP_REPLACE(b'abc', b'(b)', b'[\\\\1]'), "
        "REGEXP_EXTRACT(b'abc', b'(b)c'), REGEXP_EXTRACT_ALL(b'abcb', b'b')",
        [[True, b"a[b]c", b"b", [b"b", b"b"]]],
    ),
    (
        "regexp_extract_pattern_from_column",
        "SELECT REGEXP_EXTRACT('abc', p) FROM (SELECT '(b)c' AS p)",
        [["b"]],
    ),
    # Refusals in BigQuery's words
    (
        "length_of_a_number",
        "SELECT LENGTH(1)",
        Error(
            "No matching signature for function LENGTH for argument types: INT64. "
            "Supported signatures: LENGTH(STRING); LENGTH(BYTES)"
        ),
    ),
    (
        "reverse_of_a_number",
        "SELECT REVERSE(1)",
        Error("No matching signature for function REVERSE"),
    ),
    ("lower_of_a_number", "SELECT LOWER(1)", Error("No matching signature for function LOWER")),
    (
        "to_hex_of_a_string",
        "SELECT TO_HEX('abc')",
        Error(
            "No matching signature for function TO_HEX for argument types: STRING. "
            "Supported signature: TO_HEX(BYTES)"
        ),
    ),
    ("to_base64_of_a_string", "SELECT TO_BASE64('abc')", Error("Supported signature: TO_BASE64")),
    (
        "safe_convert_of_a_string",
        "SELECT SAFE_CONVERT_BYTES_TO_STRING('abc')",
        Error("Supported signature: SAFE_CONVERT_BYTES_TO_STRING(BYTES)"),
    ),
    ("normalize_of_bytes", "SELECT NORMALIZE(b'abc')", Error("Supported signature: NORMALIZE")),
    ("soundex_of_a_number", "SELECT SOUNDEX(1)", Error("Supported signature: SOUNDEX(STRING)")),
    (
        "from_hex_invalid",
        "SELECT FROM_HEX('zz')",
        Error("Failed to decode invalid hexadecimal string due to character at offset 0: zz"),
    ),
    ("from_base64_invalid", "SELECT FROM_BASE64('!!')", Error("Failed to decode invalid base64")),
    (
        "code_points_to_bytes_invalid",
        "SELECT CODE_POINTS_TO_BYTES([256])",
        Error("Invalid ASCII value 256"),
    ),
    (
        "code_points_to_string_invalid",
        "SELECT CODE_POINTS_TO_STRING([0xD800])",
        Error("Invalid codepoint 55296"),
    ),
    # One U+FFFD per byte of an invalid sequence, as ZetaSQL's SafeConvertBytes writes.
    (
        "safe_convert_each_bad_byte",
        "SELECT SAFE_CONVERT_BYTES_TO_STRING(b'a\\xe2\\x82b')",
        [["a\ufffd\ufffdb"]],
    ),
    ("reverse_null_is_string", "SELECT REVERSE(NULL) AS x", Columns(["x"], [[None]], ["STRING"])),
    (
        "cast_string_to_bytes_is_utf8",
        "SELECT CAST('é' AS BYTES), CAST(b'\\xc3\\xa9' AS STRING)",
        [[b"\xc3\xa9", "é"]],
    ),
    # SAFE. turns the function's own errors into NULL (BigQuery's SAFE prefix)
    (
        "safe_prefix",
        "SELECT SAFE.SUBSTR('abc', 1, -1), SAFE.LEFT('abc', -1), SAFE.FROM_HEX('zz'), "
        "SAFE.LEFT('abc', 2), SAFE.INSTR('abc', 'b', 0), SAFE.REPEAT('a', -1)",
        [[None, None, None, "ab", None, None]],
    ),
    ("safe_lpad_bytes", "SELECT SAFE.LPAD(b'a', -1) AS x", Columns(["x"], [[None]], ["BYTES"])),
    # CONTAINS_SUBSTR on JSON, by json_scope (the page's four examples)
    (
        "contains_substr_json_default",
        """SELECT CONTAINS_SUBSTR(JSON '{"lunch":"soup"}',"lunch") AS result""",
        [[False]],
    ),
    (
        "contains_substr_json_values",
        """SELECT CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', "lunch", json_scope=>"JSON_VALUES")""",
        [[False]],
    ),
    (
        "contains_substr_json_keys_and_values",
        """SELECT CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', "lunch",
                                 json_scope=>"JSON_KEYS_AND_VALUES")""",
        [[True]],
    ),
    (
        "contains_substr_json_keys",
        """SELECT CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', "lunch", json_scope=>"JSON_KEYS")""",
        [[True]],
    ),
    # FORMAT's %p and %P of JSON (the specifier table's example)
    (
        "format_p_json",
        """SELECT FORMAT('%p', JSON '{"month": 10, "year": 2019}')""",
        [['{"month":10,"year":2019}']],
    ),
    (
        "format_P_json",
        """SELECT FORMAT('%P', JSON '{"month": 10, "year": 2019}')""",
        [['{\n  "month": 10,\n  "year": 2019\n}']],
    ),
    # A column named regexp (REGEXP is no operator in BigQuery)
    ("column_named_regexp", "SELECT regexp FROM (SELECT 'x' AS regexp)", [["x"]]),
]


@cases(CASES)
def test_it_matches_bigquery(
    engine: Any, sql: str, expected: Any, default_dataset: str | None
) -> None:
    check(engine(sql, default_dataset), expected)
