"""Metadata BigQuery keeps for tables, views, datasets and models: kept and shown, never dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_installation'),
    ]

    operations = [
        migrations.AddField(
            model_name='dataset',
            name='default_partition_expiration_ms',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='dataset',
            name='friendly_name',
            field=models.CharField(blank=True, max_length=1024),
        ),
        migrations.AddField(
            model_name='mlmodel',
            name='expiration_time',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='mlmodel',
            name='friendly_name',
            field=models.CharField(blank=True, max_length=1024),
        ),
        migrations.AddField(
            model_name='mlmodel',
            name='labels',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='table',
            name='clustering_fields',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='table',
            name='friendly_name',
            field=models.CharField(blank=True, max_length=1024),
        ),
        migrations.AddField(
            model_name='table',
            name='labels',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='table',
            name='range_partitioning',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='table',
            name='require_partition_filter',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='table',
            name='table_type',
            field=models.CharField(choices=[('TABLE', 'Table'), ('VIEW', 'View')], default='TABLE', max_length=16),
        ),
        migrations.AddField(
            model_name='table',
            name='time_partitioning',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='table',
            name='view_query',
            field=models.TextField(blank=True),
        ),
    ]
