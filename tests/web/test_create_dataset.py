from __future__ import annotations

from django.test import Client

from console.catalog.models import Dataset, Project


def test_it_shows_the_form(client: Client, db: None) -> None:
    r = client.get("/datasets/new")
    assert r.status_code == 200
    html = r.content.decode()
    for label in ("Dataset ID", "Location type", "Multi-region", "Region", "Description"):
        assert label in html
    assert "Create dataset</button>" in html


def test_it_creates_a_dataset(client: Client, db: None) -> None:
    r = client.post(
        "/datasets/new",
        {
            "dataset_id": "bqml_tutorial",
            "location_type": "multi-region",
            "location": "US",
            "description": "BigQuery ML tutorial dataset.",
        },
    )
    assert r.status_code == 302
    assert r.url == "/d/bqml_tutorial/"
    ds = Dataset.lookup(Project.default(), "bqml_tutorial")
    assert ds.location == "US"
    assert ds.description == "BigQuery ML tutorial dataset."


def test_it_creates_a_regional_dataset(client: Client, db: None) -> None:
    data = {"dataset_id": "eu_data", "location_type": "region", "location": "europe-west1"}
    r = client.post("/datasets/new", data)
    assert r.status_code == 302
    assert Dataset.lookup(Project.default(), "eu_data").location == "europe-west1"


def test_it_refuses_a_malformed_id(client: Client, db: None) -> None:
    data = {"dataset_id": "bad-name!", "location_type": "multi-region", "location": "US"}
    r = client.post("/datasets/new", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Invalid dataset ID &quot;bad-name!&quot;" in html
    assert 'class="field-error"' in html
    assert not Dataset.objects.exists()


def test_it_refuses_a_duplicate(client: Client, dataset: Dataset) -> None:
    data = {"dataset_id": "bqml_tutorial", "location_type": "multi-region", "location": "US"}
    r = client.post("/datasets/new", data)
    assert r.status_code == 400
    assert "Already Exists: Dataset local-project:bqml_tutorial" in r.content.decode()
    assert Dataset.objects.count() == 1


def test_it_refuses_a_region_given_as_multi_region(client: Client, db: None) -> None:
    data = {"dataset_id": "x", "location_type": "multi-region", "location": "us-east1"}
    r = client.post("/datasets/new", data)
    assert r.status_code == 400
    assert "us-east1 is not a multi-region" in r.content.decode()
    assert not Dataset.objects.exists()
