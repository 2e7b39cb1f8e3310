"""`bq mk`, `bq update` and `bq show` keep and show labels, partitioning, clustering and
expirations, with bq's flags and output."""

from __future__ import annotations

import io

import pytest

from console.catalog.models import Dataset, MLModel, Project, Table
from console.management.commands.bq import Command


def bq(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = Command(stdout=out, stderr=err).execute_bq(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def shop(db: None) -> Dataset:
    code, out, err = bq("mk", "-d", "--label=env:dev", "--description=Shop", "shop")
    assert code == 0, err
    return Dataset.objects.get(dataset_id="shop")


def test_it_makes_a_partitioned_clustered_labelled_table(shop: Dataset) -> None:
    code, out, err = bq(
        "mk",
        "-t",
        "--schema=id:INTEGER,kind:STRING,ts:TIMESTAMP",
        "--time_partitioning_type=DAY",
        "--time_partitioning_field=ts",
        "--time_partitioning_expiration=86400",
        "--clustering_fields=kind,id",
        "--label=team:ml",
        "--label=tier:gold",
        "--description=Events",
        "--expiration=3600",
        "--require_partition_filter",
        "shop.events",
    )
    assert code == 0, err
    assert out.strip() == "Table 'local-project:shop.events' successfully created."
    table = Table.objects.get(table_id="events")
    assert table.time_partitioning == {"type": "DAY", "field": "ts", "expirationMs": "86400000"}
    assert (table.clustering_fields, table.labels) == (
        ["kind", "id"],
        {"team": "ml", "tier": "gold"},
    )
    assert table.require_partition_filter and table.expiration_time is not None

    code, out, _ = bq("show", "shop.events")
    lines = out.splitlines()
    assert lines[0] == "Table local-project:shop.events"
    header = lines[1]
    for column in ("Expiration", "Time Partitioning", "Clustered Fields", "Labels"):
        assert column in header
    assert "DAY (field: ts, expirationMs: 86400000)" in lines[3]
    assert "kind, id" in lines[3]
    assert lines[3].rstrip().endswith("team:ml")
    assert lines[4].rstrip().endswith("tier:gold")
    assert "|- kind: string" in lines[4]

    code, out, _ = bq("ls", "shop")
    assert "team:ml" in out and "DAY (field: ts, expirationMs: 86400000)" in out


def test_it_makes_a_range_partitioned_table(shop: Dataset) -> None:
    code, _, err = bq(
        "mk", "--range_partitioning=id,0,100,10", "shop.ranged", "id:INTEGER,name:STRING"
    )
    assert code == 0, err
    code, out, _ = bq("show", "shop.ranged")
    assert "Range Partitioning" in out and "id (start: 0, end: 100, interval: 10)" in out


def test_it_refuses_bad_metadata_creating_nothing(shop: Dataset) -> None:
    code, _, err = bq("mk", "-t", "--clustering_fields=a,b,c,d,e", "shop.t", "a,b,c,d,e")
    assert code == 1
    assert "BigQuery error in mk operation: Too many clustering fields: 5" in err
    code, _, err = bq("mk", "-t", "--label=Team:x", "shop.t", "a:STRING")
    assert 'Invalid label key "Team"' in err
    code, _, err = bq("mk", "--time_partitioning_field=a", "shop.t", "a:STRING")
    assert "The type found is: STRING" in err
    assert not Table.objects.filter(table_id="t").exists()


def test_it_updates_a_tables_labels_description_and_clustering(shop: Dataset) -> None:
    bq("mk", "--label=team:ml", "--label=old:x", "shop.events", "id:INTEGER,kind:STRING")
    code, out, err = bq(
        "update",
        "--set_label=tier:gold",
        "--clear_label=old",
        "--description=Every event",
        "--clustering_fields=kind",
        "shop.events",
    )
    assert code == 0, err
    assert out.strip() == "Table 'local-project:shop.events' successfully updated."
    table = Table.objects.get(table_id="events")
    assert table.labels == {"team": "ml", "tier": "gold"}
    assert (table.description, table.clustering_fields) == ("Every event", ["kind"])


def test_it_updates_a_datasets_labels_and_expiration(shop: Dataset) -> None:
    code, out, err = bq(
        "update", "-d", "--set_label=owner:ana", "--default_table_expiration=7200", "shop"
    )
    assert code == 0, err
    assert out.strip() == "Dataset 'local-project:shop' successfully updated."
    shop.refresh_from_db()
    assert shop.labels == {"env": "dev", "owner": "ana"}
    assert shop.default_table_expiration_ms == 7_200_000
    code, out, _ = bq("show", "shop")
    assert "env:dev" in out and "owner:ana" in out


def test_it_updates_and_shows_a_models_labels(shop: Dataset) -> None:
    MLModel.objects.create(dataset=shop, model_id="mf", artifact_path="models/mf")
    code, out, err = bq("update", "-m", "--set_label=stage:prod", "shop.mf")
    assert code == 0, err
    assert out.strip() == "Model 'local-project:shop.mf' successfully updated."
    assert MLModel.objects.get(model_id="mf").labels == {"stage": "prod"}
    code, out, _ = bq("show", "-m", "shop.mf")
    assert "Labels" in out and "stage:prod" in out
    code, out, _ = bq("ls", "-m", "shop")
    assert "stage:prod" in out


def test_it_refuses_an_update_of_a_missing_table(shop: Dataset) -> None:
    code, _, err = bq("update", "--set_label=a:b", "shop.nope")
    assert code == 2 and "Not found: Table local-project:shop.nope" in err
    assert Project.default().datasets.count() == 1


def test_it_refuses_a_flag_that_does_not_apply(shop: Dataset) -> None:
    code, _, err = bq("update", "-d", "--clustering_fields=a", "shop")
    assert code == 1
    assert "BigQuery error in update operation: --clustering_fields cannot be used for a " in err
    code, _, err = bq("mk", "-d", "--time_partitioning_field=ts", "other")
    assert "BigQuery error in mk operation: --time_partitioning_field cannot be used for a " in err
    assert not Dataset.objects.filter(dataset_id="other").exists()
