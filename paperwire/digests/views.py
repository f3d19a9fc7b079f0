"""Subscribe, confirm and unsubscribe pages; thin: the work is in subscriptions.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from paperwire.ratelimits.limits import RateLimited, client_ip

from . import subscriptions
from .models import Subscription
from .tokens import BadToken, read_confirm, read_unsubscribe


def _message(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "message.html", {"title": title, "text": text}, status=status)


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """Record a subscription request and mail the confirmation link."""
    client = client_ip(request)
    try:
        subscriptions.request_subscription(
            request.POST.get("email", ""),
            request.POST.get("frequency", Subscription.DAILY),
            client=client,
            now=timezone.now(),
        )
    except subscriptions.BadAddress as e:
        return _message(request, "Not subscribed", str(e), status=400)
    except RateLimited as e:
        response = _message(request, "Not subscribed", str(e), status=429)
        response["Retry-After"] = str(e.retry_after)
        return response
    except OSError:
        return _message(
            request,
            "Not subscribed",
            "The confirmation e-mail could not be sent; try again later.",
            status=503,
        )
    return _message(
        request,
        "Check your inbox",
        "We sent a confirmation link to that address. Nothing else is sent until you follow it.",
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Activate a subscription from its confirmation link (once): POST; GET shows the button.

    Link scanners and mail previews fetch (GET or HEAD) every link in a message: a GET that
    confirmed would let them complete the double opt-in for the address's owner.
    """
    try:
        if request.method != "POST":
            sub, frequency = read_confirm(token)
            label = dict(Subscription.FREQUENCIES)[frequency]
            return render(request, "digests/confirm.html", {"sub": sub, "frequency": label, "token": token})
        sub = subscriptions.confirm(token, now=timezone.now())
    except BadToken as e:
        return _message(
            request, "Not confirmed", f"{e} You can subscribe again from any feed page.", status=e.status
        )
    return _message(
        request,
        "Subscribed",
        f"{sub.email} will get the {sub.get_frequency_display().lower()} "
        "digest. Every digest has a link to unsubscribe.",
    )


# RFC 8058 one-click unsubscribe: a mail client POSTs "List-Unsubscribe=One-Click" to the URL of
# the List-Unsubscribe header, from outside any page of ours, so it cannot carry a CSRF token.
# CSRF protection is replaced by the signed, expiring, single-use token in the URL: a forger
# would need the token, and anyone holding it may end the subscription anyway. GET never
# unsubscribes (link scanners fetch links); it shows a button that POSTs here.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """End a subscription: POST (the one-click header or the page's button); GET shows the button."""
    try:
        if request.method == "POST":
            sub = subscriptions.unsubscribe(token, now=timezone.now())
            return _message(request, "Unsubscribed", f"{sub.email} will get no more digests.")
        sub = read_unsubscribe(token)
    except BadToken as e:
        return _message(request, "Not unsubscribed", str(e), status=e.status)
    return render(request, "digests/unsubscribe.html", {"sub": sub, "token": token})
