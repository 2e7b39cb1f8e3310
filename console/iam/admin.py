from __future__ import annotations

from django.contrib import admin

from console.iam.models import ApiKey, RoleBinding


@admin.register(RoleBinding)
class RoleBindingAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role", "created"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "user__email", "project__project_id"]
    autocomplete_fields = ["user"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__username", "prefix"]
    # Keys are issued in the console, where the token is shown once; here they can be revoked.
    readonly_fields = ["user", "name", "prefix", "created", "last_used"]
    fields = ["user", "name", "prefix", "created", "last_used", "revoked"]

    def has_add_permission(self, request: object) -> bool:
        return False
