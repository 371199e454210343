"""The member's own profile and API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.decorators import actor_required
from relata.core.forms import ProfileForm, TokenForm
from relata.core.selectors.tokens import tokens_of
from relata.core.services.profile import user_update_profile
from relata.core.services.tokens import token_create, token_revoke


@actor_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    user = actor.user
    initial = {"full_name": user.full_name, "language": user.language, "time_zone": user.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(actor, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your profile has been saved."))
            response = HttpResponseRedirect(reverse("core:profile"))
            if form.cleaned_data["language"]:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    form.cleaned_data["language"],
                    max_age=365 * 24 * 3600,
                    samesite="Lax",
                )
            return response
    return render(request, "core/profile.html", {"form": form}, status=400 if form.errors else 200)


def _end_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


@actor_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None)
    created_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, created_secret = token_create(
                actor, name=form.cleaned_data["name"], expires_at=_end_of_day(form.cleaned_data["expires_at"])
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            form = TokenForm()
    own_tokens = tokens_of(actor)
    return render(
        request,
        "core/tokens.html",
        {"form": form, "tokens": own_tokens, "created_secret": created_secret},
        status=400 if form.errors else 200,
    )


@actor_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_revoke(request.actor, pk)  # type: ignore[attr-defined]
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("core:tokens"))
