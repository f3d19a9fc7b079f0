"""The theme toggle's endpoint: remember light or dark (or the system's) for this browser and member."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import THEMES, ThemeChoice

YEAR = 365 * 24 * 3600


@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    """Save the chosen theme in a cookie (and for a member, their account), then go back."""
    theme = request.POST.get("theme", "")
    theme = theme if theme in THEMES else ""  # anything else: follow the system's scheme
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = "/"
    response = (
        HttpResponse(status=204) if request.headers.get("X-Requested-With") else HttpResponseRedirect(back)
    )
    if theme:
        response.set_cookie("theme", theme, max_age=YEAR, samesite="Lax")
    else:
        response.delete_cookie("theme")
    if request.user.is_authenticated:
        if theme:
            ThemeChoice.objects.update_or_create(user=request.user, defaults={"theme": theme})
        else:
            ThemeChoice.objects.filter(user=request.user).delete()
        request.session["theme"] = theme
    return response
