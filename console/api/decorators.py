"""The one decorator every API view goes through: where from, who calls, method, JSON, errors.

The wrapper refuses requests that pages on other sites make (`cross_site`), then reads the
`Authorization: Bearer <key>` header and sets `request.principal` before the view runs, so no view
can forget it. Only API keys authenticate here, never the console's session cookie: the API is
exempt from CSRF, so a cookie must not be enough to act.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from console.api import cross_site, fields
from console.api.errors import error_response
from console.errors import BigQueryError
from console.iam.models import ApiKey

View = Callable[..., dict[str, Any] | HttpResponse | None]


def parse_json(request: HttpRequest, spec: Any, where: str) -> dict[str, Any]:
    """Return the request's JSON object, checked against spec; an empty body is {}."""
    raw = request.body
    if not raw.strip():
        return {}
    # As BigQuery does; it also means no page can send a body without asking first (CORS).
    if request.content_type != "application/json":
        raise BigQueryError(
            f"Unsupported content with type: {request.content_type or '(none)'}. "
            "Send the request body as JSON, with Content-Type: application/json"
        )
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BigQueryError(f"Invalid JSON payload received. {err}") from None
    if not isinstance(body, dict):
        raise BigQueryError(f"Invalid JSON payload received. Expected an object for '{where}'")
    fields.check(body, spec, where)
    return body


def authenticate(request: HttpRequest) -> Any:
    """Return the user a request's API key names, or AnonymousUser where settings allow it."""
    return principal_for(request.headers.get("Authorization", ""))


def principal_for(header: str) -> Any:
    """Return the user an Authorization value (`Bearer <API key>`) names, or AnonymousUser for
    none where settings allow it. The REST API and the Storage Read API (gRPC metadata) share it.
    """
    scheme, _, token = header.partition(" ")
    if header and (scheme.lower() != "bearer" or not token.strip()):
        raise BigQueryError("Invalid Credentials: use Authorization: Bearer <API key>", "authError")
    if header:
        user = ApiKey.user_for_token(token.strip())
        if user is None:
            raise BigQueryError("Request had invalid authentication credentials.", "authError")
        return user
    if not settings.QUARRY_ANONYMOUS_ACCESS:
        raise BigQueryError(
            "Request is missing required authentication credential. Expected an API key "
            "(Authorization: Bearer <key>); create one on the console's API keys page.",
            "authError",
        )
    return AnonymousUser()


def api_view(
    *methods: str, body: Any = None, body_name: str = "", public: bool = False
) -> Callable[[View], Any]:
    """Serve a view as a BigQuery REST method: JSON in (checked against body) and out.

    The view returns a dict (sent as JSON), None (204, as for deletes) or a ready response. Every
    refusal becomes BigQuery's error body with the status its reason implies. Anything else is a
    bug: Django logs it and answers 500. A public view (the discovery document) needs no key.
    OPTIONS answers CORS preflights.
    """

    def decorate(view: View) -> Any:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return cross_site.preflight(request, methods)
            return cross_site.allow(request, serve(request, *args, **kwargs))

        def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                cross_site.check(request)
                if request.method not in methods:
                    raise BigQueryError(
                        f"Method {request.method} is not allowed here; use {', '.join(methods)}",
                        "methodNotAllowed",
                    )
                request.principal = AnonymousUser() if public else authenticate(request)
                if body is not None and request.method in ("POST", "PUT", "PATCH"):
                    request.json = parse_json(request, body, body_name)
                result = view(request, *args, **kwargs)
            except BigQueryError as err:
                return error_response(err.message, err.reason, err.location)
            except RequestDataTooBig:
                return error_response("Request too large: send files through the upload URL")
            if result is None:
                return HttpResponse(status=204)
            if isinstance(result, HttpResponse):
                return result
            return JsonResponse(result)

        return wrapper

    return decorate
