from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from relata.core.decorators import actor_required
from relata.core.middleware import SESSION_WORKSPACE_KEY
from relata.core.selectors.jobs import jobs_visible_to
from relata.core.selectors.notifications import notifications_of, unread_count
from relata.core.services.notifications import notifications_mark_read
from relata.core.services.profile import user_set_language
from relata.web.search import MIN_LENGTH, search


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page's <link rel=icon> says. Answered
    with a redirect, not the 404 page: that page renders a CSRF token, and rendered in
    parallel with a visitor's first page it would set a second, different CSRF cookie
    that spoils the first page's form (a login refused as "CSRF token incorrect")."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


@require_GET
@actor_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    recent_jobs = jobs_visible_to(actor).filter(created_by=actor.user)[:5]
    return render(request, "web/home.html", {"recent_jobs": recent_jobs})


@require_GET
@actor_required
def global_search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    groups = search(request.actor, text)  # type: ignore[attr-defined]
    template = "web/_search_results.html" if request.htmx else "web/search.html"  # type: ignore[attr-defined]
    return render(
        request, template, {"groups": groups, "search_text": text, "too_short": len(text.strip()) < MIN_LENGTH}
    )


@require_GET
@actor_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The bell, polled every few seconds by every open page: unread notifications and
    running jobs, plus the notifications that arrived since `after` as pop-ups (so a
    reminder appears in an open page without reloading it)."""
    actor = request.actor  # type: ignore[attr-defined]
    after = int(request.GET["after"]) if request.GET.get("after", "").isdigit() else None
    fresh = list(notifications_of(actor).filter(pk__gt=after, read_at=None)[:5]) if after is not None else []
    latest = notifications_of(actor).values_list("pk", flat=True).first() or 0
    context = {
        "running": jobs_visible_to(actor).filter(created_by=actor.user, state__in=["pending", "running"]).count(),
        "unread": unread_count(actor),
        "fresh": fresh,
        "after": max(latest, after or 0),
    }
    return render(request, "web/_notifications.html", context)


@require_GET
@actor_required
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    page = Paginator(notifications_of(actor), 50).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


@require_POST
@actor_required
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of them read; follow its link if it has one."""
    actor = request.actor  # type: ignore[attr-defined]
    wanted = request.POST.get("id", "")
    if wanted.isdigit():
        notifications_mark_read(actor, [int(wanted)])
        target = notifications_of(actor).filter(pk=int(wanted)).values_list("url", flat=True).first()
        if target and target.startswith("/") and not target.startswith("//"):
            return HttpResponseRedirect(target)
    else:
        notifications_mark_read(actor)
    return HttpResponseRedirect(_safe_next(request, "/notifications/all/"))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a logged-in user keeps the choice in the profile."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_set_language(request.user, language)  # type: ignore[arg-type]
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_POST
@login_required
def switch_workspace(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("workspace", ""))
    except ValueError:
        wanted = 0
    if any(m.workspace_id == wanted for m in getattr(request, "memberships", [])):
        request.session[SESSION_WORKSPACE_KEY] = wanted
    return HttpResponseRedirect("/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
    return render(request, "400.html", {"too_big": too_big}, status=413 if too_big else 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be the reason we are here.
    return HttpResponseServerError(loader.get_template("500.html").render())
