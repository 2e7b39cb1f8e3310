"""Turn a BigQueryError that escapes a console view into the page its reason calls for."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from console.errors import BigQueryError

# The console's pages for the reasons a view does not handle itself; others are bugs (500).
PAGE_FOR_REASON: dict[str, type[Exception]] = {
    "accessDenied": PermissionDenied,
    "notFound": Http404,
}


class BigQueryErrorMiddleware:
    """Answer a refused permission with the 403 page and a missing object with the 404 page.

    IAM raises the same AccessDenied on every path; the REST API turns it into BigQuery's error
    body, and the console, through this, into Django's own 403 handling (template 403.html).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if isinstance(error, BigQueryError) and error.reason in PAGE_FOR_REASON:
            return response_for_exception(request, PAGE_FOR_REASON[error.reason](error.message))
        return None
