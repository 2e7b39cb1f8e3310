"""Conformance of NET.*, HLL_COUNT.* and of refusals in BigQuery's words.

Expected values are the examples of BigQuery's net_functions and hll_functions pages (which show
them through FORMAT("%T", ...); here the values themselves are compared). A case whose outcome
the documentation does not show says so.
"""

from __future__ import annotations

from typing import Any

from tests.engine.conformance import Columns, Error, cases, check

V6_LOOPBACK = b"\x00" * 15 + b"\x01"
V4_MAPPED = b"\x00" * 10 + b"\xff\xff\xc0\x00\x02\x80"

# The documented inputs of NET.HOST, NET.PUBLIC_SUFFIX and NET.REG_DOMAIN: (name, url, host,
# suffix, domain).
URLS = [
    ("invalid_input", "", None, None, None),
    ("standard_url", "http://abc.xyz", "abc.xyz", "xyz", "abc.xyz"),
    ("relative_scheme_no_suffix", "//user:password@a.b:80/path?query", "a.b", None, None),
    ("ipv6_host", "https://[::1]:80", "[::1]", None, None),
    ("internationalized", "http://例子.卷筒纸.中国", "例子.卷筒纸.中国", "中国", "卷筒纸.中国"),
    (
        "spaces_upper_case_no_scheme",
        "    www.Example.Co.UK    ",
        "www.Example.Co.UK",
        "Co.UK",
        "Example.Co.UK",
    ),
    ("uri_not_url", "mailto:?to=&subject=&body=", "mailto", None, None),
]

IP_STRINGS = [
    ("ipv4", "48.49.50.51", b"0123"),
    ("ipv6_loopback", "::1", V6_LOOPBACK),
    ("ipv6_full", "3031:3233:3435:3637:3839:4041:4243:4445", b"0123456789@ABCDE"),
    ("ipv4_mapped", "::ffff:192.0.2.128", V4_MAPPED),
]

