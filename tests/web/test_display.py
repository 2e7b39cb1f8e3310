from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from console.web import display
from mfcore.options import OPTION_NAMES


def test_it_formats_scalars_like_bigquery() -> None:
    assert display.format_scalar(True) == "true"
    assert display.format_scalar(4.0) == "4.0"
    assert display.format_scalar(float("nan")) == "NaN"
    ts = datetime(1997, 12, 4, 15, 55, 49, tzinfo=UTC)
    assert display.format_scalar(ts) == "1997-12-04 15:55:49 UTC"
    assert display.format_scalar(b"\x00\x01") == "AAE="
    assert display.format_scalar(Decimal("1.500000000")) == "1.5"
    assert display.format_scalar(Decimal("1.5E+3")) == "1500"
    assert display.format_scalar(Decimal("0E-9")) == "0"


def test_it_shows_an_interval_as_its_canonical_text() -> None:
    schema = [{"name": "i", "type": "INTERVAL", "mode": "NULLABLE"}]
    assert ">1-2 3 4:5:6.5<" in display.result_body(schema, [["1-2 3 4:5:6.5"]])


def test_it_renders_nulls_and_scalar_arrays() -> None:
    schema = [{"name": "x", "type": "INT64", "mode": "REPEATED"}]
    html = display.result_body(schema, [[[1, None]], [[]]])
    assert html == (
        '<tbody><tr><td class="rownum" rowspan="1">1</td><td rowspan="1">'
        '<ul class="array"><li><span class="num">1</span></li>'
        '<li><span class="null">null</span></li></ul></td></tr></tbody>'
        '<tbody><tr><td class="rownum" rowspan="1">2</td><td rowspan="1">'
        '<span class="null">[]</span></td></tr></tbody>'
    )


def test_it_escapes_what_a_cell_holds() -> None:
    schema = [
        {"name": "s", "type": "STRING"},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
    ]
    html = display.result_body(schema, [["<b>'x' & \"y\"</b>", ["<i>"]]], first_row=7)
    assert '<span class="">&lt;b&gt;&#x27;x&#x27; &amp; &quot;y&quot;&lt;/b&gt;</span>' in html
    assert '<li><span class="">&lt;i&gt;</span></li>' in html
    assert '<td class="rownum" rowspan="1">7</td>' in html
    assert "<b>" not in html and "<i>" not in html


def test_it_renders_a_struct_in_a_struct_as_a_one_row_table() -> None:
    inner = {"name": "inner", "type": "STRUCT", "fields": [{"name": "<a>", "type": "STRING"}]}
    schema = [{"name": "s", "type": "STRUCT", "fields": [inner]}]
    assert display.result_header(schema) == '<th scope="col">s.inner</th>'
    html = display.result_body(schema, [[{"inner": {"<a>": "<b>"}}]])
    assert '<td class="sub"><table class="nested">' in html
    assert '<th scope="col">&lt;a&gt;</th>' in html
    assert '<td><span class="">&lt;b&gt;</span></td>' in html
    assert "<b>" not in html


def test_it_formats_durations() -> None:
    assert display.format_duration(None) == "—"
    assert display.format_duration(0.84) == "0.8 sec"
    assert display.format_duration(12.4) == "12 sec"
    assert display.format_duration(125) == "2 min 5 sec"


def test_it_names_metrics() -> None:
    assert display.metric_label("mean_squared_error") == "Mean squared error"
    assert display.metric_label("meanAbsoluteError") == "Mean absolute error"
    assert display.metric_label("r2_score") == "R squared"


def test_it_draws_no_curve_without_points() -> None:
    assert display.loss_curve_svg([]) == ""
    assert "<polyline" in display.loss_curve_svg([(0, 1.0)])


def test_it_spells_column_types_as_googlesql() -> None:
    assert display.sql_type({"typeKind": "INT64"}) == "INT64"
    element = {"typeKind": "STRING"}
    assert display.sql_type({"typeKind": "ARRAY", "arrayElementType": element}) == "ARRAY<STRING>"
    struct = {"fields": [{"name": "a", "type": {"typeKind": "FLOAT64"}}]}
    assert display.sql_type({"typeKind": "STRUCT", "structType": struct}) == "STRUCT<a FLOAT64>"


def test_it_names_the_zone_of_every_time_it_shows() -> None:
    moment = datetime(2026, 11, 29, 23, 54, 17, tzinfo=UTC)
    assert display.format_timestamp(moment) == "Nov 29, 2026, 11:54:17 PM UTC+0"
    assert display.format_timestamp(moment.replace(hour=0)) == "Nov 29, 2026, 12:54:17 AM UTC+0"
    with timezone.override("Asia/Kolkata"):
        assert display.format_timestamp(moment) == "Nov 30, 2026, 5:24:17 AM UTC+5:30"
    with timezone.override("America/New_York"):
        assert display.format_timestamp(moment) == "Nov 29, 2026, 6:54:17 PM UTC-5"
    assert display.format_timestamp(None) == "—"


def test_it_lists_every_training_option_with_its_label_in_bigquerys_order() -> None:
    options = {name: 1 for name in OPTION_NAMES} | {"model_type": "MATRIX_FACTORIZATION"}
    shown = display.training_options(options, default_max_iterations=20)
    assert [name for _, name, _ in shown][:3] == ["model_type", "feedback_type", "user_col"]
    assert {name for _, name, _ in shown} == set(options)
    labels = {name: label for label, name, _ in shown}
    assert labels["num_factors"] == "Number of factors"
    assert labels["max_iterations"] == "Max allowed iterations"
