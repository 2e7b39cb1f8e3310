"""The janitor removes what failed writes left in the storage dir, and nothing anyone reads."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

from console.catalog import janitor, storage
from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine import tables
from console.engine.results import read_rows

GRACE = dt.timedelta(hours=1)
DAY_S = 24 * 3600


@pytest.fixture
def dataset(db: None, own_storage_dir: Path) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def _stored(relative: str, size: int = 100, age_s: float = DAY_S) -> str:
    """Write a file of size bytes at relative in the storage dir, last modified age_s ago."""
    path = storage.resolve(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    _age(relative, age_s)
    return relative


def _age(relative: str, age_s: float = DAY_S) -> None:
    """Set a stored file's last modification age_s ago."""
    then = time.time() - age_s
    os.utime(storage.resolve(relative), (then, then))


def _table(dataset: Dataset, table_id: str, values: list[int]) -> Table:
    data = pa.table({"x": values})
    return tables.write_version(dataset, table_id, data.schema, None, data.to_batches())


def _exists(relative: str) -> bool:
    return storage.resolve(relative).exists()


def test_it_removes_what_interrupted_writes_left_and_says_what_that_freed(
    dataset: Dataset,
) -> None:
    table = _table(dataset, "t", [1, 2, 3])
    _age(table.data_path)
    hex_name = uuid.uuid4().hex
    leftovers = [
        # A table version written, then its process killed before the commit.
        _stored(f"tables/{hex_name}.parquet", 300),
        # The temporary file of a write that never finished, and one of mfcore's.
        _stored(f"tables/.tmp-{hex_name}-{uuid.uuid4().hex}.parquet", 200),
        _stored(f"models/.mfcore-{hex_name}.tmp", 50),
        # A staged upload no job names, and the part file of a resumable session that is gone.
        _stored(f"uploads/{uuid.uuid4().hex}.csv", 400),
        _stored(f"uploads/{uuid.uuid4().hex}.part", 600),
    ]

    report = janitor.collect(set(), grace=GRACE)

    assert sorted(report.removed) == sorted(leftovers)
    assert report.freed_bytes == 300 + 200 + 50 + 400 + 600
    assert not any(_exists(path) for path in leftovers)
    # The table still reads.
    assert read_rows(Table.objects.get(pk=table.pk))[1] == [[1], [2], [3]]


def test_it_keeps_every_version_and_model_the_catalog_names(dataset: Dataset) -> None:
    first = _table(dataset, "t", [1]).data_path
    table = _table(dataset, "t", [1, 2])
    model = MLModel.objects.create(
        dataset=dataset,
        model_id="m",
        state=MLModel.State.READY,
        artifact_path=_stored(f"models/{uuid.uuid4().hex}.npz"),
    )
    for path in (first, table.data_path):
        _age(path)

    report = janitor.collect(set(), grace=GRACE)

    assert report.removed == [] and report.freed_bytes == 0
    # The time-travel version stays beside the current one.
    assert _exists(first) and _exists(table.data_path) and _exists(model.artifact_path)


def test_it_keeps_what_the_caller_still_uses_and_what_may_still_be_written(
    own_storage_dir: Path, db: None
) -> None:
    used = [
        _stored(f"results/{uuid.uuid4().hex}.parquet"),
        _stored(f"uploads/{uuid.uuid4().hex}.csv"),
    ]
    # Written a minute ago: a writer may still be on it, or about to commit it.
    recent = [
        _stored(f"tables/.tmp-{uuid.uuid4().hex}-{uuid.uuid4().hex}.parquet", age_s=60),
        _stored(f"tables/{uuid.uuid4().hex}.parquet", age_s=60),
    ]
    # A resumable upload still open (its metadata is there), idle for a day.
    session = uuid.uuid4().hex
    open_session = [_stored(f"uploads/{session}.session.json"), _stored(f"uploads/{session}.part")]
    # Files Quarry never writes there are not the janitor's to judge.
    notes, folder = own_storage_dir / "notes.txt", own_storage_dir / "tables" / "kept"
    notes.write_text("mine")
    os.utime(notes, (0, 0))
    folder.mkdir()

    report = janitor.collect(set(used), grace=GRACE)

    assert report.removed == []
    assert all(_exists(path) for path in [*used, *recent, *open_session])
    assert notes.exists() and folder.is_dir()


def test_it_lets_a_file_age_past_the_grace_period_before_removing_it(
    own_storage_dir: Path, db: None
) -> None:
    orphan = _stored(f"tables/{uuid.uuid4().hex}.parquet", age_s=60)
    assert janitor.collect(set(), grace=GRACE).removed == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert janitor.collect(set(), grace=GRACE, now=later).removed == [orphan]
    assert not _exists(orphan)


def test_it_removes_the_spill_folder_of_a_duckdb_that_is_gone(dataset: Dataset) -> None:
    old = storage.root() / "scratch" / uuid.uuid4().hex
    (old / "duckdb_temp_storage").mkdir(parents=True)
    (old / "duckdb_temp_storage" / "block-0.tmp").write_bytes(b"x" * 4096)
    then = time.time() - DAY_S
    os.utime(old, (then, then))
    current = storage.root() / "scratch" / uuid.uuid4().hex
    current.mkdir()

    report = janitor.collect(set(), grace=GRACE)

    assert not old.exists() and current.exists()
    assert report.removed == [f"scratch/{old.name}"] and report.freed_bytes == 4096
