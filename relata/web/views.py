from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from relata.core.decorators import actor_required
from relata.core.middleware import SESSION_WORKSPACE_KEY
from relata.core.selectors.jobs import jobs_visible_to
from relata.core.services.profile import user_set_language
from relata.web.search import MIN_LENGTH, search


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


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
    actor = request.actor  # type: ignore[attr-defined]
    running = jobs_visible_to(actor).filter(created_by=actor.user, state__in=["pending", "running"]).count()
    return render(request, "web/_notifications_badge.html", {"running": running})


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
