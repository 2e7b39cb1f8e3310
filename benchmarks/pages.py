"""Time every console page against an ml-1m-sized catalog in a throwaway database and storage dir.

    python -m benchmarks.pages [--runs 30] [--big-rows 22000000]

Nothing touches the developer's catalog: the command creates a test database (on the server that
DATABASE_URL names, as the test suite does) and a temporary storage dir, fills them through the
catalog and the engine's table writer (no worker needed), requests each page with Django's test
client, and prints p50/p95/max server time per page.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from console.engine.types import arrow_schema

# Django's models are imported inside the functions below: they load only once main() has set
# Django up, as manage.py would have.
if TYPE_CHECKING:
    from console.catalog.models import Dataset, Table

PAGE_TARGET_MS = 100.0
PREVIEW_TARGET_MS = 300.0
RATINGS_FIELDS = [
    {"name": "user_id", "type": "INT64", "mode": "NULLABLE"},
    {"name": "item_id", "type": "INT64", "mode": "NULLABLE"},
    {"name": "rating", "type": "FLOAT64", "mode": "NULLABLE"},
    {"name": "timestamp", "type": "TIMESTAMP", "mode": "NULLABLE"},
]
MOVIES_FIELDS = [
    {"name": "movie_id", "type": "INT64", "mode": "NULLABLE"},
    {"name": "movie_title", "type": "STRING", "mode": "NULLABLE"},
    {"name": "genre", "type": "STRING", "mode": "NULLABLE"},
]
TOP5_FIELDS = [
    {"name": "user_id", "type": "INT64", "mode": "NULLABLE"},
    {
        "name": "f0_",
        "type": "RECORD",
        "mode": "REPEATED",
        "fields": [
            {"name": "movie_title", "type": "STRING", "mode": "NULLABLE"},
            {"name": "genre", "type": "STRING", "mode": "NULLABLE"},
            {"name": "predicted_rating", "type": "FLOAT64", "mode": "NULLABLE"},
        ],
    },
]
TOP5_SQL = (
    "SELECT user_id, ARRAY_AGG(STRUCT(movie_title, genre, predicted_rating) ORDER BY "
    "predicted_rating DESC LIMIT 5) FROM (SELECT user_id, item_id, predicted_rating, movie_title, "
    "genre FROM movielens.recommend JOIN movielens.movies ON item_id = movie_id) GROUP BY user_id"
)
N_USERS, N_ITEMS, N_RATINGS = 6040, 3706, 1_000_209
BATCH = 1_000_000


def _ratings_batches(total: int, seed: int) -> Iterator[pa.RecordBatch]:
    rng = np.random.default_rng(seed)
    schema = arrow_schema(RATINGS_FIELDS)
    done = 0
    while done < total:
        n = min(BATCH, total - done)
        users = (rng.pareto(1.2, n) * 200).astype(np.int64) % N_USERS
        items = (rng.pareto(1.0, n) * 100).astype(np.int64) % N_ITEMS
        stamps = (956_703_932 + rng.integers(0, 90_000_000, n)) * 1_000_000
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(users),
                pa.array(items),
                pa.array(rng.integers(1, 6, n).astype(np.float64)),
                pa.array(stamps, type=pa.timestamp("us", tz="UTC")),
            ],
            schema=schema,
        )
        done += n


def _store(dataset: Dataset, table_id: str, fields: list[dict[str, Any]], batches) -> Table:
    from console.engine import tables

    schema = arrow_schema(fields)
    return tables.write_version(dataset, table_id, schema, fields, batches)


def _top5_rows(rng: np.random.Generator) -> list[dict[str, Any]]:
    genres = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller"]
    return [
        {
            "user_id": user,
            "f0_": [
                {
                    "movie_title": f"Movie {int(m)} ({1930 + int(m) % 70})",
                    "genre": genres[int(m) % len(genres)],
                    "predicted_rating": float(5 - k * 0.1 - rng.random() * 0.05),
                }
                for k, m in enumerate(rng.integers(0, N_ITEMS, 5))
            ],
        }
        for user in range(N_USERS)
    ]


def main(argv: list[str] | None = None) -> None:
    """Build the catalog in a throwaway database, time every page and print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pages",
        description="Report p95 server time of every console page on an ml-1m-sized catalog.",
    )
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--big-rows", type=int, default=22_000_000, help="rows of the big Preview table"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="quarry-bench-") as tmp:
        settings.QUARRY_STORAGE_DIR = Path(tmp) / "storage"
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(tmp) / "bench.sqlite3")
        # Not setup_test_environment(): its template instrumentation would skew the timings.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            started = time.perf_counter()
            urls = _build(args.big_rows)
            print(f"catalog built in {time.perf_counter() - started:.1f} s")
            _measure(urls, args.runs)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _build(big_rows: int) -> dict[str, Any]:
    from django.utils import timezone

    from console.catalog.models import Dataset, MLModel, Project, Table, TrainingIteration
    from console.jobs.models import Job

    rng = np.random.default_rng(0)
    project = Project.default()
    for name in ("analytics", "staging", "scratch", "archive"):
        Dataset.create(project, name, description=f"The {name} dataset.")
    ds = Dataset.create(
        project, "movielens", description="MovieLens 1M.", labels={"source": "grouplens"}
    )
    ratings = _store(ds, "ratings", RATINGS_FIELDS, _ratings_batches(N_RATINGS, 1))
    print(f"ratings: {ratings.num_rows:,} rows")
    ids = np.arange(N_ITEMS)
    movies = pa.RecordBatch.from_pylist(
        [
            {
                "movie_id": int(i),
                "movie_title": f"Movie {i} ({1930 + i % 70})",
                "genre": "Drama",
            }
            for i in ids
        ],
        schema=arrow_schema(MOVIES_FIELDS),
    )
    _store(ds, "movies", MOVIES_FIELDS, [movies])
    top5 = pa.RecordBatch.from_pylist(_top5_rows(rng), schema=arrow_schema(TOP5_FIELDS))
    _store(ds, "top5", TOP5_FIELDS, [top5])
    t0 = time.perf_counter()
    big = _store(ds, "ratings_22m", RATINGS_FIELDS, _ratings_batches(big_rows, 2))
    print(f"ratings_22m: {big.num_rows:,} rows in {time.perf_counter() - t0:.1f} s")

    now = timezone.now()
    train_job = Job.objects.create(
        project=project,
        job_type=Job.Type.QUERY,
        state=Job.State.DONE,
        configuration={"query": {"query": "CREATE MODEL movielens.mf AS ..."}},
        created=now - timedelta(minutes=5),
        started=now - timedelta(minutes=5),
        ended=now - timedelta(minutes=4),
        user_email="console-bench",
    )
    model = MLModel.objects.create(
        dataset=ds,
        model_id="mf_explicit",
        state=MLModel.State.READY,
        options={
            "model_type": "MATRIX_FACTORIZATION",
            "feedback_type": "EXPLICIT",
            "user_col": "user_id",
            "item_col": "item_id",
            "rating_col": "rating",
            "l2_reg": 9.83,
            "num_factors": 34,
            "max_iterations": 20,
            "early_stop": True,
            "min_rel_progress": 0.01,
        },
        feature_columns=[
            {"name": "user_id", "type": {"typeKind": "INT64"}},
            {"name": "item_id", "type": {"typeKind": "INT64"}},
        ],
        label_columns=[{"name": "rating", "type": {"typeKind": "FLOAT64"}}],
        evaluation_metrics={
            "mean_absolute_error": 0.69,
            "mean_squared_error": 0.77,
            "mean_squared_log_error": 0.05,
            "median_absolute_error": 0.57,
            "r2_score": 0.38,
            "explained_variance": 0.38,
        },
        training_job=train_job,
    )
    TrainingIteration.objects.bulk_create(
        TrainingIteration(
            model=model,
            job=train_job,
            iteration=i,
            loss=1.0 / (i + 1),
            duration_ms=900 + i,
        )
        for i in range(20)
    )
    top5_table = Table.objects.get(dataset=ds, table_id="top5")
    jobs = []
    for i in range(600):
        failed = i % 17 == 0
        jobs.append(
            Job(
                project=project,
                job_type=Job.Type.LOAD if i % 9 == 0 else Job.Type.QUERY,
                state=Job.State.DONE,
                configuration={"query": {"query": f"SELECT {i} AS n"}},
                error_result={"reason": "invalidQuery", "message": "Syntax error"}
                if failed
                else None,
                created=now - timedelta(seconds=600 - i),
                started=now - timedelta(seconds=600 - i),
                ended=now - timedelta(seconds=599 - i),
                user_email="console-bench" if i % 2 else "someone@example.com",
            )
        )
    Job.objects.bulk_create(jobs)
    nested = Job.objects.create(
        project=project,
        job_type=Job.Type.QUERY,
        state=Job.State.DONE,
        configuration={"query": {"query": TOP5_SQL}},
        statistics={"statementType": "SELECT", "totalBytesProcessed": "22800000"},
        result_path=top5_table.data_path,
        result_schema=TOP5_FIELDS,
        result_rows=N_USERS,
        created=now,
        started=now,
        ended=now + timedelta(seconds=1),
        user_email="console-bench",
    )
    wide = Job.objects.create(
        project=project,
        job_type=Job.Type.QUERY,
        state=Job.State.DONE,
        configuration={"query": {"query": "SELECT * FROM movielens.ratings"}},
        statistics={"statementType": "SELECT", "totalBytesProcessed": str(ratings.num_bytes)},
        result_path=ratings.data_path,
        result_schema=RATINGS_FIELDS,
        result_rows=ratings.num_rows,
        created=now,
        started=now,
        ended=now + timedelta(seconds=1),
        user_email="console-bench",
    )
    base = "/d/movielens"
    return {
        "home": "/",
        "job history (personal)": "/jobs/",
        "job history (project)": "/jobs/?history=project",
        "job history (failures)": "/jobs/?history=project&status=FAILURE",
        "query editor (empty)": "/query",
        "query editor (top-5 nested result)": f"/query?job={nested.job_id}",
        "query editor (1M-row result, page 2)": f"/query?job={wide.job_id}&page=2",
        "job page": f"/jobs/{nested.job_id}/",
        "job status partial": f"/jobs/{nested.job_id}/status",
        "job status partial (page 20000)": f"/jobs/{wide.job_id}/status?page=20000",
        "query validator (dry run)": ("POST", "/query/validate", {"sql": TOP5_SQL}),
        "create dataset panel": "/datasets/new",
        "dataset ID check": "/datasets/check?dataset_id=new_one",
        "dataset": f"{base}/",
        "dataset edit panel": f"{base}/edit",
        "dataset delete dialog": f"{base}/delete",
        "create table": f"{base}/tables/new",
        "table schema": f"{base}/t/ratings/",
        "table details": f"{base}/t/ratings/?tab=details",
        "table preview (1M)": f"{base}/t/ratings/?tab=preview",
        "table preview (1M, page 10000)": f"{base}/t/ratings/?tab=preview&page=10000",
        "table preview (nested)": f"{base}/t/top5/?tab=preview",
        "table delete dialog": f"{base}/t/ratings/delete",
        "model details": f"{base}/m/mf_explicit/",
        "model training": f"{base}/m/mf_explicit/?tab=training",
        "model training partial": f"{base}/m/mf_explicit/training",
        "model evaluation": f"{base}/m/mf_explicit/?tab=evaluation",
        "model schema": f"{base}/m/mf_explicit/?tab=schema",
        "404 page": "/d/nope/",
        "PREVIEW 22M": f"{base}/t/ratings_22m/?tab=preview",
    }