CASES: list[tuple[str, str, Any]] = [
    *(
        (
            f"net_url_{name}",
            f"SELECT NET.HOST('{url}'), NET.PUBLIC_SUFFIX('{url}'), NET.REG_DOMAIN('{url}')",
            [[host, suffix, domain]],
        )
        for name, url, host, suffix, domain in URLS
    ),
    (
        "net_host_types",
        "SELECT NET.HOST('http://abc.xyz') AS h, NET.PUBLIC_SUFFIX('http://abc.xyz') AS s, "
        "NET.REG_DOMAIN('http://abc.xyz') AS d",
        Columns(["h", "s", "d"], [["abc.xyz", "xyz", "abc.xyz"]], ["STRING", "STRING", "STRING"]),
    ),
    # NULL in, NULL out: inferred from the functions' NULL handling elsewhere on the page.
    ("net_host_null", "SELECT NET.HOST(NULL), NET.REG_DOMAIN(NULL)", [[None, None]]),
    # A column of URLs, not only literals.
    (
        "net_host_column",
        "SELECT NET.HOST(u) FROM UNNEST(['http://abc.xyz', '//a.b:80/p']) AS u WITH OFFSET o "
        "ORDER BY o",
        [["abc.xyz"], ["a.b"]],
    ),
    *(
        (f"net_ip_from_string_{name}", f"SELECT NET.IP_FROM_STRING('{text}')", [[packed]])
        for name, text, packed in IP_STRINGS
    ),
    (
        "net_ip_from_string_type",
        "SELECT NET.IP_FROM_STRING('48.49.50.51') AS ip",
        Columns(["ip"], [[b"0123"]], ["BYTES"]),
    ),
    ("net_ip_from_string_null", "SELECT NET.IP_FROM_STRING(NULL)", [[None]]),
    (
        "net_ip_from_string_refuses_cidr",
        "SELECT NET.IP_FROM_STRING('48.49.50.51/32')",
        Error("NET.IP_FROM_STRING() encountered an unparseable IP-address: 48.49.50.51/32"),
    ),
    *(
        (f"net_safe_ip_from_string_{name}", f"SELECT NET.SAFE_IP_FROM_STRING('{text}')", [[packed]])
        for name, text, packed in [
            *IP_STRINGS,
            ("cidr", "48.49.50.51/32", None),
            ("three_parts", "48.49.50", None),
            ("bad_hex", "::wxyz", None),
        ]
    ),
    *(
        (
            f"net_ip_net_mask_{length}_{prefix}",
            f"SELECT NET.IP_NET_MASK({length}, {prefix})",
            [[mask]],
        )
        for length, prefix, mask in [
            (4, 0, b"\x00\x00\x00\x00"),
            (4, 20, b"\xff\xff\xf0\x00"),
            (4, 32, b"\xff\xff\xff\xff"),
            (16, 0, b"\x00" * 16),
            (16, 1, b"\x80" + b"\x00" * 15),
            (16, 128, b"\xff" * 16),
        ]
    ),
    (
        "net_ip_net_mask_refuses_a_length",
        "SELECT NET.IP_NET_MASK(5, 1)",
        Error("The first argument of NET.IP_NET_MASK() must be either 4 (for IPv4) or 16"),
    ),
    (
        "net_ip_net_mask_refuses_a_prefix",
        "SELECT NET.IP_NET_MASK(4, 33)",
        Error("The second argument of NET.IP_NET_MASK() must be between 0 and the first"),
    ),
    *(
        (
            f"net_ip_to_string_{name}",
            f"SELECT NET.IP_TO_STRING(NET.IP_FROM_STRING('{text}'))",
            [[text]],
        )
        for name, text, _ in IP_STRINGS
    ),
    (
        "net_ip_to_string_bytes_literal",
        r"SELECT NET.IP_TO_STRING("
        r"b'\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xc0\x00\x02\x80')",
        [["::ffff:192.0.2.128"]],
    ),
    (
        "net_ip_to_string_refuses_a_length",
        "SELECT NET.IP_TO_STRING(b'012')",
        Error("NET.IP_TO_STRING() encountered an invalid IP address. Expected 4 (for IPv4) or 16"),
    ),
    *(
        (f"net_ip_trunc_{name}", f"SELECT NET.IP_TRUNC({address}, {prefix})", [[result]])
        for name, address, prefix, result in [
            ("0", r"b'\xAA\xBB\xCC\xDD'", 0, b"\x00\x00\x00\x00"),
            ("11", r"b'\xAA\xBB\xCC\xDD'", 11, b"\xaa\xa0\x00\x00"),
            ("12", r"b'\xAA\xBB\xCC\xDD'", 12, b"\xaa\xb0\x00\x00"),
            ("24", r"b'\xAA\xBB\xCC\xDD'", 24, b"\xaa\xbb\xcc\x00"),
            ("32", r"b'\xAA\xBB\xCC\xDD'", 32, b"\xaa\xbb\xcc\xdd"),
            ("ipv6_80", "b'0123456789@ABCDE'", 80, b"0123456789" + b"\x00" * 6),
        ]
    ),
    (
        "net_ip_trunc_refuses_a_prefix",
        r"SELECT NET.IP_TRUNC(b'\xAA\xBB\xCC\xDD', 33)",
        Error("The second argument of NET.IP_TRUNC() must be between 0 and 8 * LENGTH"),
    ),
    *(
        (f"net_ipv4_from_int64_{name}", f"SELECT NET.IPV4_FROM_INT64({value})", [[packed]])
        for name, value, packed in [
            ("0x0", 0, b"\x00\x00\x00\x00"),
            ("0xABCDEF", 11259375, b"\x00\xab\xcd\xef"),
            ("0xFFFFFFFF", 4294967295, b"\xff\xff\xff\xff"),
            ("minus_0x1", -1, b"\xff\xff\xff\xff"),
            ("minus_0x2", -2, b"\xff\xff\xff\xfe"),
        ]
    ),
    (
        "net_ipv4_from_int64_refuses_out_of_range",
        "SELECT NET.IPV4_FROM_INT64(4294967296)",
        Error("NET.IPV4_FROM_INT64() encountered an invalid integer IP"),
    ),
    *(
        (f"net_ipv4_to_int64_{value}", f"SELECT NET.IPV4_TO_INT64({address})", [[value]])
        for address, value in [
            (r"b'\x00\x00\x00\x00'", 0),
            (r"b'\x00\xab\xcd\xef'", 0xABCDEF),
            (r"b'\xff\xff\xff\xff'", 0xFFFFFFFF),
        ]
    ),
    (
        "net_ipv4_to_int64_type",
        "SELECT NET.IPV4_TO_INT64(NET.SAFE_IP_FROM_STRING('0.0.1.255')) AS n",
        Columns(["n"], [[511]], ["INT64"]),
    ),
    (
        "net_ipv4_to_int64_refuses_ipv6",
        "SELECT NET.IPV4_TO_INT64(NET.IP_FROM_STRING('::1'))",
        Error("NET.IPV4_TO_INT64() encountered a non-IPv4 address. Expected 4 bytes but got 16"),
    ),
    (
        "net_host_refuses_a_number",
        "SELECT NET.HOST(1)",
        Error("No matching signature for function NET.HOST for argument types: INT64"),
    ),
    ("net_unknown_function", "SELECT NET.NO_SUCH(1)", Error("Function not found: NET.NO_SUCH")),
]

