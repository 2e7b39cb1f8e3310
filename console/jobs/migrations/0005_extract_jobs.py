"""Extract jobs: a table written to gs:// URIs as files."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0004_job_heartbeat'),
    ]

    operations = [
        migrations.AlterField(
            model_name='job',
            name='job_type',
            field=models.CharField(choices=[('QUERY', 'Query'), ('LOAD', 'Load'), ('COPY', 'Copy'), ('EXTRACT', 'Extract')], max_length=8),
        ),
    ]
