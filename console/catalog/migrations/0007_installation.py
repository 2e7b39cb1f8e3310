"""The catalog's own key, from which a default job queue is named (console/jobs/queues.py)."""

import uuid

from django.db import migrations, models

import console.catalog.models


def make_key(apps, schema_editor):
    apps.get_model("catalog", "Installation").objects.create(key=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_model_bytes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Installation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        default=console.catalog.models._new_key, max_length=32, unique=True
                    ),
                ),
            ],
        ),
        migrations.RunPython(make_key, migrations.RunPython.noop),
    ]