INVOICES = """UNNEST(ARRAY<STRUCT<country STRING, customer_id STRING, invoice_id STRING>>[
      ('UA', 'customer_id_1', 'invoice_id_11'),
      ('BR', 'customer_id_3', 'invoice_id_31'),
      ('CZ', 'customer_id_2', 'invoice_id_22'),
      ('CZ', 'customer_id_2', 'invoice_id_23'),
      ('BR', 'customer_id_3', 'invoice_id_31'),
      ('UA', 'customer_id_2', 'invoice_id_24')])"""

SKETCHES = (
    f"(SELECT country, HLL_COUNT.INIT(customer_id) AS hll_sketch FROM {INVOICES} GROUP BY country)"
)

HLL_CASES: list[tuple[str, str, Any]] = [
    # The page lists the rows as UA, BR, CZ without an ORDER BY; ordered here to compare.
    (
        "hll_extract_documented",
        f"SELECT country, HLL_COUNT.EXTRACT(hll_sketch) AS n FROM {SKETCHES} ORDER BY country",
        Columns(["country", "n"], [["BR", 1], ["CZ", 1], ["UA", 2]], ["STRING", "INT64"]),
    ),
    (
        "hll_merge_documented",
        "SELECT HLL_COUNT.MERGE(hll_sketch) AS distinct_customers_with_open_invoice "
        f"FROM {SKETCHES}",
        Columns(["distinct_customers_with_open_invoice"], [[3]], ["INT64"]),
    ),
    # The page shows the merged sketch's bytes, which are BigQuery's own; its count is inferred.
    (
        "hll_merge_partial_then_extract",
        f"SELECT HLL_COUNT.EXTRACT(HLL_COUNT.MERGE_PARTIAL(hll_sketch)) FROM {SKETCHES}",
        [[3]],
    ),
    (
        "hll_merge_partial_is_bytes",
        f"SELECT HLL_COUNT.MERGE_PARTIAL(hll_sketch) IS NOT NULL AS made FROM {SKETCHES}",
        Columns(["made"], [[True]], ["BOOL"]),
    ),
    # The documented INIT(customer_id, 10) per country; counted rather than shown as bytes.
    (
        "hll_init_with_precision",
        f"SELECT country, HLL_COUNT.EXTRACT(HLL_COUNT.INIT(customer_id, 10)) FROM {INVOICES} "
        "GROUP BY country ORDER BY country",
        [["BR", 1], ["CZ", 1], ["UA", 2]],
    ),
    (
        "hll_init_is_bytes",
        f"SELECT TYPEOF(HLL_COUNT.INIT(customer_id)) = 'BYTES', HLL_COUNT.INIT(customer_id) AS s "
        f"FROM {INVOICES} LIMIT 0",
        Columns(["f0_", "s"], [], ["BOOL", "BYTES"]),
    ),
    ("hll_extract_null_is_0", "SELECT HLL_COUNT.EXTRACT(NULL)", [[0]]),
    (
        "hll_merge_of_no_rows_is_0",
        f"SELECT HLL_COUNT.MERGE(hll_sketch) FROM {SKETCHES} WHERE FALSE",
        [[0]],
    ),
    (
        "hll_merge_partial_of_no_rows_is_null",
        f"SELECT HLL_COUNT.MERGE_PARTIAL(hll_sketch) FROM {SKETCHES} WHERE FALSE",
        [[None]],
    ),
    (
        "hll_init_of_nulls_is_null",
        "SELECT HLL_COUNT.INIT(x) FROM UNNEST([CAST(NULL AS INT64), NULL]) AS x",
        [[None]],
    ),
    (
        "hll_init_int64",
        "SELECT HLL_COUNT.EXTRACT(HLL_COUNT.INIT(x)) FROM UNNEST([1, 2, 2, 3, NULL]) AS x",
        [[3]],
    ),
    (
        "hll_init_refuses_float64",
        "SELECT HLL_COUNT.INIT(x) FROM UNNEST([1.5]) AS x",
        Error("No matching signature for aggregate function HLL_COUNT.INIT"),
    ),
    # Sketches of different input types cannot be merged (the page says so; wording inferred).
    (
        "hll_merge_refuses_mixed_types",
        "SELECT HLL_COUNT.MERGE(s) FROM (SELECT HLL_COUNT.INIT(1) AS s UNION ALL "
        "SELECT HLL_COUNT.INIT('a'))",
        Error("sketches of different input types cannot be merged"),
    ),
    # Not on the page: a window over a sketch aggregate is refused, not answered wrongly.
    (
        "hll_merge_over_a_window_is_refused",
        "SELECT HLL_COUNT.MERGE(s) OVER () FROM (SELECT HLL_COUNT.INIT(1) AS s)",
        Error("HLL_COUNT.MERGE cannot be called with an OVER clause"),
    ),
    (
        "hll_unknown_function",
        "SELECT HLL_COUNT.NO_SUCH(1)",
        Error("Function not found: HLL_COUNT.NO_SUCH"),
    ),
]