def _measure(urls: dict[str, Any], runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from console.catalog.models import Project
    from console.iam.models import RoleBinding

    # Every console page needs a signed-in person; an owner of the project sees them all.
    owner, _ = get_user_model().objects.get_or_create(username="console-bench")
    RoleBinding.grant(Project.default(), owner, "roles/owner")
    client = Client()
    client.force_login(owner)

    def request(target: Any) -> Callable[[], Any]:
        if isinstance(target, tuple):
            _, url, data = target
            return lambda: client.post(url, data)
        return lambda: client.get(target)

    logging.getLogger("django.request").setLevel(logging.ERROR)
    # The first Preview of the big table, cold: nothing about it has been read yet.
    t0 = time.perf_counter()
    response = request(urls["PREVIEW 22M"])()
    cold_ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, response.status_code

    print(f"\n{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, target in urls.items():
        call = request(target)
        for _ in range(3):
            status = call().status_code
        expected = 404 if name == "404 page" else 200
        if status != expected:
            raise RuntimeError(f"{name}: HTTP {status}")
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        target_ms = PREVIEW_TARGET_MS if name == "PREVIEW 22M" else PAGE_TARGET_MS
        flag = "" if p95 <= target_ms else f"  over {target_ms:.0f} ms"
        if name != "PREVIEW 22M":
            worst = max(worst, p95)
        print(f"{name:<40} {statistics.median(times):>8.1f} {p95:>8.1f} {times[-1]:>8.1f}{flag}")
    print(
        f"\nworst page p95: {worst:.1f} ms (target {PAGE_TARGET_MS:.0f} ms)\n"
        f"first Preview page of the big table, cold: {cold_ms:.1f} ms "
        f"(target {PREVIEW_TARGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
