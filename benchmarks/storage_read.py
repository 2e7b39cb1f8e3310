"""Time the tutorial's largest read, the 22.4 M-row recommendation table into pandas, three ways.

    python -m benchmarks.storage_read [--rows 22400000] [--rest-sample 300000]

- floor: pyarrow reads the table's own Parquet file into pandas in this process (no server);
- Storage Read API: google-cloud-bigquery's `list_rows(t).to_dataframe(bqstorage_client=...)`
  against `manage.py storage_read` (gRPC over TLS) in a process of its own, as `serve` runs it;
- REST: the same call with `create_bqstorage_client=False` (tabledata.list pages of JSON) on the
  first --rest-sample rows, extrapolated linearly to the whole table (it would take minutes).

Everything lives in a throwaway var dir; the web server (runserver, for the table's metadata and
the REST path) and the gRPC server are child processes. It prints each time, the ratios, and the
gRPC server's peak memory beside the table's size in memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks._django import setup_throwaway_django

ROWS = 22_400_000
TARGET_S = 10.0
TARGET_SPEEDUP = 50.0
BATCH = 1_000_000
PROJECT = "local-project"


def _recommend_batches(total: int):
    rng = np.random.default_rng(7)
    done = 0
    while done < total:
        n = min(BATCH, total - done)
        index = np.arange(done, done + n, dtype=np.int64)
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(index // 3706),
                pa.array(index % 3706),
                pa.array(rng.normal(3.5, 1.0, n)),
            ],
            names=["user_id", "item_id", "predicted_rating"],
        )
        done += n


def _store(rows: int):
    from console.catalog.models import Dataset, Project
    from console.engine import tables

    dataset = Dataset.create(Project.default(), "bqml_tutorial")
    schema = next(_recommend_batches(1)).schema
    return tables.write_version(dataset, "recommend", schema, None, _recommend_batches(rows))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"a server exited at start-up (code {process.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout_s} s")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--rest-sample", type=int, default=300_000)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="quarry-bench-storage-read-"))
    setup_throwaway_django(var)
    from django.conf import settings

    from console import tls
    from console.catalog import storage

    certificate = tls.ensure(settings.VAR_DIR / "tls")
    # Before this process opens any secure channel: gRPC reads its roots once.
    os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(certificate.cert_path)

    started = time.perf_counter()
    table = _store(args.rows)
    print(f"wrote {args.rows:,} rows in {time.perf_counter() - started:.1f} s")

    floor_s = float("inf")
    for _ in range(2):  # the best of two: the first also pays for the page cache
        started = time.perf_counter()
        floor = pq.read_table(storage.resolve(table.data_path)).to_pandas()
        floor_s = min(floor_s, time.perf_counter() - started)
    table_mb = floor.memory_usage(index=False).sum() / 1e6

    env = {**os.environ, "QUARRY_NO_BOOTSTRAP": "1", "QUARRY_ANONYMOUS_ACCESS": "true"}
    web_port, grpc_port = _free_port(), _free_port()
    manage = [sys.executable, "manage.py"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    web = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{web_port}", "--noreload"], **quiet)
    grpc = subprocess.Popen(
        [*manage, "storage_read", "--host", "127.0.0.1", "--port", str(grpc_port)], **quiet
    )
    try:
        _wait_for_port(web_port, web)
        _wait_for_port(grpc_port, grpc)
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery, bigquery_storage

        credentials = AnonymousCredentials()
        client = bigquery.Client(
            project=PROJECT,
            credentials=credentials,
            client_options=ClientOptions(api_endpoint=f"http://127.0.0.1:{web_port}"),
        )
        reader = bigquery_storage.BigQueryReadClient(
            client_options=ClientOptions(api_endpoint=f"127.0.0.1:{grpc_port}"),
            credentials=credentials,
        )
        name = f"{PROJECT}.bqml_tutorial.recommend"
        idle_mb = _peak_rss_mb(grpc.pid)

        started = time.perf_counter()
        fast = client.list_rows(name).to_dataframe(bqstorage_client=reader)
        grpc_s = time.perf_counter() - started
        grpc_peak_mb = _peak_rss_mb(grpc.pid)
        assert len(fast) == args.rows, len(fast)

        sample = min(args.rest_sample, args.rows)
        started = time.perf_counter()
        slow = client.list_rows(name, max_results=sample).to_dataframe(
            create_bqstorage_client=False
        )
        rest_sample_s = time.perf_counter() - started
        assert len(slow) == sample
        rest_s = rest_sample_s * args.rows / sample
    finally:
        for process in (web, grpc):
            process.terminate()
            process.wait(timeout=30)

    print(f"\n{args.rows:,} rows (user_id, item_id, predicted_rating) into pandas:")
    print(f"  floor  pyarrow reads the Parquet file in-process   {floor_s:8.2f} s")
    print(
        f"  Storage Read API (gRPC, TLS), to_dataframe       {grpc_s:8.2f} s"
        f"   {grpc_s / floor_s:5.1f}x the floor   (target < {TARGET_S:.0f} s)"
    )
    print(
        f"  REST tabledata.list, to_dataframe (from {sample:,})  {rest_s:8.1f} s"
        f"   {rest_s / grpc_s:5.0f}x the gRPC time   (target >= {TARGET_SPEEDUP:.0f}x)"
    )
    print(
        f"  gRPC server peak memory {grpc_peak_mb:.0f} MB (idle {idle_mb:.0f} MB); "
        f"the table in pandas {table_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
