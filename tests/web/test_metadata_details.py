"""A table's and a model's Details tab show the metadata BigQuery Studio shows: labels, friendly
name, partitioning, clustering and expiration."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, Table
from tests.web.browser import chromium, sign_in


def _describe(table: Table) -> Table:
    table.friendly_name = "Movie ratings"
    table.labels = {"team": "ml", "env": "dev"}
    table.time_partitioning = {"type": "DAY", "field": "rated_at", "expirationMs": "172800000"}
    table.clustering_fields = ["user_id", "item_id"]
    table.require_partition_filter = True
    table.expiration_time = dt.datetime(2099, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    table.save()
    return table


def test_it_shows_a_tables_labels_partitioning_and_clustering(
    client: Client, ratings: Table
) -> None:
    _describe(ratings)
    html = client.get("/d/bqml_tutorial/t/ratings/?tab=details").content.decode()
    assert "<dt>Friendly name</dt><dd>Movie ratings</dd>" in html
    assert '<li class="chip"><span class="mono">team</span>: <span class="mono">ml</span></li>' in (
        html
    )
    assert "<dt>Partitioned by</dt><dd>DAY</dd>" in html
    assert '<dt>Partitioned on field</dt><dd class="mono">rated_at</dd>' in html
    assert "<dt>Partition expiration</dt><dd>2 days</dd>" in html
    assert "<dt>Partition filter</dt><dd>Required</dd>" in html
    assert '<dt>Clustered by</dt><dd class="mono">user_id, item_id</dd>' in html
    assert "2099" in html


def test_it_shows_an_integer_range_partitioning(client: Client, ratings: Table) -> None:
    ratings.range_partitioning = {
        "field": "user_id",
        "range": {"start": "0", "end": "100", "interval": "10"},
    }
    ratings.save()
    html = client.get("/d/bqml_tutorial/t/ratings/?tab=details").content.decode()
    assert "<dt>Partitioned by</dt><dd>Integer range</dd>" in html
    assert "start 0, end 100, interval 10" in html


def test_it_shows_no_partitioning_rows_for_a_plain_table(client: Client, ratings: Table) -> None:
    html = client.get("/d/bqml_tutorial/t/ratings/?tab=details").content.decode()
    assert "Partitioned by" not in html and "Clustered by" not in html
    assert "<dt>Labels</dt><dd>—" in html


def test_it_shows_a_datasets_friendly_name_and_partition_expiration(
    client: Client, dataset: Dataset
) -> None:
    dataset.friendly_name = "Tutorial"
    dataset.default_partition_expiration_ms = 3 * 86_400_000
    dataset.save()
    html = client.get("/d/bqml_tutorial/").content.decode()
    assert "<dt>Friendly name</dt><dd>Tutorial</dd>" in html
    assert "<dt>Default partition expiration</dt><dd>3 days</dd>" in html


def test_it_shows_a_models_labels_and_expiration(client: Client, model: MLModel) -> None:
    model.labels = {"stage": "prod"}
    model.friendly_name = "Recommender"
    model.expiration_time = dt.datetime(2099, 1, 2, tzinfo=dt.UTC)
    model.save()
    html = client.get("/d/bqml_tutorial/m/mf_explicit/").content.decode()
    assert '<span class="mono">stage</span>: <span class="mono">prod</span>' in html
    assert "<dt>Friendly name</dt><dd>Recommender</dd>" in html
    assert "<dt>Model expiration</dt><dd>Never</dd>" not in html


@pytest.mark.browser
def test_it_shows_the_details_tab_in_a_browser(
    live_server: Any, transactional_db: None, owner: Any, ratings: Table
) -> None:
    from playwright.sync_api import expect

    _describe(ratings)
    with chromium(width=1280, height=800) as context:
        page = context.new_page()
        sign_in(page, live_server.url, "alice", "alice-password")
        page.goto(f"{live_server.url}/d/bqml_tutorial/t/ratings/")
        page.get_by_role("link", name="Details").click()
        details = page.locator(".tab-panel")
        expect(details.locator("dt", has_text="Labels")).to_be_visible()
        expect(details.locator(".chip", has_text="team")).to_have_text("team: ml")
        expect(details.locator("dt", has_text="Clustered by").locator("+ dd")).to_have_text(
            "user_id, item_id"
        )
        partitioned = details.locator("dt", has_text="Partitioned on field").locator("+ dd")
        expect(partitioned).to_have_text("rated_at")
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
