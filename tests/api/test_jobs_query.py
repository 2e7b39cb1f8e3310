"""jobs.query, the client's fast path: every option it sends reaches the job, as with insert."""

from __future__ import annotations

import pytest
from google.cloud import bigquery

from console.jobs.models import Job

pytestmark = pytest.mark.worker


def test_it_keeps_every_option_of_a_jobs_query_request(bq: bigquery.Client) -> None:
    config = bigquery.QueryJobConfig(
        labels={"team": "recs"},
        maximum_bytes_billed=10_000_000,
        use_query_cache=False,
        job_timeout_ms=60_000,
    )
    rows = bq.query_and_wait("SELECT 17 AS n", job_config=config)
    assert [row.n for row in rows] == [17]
    job = Job.objects.get()
    assert job.configuration["labels"] == {"team": "recs"}
    assert job.configuration["jobTimeoutMs"] in ("60000", 60000)
    assert job.configuration["query"]["maximumBytesBilled"] in ("10000000", 10000000)
    assert job.configuration["query"]["useQueryCache"] is False
