"""Requests that pages on other sites make: refused unless their origin is trusted.

A browser sends a "simple" cross-origin POST (a text/plain, form-encoded or multipart body) without
asking the server first; the page cannot read the answer, but the server would still act on it,
and with anonymous access on loopback any page a person visits could run SQL. Browsers say where a
request comes from (`Origin`, `Sec-Fetch-Site`); programs such as the client library and `bq`
send neither, so they are never refused here. Trusted origins (QUARRY_TRUSTED_ORIGINS) get CORS
answers, so a web app there can call the API and read the result.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from console.api.errors import error_response
from console.errors import AccessDenied

# What Sec-Fetch-Site says of a request from a page on another origin.
OTHER_SITE = ("cross-site", "same-site")
# The headers a resumable upload's answers carry that its client must read.
EXPOSED_HEADERS = "Location, Range"
PREFLIGHT_MAX_AGE_S = 600


def own_origin(request: HttpRequest) -> str:
    """Return the origin this server was reached at, as a browser writes it."""
    return f"{request.scheme}://{request.get_host()}".lower()


def foreign_origin(request: HttpRequest) -> str | None:
    """Return the origin of a page on another site that made the request, else None.

    A browser that names no origin but says the request is cross-site gives "null", which no
    trusted origin matches.
    """
    origin = request.headers.get("Origin", "").strip().lower()
    if origin and origin != own_origin(request):
        return origin
    if request.headers.get("Sec-Fetch-Site", "").lower() in OTHER_SITE:
        return origin or "null"
    return None


def check(request: HttpRequest) -> None:
    """Refuse a request from a page on another site unless its origin is trusted."""
    origin = foreign_origin(request)
    if origin is not None and origin not in settings.QUARRY_TRUSTED_ORIGINS:
        raise AccessDenied(
            f"Cross-site request refused: the page at origin {origin} is not trusted. Add the "
            "origin to QUARRY_TRUSTED_ORIGINS to let a web app there call this API."
        )


def preflight(request: HttpRequest, methods: Iterable[str]) -> HttpResponse:
    """Answer an OPTIONS request: CORS permission for a trusted origin, a refusal for others."""
    try:
        check(request)
    except AccessDenied as err:
        return error_response(err.message, err.reason)
    response = HttpResponse(status=204)
    allowed = ", ".join([*methods, "OPTIONS"])
    response["Allow"] = allowed
    if foreign_origin(request) is not None:
        response["Access-Control-Allow-Methods"] = allowed
        # The origin is trusted, so whatever headers its page asks to send are fine.
        asked = request.headers.get("Access-Control-Request-Headers")
        if asked:
            response["Access-Control-Allow-Headers"] = asked
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_S)
    return allow(request, response)


def allow(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let a trusted origin's page read the response; every answer varies with the Origin."""
    patch_vary_headers(response, ["Origin"])
    origin = foreign_origin(request)
    if origin is not None and origin in settings.QUARRY_TRUSTED_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response
