"""Top-level routes: the console for people, the admin for staff, the REST API for programs."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("console.api.urls")),
    path("", include("console.web.urls")),
]
