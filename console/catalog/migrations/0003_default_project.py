from django.conf import settings
from django.db import migrations


def create_default_project(apps, schema_editor):
    Project = apps.get_model("catalog", "Project")
    Project.objects.get_or_create(project_id=settings.QUARRY_DEFAULT_PROJECT)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(create_default_project, migrations.RunPython.noop)]
