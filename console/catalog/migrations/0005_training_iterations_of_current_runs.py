# A model keeps only the iterations of the training that produced it; a job record's deletion no
# longer takes its model's training info with it.

import django.db.models.deletion
from django.db import migrations, models


def forget_replaced_runs(apps, schema_editor):
    """Delete the iterations that earlier, finished trainings of a replaced model left behind."""
    MLModel = apps.get_model("catalog", "MLModel")
    TrainingIteration = apps.get_model("catalog", "TrainingIteration")
    finished = models.Q(job__isnull=True) | models.Q(job__state="DONE")
    for model_id, job_id in MLModel.objects.values_list("pk", "training_job_id"):
        TrainingIteration.objects.filter(model_id=model_id).exclude(job_id=job_id).filter(
            finished
        ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_table_versions'),
        ('jobs', '0003_alter_job_job_type'),
    ]

    operations = [
        migrations.AlterField(
            model_name='trainingiteration',
            name='job',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='iterations', to='jobs.job'),
        ),
        migrations.RunPython(forget_replaced_runs, migrations.RunPython.noop),
    ]
