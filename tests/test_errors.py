"""The one error family: every layer's failures carry BigQuery's reason and location."""

from __future__ import annotations

from console.api.errors import STATUS_FOR_REASON
from console.errors import (
    REASONS,
    AccessDenied,
    BigQueryError,
    Cancelled,
    InvalidError,
    NotFoundError,
)


def test_it_reads_a_fixed_reason_errors_second_argument_as_its_location() -> None:
    err = InvalidError("Invalid schema: duplicate field name a", "schema")
    assert err.as_error_result() == {
        "reason": "invalid",
        "message": "Invalid schema: duplicate field name a",
        "location": "schema",
    }


def test_it_takes_any_reason_on_the_base_class() -> None:
    err = BigQueryError("Request had invalid authentication credentials.", "authError")
    assert (err.reason, err.location) == ("authError", "")
    assert isinstance(NotFoundError("Not found: Table p:d.t"), BigQueryError)


def test_it_records_a_cancelled_job_as_bigquery_words_it() -> None:
    assert Cancelled().as_error_result() == {
        "reason": "stopped",
        "message": "Job execution was cancelled: User requested cancellation",
    }


def test_it_gives_every_reason_an_http_status_and_denials_a_403() -> None:
    assert set(STATUS_FOR_REASON) <= REASONS
    assert STATUS_FOR_REASON[AccessDenied("Access Denied").reason] == 403