# Functions Quarry does not run are refused in BigQuery's words, before or after DuckDB sees the
# call, never in DuckDB's ("Scalar Function with name ... does not exist!", "Binder Error: ...").
# BigQuery's own refusals of these argument types read the same, then list the signatures.
WORDING_CASES: list[tuple[str, str, Any]] = [
    # sqlglot models AI.GENERATE, which DuckDB lacks: still BigQuery's words, at the call.
    (
        "wording_modelled_function",
        "SELECT AI.GENERATE('hi')",
        Error("Function not found: AI.GENERATE"),
    ),
    (
        "wording_table_function",
        "SELECT * FROM GAP_FILL(TABLE ds.ratings, ts_column => 'ts', "
        "bucket_width => INTERVAL 1 HOUR)",
        Error("Table-valued function not found: GAP_FILL"),
    ),
    (
        "wording_vector_search",
        "SELECT * FROM VECTOR_SEARCH(TABLE ds.ratings, 'rating', TABLE ds.ratings)",
        Error("Table-valued function not found: VECTOR_SEARCH"),
    ),
    (
        "wording_unknown_function",
        "SELECT NO_SUCH_FUNCTION(1)",
        Error("Function not found: NO_SUCH_FUNCTION at [1:8]"),
    ),
    (
        "wording_dotted_function_location",
        "SELECT 1, NET.NO_SUCH(1)",
        Error("Function not found: NET.NO_SUCH at [1:11]"),
    ),
    (
        "wording_keys_family",
        "SELECT KEYS.NEW_KEYSET('AEAD_AES_GCM_256')",
        Error("Function not found: KEYS.NEW_KEYSET"),
    ),
    (
        "wording_aead_family",
        "SELECT AEAD.ENCRYPT(b'k', 'text', 'aad')",
        Error("Function not found: AEAD.ENCRYPT"),
    ),
    ("wording_geography", "SELECT ST_AREA(NULL)", Error("Function not found: ST_AREA at [1:8]")),
    (
        "wording_signature_one_argument",
        "SELECT UPPER(1)",
        Error("No matching signature for function UPPER for argument types: INT64"),
    ),
    (
        "wording_signature_two_arguments",
        "SELECT STARTS_WITH(1, 'a')",
        # BigQuery names every argument's type (INT64, STRING); Quarry names the first.
        Error("No matching signature for function STARTS_WITH for argument types: INT64"),
    ),
    (
        "wording_signature_bool",
        "SELECT LOWER(TRUE)",
        Error("No matching signature for function LOWER for argument types: BOOL"),
    ),
    (
        "wording_signature_ambiguous",
        "SELECT ABS('a')",
        Error("No matching signature for function ABS for argument types: STRING"),
    ),
    (
        "wording_signature_array",
        "SELECT REVERSE([1, 2])",
        Error("No matching signature for function REVERSE for argument types: ARRAY<INT64>"),
    ),
]

