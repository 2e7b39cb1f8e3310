"""Routines: persistent SQL user-defined functions, one dataset at a time."""

import console.catalog.models
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0008_metadata'),
    ]

    operations = [
        migrations.CreateModel(
            name='Routine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('routine_id', models.CharField(max_length=256, validators=[console.catalog.models.validate_routine_id])),
                ('routine_type', models.CharField(choices=[('SCALAR_FUNCTION', 'Scalar Function')], default='SCALAR_FUNCTION', max_length=32)),
                ('language', models.CharField(choices=[('SQL', 'Sql')], default='SQL', max_length=16)),
                ('arguments', models.JSONField(blank=True, default=list, help_text='BigQuery Arguments')),
                ('return_type', models.JSONField(blank=True, help_text='A StandardSqlDataType', null=True)),
                ('definition_body', models.TextField(help_text='The GoogleSQL expression the function returns')),
                ('description', models.TextField(blank=True)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('modified', models.DateTimeField(auto_now=True)),
                ('dataset', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='routines', to='catalog.dataset')),
            ],
            options={
                'ordering': ['routine_id'],
                'constraints': [models.UniqueConstraint(fields=('dataset', 'routine_id'), name='unique_routine_id')],
            },
        ),
    ]
