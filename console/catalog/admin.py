from __future__ import annotations

from django.contrib import admin

from console.catalog.models import Dataset, MLModel, Project, Table, TrainingIteration


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["project_id", "created"]
    search_fields = ["project_id"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["dataset_id", "project", "location", "description", "created", "modified"]
    list_filter = ["project", "location"]
    search_fields = ["dataset_id", "description"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["table_id", "dataset", "num_rows", "num_bytes", "version", "modified"]
    list_filter = ["dataset__project", "dataset"]
    search_fields = ["table_id", "dataset__dataset_id"]
    readonly_fields = ["data_path", "version"]


class TrainingIterationInline(admin.TabularInline):
    model = TrainingIteration
    extra = 0
    fields = ["training_run", "iteration", "loss", "eval_loss", "duration_ms"]
    readonly_fields = fields


@admin.register(MLModel)
class MLModelAdmin(admin.ModelAdmin):
    list_display = ["model_id", "dataset", "model_type", "state", "created", "modified"]
    list_filter = ["state", "model_type", "dataset"]
    search_fields = ["model_id", "dataset__dataset_id"]
    readonly_fields = ["artifact_path", "training_job"]
    inlines = [TrainingIterationInline]


@admin.register(TrainingIteration)
class TrainingIterationAdmin(admin.ModelAdmin):
    list_display = ["model", "training_run", "iteration", "loss", "eval_loss", "duration_ms"]
    list_filter = ["model"]
    search_fields = ["model__model_id"]
