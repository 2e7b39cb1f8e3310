"""The admin's view of the catalog: rows to inspect, never to type in.

A dataset, table or model is more than its row: tables and models have stored files that only
the engine writes, and a row made or edited here would point at no data. So catalog rows are
read-only in the admin, and deleting one goes through the catalog's own delete, which removes
the files too, as `bq rm` and the REST API do. Projects can be added, as they hold nothing yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from console.catalog.models import (
    Dataset,
    MLModel,
    Project,
    Routine,
    Table,
    TableVersion,
    TrainingIteration,
)
from console.iam import access, roles

# Rows with no delete of their own: they go with their table or model.
DEPENDENT_ROWS = {TableVersion._meta.verbose_name, TrainingIteration._meta.verbose_name}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows the engine writes; adding or editing one here would leave it without data."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class DependentRowAdmin(ReadOnlyAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CatalogObjectAdmin(ReadOnlyAdmin):
    """Deletes through the catalog's delete, which also removes what the object stored."""

    # The IAM permission the same delete needs in the console, the API and bq.
    iam_delete_permission = ""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return access.can(request.user, self.iam_delete_permission, obj)

    def delete_through_catalog(self, obj: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_through_catalog(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_through_catalog(obj)

    def get_deleted_objects(
        self, objs: Iterable[Model], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - DEPENDENT_ROWS, protected


@admin.register(Project)
class ProjectAdmin(CatalogObjectAdmin):
    list_display = ["project_id", "created"]
    search_fields = ["project_id"]
    iam_delete_permission = roles.PROJECTS_DELETE

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new project is an empty container: nothing stored can be missing.
        return request.user.has_perm("catalog.add_project")

    def delete_through_catalog(self, obj: Project) -> None:
        obj.shut_down()


@admin.register(Dataset)
class DatasetAdmin(CatalogObjectAdmin):
    list_display = ["dataset_id", "project", "location", "description", "created", "modified"]
    list_filter = ["project", "location"]
    search_fields = ["dataset_id", "description"]
    iam_delete_permission = roles.DATASETS_DELETE

    def delete_through_catalog(self, obj: Dataset) -> None:
        obj.delete_with_contents(True)


class TableVersionInline(admin.TabularInline):
    model = TableVersion
    extra = 0
    can_delete = False
    fields = ["version", "num_rows", "num_bytes", "created", "data_path"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Table)
class TableAdmin(CatalogObjectAdmin):
    list_display = ["table_id", "dataset", "num_rows", "num_bytes", "version", "modified"]
    list_filter = ["dataset__project", "dataset"]
    search_fields = ["table_id", "dataset__dataset_id"]
    inlines = [TableVersionInline]
    iam_delete_permission = roles.TABLES_DELETE

    def delete_through_catalog(self, obj: Table) -> None:
        obj.delete_with_files()


@admin.register(TableVersion)
class TableVersionAdmin(DependentRowAdmin):
    list_display = ["table", "version", "num_rows", "num_bytes", "created"]
    list_filter = ["table__dataset"]
    search_fields = ["table__table_id"]


class TrainingIterationInline(admin.TabularInline):
    model = TrainingIteration
    extra = 0
    can_delete = False
    fields = ["job", "training_run", "iteration", "loss", "eval_loss", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(MLModel)
class MLModelAdmin(CatalogObjectAdmin):
    list_display = ["model_id", "dataset", "model_type", "state", "created", "modified"]
    list_filter = ["state", "model_type", "dataset"]
    search_fields = ["model_id", "dataset__dataset_id"]
    inlines = [TrainingIterationInline]
    iam_delete_permission = roles.MODELS_DELETE

    def delete_through_catalog(self, obj: MLModel) -> None:
        obj.delete_with_files()


@admin.register(TrainingIteration)
class TrainingIterationAdmin(DependentRowAdmin):
    list_display = ["model", "job", "training_run", "iteration", "loss", "eval_loss", "duration_ms"]
    list_filter = ["model"]
    search_fields = ["model__model_id"]


@admin.register(Routine)
class RoutineAdmin(CatalogObjectAdmin):
    list_display = ["routine_id", "dataset", "routine_type", "language", "created", "modified"]
    list_filter = ["dataset"]
    search_fields = ["routine_id", "dataset__dataset_id"]
    iam_delete_permission = roles.ROUTINES_DELETE

    def delete_through_catalog(self, obj: Routine) -> None:
        # A routine stores nothing but its row.
        obj.delete()