# DuckDB's refusals of a query's shape, in BigQuery's words (BigQuery's messages for these
# queries, which no function page shows; the positions are where the offending name starts).
SHAPE_CASES: list[tuple[str, str, Any]] = [
    (
        "wording_ungrouped_column",
        "SELECT user_id, SUM(rating) FROM ds.ratings",
        Error(
            "SELECT list expression references column user_id which is neither grouped nor "
            "aggregated at [1:8]"
        ),
    ),
    (
        "wording_ungrouped_in_order_by",
        "SELECT SUM(rating) FROM ds.ratings ORDER BY item_id",
        Error("ORDER BY clause expression references column item_id which is neither grouped"),
    ),
    (
        "wording_ambiguous_column",
        "SELECT item_id FROM ds.ratings, ds.ratings AS r2",
        Error("Column name item_id is ambiguous at [1:8]"),
    ),
    (
        "wording_nested_aggregate",
        "SELECT SUM(COUNT(rating)) FROM ds.ratings",
        Error("Aggregations of aggregations are not allowed at [1:8]"),
    ),
    (
        "wording_aggregate_in_where",
        "SELECT user_id FROM ds.ratings WHERE SUM(rating) > 1",
        Error("Aggregate function SUM not allowed in WHERE clause at [1:38]"),
    ),
    (
        "wording_union_column_count",
        "SELECT 1 UNION ALL SELECT 1, 2",
        Error(
            "Queries in UNION ALL have mismatched column count; query 1 has 1 column, query 2 "
            "has 2 columns"
        ),
    ),
    (
        "wording_operator_signature",
        "SELECT 'a' + 1",
        Error("No matching signature for operator + for argument types: STRING, INT64"),
    ),
    ("wording_bad_int64", "SELECT CAST('a' AS INT64)", Error("Bad int64 value: a")),
    ("wording_bad_double", "SELECT CAST('x' AS FLOAT64)", Error("Bad double value: x")),
]

CASES += HLL_CASES + WORDING_CASES + SHAPE_CASES

# Families no other suite covers: hash, debugging, utility and bit functions, with the examples of
# their reference pages (hashes shown, as BigQuery's console shows BYTES, in base64).
OTHER_CASES: list[tuple[str, str, Any]] = [
    ("md5_documented", 'SELECT TO_BASE64(MD5("Hello World"))', [["sQqNsWTgdUEFt6mb5y4/5Q=="]]),
    (
        "sha1_documented",
        'SELECT TO_BASE64(SHA1("Hello World"))',
        [["Ck1VqNd45QIvq3AZd8XYQLvEhtA="]],
    ),
    ("md5_is_bytes", "SELECT MD5('a') AS h", Columns(["h"], None, ["BYTES"])),
    (
        "error_documented",
        "SELECT CASE WHEN value = 'foo' THEN 'Value is foo.' WHEN value = 'bar' THEN "
        "'Value is bar.' ELSE ERROR(CONCAT('Found unexpected value: ', value)) END AS new_value "
        "FROM (SELECT 'foo' AS value UNION ALL SELECT 'bar' AS value UNION ALL "
        "SELECT 'baz' AS value)",
        Error("Found unexpected value: baz"),
    ),
    # ERROR is evaluated only where reached (inferred from the page's CASE example).
    ("error_not_reached", "SELECT IF(TRUE, 1, ERROR('never'))", [[1]]),
    (
        "typeof_documented",
        "SELECT TYPEOF(NULL) AS A, TYPEOF('hello') AS B, TYPEOF(12+1) AS C, TYPEOF(4.7) AS D",
        Columns(["A", "B", "C", "D"], [["INT64", "STRING", "INT64", "FLOAT64"]]),
    ),
    # A random UUID: its form, not its value (inferred from the page's description).
    (
        "generate_uuid_form",
        "SELECT REGEXP_CONTAINS(GENERATE_UUID(), r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
        r"[89ab][0-9a-f]{3}-[0-9a-f]{12}$') AS ok",
        Columns(["ok"], [[True]], ["BOOL"]),
    ),
    *(
        (
            f"bit_count_documented_{index}",
            f"SELECT BIT_COUNT({a}), BIT_COUNT({b})",
            [[a_bits, b_bits]],
        )
        for index, (a, b, a_bits, b_bits) in enumerate(
            [
                ("0", "b''", 0, 0),
                ("0", r"b'\x00'", 0, 0),
                ("5", r"b'\x05'", 2, 2),
                ("8", r"b'\x00\x08'", 1, 1),
                ("0xFFFF", r"b'\xFF\xFF'", 16, 16),
                ("-2", r"b'\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFE'", 63, 63),
                ("-1", r"b'\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF'", 64, 64),
                ("NULL", r"b'\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF'", None, 80),
            ]
        )
    ),
]

CASES += OTHER_CASES


@cases(CASES)
def test_it_matches_bigquery(engine: Any, sql: str, expected: Any, default_dataset: Any) -> None:
    check(engine(sql, default_dataset), expected)
