"""Request guards run around every view: NUL bytes and malformed parameters become 400s, rate
limits 429s, HEAD is answered wherever GET is, and every error under /api/ is JSON."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from paperwire.params import BadParameter, wants_json
from paperwire.ratelimits.limits import RateLimited

Handler = Callable[[HttpRequest], HttpResponse]


def is_api(request: HttpRequest) -> bool:
    """Return whether the request is for the JSON API (or a page's JSON twin)."""
    return request.path.startswith("/api/") or wants_json(request)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """Return a 400 page (JSON for the API) that says what was wrong."""
    if is_api(request):
        return JsonResponse({"error": message}, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request=request))


def nul_byte_in(request: HttpRequest) -> str | None:
    """Return where the request carries a NUL byte (path, parameter name or value), or None."""
    if "\0" in request.path:
        return "The address"
    fields = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields.append(request.POST)
    for params in fields:
        for name, values in params.lists():
            if "\0" in name or any("\0" in v for v in values):
                return f"The parameter {name.replace(chr(0), '')[:40]!r}"
    return None


class RequestGuardMiddleware:
    """Refuse NUL bytes before any query (PostgreSQL rejects them in text), turn BadParameter into
    400, answer HEAD like GET without a body, and make every error under /api/ JSON."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_byte_in(request)
        if where:
            response = bad_request(request, f"{where} contains a NUL byte, which is never valid here.")
        else:
            head = request.method == "HEAD"
            if head:
                # Views (and @require_GET) see a GET: HEAD is answered wherever GET is, with the
                # same headers and no body, as HTTP asks.
                request.method = "GET"
            response = self.get_response(request)
            if head:
                request.method = "HEAD"
                _drop_body(response)
        if request.path.startswith("/api/") and response.status_code >= 400:
            response = _as_json(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer a malformed parameter with 400, and a rate limit hit anywhere with 429."""
        if isinstance(exception, BadParameter):
            return bad_request(request, str(exception))
        if isinstance(exception, RateLimited):
            if is_api(request):
                response: HttpResponse = JsonResponse({"error": str(exception)}, status=429)
            else:
                response = render(request, "ratelimits/limited.html", {"message": str(exception)}, status=429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None


def _drop_body(response: HttpResponse) -> None:
    if response.streaming:
        close = getattr(response, "close", None)
        response.streaming_content = []  # type: ignore[attr-defined]
        if close:
            close()
        return
    length = len(response.content)
    response.content = b""
    response["Content-Length"] = str(length)


def _as_json(response: HttpResponse) -> HttpResponse:
    """Return an API error response as JSON, keeping its status and headers."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    reason = response.reason_phrase or "Error"
    converted = JsonResponse({"error": reason}, status=response.status_code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            converted[header] = response[header]
    return converted
